//! The one pipeline every command runs: load → observe → plan → approve → execute. `plan`,
//! `apply`, `apply PLANFILE` and `watch` call these steps, and differ only in what they print
//! around them and which approvals they hold.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt, TryStreamExt};
use tokio_util::sync::CancellationToken;

use crate::api::client::LEADS_PER_PAGE;
use crate::api::pages::{self, PageReader};
use crate::api::types::{Lead, Page};
use crate::api::{ApiError, Client};
use crate::manifest::{self, Diagnostic, LoadOutcome, Manifest, Root};
use crate::shown_path::ShownFrom;
use campaignctl_core::manifest::AssistantManifest;

use super::executor::{self, Event, ExecuteOptions, Report};
use super::full_plan::{self, FullPlan};
use super::leads_and_status::{observed_leads, ObservedLeads};
use super::lifecycle::LifecycleOptions;
use super::observed::Observed;
use super::plan::Plan;
use super::scope::{self, Scope};

/// [`Scope::of`] with the file system's answer to "is this path a directory?".
pub fn scope_of(paths: &[std::path::PathBuf], targets: Option<scope::Targets>) -> Scope {
    Scope::of(paths, targets, std::path::Path::is_dir)
}

/// A plan together with what it was made from.
#[derive(Debug)]
pub struct Planned {
    /// The load planned from, its manifests' names resolved to ids in place (`assistant:
    /// Sales` has set `assistant_id`): what the create bodies carry, and what apply maps API
    /// errors back through. Resolving again is idempotent (`resolve::Resolver`), so `watch`
    /// keeps this load for its next pass.
    pub load: LoadOutcome,
    pub observed: Observed,
    pub plan: Plan,
    /// The leads of the existing campaigns the plan had to read.
    pub leads: ObservedLeads,
    /// The requests reading those leads one campaign at a time would take, which chose how
    /// they were read (`choose_lead_reading`): `reread_leads` reads them the same way.
    pub leads_estimate: u64,
    /// Calling-hours warnings.
    pub lint: Vec<Diagnostic>,
}

/// Step 1: loads and validates the manifests, each root with its defaults (no I/O but the
/// files); a problem that names a place shows its path from `shown_from`, and so does the
/// plan made from this load. Each file's git blob id is noted, so the write-once baseline
/// takes the manifests of the files a commit holds unchanged from this load
/// (`manifest::load_at_revision`).
pub fn load(roots: &[Root], shown_from: &ShownFrom) -> LoadOutcome {
    manifest::load_roots_with(roots, shown_from, manifest::BlobIds::Note)
}

/// Steps 2 and 3 for part of the account (`scope`: the plan is narrowed to it, and only the
/// leads of campaigns in it are read), with the lifecycle options of the run
/// (`--prune-prefix`, `--max-deletes`).
pub async fn observe_and_plan_with(
    client: &Client,
    load: LoadOutcome,
    scope: &Scope,
    options: &LifecycleOptions,
) -> Result<Planned, ApiError> {
    let observed = crate::reconcile::observe(client).await?;
    plan_observed(client, load, observed, scope, options).await
}

/// Step 3 on an observed state already read (`observe`): the plan, with the leads it
/// needs read from the platform.
pub async fn plan_observed(
    client: &Client,
    load: LoadOutcome,
    observed: Observed,
    scope: &Scope,
    options: &LifecycleOptions,
) -> Result<Planned, ApiError> {
    plan_loaded(LeadSource::Read(client), load, observed, scope, options).await
}

/// The loading problems that hold every delete and replace of the account
/// (`reconcile::deletion`), each as `file:line:column: message`: every diagnostic of the load,
/// since each concerns a file or a path (empty, no campaign documents, unreadable, a directory
/// without manifests, a link that cannot be followed). Lints such as calling hours are not
/// part of the load and hold nothing.
pub fn deletion_holds(load: &LoadOutcome) -> Vec<String> {
    load.diagnostics
        .iter()
        .map(|d| {
            let message = crate::escape::text(&d.message);
            match &d.location {
                Some(at) => format!("{}: {message}", at.shown(&load.shown_from)),
                None => message.into_owned(),
            }
        })
        .collect()
}

