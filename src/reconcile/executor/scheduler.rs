//! Scheduling: which operation runs when. Dependency order, bounded parallelism, approvals
//! (held), the account's refusal of creates, the verification after all creates, cancellation,
//! and the events in between. What running one operation means is the `Runner`'s business, so
//! this loop is tested with a fake runner and the platform's rules are tested on the emulator.

use std::collections::HashMap;
use std::future::Future;

use futures::stream::{FuturesUnordered, StreamExt};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::reconcile::operation::{
    Approvals, Operation, OperationId, OperationKind, Resource, Target,
};

use super::outcome::{blocked_by, held, result_of, Event, OperationResult, Outcome};
use super::report::Report;

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

/// What the scheduler knows about the campaign an operation acts on when it starts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Assignment {
    /// The campaign's id: the existing one, or the single holder of the name its create made
    /// (`None` for a create, and for an operation whose create's id is not known).
    pub campaign_id: Option<u64>,
    /// The campaign this run created lost to an older copy another run made at the same time
    /// (`Verified::deleted`); that run is carrying out the same plan on it.
    pub joined_another_run: bool,
    /// For a campaign create that waits for its assistant's create (`assistant_from`): the
    /// id that create got.
    pub assistant_id: Option<u64>,
}

/// What running one operation came to.
#[derive(Debug)]
pub(super) struct Ran {
    pub outcome: Outcome,
    /// The account refused a create (a 403: its campaign limit, or a plan without the
    /// feature), after which no other create can succeed either.
    pub refuses_creates: bool,
    /// The platform expects the older assistant body: no campaign is touched in this run.
    pub stops_campaigns: bool,
}

impl From<Outcome> for Ran {
    fn from(outcome: Outcome) -> Ran {
        Ran {
            outcome,
            refuses_creates: false,
            stops_campaigns: false,
        }
    }
}

/// A create this run sent, as the verification after the creates takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sent {
    pub create: OperationId,
    /// The campaign's name.
    pub name: String,
    /// The id its create got, when known (an unknown create may still have made a copy).
    pub id: Option<u64>,
}

/// A campaign this run created, as a list read after the creates shows it.
#[derive(Debug, Clone)]
pub(super) struct Verified {
    /// The single holder of the name: this run's campaign, or an older one another run made.
    pub id: u64,
    /// This run's own campaign, deleted because an older one holds the name.
    pub deleted: Option<u64>,
}

/// By create operation: the single holder of the name, or why there is none (then the
/// operations on that campaign are skipped with this reason).
pub(super) type Verifications = HashMap<OperationId, Result<Verified, String>>;

/// Carries out operations; the scheduler decides which and when.
///
/// Its futures are `Send`, so an execution can be spawned onto tokio's multi-threaded runtime.
pub(super) trait Runner: Sync {
    /// Runs one operation whose dependencies succeeded and whose approvals were given.
    fn run<'a>(
        &'a self,
        op: &'a Operation,
        assignment: Assignment,
    ) -> impl Future<Output = Ran> + Send + 'a;

    /// Settles the names this run's creates made, once all creates have settled and before
    /// anything else touches those campaigns.
    fn verify_creates(&self, sent: Vec<Sent>) -> impl Future<Output = Verifications> + Send + '_;
}

