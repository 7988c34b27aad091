//! Reconciliation: the observed state, the pure plan, its execution (apply) and rendering.

pub mod apply;
pub mod github;
pub mod markdown;
pub mod observed;
pub mod plan;
pub mod references;
pub mod render;
pub mod saved;

pub use apply::{apply, ApplyOptions, ApplyReport, CreateOutcome};
pub use observed::Observed;
pub use plan::{plan, Action, ActionKind, FieldChange, Plan, Summary};
