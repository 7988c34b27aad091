//! The one executor: runs a plan's operations in dependency order with bounded parallelism, for
//! `apply`, `apply PLANFILE` and `watch` alike. One outcome per operation; an operation whose
//! approval is missing is held, one whose dependency did not succeed is skipped, and after
//! cancellation nothing new starts (operations in flight finish).
//!
//! The rules that matter most:
//! - a create whose outcome is unknown (5xx, timeout, connection lost after sending) may have
//!   happened. It is never re-sent blindly: wait, list again, and if the name now exists count
//!   the campaign as created ("inferred"); re-send only when it is absent after a definite
//!   server error;
//! - a lead is never created twice: `allow_dupplicate: false`, and an ambiguous lead create is
//!   looked up by number before any retry;
//! - a start or stop whose answer is lost is settled by reading the status, never re-sent;
//! - after its creates, a run lists again (`verify_creates`): where another run created the same
//!   name at the same time, the lowest id wins, a run whose own fresh draft lost deletes it, and
//!   leads and starts go only to a campaign that is the single holder of its name (see
//!   ARCHITECTURE.md, "Concurrent runs");
//! - leads for an existing campaign that was not running when planned are added only after a
//!   fresh read shows it still is not (it may have been started while the question waited):
//!   if it now runs, adding them places calls and needs that approval.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::stream::{self, FuturesUnordered, StreamExt};
use serde::Serialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::api::types::{CampaignStatus, CreateCampaign, CreateLead, RemoteCampaign};
use crate::api::{ApiError, Client};
use crate::manifest::{DesiredLead, Diagnostic, Location, Manifest};

use super::leads_and_status::LeadUpdate;
use super::operation::{Approval, Approvals, Operation, OperationId, OperationKind, Target};

#[derive(Debug, Clone, Copy)]
pub struct ExecuteOptions {
    /// Operations in flight at most at once (>= 1). Requests are bounded by the client too.
    pub parallelism: usize,
    pub approvals: Approvals,
}

impl ExecuteOptions {
    /// Writes approved, calls and destruction not: what `apply --auto-approve` is given.
    pub fn approving_writes(parallelism: usize) -> ExecuteOptions {
        ExecuteOptions {
            parallelism,
            approvals: Approvals {
                writes: true,
                ..Approvals::default()
            },
        }
    }
}

/// What happened to one operation.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Done {
        /// The new campaign's id (create); shown as the result's `campaign_id`.
        #[serde(skip)]
        id: Option<u64>,
        /// Leads created, and leads the campaign turned out to have already (add_leads).
        #[serde(skip_serializing_if = "Option::is_none")]
        leads_added: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        leads_found: Option<usize>,
        /// Leads whose variables were updated (update_leads).
        #[serde(skip_serializing_if = "Option::is_none")]
        leads_updated: Option<usize>,
        /// The campaign's status afterwards (start, stop).
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// Something the operator should know (a create another run also made).
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The answer was lost or was a server error, and a fresh read showed the effect: counted
    /// as done, and said so.
    Inferred {
        /// Shown as the result's `campaign_id`.
        #[serde(skip)]
        id: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        cause: String,
    },
    /// It may or may not have happened, and reading the platform could not tell.
    Unknown { error: String },
    Failed {
        error: String,
        /// Field errors of a 422 (or a 404 for the assistant), mapped to manifest lines.
        #[serde(
            skip_serializing_if = "Vec::is_empty",
            serialize_with = "crate::manifest::serialize_flat"
        )]
        diagnostics: Vec<Diagnostic>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
        /// For add_leads: the leads that could not be added (the others were).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        lead_failures: Vec<LeadFailure>,
        #[serde(skip_serializing_if = "Option::is_none")]
        leads_added: Option<usize>,
    },
    /// Not attempted: an operation it depends on did not succeed, or the run was interrupted.
    Skipped { reason: String },
    /// Not attempted: it needs an approval this run was not given.
    Held {
        approval: Approval,
        flag: &'static str,
        reason: String,
    },
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Done { .. } => "done",
            Outcome::Inferred { .. } => "inferred",
            Outcome::Unknown { .. } => "unknown",
            Outcome::Failed { .. } => "failed",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Held { .. } => "held",
        }
    }

    pub fn succeeded(&self) -> bool {
        matches!(self, Outcome::Done { .. } | Outcome::Inferred { .. })
    }

    /// The campaign id an outcome established (a create's).
    fn campaign_id(&self) -> Option<u64> {
        match self {
            Outcome::Done { id, .. } | Outcome::Inferred { id, .. } => *id,
            _ => None,
        }
    }

    fn failed(error: impl Into<String>) -> Outcome {
        Outcome::Failed {
            error: error.into(),
            diagnostics: Vec::new(),
            hint: None,
            lead_failures: Vec::new(),
            leads_added: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadFailure {
    pub phone_number: String,
    pub source: Location,
    pub error: String,
}

/// One operation and what happened to it.
#[derive(Debug, Clone, Serialize)]
pub struct OperationResult {
    pub id: OperationId,
    pub op: &'static str,
    pub campaign: String,
    /// The campaign's id, when known (after its create, or from the start).
    pub campaign_id: Option<u64>,
    pub manifest: Option<Location>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What the executor reports as it goes, for renderers, logs and metrics.
#[derive(Debug)]
pub enum Event<'a> {
    Started(&'a Operation),
    Finished(&'a Operation, &'a OperationResult),
    /// A finished create, revised by the verification after the creates: another run made the
    /// same campaign at the same time, and this run's copy was deleted in favour of the older one.
    Revised(&'a Operation, &'a OperationResult),
}

/// Every operation's result, in operation order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub results: Vec<OperationResult>,
}

/// Counts for the closing summary and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReportSummary {
    pub created: usize,
    /// Of `created`, how many were inferred from a re-list after an ambiguous failure.
    pub inferred: usize,
    /// Creates whose campaign another run made at the same time: this run's copy was deleted
    /// and it went on with the older one (not counted in `created`).
    pub joined: usize,
    pub leads_added: usize,
    pub started: usize,
    pub stopped: usize,
    /// Campaigns deleted (deletes and the first half of replacements).
    pub deleted: usize,
    pub leads_updated: usize,
    pub failed: usize,
    pub unknown: usize,
    pub skipped: usize,
    pub held: usize,
}

impl Report {
    pub fn summary(&self) -> ReportSummary {
        let mut s = ReportSummary::default();
        for r in &self.results {
            match &r.outcome {
                Outcome::Done {
                    leads_added: Some(n),
                    ..
                } => s.leads_added += n,
                Outcome::Failed {
                    leads_added: Some(n),
                    ..
                } => s.leads_added += n,
                _ => {}
            }
            if let Outcome::Done {
                leads_updated: Some(n),
                ..
            } = &r.outcome
            {
                s.leads_updated += n;
            }
            match (&r.outcome, r.op) {
                (Outcome::Done { note: Some(_), .. }, "create") => s.joined += 1,
                (Outcome::Done { .. }, "create") => s.created += 1,
                (Outcome::Inferred { .. }, "create") => {
                    s.created += 1;
                    s.inferred += 1
                }
                (Outcome::Done { .. } | Outcome::Inferred { .. }, "start") => s.started += 1,
                (Outcome::Done { .. } | Outcome::Inferred { .. }, "stop") => s.stopped += 1,
                (Outcome::Done { .. } | Outcome::Inferred { .. }, "delete") => s.deleted += 1,
                (Outcome::Done { .. } | Outcome::Inferred { .. }, _) => {}
                (Outcome::Failed { .. }, _) => s.failed += 1,
                (Outcome::Unknown { .. }, _) => s.unknown += 1,
                (Outcome::Skipped { .. }, _) => s.skipped += 1,
                (Outcome::Held { .. }, _) => s.held += 1,
            }
        }
        s
    }

    /// Whether every operation was carried out. Held operations are not failures of the run
    /// (the operator chose not to approve them) but are not success either: see `complete`.
    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(|r| r.outcome.succeeded())
    }

    /// Whether nothing failed, went unknown or was skipped (held operations aside).
    pub fn no_failures(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.outcome.succeeded() || matches!(r.outcome, Outcome::Held { .. }))
    }

    pub fn held(&self) -> impl Iterator<Item = &OperationResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Held { .. }))
    }
}

