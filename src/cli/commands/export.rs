//! `campaignctl export [--out DIR]`: every remote campaign as a manifest, to bring an account
//! that grew by hand under git. The list endpoint does not return the write-once fields, so an
//! exported manifest adopts its campaign with `id:` and a comment names what it cannot manage.
//! Planning the exported manifests right away shows no creates, no drift and no unmanaged
//! campaigns.

use crate::cli::ExitStatus;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use std::fmt::Write as _;

use serde_json::json;

use crate::api::types::{CampaignStatus, RemoteCampaign};
use crate::api::Client;
use crate::campaign::fields::OBSERVABLE;
use crate::campaign::WRITE_ONCE_FIELDS;
use crate::cli::args::ExportArgs;
use crate::diagnostic::Diagnostic;
use crate::manifest;
use crate::reconcile::saved::write_atomically;

/// How every exported manifest begins, followed by the API URL: how `--force` recognises a
/// file export wrote for this account (and the only kind it overwrites).
const HEADER: &str = "# Exported by campaignctl from ";

/// The most bytes of an existing file read to recognise export's header.
const HEADER_READ: u64 = 4096;

/// Longest file-name stem written (before `-ID` and `.yaml`).
const MAX_STEM: usize = 60;

pub async fn run(client: &Client, args: &ExportArgs) -> anyhow::Result<ExitStatus> {
    let mut campaigns = client.list_campaigns().await.map_err(Diagnostic::from)?;
    campaigns.sort_by_key(|c| c.id);
    warn_about_shared_names(&campaigns);

    let documents: Vec<(u64, String, String)> = campaigns
        .iter()
        .map(|c| {
            let text = manifest_text(c, client.base_url().as_str());
            (c.id, c.name.clone(), text)
        })
        .collect();
    // Never write a manifest that campaignctl itself would refuse.
    for (id, _, text) in &documents {
        let (_, diagnostics) =
            manifest::parse_bytes(Path::new(&format!("campaign {id}")), text.as_bytes());
        if let Some(d) = diagnostics.iter().find(|d| d.is_error()) {
            return Err(Diagnostic::error(None, format!(
                "cannot export campaign {id}: the platform returned a value campaignctl cannot represent: {d}"
            ))
            .into());
        }
    }

    match &args.out {
        None => {
            let all: Vec<&str> = documents.iter().map(|(_, _, t)| t.as_str()).collect();
            anstream::print!("{}", all.join("---\n"));
            anstream::eprintln!("Exported {} campaign(s).", documents.len());
        }
        Some(dir) => {
            let files = file_names(&documents);
            write_all(dir, &files, args.force, client.base_url().as_str())?;
            anstream::eprintln!(
                "Exported {} campaign(s) to {}.\nNext: campaignctl plan {}   # expect no changes",
                files.len(),
                dir.display(),
                dir.display()
            );
        }
    }
    Ok(ExitStatus::Success)
}

/// Names shared by several campaigns cannot become valid manifests as they are: the name is a
/// manifest's identity. Say so rather than leave the user to find out.
fn warn_about_shared_names(campaigns: &[RemoteCampaign]) {
    let mut by_name: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for c in campaigns {
        by_name.entry(c.name.as_str()).or_default().push(c.id);
    }
    for (name, ids) in by_name.iter().filter(|(_, ids)| ids.len() > 1) {
        let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
        anstream::eprintln!(
            "warning: campaigns {} share the name {name:?}; their manifests will not validate until all but one are renamed in the dashboard or deleted",
            ids.join(", ")
        );
    }
}

/// One manifest: a comment header, then `kind`, `id`, `name`, the observable fields the
/// platform returned, normalised (times as H:i, days in week order), and its status where a
/// manifest can say it. What the platform does not return (the write-once fields, a status a
/// manifest cannot ask for) is written as a commented line saying so, where the user fills it
/// in. Values are written as JSON, which is valid YAML: strings are always double-quoted with
/// escapes, so no name or time can be misread (`yes`, `08:30` in YAML 1.1, a leading `*` or
/// `#`).
pub fn manifest_text(c: &RemoteCampaign, api_url: &str) -> String {
    let mut fields: Vec<(&str, serde_json::Value)> = vec![
        ("kind", json!("Campaign")),
        ("id", json!(c.id)),
        ("name", json!(c.name)),
    ];
    fields.extend(
        OBSERVABLE
            .iter()
            .filter_map(|&f| Some((f.name(), c.get(f)?.to_json()))),
    );
    // The status as the manifest says it: the campaign keeps it, and the plan is empty.
    let status = match c.status {
        CampaignStatus::Draft => Ok("draft"),
        CampaignStatus::InProgress => Ok("running"),
        CampaignStatus::Stopped => Ok("stopped"),
        ref other => Err(other),
    };
    if let Ok(status) = status {
        fields.push(("status", json!(status)));
    }

    let mut text = format!(
        "{}{} (campaign id {}).\n\
         # `id` pins the campaign. The platform's campaign list does not return the fields\n\
         # commented out below: fill in each from the dashboard for this manifest to show it.\n",
        HEADER, api_url, c.id,
    );
    for (k, v) in fields {
        let _ = writeln!(text, "{k}: {v}");
    }
    for field in WRITE_ONCE_FIELDS {
        let _ = writeln!(
            text,
            "# {field}:   (not returned by the platform; set when the campaign was created)"
        );
    }
    match status {
        Err(CampaignStatus::NotReturned) => {
            let _ = writeln!(text, "# status:   (not returned by the platform)");
        }
        Err(other) => {
            let _ = writeln!(
                text,
                "# status:   (the platform says {}, which a manifest cannot ask for: left as it is)",
                other.label()
            );
        }
        Ok(_) => {}
    }
    text
}

