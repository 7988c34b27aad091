//! `campaignctl export [--out DIR]`: every remote campaign and assistant as a manifest, to bring
//! an account that grew by hand under git. The lists do not return every field (a campaign's
//! write-once fields, an assistant's mode and models), so an exported manifest adopts its
//! campaign or assistant with `id:` and a comment names what it cannot manage. Planning the
//! exported manifests right away shows no creates, no drift and no unmanaged campaigns, and no
//! assistant that differs.

mod assistant;
mod campaign;
mod files;

use std::path::{Path, PathBuf};

use crate::api::types::Assistant;
use crate::api::Client;
use crate::cli::args::ExportArgs;
use crate::cli::ExitStatus;
use crate::diagnostic::Diagnostic;
use crate::manifest;
use assistant::{AssistantDocument, Layout};
use files::{ExportFile, FileKind, ASSISTANTS_DIR};

/// How every exported manifest begins, followed by the API URL: how `--force` recognises a
/// file export wrote for this account (and the only kind it overwrites).
const HEADER: &str = "# Exported by campaignctl from ";

pub async fn run(client: &Client, args: &ExportArgs) -> anyhow::Result<ExitStatus> {
    let (campaigns, assistants) =
        tokio::try_join!(client.list_campaigns(), client.list_assistants())
            .map_err(Diagnostic::from)?;
    let mut campaigns = campaigns;
    campaigns.sort_by_key(|c| c.id);
    campaign::warn_about_shared_names(&campaigns);
    let mut assistants = assistants;
    assistants.sort_by_key(|a| a.id);
    assistant::warn_about_shared_names(&assistants);
    let api_url = client.base_url().as_str();

    let campaign_texts: Vec<(u64, String)> = campaigns
        .iter()
        .map(|c| (c.id, campaign::manifest_text(c, api_url)))
        .collect();
    // Never write a manifest that campaignctl itself would refuse.
    for (id, text) in &campaign_texts {
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
            let mut all: Vec<String> = campaign_texts.into_iter().map(|(_, t)| t).collect();
            for a in &assistants {
                let AssistantDocument { manifest, .. } =
                    assistant::document(a, api_url, &Layout::Inline);
                assistant::check(a, Path::new(&format!("assistant {}", a.id)), &manifest)?;
                all.push(manifest);
            }
            anstream::print!("{}", all.join("---\n"));
            anstream::eprintln!(
                "Exported {} campaign(s) and {} assistant(s).",
                campaigns.len(),
                assistants.len()
            );
        }
        Some(dir) => {
            let documents: Vec<(u64, &str)> =
                campaigns.iter().map(|c| (c.id, c.name.as_str())).collect();
            let mut out: Vec<ExportFile> = files::file_names(&documents, "campaign")
                .into_iter()
                .zip(campaign_texts)
                .map(|(file, (_, text))| ExportFile {
                    path: PathBuf::from(file),
                    text,
                    kind: FileKind::Manifest,
                })
                .collect();
            out.extend(assistant_files(&assistants, api_url)?);
            files::write_all(dir, &out, args.force, api_url)?;
            anstream::eprintln!(
                "Exported {} campaign(s) to {}, {} assistant(s) to {} (prompts in {}).\nNext: campaignctl plan {}   # expect no changes",
                campaigns.len(),
                dir.display(),
                assistants.len(),
                dir.join(ASSISTANTS_DIR).display(),
                dir.join(ASSISTANTS_DIR).join("prompts").display(),
                dir.display()
            );
        }
    }
    Ok(ExitStatus::Success)
}

/// Every assistant's manifest under `assistants/` and its prompt files under
/// `assistants/prompts/`, each manifest read back by the loader first in a staging directory
/// laid out as `--out` will be (its own repository, so the prompt files resolve inside it).
fn assistant_files(assistants: &[Assistant], api_url: &str) -> Result<Vec<ExportFile>, Diagnostic> {
    let documents: Vec<(u64, &str)> = assistants.iter().map(|a| (a.id, a.name.as_str())).collect();
    let names = files::file_names(&documents, "assistant");
    let stage_error = |e: std::io::Error| {
        Diagnostic::error(
            None,
            format!("cannot check the exported assistants in a temporary directory: {e}"),
        )
    };
    let stage = tempfile::Builder::new()
        .prefix("campaignctl-export-")
        .tempdir()
        .map_err(stage_error)?;
    std::fs::create_dir(stage.path().join(".git")).map_err(stage_error)?;
    let staged_dir = stage.path().join(ASSISTANTS_DIR);
    std::fs::create_dir_all(staged_dir.join("prompts")).map_err(stage_error)?;
    let mut out = Vec::new();
    for (a, file) in assistants.iter().zip(&names) {
        let stem = files::slug(&a.name, "assistant");
        let document = assistant::document(a, api_url, &Layout::Files { stem: &stem });
        for (path, text) in &document.prompts {
            std::fs::write(staged_dir.join(path), text).map_err(stage_error)?;
        }
        let staged = staged_dir.join(file);
        std::fs::write(&staged, &document.manifest).map_err(stage_error)?;
        assistant::check(a, &staged, &document.manifest)?;
        for (path, text) in document.prompts {
            out.push(ExportFile {
                path: Path::new(ASSISTANTS_DIR).join(&path),
                kind: FileKind::Prompt {
                    manifest_dir: PathBuf::from(ASSISTANTS_DIR),
                    reference: assistant::file_reference(&path),
                },
                text,
            });
        }
        out.push(ExportFile {
            path: Path::new(ASSISTANTS_DIR).join(file),
            text: document.manifest,
            kind: FileKind::Manifest,
        });
    }
    Ok(out)
}
