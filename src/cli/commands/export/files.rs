//! Where `export --out DIR` writes: safe file names, and every file written or none. An existing
//! file is replaced only with `--force`, and only when an earlier export from the same account
//! wrote it: a manifest by its header, a prompt file by an exported manifest naming it.

use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::HEADER;
use crate::diagnostic::Diagnostic;
use crate::manifest;
use crate::reconcile::saved::write_atomically;

/// The most bytes of an existing manifest read to recognise export's header.
const HEADER_READ: u64 = 4096;

/// The most bytes of an exported manifest read to find the prompt files it names (a manifest
/// file's own limit).
const MANIFEST_READ: u64 = 1024 * 1024;

/// Longest file-name stem written (before `-ID` and the extension).
const MAX_STEM: usize = 60;

/// The directory under `--out` that holds the assistants' manifests (a campaign and the
/// assistant that speaks for it often share a name, and would otherwise share a file name).
pub const ASSISTANTS_DIR: &str = "assistants";

/// One file export writes, relative to `--out`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub path: PathBuf,
    pub text: String,
    /// How `--force` recognises a file an earlier export wrote here.
    pub kind: FileKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A manifest: it begins with export's header naming the account's API URL.
    Manifest,
    /// A prompt file (its text is the prompt, so it carries no header): an earlier export's
    /// manifest in the same directory as `manifest_dir` names it with this `{ file: ... }`.
    Prompt {
        manifest_dir: PathBuf,
        reference: String,
    },
}

/// A safe, readable file name per document: the name in lower case with every run of other
/// characters as `-`, cut to a bounded length; `-ID` added when two names meet, or when the
/// name would be the repository config's. `fallback` is the stem of a name with no letter or
/// digit.
pub fn file_names(documents: &[(u64, &str)], fallback: &str) -> Vec<String> {
    let mut used = HashSet::new();
    documents
        .iter()
        .map(|(id, name)| {
            let stem = slug(name, fallback);
            let mut file = format!("{stem}.yaml");
            // A campaign named "campaignctl" must not become the repository config's file
            // (which discovery would then skip, and which may be the real config).
            if manifest::is_config_name(Path::new(&file)) || !used.insert(file.clone()) {
                file = format!("{stem}-{id}.yaml");
                used.insert(file.clone());
            }
            file
        })
        .collect()
}

/// A name as a file-name stem: lower case ASCII letters and digits, `-` for every run of
/// anything else, at most `MAX_STEM` characters; `fallback` when nothing is left.
pub fn slug(name: &str, fallback: &str) -> String {
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
        stem = fallback.to_owned();
    }
    stem
}