/// Runs `operations` (a plan's, in its order; dependencies point to earlier operations).
/// `manifests` are those the plan was made from, to map API errors back to file and line.
/// The caller must not call this for a plan with errors.
pub async fn execute(
    client: &Client,
    operations: &[Operation],
    manifests: &[Manifest],
    options: ExecuteOptions,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Report {
    let by_name: HashMap<&str, &Manifest> = manifests
        .iter()
        .map(|m| (m.spec.name.as_str(), m))
        .collect();
    let n = operations.len();
    let mut results: Vec<Option<OperationResult>> = vec![None; n];
    let mut started = vec![false; n];
    // The status of existing campaigns as read right before the first lead is added to one
    // that was not running: the plan may be minutes old (a question waited).
    let fresh_statuses: Arc<FreshStatuses> = Arc::new(Mutex::new(None));
    let mut in_flight = FuturesUnordered::new();
    let parallelism = options.parallelism.max(1);
    // Set when the account refused a create (403): the others are not sent, and are reported
    // once each as skipped instead of failing one by one with the same error.
    let mut creates_refused: Option<String> = None;
    let create_ops: Vec<OperationId> = operations
        .iter()
        .filter(|op| matches!(op.kind, OperationKind::CreateCampaign { .. }))
        .map(|op| op.id)
        .collect();
    // The campaigns this run created, as a list read after all its creates showed them: by
    // create operation, the single holder of the name (or why there is none).
    let mut verified: Option<HashMap<OperationId, Result<Verified, String>>> = None;
    let mut verifying = None;

    loop {
        // Settle what can be settled without running anything, and start what is ready.
        for op in operations {
            if started[op.id] || results[op.id].is_some() {
                continue;
            }
            let settled = match readiness(op, &results, verified.as_ref()) {
                Readiness::Waiting => continue,
                Readiness::Blocked(outcome) => Some(outcome),
                Readiness::Ready => match (&creates_refused, &op.kind) {
                    (Some(first), OperationKind::CreateCampaign { .. }) => Some(Outcome::Skipped {
                        reason: format!(
                            "not sent: the platform refused an earlier create ({first})"
                        ),
                    }),
                    _ => options
                        .approvals
                        .missing(op)
                        .map(|approval| held(approval, op)),
                },
            };
            if let Some(outcome) = settled {
                let result = result_of(op, campaign_id(op, &results, verified.as_ref()), outcome);
                on_event(Event::Finished(op, &result));
                results[op.id] = Some(result);
                continue;
            }
            if cancel.is_cancelled() || in_flight.len() >= parallelism {
                continue;
            }
            started[op.id] = true;
            on_event(Event::Started(op));
            let id = campaign_id(op, &results, verified.as_ref());
            let manifest = by_name.get(op.campaign.as_str()).copied();
            let fresh = fresh_statuses.clone();
            let approvals = options.approvals;
            let joined = joined_another_run(op, verified.as_ref());
            in_flight.push(async move {
                let (outcome, refused) =
                    run(client, op, id, manifest, approvals, &fresh, joined).await;
                (op, id, outcome, refused)
            });
        }
        // Once every create has settled, verify the campaigns they made before anything else
        // touches them.
        let creates_settled = create_ops.iter().all(|&c| results[c].is_some());
        if verified.is_none() && verifying.is_none() && creates_settled {
            // Every name this run sent a create for, with the id it got when known: an
            // unknown create may still have made a copy that needs cleaning up.
            let made: Vec<(OperationId, String, Option<u64>)> = create_ops
                .iter()
                .filter_map(|&c| {
                    let r = results[c].as_ref()?;
                    let sent = matches!(
                        r.outcome,
                        Outcome::Done { .. } | Outcome::Inferred { .. } | Outcome::Unknown { .. }
                    );
                    sent.then(|| (c, r.campaign.clone(), r.outcome.campaign_id()))
                })
                .collect();
            if made.is_empty() {
                verified = Some(HashMap::new());
                continue;
            }
            verifying = Some(Box::pin(verify_creates(client, made)));
        }
        if in_flight.is_empty() && verifying.is_none() {
            break;
        }
        tokio::select! {
            Some(outcome) = async { verifying.as_mut()?.await.into() }, if verifying.is_some() => {
                verifying = None;
                for (&create, v) in &outcome {
                    if let (Ok(v), Some(r)) = (v, results[create].as_mut()) {
                        if let Some(lost) = v.deleted {
                            let op = &operations[create];
                            r.campaign_id = Some(v.id);
                            r.outcome = Outcome::Done {
                                id: Some(v.id),
                                leads_added: None,
                                leads_found: None,
                                leads_updated: None,
                                status: None,
                                note: Some(format!(
                                    "another run created {:?} at the same time; kept the older campaign (id {}) and deleted this run's copy (id {lost})",
                                    r.campaign, v.id
                                )),
                            };
                            on_event(Event::Revised(op, r));
                        }
                    }
                }
                verified = Some(outcome);
            }
            Some((op, id, outcome, refused)) = in_flight.next() => {
                if refused && creates_refused.is_none() {
                    if let Outcome::Failed { error, .. } = &outcome {
                        warn!("the platform refused a create: {error}; no further campaign is created in this run");
                        creates_refused = Some(error.clone());
                    }
                }
                let result = result_of(op, id.or(outcome.campaign_id()), outcome);
                on_event(Event::Finished(op, &result));
                results[op.id] = Some(result);
            }
            () = cancel.cancelled(), if !cancel.is_cancelled() && !in_flight.is_empty() => {
                info!("interrupted: operations in flight finish, no new one starts");
            }
        }
    }

    // Whatever was never started: interrupted, or (defensively) waiting on itself.
    let reason = if cancel.is_cancelled() {
        "not started: the run was interrupted"
    } else {
        "not started: its dependencies were never settled"
    };
    for op in operations {
        if results[op.id].is_none() {
            let result = result_of(
                op,
                campaign_id(op, &results, verified.as_ref()),
                Outcome::Skipped {
                    reason: reason.to_owned(),
                },
            );
            on_event(Event::Finished(op, &result));
            results[op.id] = Some(result);
        }
    }
    Report {
        results: results.into_iter().flatten().collect(),
    }
}

/// Campaign statuses by id as last read for a time-of-use check, and when.
type FreshStatuses = Mutex<Option<(Instant, HashMap<u64, CampaignStatus>)>>;

/// How old a status read may be and still count as "right before" adding leads. Reads are
/// shared within this window so that a plan adding leads to many campaigns does not list the
/// account once per campaign; this run's own starts, stops and deletes clear it.
const FRESH_FOR: Duration = Duration::from_millis(500);

enum Readiness {
    Ready,
    Waiting,
    /// A dependency did not succeed: held if it is held, skipped otherwise.
    Blocked(Outcome),
}

/// An operation as a person reads the plan: what is done to which campaign ("the create of
/// \"Q4\""), for messages that name another operation.
pub(crate) fn operation_words(op: &str, campaign: &str) -> String {
    // The label (`create`) or, in a saved plan's JSON, the variant (`create_campaign`).
    match op.trim_end_matches("_campaign") {
        "add_leads" => format!("the leads added to {campaign}"),
        "update_leads" => format!("the lead update of {campaign}"),
        other => format!("the {} of {campaign}", other.replace('_', " ")),
    }
}

fn readiness(
    op: &Operation,
    results: &[Option<OperationResult>],
    verified: Option<&HashMap<OperationId, Result<Verified, String>>>,
) -> Readiness {
    for &dep in &op.depends_on {
        match results.get(dep).and_then(Option::as_ref) {
            None => return Readiness::Waiting,
            Some(r) if r.outcome.succeeded() => {}
            Some(r) => {
                // Said as the plan shows it (the campaign and what was to be done to it), not
                // by the operation's number, which no output shows.
                let what = operation_words(r.op, &format!("{:?}", r.campaign));
                return Readiness::Blocked(match &r.outcome {
                    Outcome::Held { approval, .. } => Outcome::Held {
                        approval: *approval,
                        flag: approval.flag(),
                        reason: format!("waits for {what}, which is held"),
                    },
                    other => Outcome::Skipped {
                        reason: format!("{what} {}", past_tense(other)),
                    },
                });
            }
        }
    }
    if let Target::Created { by } = op.target {
        if by != op.id {
            match verified.map(|v| v.get(&by)) {
                None => return Readiness::Waiting,
                Some(Some(Err(why))) => {
                    return Readiness::Blocked(Outcome::Skipped {
                        reason: why.clone(),
                    })
                }
                Some(Some(Ok(_)) | None) => {}
            }
        }
    }
    Readiness::Ready
}

fn past_tense(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Failed { .. } => "failed",
        Outcome::Unknown { .. } => "has an unknown outcome",
        Outcome::Skipped { .. } => "was skipped",
        Outcome::Held { .. } => "is held",
        Outcome::Done { .. } | Outcome::Inferred { .. } => "succeeded",
    }
}

