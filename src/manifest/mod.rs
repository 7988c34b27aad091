//! Campaign manifests: finding the files, parsing YAML with source positions, and validating each
//! document into a typed [`CampaignSpec`], with every problem reported as a [`Diagnostic`].

mod at_revision;
mod defaults;
mod desired_status;
mod discover;
mod fields;
mod files;
mod leads;
mod loader;
#[allow(clippy::module_inception)] // the module is named after the type it holds, per house style
mod manifest;
mod named_fields;
mod scalar;
pub mod schema;
mod suggest;
#[cfg(test)]
mod testing;
mod text;
mod validate;
pub(crate) mod yaml;
pub(crate) mod yaml_reader;

pub use crate::diagnostic::{
    serialize_flat, Diagnostic, FlatDiagnostic, Location, Severity, MAX_DIAGNOSTICS_SHOWN,
};
pub use at_revision::{check_revision, load_at_revision, AtRevision, ConfigAtRevision};
pub use defaults::{Defaults, NOT_DEFAULTABLE};
pub use discover::{discover, is_saved_plan, Discovered, CONFIG_FILE_NAME, SAVED_PLAN_KIND};
pub use files::kind as file_kind;
pub(crate) use loader::read_file;
pub use loader::{load, load_roots, parse_bytes, parse_bytes_with, Root};
pub use manifest::{CampaignSpec, Manifest};
pub(crate) use scalar::ScalarKind;
pub(crate) use text::decode as decode_text;

pub use desired_status::DesiredStatus;
pub use leads::{normalize_phone, DesiredLead, LeadsSpec};
pub use suggest::closest as suggest_closest;

/// What loading a set of paths produced: the valid manifests and every diagnostic, sorted by
/// file, line and column. Callers must not use `manifests` for writes when `has_errors()`.
#[derive(Debug, Default)]
pub struct LoadOutcome {
    pub manifests: Vec<Manifest>,
    pub diagnostics: Vec<Diagnostic>,
    /// How many manifest files were read.
    pub files: usize,
}

impl LoadOutcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}
