//! Campaign manifests: finding the files, parsing YAML with source positions, and validating each
//! document into a typed [`CampaignSpec`], with every problem reported as a [`Diagnostic`].

mod assistant_checks;
pub(crate) mod assistant_document;
pub(crate) mod assistant_schema;
pub(crate) mod at_revision;
mod blob_id;
mod defaults;
mod discover;
mod fields;
mod files;
mod in_order;
mod leads;
mod loader;
mod named_fields;
pub(crate) mod read_log;
mod scalar;
pub(crate) mod schema;
#[cfg(test)]
pub(crate) mod testing;
mod text;
mod validate;
pub(crate) mod yaml;
pub(crate) mod yaml_reader;

pub use crate::diagnostic::{
    Diagnostic, FlatDiagnostic, Location, Severity, MAX_DIAGNOSTICS_SHOWN,
};
pub use at_revision::{check_revision, load_at_revision, AtRevision, ConfigAtRevision};
pub use blob_id::BlobId;
pub use campaignctl_core::manifest::{CampaignSpec, DesiredStatus, Manifest};
pub use defaults::{Defaults, NOT_DEFAULTABLE};
pub(crate) use discover::discover_root;
pub use discover::{
    discover, forget_saved_plan, is_config_name, is_saved_plan, Discovered, CONFIG_FILE_NAME,
    SAVED_PLAN_KIND,
};
pub use files::kind as file_kind;
pub(crate) use files::{inside_its_repository, marked_repository, open_regular};
pub(crate) use loader::read_file;
pub use loader::{
    load, load_roots, load_roots_with, parse_assistant_bytes, parse_bytes, parse_bytes_with,
    BlobIds, Root,
};
pub(crate) use scalar::ScalarKind;
pub(crate) use text::decode as decode_text;

use std::path::PathBuf;
use std::sync::Arc;

use campaignctl_core::manifest::suggest;
pub use campaignctl_core::manifest::suggest_closest;
pub use leads::{normalize_phone, DesiredLead, LeadsSpec};

/// What loading a set of paths produced: the valid manifests and every diagnostic, sorted by
/// file, line and column. Callers must not use `manifests` for writes when `has_errors()`.
#[derive(Debug, Default)]
pub struct LoadOutcome {
    pub manifests: Vec<Manifest>,
    /// The valid `kind: Assistant` manifests, each name once.
    pub assistants: Vec<campaignctl_core::manifest::AssistantManifest>,
    pub diagnostics: Vec<Diagnostic>,
    /// How many manifest files were read.
    pub files: usize,
    /// The files read, in file order, with what a commit's copy must match for the manifests
    /// loaded from them to stand for that copy's (`at_revision`).
    pub loaded: Vec<LoadedFile>,
    /// How this load's problems show a place's path: the plan made from it names places (a
    /// manifest that adopts a campaign, a file that holds deletes) the same way.
    pub shown_from: crate::shown_path::ShownFrom,
}

impl LoadOutcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A manifest file a load read.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Its path as found: the locations of its manifests name it.
    pub path: PathBuf,
    /// Its real path (symbolic links resolved), which identifies it.
    pub real: PathBuf,
    /// The repository config's defaults it was read with.
    pub defaults: Option<Arc<Defaults>>,
    /// The git blob id of the bytes read, when the load noted it (`BlobIds::Note`).
    pub blob_id: Option<BlobId>,
}