fn held(approval: Approval, op: &Operation) -> Outcome {
    Outcome::Held {
        approval,
        flag: approval.flag(),
        reason: format!(
            "{} {:?}: {}; run with {} to allow it",
            op.kind.label(),
            op.campaign,
            approval.reason(),
            approval.flag()
        ),
    }
}

/// The campaign an operation acts on, once known: for one this run created, the single holder
/// of its name that verification found.
fn campaign_id(
    op: &Operation,
    results: &[Option<OperationResult>],
    verified: Option<&HashMap<OperationId, Result<Verified, String>>>,
) -> Option<u64> {
    match op.target {
        Target::Existing { id } => Some(id),
        Target::Created { by } if by == op.id => None,
        Target::Created { by } => verified
            .and_then(|v| v.get(&by))
            .and_then(|v| v.as_ref().ok())
            .map(|v| v.id)
            .or_else(|| {
                results
                    .get(by)
                    .and_then(Option::as_ref)
                    .and_then(|r| r.campaign_id)
            }),
    }
}

/// A campaign this run created, as a list read after the creates shows it.
#[derive(Debug, Clone)]
struct Verified {
    /// The single holder of the name: this run's campaign, or an older one another run made.
    id: u64,
    /// This run's own campaign, deleted because an older one holds the name.
    deleted: Option<u64>,
}

