//! The one executor: runs a plan's operations in dependency order with bounded parallelism, for
//! `apply`, `apply PLANFILE` and `watch` alike. One outcome per operation; an operation whose
//! approval is missing is held, one whose dependency did not succeed is skipped, and after
//! cancellation nothing new starts (operations in flight finish).
//!
//! `scheduler` decides what runs when, whatever running means; `platform` runs one operation
//! against the platform, each kind by the module that holds its rules:
//! - a create whose outcome is unknown (5xx, timeout, connection lost after sending) may have
//!   happened. It is never re-sent blindly: wait, list again, and if the name now exists count
//!   the campaign as created ("inferred"); re-send only when it is absent after a definite
//!   server error (`create`);
//! - a lead is never created twice: `allow_dupplicate: false`, and an ambiguous lead create is
//!   looked up by number before any retry (`leads`);
//! - a start or stop whose answer is lost is settled by reading the status, never re-sent
//!   (`status`);
//! - after its creates, a run lists again (`verify`): where another run created the same name
//!   at the same time, the lowest id wins, a run whose own fresh draft lost deletes it, and
//!   leads and starts go only to a campaign that is the single holder of its name (see
//!   ARCHITECTURE.md, "Concurrent runs");
//! - leads for an existing campaign that was not running when planned are added only after a
//!   fresh read shows it still is not (it may have been started while the question waited):
//!   if it now runs, adding them places calls and needs that approval (`leads`);
//! - a campaign is deleted only while it is still the campaign the plan saw (`delete`).

mod assistants;
mod create;
mod delete;
mod leads;
mod outcome;
mod platform;
mod report;
mod scheduler;
mod status;
#[cfg(test)]
mod tests;
mod verify;

use tokio_util::sync::CancellationToken;

use crate::api::Client;
use crate::manifest::Manifest;
use crate::reconcile::operation::Operation;
use campaignctl_core::manifest::AssistantManifest;

pub(crate) use outcome::operation_words;
pub use outcome::{Event, LeadFailure, OperationResult, Outcome};
pub use report::{Report, ReportSummary};
pub use scheduler::ExecuteOptions;

/// Runs `operations` (a plan's, in its order; dependencies point to earlier operations) on the
/// platform. `manifests` are those the plan was made from, to map API errors back to file and
/// line. The caller must not call this for a plan with errors.
pub async fn execute(
    client: &Client,
    operations: &[Operation],
    manifests: &[Manifest],
    assistants: &[AssistantManifest],
    options: ExecuteOptions,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Report {
    let runner = platform::PlatformRunner::new(client, manifests, assistants, options.approvals);
    scheduler::schedule(&runner, operations, options, cancel, on_event).await
}