/// Writes every file or none: existing files are refused up front, and each file is written
/// to a temporary name and renamed into place. With `force`, an existing file is overwritten
/// only when export wrote it for this account (see [`FileKind`]): `--out` at a repository's
/// root must never replace the config or a file a person wrote.
pub fn write_all(
    dir: &Path,
    files: &[ExportFile],
    force: bool,
    api_url: &str,
) -> Result<(), Diagnostic> {
    let cannot_create = |d: &Path, e: &dyn std::fmt::Display| {
        Diagnostic::error(None, format!("cannot create {}: {e}", d.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| cannot_create(dir, &e))?;
    // The subdirectories export makes must be directories of DIR itself, not links leading
    // elsewhere: a link in the way is refused before anything is written.
    let mut subdirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.path.parent().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    subdirs.sort();
    subdirs.dedup();
    for sub in &subdirs {
        let mut at = dir.to_path_buf();
        for part in sub.components() {
            at.push(part);
            if let Ok(meta) = at.symlink_metadata() {
                if !meta.is_dir() {
                    return Err(Diagnostic::error(
                        None,
                        format!(
                            "{} is {}, not a directory; nothing was written",
                            at.display(),
                            manifest::file_kind(meta.file_type())
                        ),
                    )
                    .with_hint("export into another directory, or move it away"));
                }
            }
        }
    }
    let existing: Vec<&ExportFile> = files
        .iter()
        .filter(|f| dir.join(&f.path).symlink_metadata().is_ok())
        .collect();
    if !force {
        if let Some(first) = existing.first() {
            return Err(Diagnostic::error(
                None,
                format!(
                    "{} already exists{}; nothing was written",
                    dir.join(&first.path).display(),
                    more(existing.len())
                ),
            )
            .with_hint("export into an empty directory, or pass --force to overwrite files an earlier export wrote"));
        }
    }
    let mut named = HashMap::new();
    let foreign: Vec<&&ExportFile> = existing
        .iter()
        .filter(|f| !written_by_export(dir, f, api_url, &mut named))
        .collect();
    if let Some(first) = foreign.first() {
        return Err(Diagnostic::error(
            None,
            format!(
                "{} exists and was not written by campaignctl export for this account{}; nothing was written",
                dir.join(&first.path).display(),
                more(foreign.len())
            ),
        )
        .with_hint(format!("--force overwrites only manifests (and the prompt files they name) an earlier export from {api_url} wrote; move the file away, or export into another directory")));
    }
    for sub in &subdirs {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(|e| cannot_create(&path, &e))?;
    }
    for file in files {
        let path = dir.join(&file.path);
        write_atomically(&path, file.text.as_bytes()).map_err(|e| {
            Diagnostic::error(None, format!("cannot write {}: {e}", path.display()))
        })?;
    }
    Ok(())
}

fn more(count: usize) -> String {
    match count {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    }
}

/// Whether the existing `file` under `dir` was written by export for `api_url`. `named` keeps,
/// per directory, the prompt references its exported manifests hold (each directory read once).
fn written_by_export(
    dir: &Path,
    file: &ExportFile,
    api_url: &str,
    named: &mut HashMap<PathBuf, HashSet<String>>,
) -> bool {
    let path = dir.join(&file.path);
    match &file.kind {
        FileKind::Manifest => is_exported_manifest(&path, api_url, HEADER_READ).is_some(),
        FileKind::Prompt {
            manifest_dir,
            reference,
        } => {
            // Only a regular file is ever replaced (`write_atomically` refuses anything else).
            let regular = path.symlink_metadata().is_ok_and(|m| m.is_file());
            let manifests = dir.join(manifest_dir);
            regular
                && named
                    .entry(manifests.clone())
                    .or_insert_with(|| prompts_named(&manifests, api_url))
                    .contains(reference)
        }
    }
}

/// The prompt files (`{ file: ... }`, as export writes them) that the manifests an earlier
/// export for `api_url` wrote in `manifest_dir` (its own files, not its subdirectories) name.
fn prompts_named(manifest_dir: &Path, api_url: &str) -> HashSet<String> {
    let Ok(entries) = std::fs::read_dir(manifest_dir) else {
        return HashSet::new();
    };
    let mut named = HashSet::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            continue;
        }
        let Some(text) = is_exported_manifest(&path, api_url, MANIFEST_READ) else {
            continue;
        };
        for line in text.lines() {
            let reference = line
                .strip_prefix("system_prompt: ")
                .or_else(|| line.strip_prefix("initial_message: "))
                .filter(|value| value.starts_with("{ file: "));
            named.extend(reference.map(str::to_owned));
        }
    }
    named
}

/// The first `limit` bytes of `path` when it is a regular file (not a link) that begins with
/// export's header for `api_url`.
fn is_exported_manifest(path: &Path, api_url: &str, limit: u64) -> Option<String> {
    if !path.symlink_metadata().is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut start = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut start))
        .ok()?;
    let text = String::from_utf8_lossy(&start);
    let header = format!("{HEADER}{api_url} (");
    let ours = ["campaign id ", "assistant id "]
        .iter()
        .any(|kind| text.starts_with(&format!("{header}{kind}")));
    ours.then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        let long = "x".repeat(300);
        let docs = vec![
            (1, "Q4 Renewals / East!"),
            (2, "q4 renewals east"),
            (3, "../../etc/passwd"),
            (4, "日本語"),
            (5, long.as_str()),
            (6, "CampaignCtl"),
        ];
        let names = file_names(&docs, "campaign");
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