/// Lists the campaigns after the creates and settles each name this run created.
///
/// Where several campaigns hold the name, the lowest id wins, and the run deletes every other
/// holder that is still a draft without leads: copies that racing runs made moments ago (every
/// holder of a name this run created appeared after its plan, which saw none). No run writes
/// leads or starts to a name with several holders, so a copy with no leads is one nobody has
/// used; deleting a copy twice is harmless (404 counts as gone). The run continues with the
/// winner. One list is enough: every extra holder in it is deleted or the name is refused, so
/// no run waits for another. A name is settled only once one campaign holds it; otherwise its
/// leads and start are skipped, and the next run (or plan) sees the state.
async fn verify_creates(
    client: &Client,
    made: Vec<(OperationId, String, Option<u64>)>,
) -> HashMap<OperationId, Result<Verified, String>> {
    let mut settled = HashMap::new();
    let list = match client.list_campaigns().await {
        Ok(list) => list,
        Err(e) => {
            for (op, name, _) in made {
                settled.insert(
                    op,
                    Err(format!(
                        "the campaign list could not be read after creating {name:?} ({e}), so campaignctl cannot tell whether another run created it too; its leads and start are not attempted. Run `campaignctl plan`"
                    )),
                );
            }
            return settled;
        }
    };
    let mut deleted: HashSet<u64> = HashSet::new();
    for (op, name, ours) in made {
        let mut holders: Vec<&RemoteCampaign> = list
            .iter()
            .filter(|c| c.name == name && !deleted.contains(&c.id))
            .collect();
        holders.sort_by_key(|c| c.id);
        let Some(winner) = holders.first().map(|c| c.id) else {
            let what = ours.map_or_else(|| "its create".to_owned(), |id| format!("id {id}"));
            settled.insert(
                op,
                Err(format!(
                    "{name:?} ({what}) is not on the platform right after its create; its leads and start are not attempted"
                )),
            );
            continue;
        };
        let mut blocked = None;
        for extra in holders.iter().skip(1) {
            match remove_copy(client, extra, &name, winner).await {
                Ok(()) => {
                    deleted.insert(extra.id);
                }
                Err(why) => blocked = Some(why),
            }
        }
        let verdict = match (blocked, ours) {
            (Some(why), _) => Err(why),
            (None, Some(ours)) => Ok(Verified {
                id: winner,
                // Said only when this run's copy was in the list and is gone now.
                deleted: deleted.contains(&ours).then_some(ours),
            }),
            // The create's outcome was unknown: cleaned up, but nothing goes on with it.
            (None, None) => Err(format!("the create of {name:?} had an unknown outcome")),
        };
        settled.insert(op, verdict);
    }
    settled
}

/// Deletes `copy`, an extra holder of `name` beside the older campaign `winner`: only while it
/// is a draft with no leads. A delete whose answer is lost is settled by listing again.
async fn remove_copy(
    client: &Client,
    copy: &RemoteCampaign,
    name: &str,
    winner: u64,
) -> Result<(), String> {
    if copy.status != CampaignStatus::Draft {
        return Err(format!(
            "{name:?} is held by campaign {winner} and campaign {}, which is no longer a draft, so campaignctl does not delete it; delete the extra campaign in the dashboard",
            copy.id
        ));
    }
    match client.list_leads_page(copy.id, 1).await {
        Ok(page) if page.total == 0 && page.data.is_empty() => {}
        Ok(_) => {
            return Err(format!(
                "{name:?} is held by campaign {winner} and campaign {}, which has leads, so campaignctl does not delete it; delete the extra campaign in the dashboard",
                copy.id
            ))
        }
        Err(e) => return Err(format!("cannot check the leads of the extra {name:?} (id {}): {e}", copy.id)),
    }
    warn!(campaign = name, copy = copy.id, winner, "another run created this campaign at the same time; deleting the newer copy and continuing with the older one");
    let policy = client.retry_policy();
    for attempt in 1..=policy.max_attempts {
        match client.delete_campaign(copy.id).await {
            Ok(()) | Err(ApiError::NotFound { .. }) => return Ok(()),
            Err(e) if e.outcome_unknown() || e.is_transient() => {
                warn!(copy = copy.id, error = %e, "delete outcome unknown; listing to check");
                tokio::time::sleep(policy.backoff_ceiling(attempt)).await;
                if let Ok(list) = client.list_campaigns().await {
                    if !list.iter().any(|c| c.id == copy.id) {
                        return Ok(());
                    }
                }
            }
            Err(e) => {
                return Err(format!(
                    "another run created {name:?} at the same time (campaigns {winner} and {}), and the newer copy could not be deleted: {e}; delete it in the dashboard",
                    copy.id
                ))
            }
        }
    }
    Err(format!(
        "another run created {name:?} at the same time (campaigns {winner} and {}), and deleting the newer copy kept failing; delete it in the dashboard",
        copy.id
    ))
}

