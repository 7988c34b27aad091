//! Reconciliation: the observed state, the pure plan and its operations, their execution,
//! the pipeline that ties them together, and rendering.

pub mod executor;
pub mod follow_up;
pub mod github;
pub mod markdown;
pub mod observed;
pub mod operation;
pub mod pipeline;
pub mod plan;
pub mod planning;
pub mod references;
pub mod render;
pub mod render_follow_up;
pub mod resolve;
pub mod saved;

pub use executor::{execute, Event, ExecuteOptions, Outcome, Report};
pub use observed::Observed;
pub use operation::{Approval, Approvals, Operation, OperationKind};
pub use plan::{plan, Action, ActionKind, FieldChange, Plan, Summary};