/// Lead lists (pages of the account's leads, or campaigns' lists) asked for at once. Reading
/// is a chain of round-trips: 300 pages at 50 ms took 5.4 s four at a time and 2.5 s sixteen at
/// a time (`scripts/bench-lead-pages.sh`). Sixteen stays within a throttle of Laravel's
/// common default (60 a minute, answered as a burst), and a throttle that answers 429 anyway is
/// waited out by the client (`Retry-After`), which charges overlapping waits once; `apply`'s
/// client caps every request at `--parallelism` besides.
const LEAD_LISTS_IN_FLIGHT: usize = 16;

/// The most pages one lead listing reads (as `Client::list_leads`): beyond it, the account-wide
/// listing could not be read whole, so the plan reads per campaign.
const MAX_LEAD_PAGES: u64 = pages::MAX_PAGES;

/// The account-wide lead listing, as page errors name it.
const ACCOUNT_LEADS: &str = "user/leads";

/// Step 3 on an observed state and every lead of the account, both read already (`status`,
/// and a `watch` pass that counts leads for its metrics): the plan reads nothing more, and is
/// the one `plan_observed` makes, since the leads it would read are among `account_leads`.
pub async fn plan_with_account_leads(
    load: LoadOutcome,
    observed: Observed,
    account_leads: &[Lead],
    scope: &Scope,
    options: &LifecycleOptions,
) -> Result<Planned, ApiError> {
    plan_loaded(
        LeadSource::Account(account_leads),
        load,
        observed,
        scope,
        options,
    )
    .await
}

/// The plan of a load and an observed state, its leads from `source`, with the load's
/// problems holding every delete (`deletion_holds`) and the calling-hours lint beside it.
async fn plan_loaded(
    source: LeadSource<'_>,
    mut load: LoadOutcome,
    observed: Observed,
    scope: &Scope,
    options: &LifecycleOptions,
) -> Result<Planned, ApiError> {
    let lint = crate::lint::calling_hours(&load.manifests, &load.assistants);
    let options = &LifecycleOptions {
        holds: deletion_holds(&load),
        ..options.clone()
    };
    // The manifests go to the plan, which resolves their names in place and gives them back.
    let manifests = std::mem::take(&mut load.manifests);
    let (planned, leads_estimate) = plan_all(
        source,
        manifests,
        &load.assistants,
        &observed,
        scope,
        options,
        &load.shown_from,
    )
    .await?;
    load.manifests = planned.manifests;
    Ok(Planned {
        load,
        observed,
        plan: planned.plan,
        leads: planned.leads,
        leads_estimate,
        lint,
    })
}

/// Where a plan's leads come from.
enum LeadSource<'a> {
    /// Read from the platform, the cheaper way (`read_leads`).
    Read(&'a Client),
    /// Taken from every lead of the account, read already.
    Account(&'a [Lead]),
}

/// Resolves names, plans, lists the leads of the existing campaigns that declare leads or
/// must run, and plans their leads and status; with the estimate that chose how the leads
/// were read (`Planned::leads_estimate`).
async fn plan_all(
    source: LeadSource<'_>,
    manifests: Vec<Manifest>,
    assistants: &[AssistantManifest],
    observed: &Observed,
    scope: &Scope,
    options: &LifecycleOptions,
    shown_from: &ShownFrom,
) -> Result<(FullPlan, u64), ApiError> {
    let inputs = full_plan::PlanInputs::with_assistants(
        manifests, assistants, observed, options, scope, shown_from,
    );
    let declared = inputs.leads_to_read();
    // A campaign takes one request per 100 leads when read on its own: that estimate is what
    // the account-wide read must beat.
    let per_campaign: u64 = declared
        .iter()
        .map(|(_, n)| (*n as u64).div_ceil(LEADS_PER_PAGE).max(1))
        .sum();
    let needed = declared.iter().map(|(id, _)| *id).collect();
    let leads = match source {
        LeadSource::Read(client) => read_leads(client, needed, per_campaign).await?,
        LeadSource::Account(all) => leads_of(all, needed),
    };
    let mut planned = inputs.plan(&leads);
    planned.leads = leads;
    Ok((planned, per_campaign))
}

/// The leads a plan read (`Planned::leads`, of the campaigns its keys name) read again the
/// way it read them, with the same requests: a `watch` pass whose other inputs are those of
/// its last plan compares them with what that plan read.
pub async fn reread_leads(
    client: &Client,
    read: &ObservedLeads,
    estimate: u64,
) -> Result<ObservedLeads, ApiError> {
    if read.is_empty() {
        return Ok(ObservedLeads::new());
    }
    read_leads(client, read.keys().copied().collect(), estimate).await
}

/// How the leads of the campaigns a plan needs are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadReading {
    /// `user/leads?campaign_id=` for each campaign: at least one request each.
    PerCampaign,
    /// `user/leads` for the whole account, this many pages in all (the first already read).
    AccountWide { pages: u64 },
}

