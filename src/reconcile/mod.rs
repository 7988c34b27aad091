//! Reconciliation: the observed state, the pure plan and its operations, their execution, and
//! the pipeline that ties them together. Rendering is beside it, in `render`.

pub mod baseline;
pub mod executor;
pub mod full_plan;
pub mod leads_and_status;
pub mod lifecycle;
pub mod observed;
pub mod operation;
pub mod pipeline;
pub mod plan;
pub mod references;
pub mod resolve;
pub mod saved;
pub mod scope;

pub use executor::{execute, Event, ExecuteOptions, Outcome, Report};
pub use observed::Observed;
pub use operation::{Approval, Approvals, Operation, OperationKind};
pub use plan::{plan, Action, ActionKind, FieldChange, Plan, Summary};