fn result_of(op: &Operation, campaign_id: Option<u64>, outcome: Outcome) -> OperationResult {
    OperationResult {
        id: op.id,
        op: op.kind.label(),
        campaign: op.campaign.clone(),
        campaign_id,
        manifest: op.manifest.clone(),
        outcome,
    }
}

/// Runs one operation: a create, or an operation on the campaign `id` (existing, or made by
/// this run's create). The flag is true when the account refused a create (403), after which
/// no other create can succeed either.
async fn run(
    client: &Client,
    op: &Operation,
    id: Option<u64>,
    manifest: Option<&Manifest>,
    approvals: Approvals,
    fresh: &FreshStatuses,
    joined: bool,
) -> (Outcome, bool) {
    let (kind, id) = match (&op.kind, id) {
        (OperationKind::CreateCampaign { request }, _) => {
            return match create_or_refused(client, request, manifest).await {
                Ok(outcome) => (outcome, false),
                Err(outcome) => (outcome, true),
            };
        }
        (_, None) => return (Outcome::failed("the campaign's id is not known"), false),
        (kind, Some(id)) => (kind, id),
    };
    let outcome = match kind {
        OperationKind::CreateCampaign { .. } => Outcome::failed("a create has no campaign yet"),
        OperationKind::AddLeads { leads, .. } => {
            // Existing campaigns and those this run created alike: another run, or a person in
            // the dashboard, may have started it since it was planned or verified.
            if !op.effects().places_calls && !approvals.place_calls {
                if let Some(outcome) = recheck_not_calling(client, op, id, fresh).await {
                    return (outcome, false);
                }
            }
            add_leads(client, id, leads, op).await
        }
        OperationKind::Start { expected_status } => {
            let outcome = start_once(client, op, id, expected_status, joined).await;
            forget(fresh);
            outcome
        }
        OperationKind::Stop => {
            let outcome = change_status(client, id, "stop", CampaignStatus::Stopped).await;
            forget(fresh);
            outcome
        }
        OperationKind::DeleteCampaign {
            expected_status,
            leads,
        } => {
            let outcome = delete_campaign(client, op, id, expected_status, *leads).await;
            forget(fresh);
            outcome
        }
        OperationKind::UpdateLeads { updates } => update_leads(client, op, updates).await,
    };
    (outcome, false)
}

/// Drops the shared status read: this run just changed a status.
fn forget(fresh: &FreshStatuses) {
    if let Ok(mut guard) = fresh.lock() {
        *guard = None;
    }
}

/// Deletes a campaign, once, and only while it is still the campaign the plan saw: a fresh
/// list right before must show it under the same name and in the same status (a draft to be
/// replaced may have been started while the question waited; a pruned campaign may have been
/// renamed out of the prefix). Deleting one id again cannot delete anything else, so an
/// ambiguous answer is settled by listing: gone is done.
async fn delete_campaign(
    client: &Client,
    op: &Operation,
    id: u64,
    expected: &CampaignStatus,
    planned_leads: Option<usize>,
) -> Outcome {
    let now = match client.list_campaigns().await {
        Ok(list) => list.into_iter().find(|c| c.id == id),
        Err(e) => {
            return Outcome::failed(format!(
                "cannot read the campaign right before deleting it ({e}); nothing was deleted"
            ))
        }
    };
    let Some(now) = now else {
        info!(campaign = op.campaign.as_str(), id, "already gone");
        return Outcome::Inferred {
            id: None,
            status: None,
            cause: "the campaign was no longer on the platform".to_owned(),
        };
    };
    if now.name != op.campaign || now.status != *expected {
        warn!(campaign = op.campaign.as_str(), id, status = %now.status, "changed since the plan; not deleted");
        return Outcome::failed(format!(
            "campaign {id} changed since the plan (it was {:?} in status {expected}, it is now {:?} in status {}); it was not deleted. Run `campaignctl plan` to see what would happen now",
            op.campaign, now.name, now.status
        ));
    }
    if let Some(refused) = leads_added_since(client, op, id, planned_leads).await {
        return refused;
    }
    let error = match client.delete_campaign(id).await {
        Ok(()) => {
            info!(campaign = op.campaign.as_str(), id, "deleted");
            return Outcome::Done {
                id: None,
                leads_added: None,
                leads_found: None,
                leads_updated: None,
                status: None,
                note: None,
            };
        }
        Err(e) => e,
    };
    if matches!(error, ApiError::NotFound { .. }) || error.outcome_unknown() {
        if let Ok(list) = client.list_campaigns().await {
            if !list.iter().any(|c| c.id == id) {
                return Outcome::Inferred {
                    id: None,
                    status: None,
                    cause: error.to_string(),
                };
            }
        }
    }
    Outcome::failed(error.to_string())
}

