//! Reconciliation: the observed state, the pure plan, its execution (apply) and rendering.

pub mod apply;
pub mod follow_up;
pub mod follow_up_apply;
pub mod github;
pub mod markdown;
pub mod observed;
pub mod plan;
pub mod planning;
pub mod references;
pub mod render;
pub mod render_follow_up;
pub mod resolve;
pub mod saved;

pub use apply::{apply, ApplyOptions, ApplyReport, CreateOutcome};
pub use observed::Observed;
pub use plan::{plan, Action, ActionKind, FieldChange, Plan, Summary};
