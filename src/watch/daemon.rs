//! The real reconciler behind the pass loop: load → list → plan → apply, auto-approved (the
//! daemon is the operator), with one log line per pass, the metrics and the readiness state.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use futures::stream::{self, StreamExt};
use tokio::sync::watch;
use tracing::{error, warn};

use crate::api::Client;
use crate::manifest::{self, Diagnostic, Manifest, Severity};
use crate::reconcile::follow_up::StatusAction;
use crate::reconcile::follow_up_apply::apply_follow_ups;
use crate::reconcile::{
    self, planning, ActionKind, ApplyOptions, ApplyReport, CreateOutcome, Observed, Plan,
};

use super::controller::{PassOutcome, Reconciler, Trigger};
use super::fingerprint::fingerprint;
use super::health::{Readiness, Status};
use super::watcher::ManifestWatcher;

pub(crate) struct Daemon {
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) client: Client,
    pub(crate) parallelism: usize,
    pub(crate) allow_start: bool,
    pub(crate) status: Arc<Status>,
    pub(crate) watcher: ManifestWatcher,
    pub(crate) stop: watch::Receiver<bool>,
    /// The manifests as the last pass read them.
    pub(crate) last_read: Option<u64>,
}

/// What a pass found, for its log line.
#[derive(Default)]
struct Counts {
    manifests: usize,
    create: usize,
    created: usize,
    create_failed: usize,
    leads_to_add: usize,
    follow_ups_failed: usize,
    unchanged: usize,
    drift: usize,
    unmanaged: usize,
}

impl Reconciler for Daemon {
    fn manifests_changed(&mut self) -> bool {
        // A symlink swap is seen beside the link; from now on watch the new target.
        self.watcher.refresh();
        self.last_read != Some(fingerprint(&self.paths))
    }

    async fn pass(&mut self, trigger: Trigger) -> PassOutcome {
        let started = Instant::now();
        self.watcher.refresh();
        // Taken before reading, so an edit made during the pass is seen as a change after it.
        self.last_read = Some(fingerprint(&self.paths));
        let mut counts = Counts::default();
        let (outcome, reason) = self.reconcile(&mut counts).await;
        let took = started.elapsed();
        self.status.metrics.pass_finished(outcome, took);
        self.status.set_readiness(match &reason {
            None => Readiness::Ready {
                at: SystemTime::now(),
            },
            Some(reason) => Readiness::NotReady {
                reason: reason.clone(),
            },
        });
        let c = counts;
        // One line per pass with its counts: info when it succeeded, warn with the reason if not.
        macro_rules! pass_line {
            ($level:ident $(, $($extra:tt)+)?) => {
                tracing::$level!(
                    outcome = outcome.label(),
                    trigger = trigger.label(),
                    manifests = c.manifests,
                    to_create = c.create,
                    created = c.created,
                    create_failed = c.create_failed,
                    leads_to_add = c.leads_to_add,
                    follow_ups_failed = c.follow_ups_failed,
                    unchanged = c.unchanged,
                    drift = c.drift,
                    unmanaged = c.unmanaged,
                    duration_ms = took.as_millis() as u64,
                    $($($extra)+)?
                    "pass"
                )
            };
        }
        match &reason {
            None => pass_line!(info),
            Some(reason) => pass_line!(warn, reason = reason.as_str(),),
        }
        outcome
    }
}

impl Daemon {
    /// The pass proper: its outcome and, unless it succeeded, the reason (for /readyz).
    async fn reconcile(&self, counts: &mut Counts) -> (PassOutcome, Option<String>) {
        let load = manifest::load(&self.paths);
        log_diagnostics(&load.diagnostics);
        if load.has_errors() {
            // Nothing from an invalid set is applied; the metrics keep the last valid load.
            let errors = load.diagnostics.iter().filter(|d| d.is_error()).count();
            return (
                PassOutcome::Invalid,
                Some(format!(
                    "the manifests are invalid ({errors} error(s), first: {}); nothing was applied",
                    first_error(&load.diagnostics)
                )),
            );
        }
        counts.manifests = load.manifests.len();
        self.status.metrics.loaded(counts.manifests);

        let observed = match Observed::fetch(&self.client).await {
            Ok(observed) => observed,
            Err(e) => {
                return (
                    PassOutcome::Failed,
                    Some(format!("cannot read the platform: {e}")),
                )
            }
        };
        let planned = match planning::plan_all(&self.client, &load.manifests, &observed).await {
            Ok(planned) => planned,
            Err(e) => {
                return (
                    PassOutcome::Failed,
                    Some(format!("cannot read the platform's leads: {e}")),
                )
            }
        };
        let mut plan = planned.plan;
        if !self.allow_start {
            hold_starts(&mut plan);
        }
        log_diagnostics(&plan.diagnostics);
        counts.leads_to_add = plan.follow_up_summary().leads_to_add;
        let summary = plan.summary();
        counts.create = summary.create;
        counts.unchanged = summary.unchanged;
        counts.drift = summary.drift;
        counts.unmanaged = summary.unmanaged;
        self.status
            .metrics
            .planned(summary.drift, summary.unmanaged);
        for action in plan
            .actions
            .iter()
            .filter(|a| matches!(a.kind, ActionKind::Drift { .. }))
        {
            warn!(campaign = action.name.as_str(), "drift: the platform differs from the manifest; the API cannot update it (see `campaignctl plan`)");
        }
        if plan.has_errors() {
            return (
                PassOutcome::Invalid,
                Some(format!(
                    "the plan has errors (first: {}); nothing was applied",
                    first_error(&plan.diagnostics)
                )),
            );
        }
        if !plan.has_writes() {
            return (PassOutcome::Success, None);
        }

        let report = self.apply(&plan, &planned.manifests).await;
        let applied = report.summary();
        self.status.metrics.creates_finished(&applied);
        counts.created = applied.created;
        counts.create_failed = applied.failed + applied.unknown;
        log_failed_creates(&report);
        let not_started = summary.create - report.results.len();
        if counts.create_failed > 0 {
            let first = report
                .results
                .iter()
                .find(|r| !r.outcome.succeeded())
                .map(|r| r.name.as_str())
                .unwrap_or_default();
            return (
                PassOutcome::Failed,
                Some(format!(
                    "{} of {} create(s) failed (first: {first:?})",
                    counts.create_failed, summary.create
                )),
            );
        }
        if not_started > 0 {
            return (
                PassOutcome::Failed,
                Some(format!(
                    "shutting down: {not_started} create(s) not started"
                )),
            );
        }
        if *self.stop.borrow() {
            // Leads and status changes wait for the next run, like creates not yet started.
            return (
                PassOutcome::Failed,
                Some("shutting down: leads and status changes not applied".to_owned()),
            );
        }
        let follow_ups = apply_follow_ups(&self.client, &plan, &report, self.parallelism, |r| {
            if !r.succeeded() {
                warn!(campaign = r.name.as_str(), result = ?r, "leads or status not fully applied");
            }
        })
        .await;
        counts.follow_ups_failed = follow_ups.results.iter().filter(|r| !r.succeeded()).count();
        if counts.follow_ups_failed > 0 {
            return (
                PassOutcome::Failed,
                Some(format!(
                    "{} campaign(s) did not get all their leads or status",
                    counts.follow_ups_failed
                )),
            );
        }
        (PassOutcome::Success, None)
    }