/// Runs `operations` (a plan's, in its order; dependencies point to earlier operations) through
/// `runner`: each once its dependencies succeeded (and, for a campaign this run creates, once
/// the verification after the creates settled its name), at most `options.parallelism` at
/// once. Every operation gets exactly one result.
pub(super) async fn schedule<R: Runner>(
    runner: &R,
    operations: &[Operation],
    options: ExecuteOptions,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Report {
    let n = operations.len();
    let mut results: Vec<Option<OperationResult>> = vec![None; n];
    let mut started = vec![false; n];
    let mut in_flight = FuturesUnordered::new();
    let parallelism = options.parallelism.max(1);
    // Set when the account refused a create (403): the others are not sent, and are reported
    // once each as skipped instead of failing one by one with the same error.
    let mut creates_refused: Option<String> = None;
    // Set when an assistant write showed the platform expects the older assistant body: no
    // campaign operation starts after it.
    let mut campaigns_stopped: Option<String> = None;
    // Every assistant operation settles before any campaign operation starts, so that such a
    // refusal stops the run before a campaign is touched.
    let assistant_ops: Vec<OperationId> = operations
        .iter()
        .filter(|op| op.kind.resource() == Resource::Assistant)
        .map(|op| op.id)
        .collect();
    let create_ops: Vec<OperationId> = operations
        .iter()
        .filter(|op| matches!(op.kind, OperationKind::CreateCampaign { .. }))
        .map(|op| op.id)
        .collect();
    // The campaigns this run created, as a list read after all its creates showed them: by
    // create operation, the single holder of the name (or why there is none).
    let mut verified: Option<Verifications> = None;
    let mut verifying = None;

    loop {
        // Once every create has settled, verify the campaigns they made before anything else
        // touches them. First, and in a slot of its own: the list it reads is a request like
        // any other (`--parallelism` bounds them all), and what starts next does not depend on
        // whether the list or an operation in flight answers first.
        let creates_settled = create_ops.iter().all(|&c| results[c].is_some());
        if verified.is_none() && verifying.is_none() && creates_settled {
            // Every name this run sent a create for, with the id it got when known: an
            // unknown create may still have made a copy that needs cleaning up.
            let sent: Vec<Sent> = create_ops
                .iter()
                .filter_map(|&c| {
                    let r = results[c].as_ref()?;
                    let sent = matches!(
                        r.outcome,
                        Outcome::Done { .. } | Outcome::Inferred { .. } | Outcome::Unknown { .. }
                    );
                    sent.then(|| Sent {
                        create: c,
                        name: r.campaign.clone(),
                        id: r.outcome.campaign_id(),
                    })
                })
                .collect();
            if sent.is_empty() {
                verified = Some(HashMap::new());
                continue;
            }
            verifying = Some(Box::pin(runner.verify_creates(sent)));
        }
        // Settle what can be settled without running anything, and start what is ready.
        for op in operations {
            if started[op.id] || results[op.id].is_some() {
                continue;
            }
            let is_campaign = op.kind.resource() == Resource::Campaign;
            if is_campaign && assistant_ops.iter().any(|&a| results[a].is_none()) {
                continue;
            }
            let settled = match readiness(op, &results, verified.as_ref()) {
                Readiness::Waiting => continue,
                _ if is_campaign && campaigns_stopped.is_some() => Some(Outcome::Skipped {
                    reason: format!(
                        "not sent: {}",
                        campaigns_stopped.as_deref().unwrap_or_default()
                    ),
                }),
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
            if cancel.is_cancelled()
                || in_flight.len() + usize::from(verifying.is_some()) >= parallelism
            {
                continue;
            }
            started[op.id] = true;
            on_event(Event::Started(op));
            let id = campaign_id(op, &results, verified.as_ref());
            let assignment = Assignment {
                campaign_id: id,
                joined_another_run: joined_another_run(op, verified.as_ref()),
                assistant_id: created_assistant(op, &results),
            };
            in_flight.push(async move {
                let ran = runner.run(op, assignment).await;
                (op, id, ran)
            });
        }
        if in_flight.is_empty() && verifying.is_none() {
            // The last creates may have settled just now without running (skipped after a
            // refused create): verify what was sent before the operations that wait for it.
            if verified.is_none() && create_ops.iter().all(|&c| results[c].is_some()) {
                continue;
            }
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
            Some((op, id, ran)) = in_flight.next() => {
                let Ran { outcome, refuses_creates, stops_campaigns } = ran;
                if stops_campaigns && campaigns_stopped.is_none() {
                    if let Outcome::Failed { error, .. } = &outcome {
                        warn!("{error}");
                        campaigns_stopped = Some(error.clone());
                    }
                }
                if refuses_creates && creates_refused.is_none() {
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

enum Readiness {
    Ready,
    Waiting,
    /// A dependency did not succeed: held if it is held, skipped otherwise.
    Blocked(Outcome),
}

fn readiness(
    op: &Operation,
    results: &[Option<OperationResult>],
    verified: Option<&Verifications>,
) -> Readiness {
    for &dep in &op.depends_on {
        match results.get(dep).and_then(Option::as_ref) {
            None => return Readiness::Waiting,
            Some(r) if r.outcome.succeeded() => {}
            Some(r) => return Readiness::Blocked(blocked_by(r)),
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

/// The campaign an operation acts on, once known: for one this run created, the single holder
/// of its name that verification found.
fn campaign_id(
    op: &Operation,
    results: &[Option<OperationResult>],
    verified: Option<&Verifications>,
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

/// The id of the assistant that `op`'s create waits for, once this run created it.
fn created_assistant(op: &Operation, results: &[Option<OperationResult>]) -> Option<u64> {
    match &op.kind {
        OperationKind::CreateCampaign {
            assistant_from: Some(from),
            ..
        } => results
            .get(*from)
            .and_then(Option::as_ref)
            .and_then(|r| r.campaign_id),
        _ => None,
    }
}

/// Whether `op` acts on a campaign this run created and then gave up for an older copy that a
/// racing run made (`verify_creates`).
fn joined_another_run(op: &Operation, verified: Option<&Verifications>) -> bool {
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