/// A campaign is deleted only if it holds as many leads as the plan counted: a lead added
/// since (by hand, by another tool) may have been called, and its history is not the plan's
/// to destroy; one removed means the campaign is no longer what was reviewed. This covers a
/// prune planned without leads (all that absence may delete: `reconcile::deletion`), a
/// tombstone, and the draft a replace deletes, whose declared leads the replacement re-adds
/// but whose lead added by hand would go with it. One page of its leads is read right before.
/// A delete planned without a count (its leads were not read) is not re-checked here: the
/// plan held it already unless a manifest asked for it.
async fn leads_added_since(
    client: &Client,
    op: &Operation,
    id: u64,
    planned: Option<usize>,
) -> Option<Outcome> {
    let planned = planned? as u64;
    let page = match client.list_leads_page(id, 1).await {
        Ok(page) => page,
        Err(e) => {
            return Some(Outcome::failed(format!(
            "cannot read the campaign's leads right before deleting it ({e}); nothing was deleted"
        )))
        }
    };
    let now = page.total.max(page.data.len() as u64);
    if now == planned {
        return None;
    }
    warn!(
        campaign = op.campaign.as_str(),
        id,
        planned,
        leads = now,
        "holds another number of leads than planned; not deleted"
    );
    let then = match planned {
        0 => "no leads".to_owned(),
        n => format!("{n} lead(s)"),
    };
    Some(Outcome::failed(format!(
        "campaign {id} ({:?}) held {then} when planned and holds {now} now; it was not deleted. Run `campaignctl plan` to see what would happen now",
        op.campaign
    )))
}

/// Merges the declared variables into each lead. A merge sent twice is the same merge, so an
/// ambiguous answer is sent again (bounded).
async fn update_leads(client: &Client, op: &Operation, updates: &[LeadUpdate]) -> Outcome {
    let policy = client.retry_policy();
    let mut updated = 0;
    let mut failures = Vec::new();
    let mut outcomes = stream::iter(updates)
        .map(|u| async move {
            let mut attempts = 0u32;
            loop {
                attempts += 1;
                match client.update_lead(u.lead_id, &u.variables).await {
                    Ok(_) => return (u, Ok(())),
                    Err(e) if e.outcome_unknown() && attempts < policy.max_attempts => {
                        tokio::time::sleep(policy.backoff_ceiling(attempts)).await;
                    }
                    Err(e) => return (u, Err(e.to_string())),
                }
            }
        })
        .buffer_unordered(LEADS_IN_FLIGHT);
    while let Some((u, outcome)) = outcomes.next().await {
        match outcome {
            Ok(()) => updated += 1,
            Err(error) => failures.push(LeadFailure {
                phone_number: u.phone_number.clone(),
                source: u.source.clone(),
                error,
            }),
        }
    }
    if failures.is_empty() {
        info!(
            campaign = op.campaign.as_str(),
            updated, "lead variables updated"
        );
        return Outcome::Done {
            id: None,
            leads_added: None,
            leads_found: None,
            leads_updated: Some(updated),
            status: None,
            note: None,
        };
    }
    Outcome::Failed {
        error: format!(
            "{} of {} lead update(s) failed ({updated} updated)",
            failures.len(),
            updates.len()
        ),
        diagnostics: Vec::new(),
        hint: None,
        lead_failures: failures,
        leads_added: None,
    }
}

/// Time of check, time of use: the campaign was not calling when planned, but the plan may be
/// old. Read its status again; if it may now be calling, adding leads places calls, which this
/// run is not approved for.
async fn recheck_not_calling(
    client: &Client,
    op: &Operation,
    id: u64,
    fresh: &FreshStatuses,
) -> Option<Outcome> {
    let recent = fresh.lock().ok().and_then(|guard| {
        guard
            .as_ref()
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, statuses)| statuses.get(&id).cloned())
    });
    // A campaign missing from a shared read (created after it) is read again, not assumed.
    let status = match recent.flatten() {
        Some(status) => status,
        None => match client.list_campaigns().await {
            Ok(list) => {
                let statuses: HashMap<u64, CampaignStatus> =
                    list.into_iter().map(|c| (c.id, c.status)).collect();
                let status = statuses.get(&id).cloned().unwrap_or_default();
                if let Ok(mut guard) = fresh.lock() {
                    *guard = Some((Instant::now(), statuses));
                }
                status
            }
            Err(e) => {
                return Some(Outcome::failed(format!(
                    "cannot re-read the campaign's status before adding leads: {e}"
                )))
            }
        },
    };
    dials_now(op, status)
}

/// Held when a campaign in `status` would dial leads added to it now.
fn dials_now(op: &Operation, status: CampaignStatus) -> Option<Outcome> {
    if status.dials_new_leads() {
        warn!(campaign = op.campaign.as_str(), status = ?status, "the campaign started after the plan was made; its new leads would be called");
        return Some(Outcome::Held {
            approval: Approval::PlaceCalls,
            flag: Approval::PlaceCalls.flag(),
            reason: format!(
                "{:?} is {} right before its leads would be added (it was not when planned), so adding them would call them; run with --allow-start to allow it",
                op.campaign,
                match status {
                    CampaignStatus::NotReturned => "in an unknown state",
                    ref s => s.label(),
                }
            ),
        });
    }
    None
}