    /// Applies the plan's creates, at most `parallelism` at once, starting none after a stop
    /// was requested: creates in flight finish, the rest wait for the next run. Each create
    /// goes through `reconcile::apply` as a one-action plan, so the ambiguous-create rule is
    /// the very same as for `campaignctl apply`.
    async fn apply(&self, plan: &Plan, manifests: &[Manifest]) -> ApplyReport {
        let stop = self.stop.clone();
        let singles: Vec<Plan> = plan
            .creates()
            .map(|(action, _)| Plan {
                actions: vec![action.clone()],
                diagnostics: Vec::new(),
                follow_ups: Vec::new(),
            })
            .collect();
        let reports: Vec<ApplyReport> = stream::iter(singles)
            .take_while(move |_| std::future::ready(!*stop.borrow()))
            .map(|single| async move {
                reconcile::apply(
                    &self.client,
                    &single,
                    manifests,
                    ApplyOptions { parallelism: 1 },
                    |_| {},
                )
                .await
            })
            .buffered(self.parallelism.max(1))
            .collect()
            .await;
        ApplyReport {
            results: reports.into_iter().flat_map(|r| r.results).collect(),
        }
    }
}

/// Without `--allow-start`, nothing that places calls is acted on: a desired `running` start,
/// and leads for a campaign that is already running, are removed from the plan and logged (other
/// leads are still added), so that only an explicit opt-in lets a daemon place calls.
fn hold_starts(plan: &mut Plan) {
    for f in &mut plan.follow_ups {
        if f.calls_new_leads() {
            if let Some(leads) = f.leads.as_mut() {
                warn!(
                    campaign = f.name.as_str(),
                    leads = leads.to_add.len(),
                    "leads for a running campaign are not added by watch without --allow-start (the campaign would call them); run `campaignctl apply` to add them"
                );
                leads.to_add.clear();
            }
        }
        if let Some(status) = f
            .status
            .as_mut()
            .filter(|s| s.action == Some(StatusAction::Start))
        {
            warn!(
                campaign = f.name.as_str(),
                "status: running is not applied by watch without --allow-start (starting places real calls); run `campaignctl apply` to start it"
            );
            status.action = None;
            status.note = Some("held: watch runs without --allow-start".to_owned());
        }
    }
}

/// Every diagnostic, one log line each, starting with its `file:line:column`.
fn log_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let location = d
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        let hint = d.hint.as_deref();
        match d.severity {
            Severity::Error => error!(hint, "{location}error: {}", d.message),
            Severity::Warning => warn!(hint, "{location}warning: {}", d.message),
        }
    }
}

fn first_error(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .find(|d| d.is_error())
        .map(|d| match &d.location {
            Some(loc) => format!("{loc}: {}", d.message),
            None => d.message.clone(),
        })
        .unwrap_or_default()
}

fn log_failed_creates(report: &ApplyReport) {
    for r in &report.results {
        match &r.outcome {
            CreateOutcome::Failed {
                error, diagnostics, ..
            } => {
                warn!(campaign = r.name.as_str(), "create failed: {error}");
                log_diagnostics(diagnostics);
            }
            CreateOutcome::Unknown { error } => {
                warn!(
                    campaign = r.name.as_str(),
                    "create outcome unknown: {error}"
                )
            }
            CreateOutcome::Created { .. } | CreateOutcome::CreatedInferred { .. } => {}
        }
    }
}