/// Chooses from the first page of the account-wide listing: reading the account whole costs
/// `⌈total / per page⌉` requests, one of them made already; reading per campaign costs
/// `per_campaign` more (one request per 100 declared leads of each campaign, at least one
/// each). Account-wide wins ties: the per-campaign figure can only be low (leads added by
/// hand take pages too).
pub fn choose_lead_reading(per_campaign: u64, total: u64, per_page: u64) -> LeadReading {
    let pages = total.div_ceil(per_page.max(1)).max(1);
    if pages > MAX_LEAD_PAGES || pages - 1 > per_campaign {
        LeadReading::PerCampaign
    } else {
        LeadReading::AccountWide { pages }
    }
}

/// The leads (normalised numbers) of `ids`, every one of them a key (an empty list when it has
/// none), read whichever way costs fewer requests (`choose_lead_reading`). When reading per
/// campaign is expected to take one request at most, it is done directly: probing the
/// account could only add one.
async fn read_leads(
    client: &Client,
    ids: Vec<u64>,
    per_campaign: u64,
) -> Result<ObservedLeads, ApiError> {
    if per_campaign <= 1 {
        return read_leads_per_campaign(client, ids).await;
    }
    let first = client.list_account_leads_page(1).await?;
    // A first page whose count is off is refused: the pages to read are counted from it.
    pages::check_page(ACCOUNT_LEADS, 1, &first)?;
    let reading = choose_lead_reading(per_campaign, first.total, first.per_page.max(1));
    tracing::debug!(
        campaigns = ids.len(),
        account_leads = first.total,
        ?reading,
        "reading the leads of existing campaigns"
    );
    let LeadReading::AccountWide { .. } = reading else {
        return read_leads_per_campaign(client, ids).await;
    };
    let all = whole_account(client, first).await?;
    Ok(leads_of(&all, ids))
}

/// The leads of `ids` among every lead of the account, every one of them a key.
fn leads_of(all: &[Lead], ids: Vec<u64>) -> ObservedLeads {
    let mut by_campaign: BTreeMap<u64, Vec<Lead>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for lead in all {
        if let Some(leads) = by_campaign.get_mut(&lead.campaign_id) {
            leads.push(lead.clone());
        }
    }
    by_campaign
        .into_iter()
        .map(|(id, leads)| (id, observed_leads(&leads)))
        .collect()
}

/// Every lead of the account, read whole (`per_page=100`, `⌈total / 100⌉` requests, at least
/// one): what `status` counts by campaign and lead status, and what a `watch` pass reads when
/// its lead gauges are due.
pub async fn read_every_lead(client: &Client) -> Result<Vec<Lead>, ApiError> {
    let first = client.list_account_leads_page(1).await?;
    pages::check_page(ACCOUNT_LEADS, 1, &first)?;
    whole_account(client, first).await
}