/// Creates one campaign, exactly once.
///
/// - A connection that could not be made sent nothing: the create is sent again (bounded).
/// - A 5xx answer ends the request's processing: list, and send again only if the name is
///   absent.
/// - A timeout or a connection lost before the answer may leave the create still being
///   processed, so a list made now can miss it: list, count it as created if it is there, and
///   otherwise report the outcome as unknown rather than risk a second campaign. The next plan
///   shows whether it landed.
///
/// `Err` when the account refused the create (403: its campaign limit, or a plan without the
/// feature), after which no other create can succeed either.
async fn create_or_refused(
    client: &Client,
    request: &CreateCampaign,
    manifest: Option<&Manifest>,
) -> Result<Outcome, Outcome> {
    let policy = client.retry_policy();
    let mut failures = 0u32;
    loop {
        let error = match client.create_campaign(request).await {
            Ok(created) => {
                info!(name = %request.name, id = created.id, "created");
                return Ok(Outcome::Done {
                    id: Some(created.id),
                    leads_added: None,
                    leads_found: None,
                    leads_updated: None,
                    status: None,
                    note: None,
                });
            }
            Err(e @ ApiError::Forbidden { .. }) => return Err(failure(client, e, manifest)),
            Err(e @ ApiError::Connect(_)) => {
                failures += 1;
                if failures >= policy.max_attempts {
                    return Ok(failure(client, e, manifest));
                }
                debug!(name = %request.name, error = %e, "could not connect; the create was not sent, sending it again");
                tokio::time::sleep(policy.backoff_ceiling(failures)).await;
                continue;
            }
            Err(e) if e.outcome_unknown() => e,
            Err(e) => return Ok(failure(client, e, manifest)),
        };
        failures += 1;
        warn!(name = %request.name, error = %error, "create outcome unknown; listing before any retry");
        // Give a create the server may still be processing time to land before looking.
        tokio::time::sleep(policy.backoff_ceiling(failures)).await;
        match find_by_name(client, &request.name).await {
            Ok(Some(found)) => {
                info!(name = %request.name, id = found.id, "found after an ambiguous create; counting it as created");
                return Ok(Outcome::Inferred {
                    id: Some(found.id),
                    status: None,
                    cause: error.to_string(),
                });
            }
            Ok(None) if error.may_still_be_processing() => {
                return Ok(Outcome::Unknown {
                    error: format!(
                        "the create got no answer ({error}) and the campaign is not listed yet; it may still be processing, so campaignctl did not send it again. Run `campaignctl plan` in a minute: it creates the campaign only if it is still absent"
                    ),
                })
            }
            Ok(None) if failures < policy.max_attempts => {
                info!(name = %request.name, "not on the platform after a server error; sending it again");
            }
            Ok(None) => return Ok(failure(client, error, manifest)),
            Err(list_error) => {
                return Ok(Outcome::Unknown {
                    error: format!(
                        "the create failed ambiguously ({error}) and the campaign list could not be read to check ({list_error}); run `campaignctl plan` to see whether it exists before applying again"
                    ),
                })
            }
        }
    }
}

/// The campaign with this name, if one exists now (the lowest id if several).
async fn find_by_name(client: &Client, name: &str) -> Result<Option<RemoteCampaign>, ApiError> {
    let list = client.list_campaigns().await?;
    Ok(list
        .into_iter()
        .filter(|c| c.name == name)
        .min_by_key(|c| c.id))
}

/// A definite failure, with 422 field errors (and a 404 for the assistant) mapped back to the
/// manifest's lines.
fn failure(client: &Client, error: ApiError, manifest: Option<&Manifest>) -> Outcome {
    let mut diagnostics = Vec::new();
    if let Some(m) = manifest {
        match &error {
            ApiError::Validation { errors, .. } => {
                for (field, messages) in errors {
                    for msg in messages {
                        diagnostics.push(
                            Diagnostic::error(
                                Some(m.locate(field)),
                                format!("the platform rejected {field}: {msg}"),
                            )
                            .with_field(field.clone()),
                        );
                    }
                }
            }
            ApiError::NotFound { message } => diagnostics.push(
                Diagnostic::error(
                    Some(m.locate("assistant_id")),
                    format!("the platform says: {message}"),
                )
                .with_field("assistant_id"),
            ),
            _ => {}
        }
    }
    // The hint names where this client's URL and token are set (flags, or a config account).
    let shown = client.diagnostic(&error);
    Outcome::Failed {
        hint: shown.hint,
        error: shown.message,
        diagnostics,
        lead_failures: Vec::new(),
        leads_added: None,
    }
}

/// Adds the leads, each exactly once; the client bounds how many requests are in flight.
async fn add_leads(
    client: &Client,
    campaign_id: u64,
    leads: &[DesiredLead],
    op: &Operation,
) -> Outcome {
    let mut added = 0;
    let mut found = 0;
    let mut failures = Vec::new();
    let mut outcomes = stream::iter(leads)
        .map(|lead| async move { (lead, create_lead_once(client, campaign_id, lead).await) })
        .buffer_unordered(LEADS_IN_FLIGHT);
    while let Some((lead, outcome)) = outcomes.next().await {
        match outcome {
            Ok(LeadOutcome::Added) => added += 1,
            Ok(LeadOutcome::Found) => found += 1,
            Err(error) => failures.push(LeadFailure {
                phone_number: lead.phone_number.clone(),
                source: lead.source.clone(),
                error,
            }),
        }
    }
    if failures.is_empty() {
        info!(campaign = op.campaign.as_str(), added, found, "leads added");
        Outcome::Done {
            id: None,
            leads_added: Some(added),
            leads_found: Some(found),
            leads_updated: None,
            status: None,
            note: None,
        }
    } else {
        Outcome::Failed {
            error: format!(
                "{} of {} lead(s) could not be added",
                failures.len(),
                leads.len()
            ),
            diagnostics: Vec::new(),
            hint: None,
            lead_failures: failures,
            leads_added: Some(added),
        }
    }
}

/// Lead creates of one operation in flight at once; the client's own bound (`--parallelism`)
/// applies across all operations.
const LEADS_IN_FLIGHT: usize = 8;

enum LeadOutcome {
    Added,
    /// The campaign already had the number (added since the plan, by a concurrent run, or by
    /// a lost response).
    Found,
}