/// A safe, readable file name per campaign: the name in lower case with every run of other
/// characters as `-`, cut to a bounded length; `-ID` added when two names meet, or when the
/// name would be the repository config's.
pub fn file_names(documents: &[(u64, String, String)]) -> Vec<(String, &str)> {
    let mut used = HashSet::new();
    documents
        .iter()
        .map(|(id, name, text)| {
            let stem = slug(name);
            let mut file = format!("{stem}.yaml");
            // A campaign named "campaignctl" must not become the repository config's file
            // (which discovery would then skip, and which may be the real config).
            if manifest::is_config_name(Path::new(&file)) || !used.insert(file.clone()) {
                file = format!("{stem}-{id}.yaml");
                used.insert(file.clone());
            }
            (file, text.as_str())
        })
        .collect()
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut stem: String = out.trim_matches('-').chars().take(MAX_STEM).collect();
    stem = stem.trim_end_matches('-').to_owned();
    if stem.is_empty() {
        stem = "campaign".to_owned();
    }
    stem
}

/// Writes every file or none: existing files are refused up front, and each file is written
/// to a temporary name and renamed into place. With `force`, an existing file is overwritten
/// only when export wrote it for this account (it begins with the header naming `api_url`):
/// `--out` at a repository's root must never replace the config or a file a person wrote.
fn write_all(
    dir: &Path,
    files: &[(String, &str)],
    force: bool,
    api_url: &str,
) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Diagnostic::error(None, format!("cannot create {}: {e}", dir.display())))?;
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(f, _)| dir.join(f))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !force {
        if let Some(first) = existing.first() {
            return Err(Diagnostic::error(
                None,
                format!(
                    "{} already exists{}; nothing was written",
                    first.display(),
                    match existing.len() {
                        1 => String::new(),
                        n => format!(" (and {} more)", n - 1),
                    }
                ),
            )
            .with_hint("export into an empty directory, or pass --force to overwrite files an earlier export wrote"));
        }
    }
    let foreign: Vec<&PathBuf> = existing
        .iter()
        .filter(|p| !written_by_export(p, api_url))
        .collect();
    if let Some(first) = foreign.first() {
        return Err(Diagnostic::error(
            None,
            format!(
                "{} exists and was not written by campaignctl export for this account{}; nothing was written",
                first.display(),
                match foreign.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                }
            ),
        )
        .with_hint(format!("--force overwrites only manifests an earlier export from {api_url} wrote; move the file away, or export into another directory")));
    }
    for (file, text) in files {
        let path = dir.join(file);
        write_atomically(&path, text.as_bytes()).map_err(|e| {
            Diagnostic::error(None, format!("cannot write {}: {e}", path.display()))
        })?;
    }
    Ok(())
}

/// Whether `path` is a regular file (not a link) that begins with export's header for
/// `api_url`. Only its first bytes are read.
fn written_by_export(path: &Path, api_url: &str) -> bool {
    use std::io::Read as _;
    let regular = path.symlink_metadata().is_ok_and(|m| m.is_file());
    let mut start = Vec::new();
    let read = regular
        && std::fs::File::open(path)
            .and_then(|f| f.take(HEADER_READ).read_to_end(&mut start))
            .is_ok();
    let expected = format!("{HEADER}{api_url} (campaign id ");
    read && start.starts_with(expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        let docs = vec![
            (1, "Q4 Renewals / East!".to_owned(), String::new()),
            (2, "q4 renewals east".to_owned(), String::new()),
            (3, "../../etc/passwd".to_owned(), String::new()),
            (4, "日本語".to_owned(), String::new()),
            (5, "x".repeat(300), String::new()),
            (6, "CampaignCtl".to_owned(), String::new()),
        ];
        let names: Vec<String> = file_names(&docs).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            names,
            [
                "q4-renewals-east.yaml".to_owned(),
                "q4-renewals-east-2.yaml".to_owned(),
                "etc-passwd.yaml".to_owned(),
                "campaign.yaml".to_owned(),
                format!("{}.yaml", "x".repeat(MAX_STEM)),
                "campaignctl-6.yaml".to_owned(),
            ]
        );
    }
}