/// Every lead of the account, page 1 (`first`) read and checked already. Read whole or
/// refused, like every paginated list (`pages::PageReader`). A lead added or removed elsewhere
/// in the account while its pages are read makes them inconsistent; that is likelier here
/// than for one campaign's list, so the account is read once more before it is refused.
async fn whole_account(client: &Client, first: Page<Lead>) -> Result<Vec<Lead>, ApiError> {
    match read_account_leads(client, first).await {
        Err(ApiError::Pages { problem, .. }) => {
            tracing::warn!(
                %problem,
                "the account's leads were inconsistent while read; reading them again once"
            );
            let first = client.list_account_leads_page(1).await?;
            pages::check_page(ACCOUNT_LEADS, 1, &first)?;
            read_account_leads(client, first).await
        }
        read => read,
    }
}

/// Every lead of the account, `first` being page 1 already read: the remaining pages are
/// asked for a few at once and taken in order by one `PageReader`, so the account-wide read
/// is held to the same rules as a campaign's (each page the one asked for, `total`, page size
/// and page count constant, full pages before the last, no id twice, as many ids as `total`).
async fn read_account_leads(client: &Client, first: Page<Lead>) -> Result<Vec<Lead>, ApiError> {
    let mut reader = PageReader::new(ACCOUNT_LEADS);
    let last = first.last_page;
    let mut more = reader.accept(1, &first)?;
    let mut all = first.data;
    // `accept` held `last` within `pages::MAX_PAGES`.
    let mut rest = stream::iter(2..=last)
        .map(|page| async move { (page, client.list_account_leads_page(page).await) })
        .buffered(LEAD_LISTS_IN_FLIGHT);
    while more {
        let Some((page, read)) = rest.next().await else {
            break;
        };
        let read = read?;
        more = reader.accept(page, &read)?;
        all.extend(read.data);
    }
    Ok(all)
}

async fn read_leads_per_campaign(
    client: &Client,
    ids: Vec<u64>,
) -> Result<ObservedLeads, ApiError> {
    stream::iter(ids)
        .map(|id| async move {
            let leads = client.list_leads(id).await?;
            Ok::<_, ApiError>((id, observed_leads(&leads)))
        })
        .buffer_unordered(LEAD_LISTS_IN_FLIGHT)
        .try_collect()
        .await
}

/// Steps 4 and 5: executes the plan's operations with the approvals in `options` (what is not
/// approved is held and reported). The plan must have no errors.
pub async fn execute(
    client: &Client,
    plan: &Plan,
    manifests: &[Manifest],
    assistants: &[AssistantManifest],
    options: ExecuteOptions,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Report {
    executor::execute(
        client,
        &plan.operations,
        manifests,
        assistants,
        options,
        cancel,
        on_event,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_is_read_whole_when_its_pages_are_fewer_than_the_campaigns() {
        // 300 campaigns of 3 leads: 9 pages instead of 300 lists.
        assert_eq!(
            choose_lead_reading(300, 900, 100),
            LeadReading::AccountWide { pages: 9 }
        );
        // A tie goes to the account: per campaign is only a lower bound.
        assert_eq!(
            choose_lead_reading(4, 500, 100),
            LeadReading::AccountWide { pages: 5 }
        );
        // No leads at all: the one page read says so.
        assert_eq!(
            choose_lead_reading(2, 0, 100),
            LeadReading::AccountWide { pages: 1 }
        );
    }

    #[test]
    fn campaigns_of_many_leads_count_a_request_per_hundred() {
        // 50 campaigns of 250 leads: 150 lists of theirs, or 125 pages of the account.
        assert_eq!(
            choose_lead_reading(150, 12_500, 100),
            LeadReading::AccountWide { pages: 125 }
        );
    }

    #[test]
    fn a_few_campaigns_in_a_big_account_are_read_one_by_one() {
        assert_eq!(
            choose_lead_reading(3, 50_000, 100),
            LeadReading::PerCampaign
        );
        // Beyond the page bound the account could not be read whole.
        assert_eq!(
            choose_lead_reading(u64::MAX, 100 * MAX_LEAD_PAGES + 1, 100),
            LeadReading::PerCampaign
        );
    }
}