/// Creates one lead, exactly once.
async fn create_lead_once(
    client: &Client,
    campaign_id: u64,
    lead: &DesiredLead,
) -> Result<LeadOutcome, String> {
    let body = CreateLead {
        phone_number: lead.phone_number.clone(),
        campaign_id,
        variables: lead.variables.clone(),
        allow_dupplicate: false,
        secondary_contacts: Vec::new(),
    };
    let policy = client.retry_policy();
    let mut ambiguous_failures = 0u32;
    loop {
        let error = match client.create_lead(&body).await {
            Ok(_) => return Ok(LeadOutcome::Added),
            Err(e) if already_taken(&e) => return Ok(LeadOutcome::Found),
            Err(e) if e.outcome_unknown() => e,
            Err(e) => return Err(e.to_string()),
        };
        ambiguous_failures += 1;
        warn!(campaign_id, error = %error, "lead create outcome unknown; looking it up before any retry");
        tokio::time::sleep(policy.backoff_ceiling(ambiguous_failures)).await;
        match client
            .find_leads_by_phone(campaign_id, &body.phone_number)
            .await
        {
            Ok(found) if !found.is_empty() => return Ok(LeadOutcome::Found),
            Ok(_) if ambiguous_failures < policy.max_attempts => {}
            Ok(_) => return Err(error.to_string()),
            Err(list_error) => {
                return Err(format!(
                    "the create failed ambiguously ({error}) and the leads could not be listed to check ({list_error}); run `campaignctl plan` before applying again"
                ))
            }
        }
    }
}

/// The platform's answer to a lead whose number the campaign already has (`allow_dupplicate`
/// false): Laravel's `unique` rule, "The phone number has already been taken."
fn already_taken(e: &ApiError) -> bool {
    matches!(e, ApiError::Validation { errors, .. }
        if errors.get("phone_number").is_some_and(|m| m.iter().any(|m| m.contains("already been taken"))))
}

/// How long a run whose create lost a race waits for the winner's run to start the campaign.
const JOINED_START_WAIT: Duration = Duration::from_secs(3);
/// Reads of the campaign's status within that wait.
const JOINED_START_READS: u32 = 12;

/// Whether `op` acts on a campaign this run created and then gave up for an older copy that a
/// racing run made (`verify_creates`).
fn joined_another_run(
    op: &Operation,
    verified: Option<&HashMap<OperationId, Result<Verified, String>>>,
) -> bool {
    match op.target {
        Target::Created { by } if by != op.id => {
            verified.and_then(|v| v.get(&by)).is_some_and(|v| {
                matches!(
                    v,
                    Ok(Verified {
                        deleted: Some(_),
                        ..
                    })
                )
            })
        }
        _ => false,
    }
}

/// Time of check, time of use, for the one operation that places calls: right before a start,
/// read the campaign's status again (never a shared read: another run or a person may have
/// acted a moment ago). Running already: success, no second request (a racing run started
/// it). No longer in the status the plan saw (stopped by a person while the question waited, or
/// deleted): skipped with the reason. Otherwise started once.
///
/// `joined`: this run's create lost to another run's at the same time, and that run, which
/// made the campaign kept, is about to start it too. Waiting a moment for its start (bounded,
/// then starting it after all, in case that run held or failed its start) leaves one start
/// request per campaign instead of one per racing run.
async fn start_once(
    client: &Client,
    op: &Operation,
    id: u64,
    expected: &CampaignStatus,
    joined: bool,
) -> Outcome {
    let reads = if joined { JOINED_START_READS } else { 1 };
    let mut now = None;
    for read in 0..reads {
        if read > 0 {
            tokio::time::sleep(JOINED_START_WAIT / JOINED_START_READS).await;
        }
        now = match client.list_campaigns().await {
            Ok(list) => list.into_iter().find(|c| c.id == id).map(|c| c.status),
            Err(e) => {
                return Outcome::failed(format!(
                    "cannot re-read the campaign's status before starting it: {e}"
                ))
            }
        };
        if now.as_ref() != Some(expected) {
            break;
        }
    }
    match now {
        Some(CampaignStatus::InProgress) => Outcome::Done {
            id: None,
            leads_added: None,
            leads_found: None,
            leads_updated: None,
            status: Some(CampaignStatus::InProgress.label().to_owned()),
            note: Some("already running: nothing was sent".to_owned()),
        },
        Some(status) if status == *expected => {
            change_status(client, id, "start", CampaignStatus::InProgress).await
        }
        Some(status) => {
            warn!(campaign = op.campaign.as_str(), status = %crate::escape::text(status.label()), "the campaign's status changed since the plan; not started");
            Outcome::Skipped {
                reason: format!(
                    "not started: its status is {} right before the start, not {} as when planned (changed outside this run); plan again",
                    crate::escape::text(status.label()),
                    expected.label()
                ),
            }
        }
        None => Outcome::Skipped {
            reason: "not started: the campaign is gone from the platform right before the start (deleted outside this run); plan again".to_owned(),
        },
    }
}

/// Starts or stops a campaign once. An answer lost after sending is settled by reading the
/// campaign's status, never by sending again.
async fn change_status(
    client: &Client,
    id: u64,
    action: &str,
    expected: CampaignStatus,
) -> Outcome {
    let error = match client.update_status(id, action).await {
        Ok(r) => {
            info!(id, action, status = %r.data.status, "status changed");
            return Outcome::Done {
                id: None,
                leads_added: None,
                leads_found: None,
                leads_updated: None,
                status: Some(r.data.status),
                note: None,
            };
        }
        Err(e) => e,
    };
    // Whatever went wrong, the campaign may already be as wanted: the answer was lost, or a
    // concurrent run changed it. Read it before calling this a failure.
    if error.outcome_unknown() {
        warn!(id, error = %error, "status change outcome unknown; reading the campaign's status");
    }
    if !matches!(error, ApiError::Unauthorized) {
        if let Ok(list) = client.list_campaigns().await {
            if list.iter().any(|c| c.id == id && c.status == expected) {
                return Outcome::Inferred {
                    id: None,
                    status: Some(expected.label().to_owned()),
                    cause: error.to_string(),
                };
            }
        }
    }
    Outcome::failed(error.to_string())
}
