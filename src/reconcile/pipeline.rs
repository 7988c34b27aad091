//! The one pipeline every command runs: load → observe → plan → approve → execute. `plan`,
//! `apply`, `apply PLANFILE` and `watch` call these steps, and differ only in what they print
//! around them and which approvals they hold.

use std::path::PathBuf;

use futures::stream::{self, StreamExt, TryStreamExt};
use tokio_util::sync::CancellationToken;

use crate::api::{ApiError, Client};
use crate::manifest::{self, Diagnostic, LoadOutcome, Manifest};

use super::executor::{self, Event, ExecuteOptions, Report};
use super::full_plan::{self, FullPlan};
use super::leads_and_status::{observed_leads, ObservedLeads};
use super::lifecycle::LifecycleOptions;
use super::observed::Observed;
use super::plan::Plan;

/// A plan together with what it was made from.
#[derive(Debug)]
pub struct Planned {
    pub load: LoadOutcome,
    pub observed: Observed,
    pub plan: Plan,
    /// `load.manifests` with names resolved to ids: what apply maps API errors back through.
    pub resolved: Vec<Manifest>,
    /// The leads of the existing campaigns the plan had to read.
    pub leads: ObservedLeads,
    /// Calling-hours warnings.
    pub lint: Vec<Diagnostic>,
}

/// Step 1: loads and validates the manifests (no I/O but the files).
pub fn load(paths: &[PathBuf]) -> LoadOutcome {
    manifest::load(paths)
}

/// Steps 2 and 3: reads the platform and plans. `load` must have no errors.
pub async fn observe_and_plan(client: &Client, load: LoadOutcome) -> Result<Planned, ApiError> {
    observe_and_plan_with(client, load, &LifecycleOptions::default()).await
}

/// [`observe_and_plan`] with the lifecycle options of the run (`--prune-prefix`,
/// `--max-deletes`).
pub async fn observe_and_plan_with(
    client: &Client,
    load: LoadOutcome,
    options: &LifecycleOptions,
) -> Result<Planned, ApiError> {
    let observed = Observed::fetch(client).await?;
    let lint = crate::lint::calling_hours(&load.manifests);
    let planned = plan_all(client, &load.manifests, &observed, options).await?;
    Ok(Planned {
        load,
        observed,
        plan: planned.plan,
        resolved: planned.manifests,
        leads: planned.leads,
        lint,
    })
}

/// Lead lists read at once.
const LEAD_LISTS_IN_FLIGHT: usize = 4;

/// Resolves names, plans, lists the leads of the existing campaigns that declare leads or
/// must run, and plans their leads and status.
async fn plan_all(
    client: &Client,
    manifests: &[Manifest],
    observed: &Observed,
    options: &LifecycleOptions,
) -> Result<FullPlan, ApiError> {
    let first = full_plan::plan_campaigns_with(manifests, observed, options);
    let leads: ObservedLeads = stream::iter(full_plan::campaigns_needing_leads(&first))
        .map(|id| async move {
            let leads = client.list_leads(id).await?;
            Ok::<_, ApiError>((id, observed_leads(&leads)))
        })
        .buffer_unordered(LEAD_LISTS_IN_FLIGHT)
        .try_collect()
        .await?;
    let mut planned = full_plan::add_leads_and_status(first, observed, &leads);
    planned.leads = leads;
    Ok(planned)
}

/// Steps 4 and 5: executes the plan's operations with the approvals in `options` (what is not
/// approved is held and reported). The plan must have no errors.
pub async fn execute(
    client: &Client,
    plan: &Plan,
    manifests: &[Manifest],
    options: ExecuteOptions,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Report {
    executor::execute(
        client,
        &plan.operations,
        manifests,
        options,
        cancel,
        on_event,
    )
    .await
}
