//! Planning, pure: the observed state as data, the plan of a desired and an observed state, its
//! operations and their approvals, the lifecycle (deletes, replacements), the write-once
//! baseline and the scope of a run.

pub mod applied;
pub mod assistants;
pub mod attention;
pub mod baseline;
mod baseline_memo;
pub mod deletion;
pub mod derive;
pub mod disposition;
pub mod field_diff;
pub mod full_plan;
pub mod leads_and_status;
pub mod lifecycle;
pub mod matching;
pub mod model;
pub mod observed;
pub mod operation;
pub mod plan;
pub mod references;
pub mod replaceable;
pub mod resolve;
pub mod scope;
