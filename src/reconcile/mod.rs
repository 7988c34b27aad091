//! Reconciliation: the observed state, the pure plan and its operations, their execution, and
//! the pipeline that ties them together. Rendering is beside it, in `render`.
//!
//! The pure part (planning, operations, lifecycle, baseline, scope) is the `campaignctl-core`
//! crate, which cannot reach the network, async runtime or client; this module re-exports it
//! beside what does I/O: reading the platform, executing operations, saved plan files.

pub use campaignctl_core::reconcile::{
    applied, assistants, attention, baseline, deletion, derive, field_diff, full_plan,
    leads_and_status, lifecycle, model, observed, operation, plan, references, replaceable,
    resolve, scope,
};

pub(crate) mod applied_record;
pub(crate) mod baseline_source;
#[cfg(test)]
mod core_tests;
pub mod executor;
mod observe;
pub mod pipeline;
pub(crate) mod saved;

pub use executor::{execute, Event, ExecuteOptions, Outcome, Report};
pub use observe::observe;
pub use observed::Observed;
pub use operation::{Approval, Approvals, Operation, OperationKind};
pub use plan::{plan, Disposition, Explanation, FieldChange, Plan, Summary};
