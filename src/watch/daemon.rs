//! The real reconciler behind the pass loop: the pipeline (load → observe → plan → execute),
//! writes approved (the daemon is the operator), calls only with `--allow-start`, with one log
//! line per pass, the metrics and the readiness state.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use tokio_util::sync::CancellationToken;
use tracing::warn;

use crate::account_lock;
use crate::api::Client;
use crate::cli::report::log_diagnostics;
use crate::manifest::{Diagnostic, Manifest, Root};
use crate::reconcile::baseline::{Baseline, BaselinePart};
use crate::reconcile::executor::{Event, ExecuteOptions, OperationResult, Outcome};
use crate::reconcile::operation::Approvals;
use crate::reconcile::{pipeline, Disposition};
use crate::shown_path::ShownFrom;

use super::controller::{PassOutcome, Reconciler, Trigger};
use super::health::{AccountStatus, Readiness};
use super::held::{held_in, HeldOperations};
use super::lint_log::LoggedWarnings;
use super::load_cache::{Loaded, Source};

/// Each declared assistant's fields, by name, as a pass read them.
pub(crate) type AssistantsSeen =
    std::collections::BTreeMap<String, campaignctl_core::api::assistant::AssistantWrite>;
use super::watcher::ManifestWatcher;
use crate::manifest::read_log::PathState;

/// How long a pass waits for another run (an apply on this machine) to release the account
/// lock; then it fails and is retried with the usual backoff.
const LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Held operations `/readyz` lists per account; the rest are counted.
const HELD_LINES: usize = 20;

pub(crate) struct Daemon {
    /// The account's name in the repository config (in log lines); `None` without one.
    pub(crate) name: Option<String>,
    /// The manifest paths and their defaults, as of the last pass.
    pub(crate) roots: Vec<Root>,
    /// The repository config, read again at each pass for the account's paths and defaults.
    pub(crate) config: Option<PathBuf>,
    /// The account's `prune_prefix` in the config, as of the last pass (`--prune-prefix`
    /// wins over it).
    pub(crate) config_prune_prefix: Option<String>,
    /// The paths given on the command line: the account's paths stay narrowed to them.
    pub(crate) narrowed_to: Vec<PathBuf>,
    /// The account as the config declared it at the first pass: a later edit to its API URL,
    /// token source or paths needs a restart (the client and the file watcher are made at
    /// start), and until then no pass applies anything.
    pub(crate) started_as: Option<crate::config::Account>,
    pub(crate) client: Client,
    /// How this run prints (problems as log events with `--log-format json`).
    pub(crate) printer: crate::cli::Printer,
    pub(crate) parallelism: usize,
    pub(crate) allow_start: bool,
    pub(crate) allow_delete: bool,
    pub(crate) lifecycle: crate::reconcile::lifecycle::LifecycleOptions,
    pub(crate) status: Arc<AccountStatus>,
    pub(crate) watcher: ManifestWatcher,
    /// Cancelled on shutdown: the pass in flight starts no new operation.
    pub(crate) cancel: CancellationToken,
    /// The manifests as the last pass loaded them, kept while nothing the load read changes.
    pub(crate) loaded: Option<Loaded>,
    /// The repository config's state when the last pass read it (a file event that changed
    /// it, or anything the load read, calls for a pass).
    pub(crate) config_seen: Option<PathState>,
    /// The write-once values this daemon last applied, by campaign name: the manifest that
    /// created (or replaced) the campaign, or the one it found the campaign with. Compared with
    /// every later pass, as `plan --base` compares with a git revision.
    pub(crate) applied: HashMap<String, Manifest>,
    /// `applied` (and `--base`) as the next pass's baseline; `None` when it must be rebuilt.
    pub(crate) applied_baseline: Option<Arc<Baseline>>,
    /// Outside a git repository, the record of what this daemon carried out (which starts git
    /// asks for): kept for the daemon's lifetime only.
    /// Shared with the pass that plans from it, not copied: it has an entry per campaign.
    pub(crate) record_in_memory: Arc<crate::reconcile::applied::AppliedRecord>,
    /// Time between passes: a deletion by absence waits at least this long for a second pass.
    pub(crate) interval: std::time::Duration,
    /// The prunes the last pass planned, not yet confirmed (`confirmed_prunes`).
    pub(crate) pending_prunes: Option<PendingPrunes>,
    /// Each declared assistant's fields as the last pass that planned read them: a platform
    /// difference while they stay so is an edit made outside git, left alone without
    /// `--self-heal-calls` (`LifecycleOptions::assistants_seen`).
    pub(crate) assistants_seen: Option<Arc<AssistantsSeen>>,
    /// The assistants the last pass that planned left alone as edited outside git, logged
    /// once when they appear.
    pub(crate) edited_outside: BTreeSet<String>,
    /// What the last pass that planned held, logged when it changes.
    pub(crate) held: HeldOperations,
    /// The manifest warnings of the last pass that planned, logged once each (`lint_log`).
    pub(crate) lint: LoggedWarnings,
    /// The problems of the last load and of the last plan, logged once each while they last
    /// (`lint_log`): a warning in a manifest was logged again every pass.
    pub(crate) load_problems: LoggedWarnings,
    pub(crate) plan_problems: LoggedWarnings,
    /// How often a pass reads the account's leads whole for the lead gauges; `None` when no
    /// metrics are served (`--listen`), then no pass reads them for that.
    pub(crate) lead_metrics_every: Option<std::time::Duration>,
    /// The last such read.
    pub(crate) lead_counts: Option<LeadCountsRead>,
    /// The campaign list the last pass read and, when it had no operations, its plan, for an
    /// idle pass to reuse (`idle`).
    pub(crate) last: super::idle::LastPass,
    /// Times a pass changed the record kept in memory (outside a git repository): a plan is
    /// kept for reuse only when the pass that made it left the record as it planned from it.
    pub(crate) record_changes: u64,
    /// The rows of the campaign gauges of the last plan, each with its calling window, kept
    /// while the plan is reused: then only each window's state (the clock) can have moved.
    pub(crate) gauge_rows: Option<GaugeRows>,
}

/// `status::rows` of a plan, and each row's calling window (`None` where the row has none).
pub(crate) struct GaugeRows {
    rows: Vec<crate::status::Row>,
    windows: Vec<Option<crate::window_state::Window>>,
}

/// The account's leads counted when a pass last read them whole (`Daemon::lead_metrics_every`).
pub(crate) struct LeadCountsRead {
    at: Instant,
    /// By campaign id; a campaign without leads has no entry.
    counts: std::collections::BTreeMap<u64, crate::status::LeadCounts>,
    /// The campaigns listed by that pass: the counts cover them (a campaign created since has
    /// none yet).
    listed: HashSet<u64>,
}

/// Deletions by absence (prunes) one pass planned: a later pass carries them out only if it
/// plans them too, over the same files (`Loaded::fingerprint`), at least one interval after they were
/// first seen. A file emptied or cut off for a moment (an editor's save, a `git checkout`, a
/// full disk) is then restored before anything is deleted.
pub(crate) struct PendingPrunes {
    /// The fingerprint of the files the pass that planned them read.
    fingerprint: u64,
    /// The campaigns to prune, by id: each one's name (for the log line when dropped), when it
    /// was first planned over these files, and whether that pass confirmed it (then it was to
    /// be carried out, and its absence from the next plan is no news).
    ids: HashMap<u64, (String, Instant, bool)>,
}

/// How messages name the write-once values `watch` remembers.
const APPLIED_SOURCE: &str = "the values this watch last applied";

/// What a pass found, for its log line.
#[derive(Default)]
struct Counts {
    manifests: usize,
    /// The plan's summary, as `plan` prints it.
    summary: crate::reconcile::Summary,
    created: usize,
    create_failed: usize,
    leads_or_status_failed: usize,
}

impl Reconciler for Daemon {
    fn manifests_changed(&mut self) -> bool {
        // A symlink swap is seen beside the link; from now on watch the new target.
        self.watcher.refresh();
        let config_changed = self.config.as_deref().map(PathState::of) != self.config_seen;
        config_changed
            || !self
                .loaded
                .as_mut()
                .is_some_and(|loaded| loaded.is_current(&self.roots))
    }

    async fn pass(&mut self, trigger: Trigger) -> PassOutcome {
        let started = Instant::now();
        self.watcher.refresh();
        // Taken before reading, so an edit made during the pass is seen as a change after it
        // (the load notes each file's state before reading it).
        self.config_seen = self.config.as_deref().map(PathState::of);
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
                    account = self.name.as_deref(),
                    outcome = outcome.label(),
                    trigger = trigger.label(),
                    manifests = c.manifests,
                    to_create = c.summary.create,
                    created = c.created,
                    create_failed = c.create_failed,
                    leads_to_add = c.summary.leads_to_add,
                    leads_to_update = c.summary.leads_to_update,
                    leads_or_status_failed = c.leads_or_status_failed,
                    unchanged = c.summary.unchanged,
                    drift = c.summary.drift,
                    to_replace = c.summary.replace,
                    to_delete = c.summary.delete,
                    deletions_held = c.summary.held,
                    attention = c.summary.attention,
                    unmanaged = c.summary.unmanaged,
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
        // What the pass freed goes back to the system (`memory`): a pass runs on whichever
        // runtime threads are free, so the daemon's memory rose over the passes although what
        // it holds did not (docs/watch-performance.md). It costs an idle pass over 10,000
        // campaigns about 6 ms of CPU (13 → 19 ms), at an interval of 10 s or more.
        crate::memory::give_back_freed_memory();
        outcome
    }
}

impl Daemon {
    /// The pass proper: its outcome and, unless it succeeded, the reason (for /readyz).
    async fn reconcile(&mut self, counts: &mut Counts) -> (PassOutcome, Option<String>) {
        if let Err(reason) = self.reread_config() {
            return (PassOutcome::Invalid, Some(reason));
        }
        let shown_from = self.printer.shown_from();
        let (load, source) = Loaded::for_pass(&mut self.loaded, &self.roots, shown_from);
        if source == Source::Read {
            self.status.metrics.manifests_read();
        }
        self.load_problems.update(&load.diagnostics, shown_from);
        if load.has_errors() {
            // Nothing from an invalid set is applied; the metrics keep the last valid load.
            let errors = load.diagnostics.iter().filter(|d| d.is_error()).count();
            let reason = format!(
                "the manifests are invalid ({errors} error(s), first: {}); nothing was applied",
                first_error(&load.diagnostics, shown_from)
            );
            self.keep(load);
            return (PassOutcome::Invalid, Some(reason));
        }
        counts.manifests = load.manifests.len();
        self.status.metrics.loaded(counts.manifests);

        // One writer per account on this machine: a pass waits (bounded) for a person's apply.
        let _lock = match account_lock::acquire(
            &self.client.account_identity(),
            self.client.base_url().as_str(),
            "watch",
            LOCK_TIMEOUT,
            &self.cancel,
            |holder| {
                warn!(
                    holder,
                    "waiting for the account lock held by another campaignctl run"
                )
            },
        )
        .await
        {
            Ok(lock) => lock,
            Err(e) => {
                self.keep(load);
                return (PassOutcome::Failed, Some(e.to_string()));
            }
        };
        let mut lifecycle = self.lifecycle.clone();
        if lifecycle.prune_prefix.is_none() {
            lifecycle.prune_prefix = self.config_prune_prefix.clone();
        }
        lifecycle.baseline = self.baseline();
        // Resolved once per baseline (and again only when the account's references change):
        // counted, so a pass that stops reusing it shows (`campaignctl_baseline_resolutions`).
        let baseline = lifecycle.baseline.clone();
        let resolutions_before = baseline.as_deref().map_or(0, Baseline::resolutions);
        // What campaignctl last carried out, read again each pass (an apply may have moved it);
        // outside a git repository, what this daemon carried out since it started.
        let paths: Vec<PathBuf> = self.roots.iter().map(|r| r.path.clone()).collect();
        let store = crate::reconcile::applied_record::RecordStore::find(
            &self.printer,
            &paths,
            self.client.base_url(),
            self.name.as_deref(),
        );
        lifecycle.applied = match &store {
            Some(store) => crate::reconcile::applied_record::load(&self.printer, Some(store)),
            None => crate::reconcile::applied::RecordState::Read(self.record_in_memory.clone()),
        };
        let record = crate::reconcile::applied_record::RecordTarget::of(store, &paths);
        let planned_at = Instant::now();
        let confirmed = self.confirmed_prunes(planned_at);
        lifecycle.prunes_confirmed = Some(confirmed.clone());
        if !lifecycle.self_heal_calls {
            lifecycle.assistants_seen = self.assistants_seen.clone();
        }
        let due = self.lead_metrics_every.is_some_and(|every| {
            self.lead_counts
                .as_ref()
                .is_none_or(|last| planned_at.saturating_duration_since(last.at) >= every)
        });
        // What the last pass kept is used by this one or dropped: a pass that fails keeps
        // nothing for the next.
        let mut last = std::mem::take(&mut self.last);
        // A pass whose lead gauges are due reads every lead: it plans afresh (the leads are a
        // time-dependent input), and its plan may be reused by the next pass.
        let planned = if due {
            self.plan_counting_leads(load, &lifecycle, planned_at, &mut last)
                .await
                .map(|(planned, digest)| (planned, digest, false))
        } else {
            super::idle::plan(&self.client, &mut last, load, source, &lifecycle).await
        };
        drop(last);
        let resolved = baseline.as_deref().map_or(0, Baseline::resolutions);
        self.status
            .metrics
            .baseline_resolved(resolved.saturating_sub(resolutions_before));
        let (mut planned, digest, reused) = match planned {
            Ok(planned) => planned,
            Err(e) => {
                return (
                    PassOutcome::Failed,
                    Some(format!("cannot read the platform: {e}")),
                )
            }
        };
        if reused {
            self.status.metrics.plan_reused();
        }
        self.assistants_seen = Some(Arc::new(seen_after(
            &planned.plan,
            &planned.load.assistants,
            self.assistants_seen.as_deref(),
        )));
        // The inputs of this plan, for the next pass to compare with; the record kept in memory
        // is taken after the pass (below), since a copy held now would make the pass's change
        // to it a copy of it.
        let mut inputs = lifecycle.clone();
        let in_memory = record.is_none();
        if in_memory {
            inputs.applied = crate::reconcile::applied::RecordState::Absent;
        }
        // The baseline and the record are shared with `self`: dropped now, they are changed in
        // place after the pass rather than copied.
        drop(lifecycle);
        drop(baseline);
        self.remember_prunes(&planned.plan, &confirmed, planned_at);
        self.campaign_gauges(&planned, reused);
        let record_changes = self.record_changes;
        let result = self
            .act(&mut planned, record.as_ref(), counts, reused)
            .await;
        // Kept for reuse only when the record is still the one planned from.
        let plan_kept = !in_memory || self.record_changes == record_changes;
        if in_memory {
            inputs.applied =
                crate::reconcile::applied::RecordState::Read(self.record_in_memory.clone());
        }
        let (last, load) = super::idle::LastPass::keep(digest, planned, inputs, plan_kept);
        self.last = last;
        self.keep(load);
        result
    }

    /// Logs the held operations that appeared or went since the last pass that planned, and
    /// sets their gauge and `/readyz` lines.
    fn note_held(&mut self, plan: &crate::reconcile::Plan, results: &[OperationResult]) {
        let counts = self
            .held
            .update(self.name.as_deref(), held_in(plan, results));
        self.status.metrics.held(&counts);
        self.status.set_held(self.held.lines(HELD_LINES));
    }

    /// Logs each assistant edited outside git that this pass leaves alone, once when it
    /// appears (and again if it goes and comes back), as held operations are.
    fn note_edited_outside(&mut self, plan: &crate::reconcile::Plan) {
        use crate::reconcile::model::AssistantDisposition;
        let now: BTreeSet<String> = plan
            .assistants
            .iter()
            .filter(|a| a.disposition == AssistantDisposition::EditedOutside)
            .map(|a| a.name.clone())
            .collect();
        for a in plan
            .assistants
            .iter()
            .filter(|a| now.contains(&a.name) && !self.edited_outside.contains(&a.name))
        {
            let fields: Vec<&str> = a.changes.iter().map(|c| c.field.as_str()).collect();
            warn!(
                account = self.name.as_deref(),
                assistant = crate::escape::text(&a.name).as_ref(),
                fields = fields.join(", "),
                "assistant edited outside git: left as it is (--self-heal-calls changes it back to its manifest)"
            );
        }
        self.edited_outside = now;
    }

    /// Gives the pass's load back to the cache, for the next pass.
    fn keep(&mut self, load: crate::manifest::LoadOutcome) {
        if let Some(loaded) = self.loaded.as_mut() {
            loaded.keep(load);
        }
    }

    /// The pass after planning: logs, metrics, and the execution of what is approved. A
    /// `reused` plan (`idle`) is the last pass's, which had no operations: what remembering it
    /// and recording it in memory did then, doing again would change nothing.
    async fn act(
        &mut self,
        planned: &mut pipeline::Planned,
        record: Option<&crate::reconcile::applied_record::RecordTarget>,
        counts: &mut Counts,
        reused: bool,
    ) -> (PassOutcome, Option<String>) {
        let plan = &planned.plan;
        self.plan_problems
            .update(&plan.diagnostics, self.printer.shown_from());
        // The calling-hours warnings: logged when they appear, not on every pass.
        self.lint.update(&planned.lint, self.printer.shown_from());
        self.note_edited_outside(plan);
        // The pass line counts what the plan's summary counts, as `plan` prints it.
        let summary = plan.summary();
        counts.summary = summary;
        // The gauge: a draft to replace differs from its manifest as drift does, until it is
        // replaced (which needs --allow-delete), so it counts as a drifted campaign there.
        self.status.metrics.planned(
            summary.drift + summary.replace,
            summary.unmanaged,
            summary.attention,
        );
        // A person's stop wins: its own gauge (the warning is among the plan's diagnostics,
        // logged above).
        self.status
            .metrics
            .starts_left_alone(plan.starts_left_alone().count());
        for action in plan
            .actions
            .iter()
            .filter(|a| matches!(a.kind, Disposition::Drift { .. }))
        {
            warn!(campaign = action.name.as_str(), "drift: the platform differs from the manifest; the API cannot update it (see `campaignctl plan`)");
        }
        if plan.has_errors() {
            return (
                PassOutcome::Invalid,
                Some(format!(
                    "the plan has errors (first: {}); nothing was applied",
                    first_error(&plan.diagnostics, self.printer.shown_from())
                )),
            );
        }
        if !plan.has_writes() {
            self.note_held(plan, &[]);
            if !reused {
                self.remember(planned, &HashSet::new(), &HashSet::new());
            }
            // In git the record is written with this pass's commit, which may have moved.
            if !reused || record.is_some() {
                self.record(record, plan, &[]);
            }
            return (PassOutcome::Success, None);
        }

        // The daemon is the operator for writes; calls only with --allow-start, and
        // destruction (deletes, replacements of drafts) only with --allow-delete.
        let approvals = Approvals {
            writes: true,
            place_calls: self.allow_start,
            destroy_data: self.allow_delete,
        };
        let metrics = &self.status.metrics;
        let mut on_event = |event: Event<'_>| {
            if let Event::Finished(_, result) = event {
                metrics.operation_finished(result);
                log_result(result, self.printer.shown_from());
            }
        };
        let report = pipeline::execute(
            &self.client,
            plan,
            &planned.load.manifests,
            &planned.load.assistants,
            ExecuteOptions {
                parallelism: self.parallelism,
                approvals,
            },
            &self.cancel,
            &mut on_event,
        )
        .await;
        let created: HashSet<&str> = report
            .results
            .iter()
            .filter(|r| r.op == "create" && r.outcome.succeeded())
            .map(|r| r.campaign.as_str())
            .collect();
        let deleted: HashSet<u64> = report
            .results
            .iter()
            .filter(|r| r.op == "delete" && r.outcome.succeeded())
            .filter_map(|r| r.campaign_id)
            .collect();
        self.note_held(plan, &report.results);
        self.remember(planned, &created, &deleted);
        self.record(record, plan, &report.results);
        let s = report.summary();
        counts.created = s.created;
        counts.create_failed = report
            .results
            .iter()
            .filter(|r| {
                r.op == "create"
                    && matches!(r.outcome, Outcome::Failed { .. } | Outcome::Unknown { .. })
            })
            .count();
        counts.leads_or_status_failed = report
            .results
            .iter()
            .filter(|r| {
                r.op != "create"
                    && matches!(r.outcome, Outcome::Failed { .. } | Outcome::Unknown { .. })
            })
            .count();
        if self.cancel.is_cancelled() && s.skipped > 0 {
            return (
                PassOutcome::Failed,
                Some(format!(
                    "shutting down: {} operation(s) not started",
                    s.skipped
                )),
            );
        }
        if counts.create_failed > 0 {
            let first = report
                .results
                .iter()
                .find(|r| r.op == "create" && !r.outcome.succeeded())
                .map(|r| r.campaign.as_str())
                .unwrap_or_default();
            return (
                PassOutcome::Failed,
                Some(format!(
                    "{} of {} create(s) failed (first: {first:?})",
                    counts.create_failed, summary.create
                )),
            );
        }
        if !report.no_failures() {
            return (
                PassOutcome::Failed,
                Some(format!(
                    "{} operation(s) failed, went unknown or were skipped",
                    s.failed + s.unknown + s.skipped
                )),
            );
        }
        (PassOutcome::Success, None)
    }
}

impl Daemon {
    /// The plan of a pass whose lead gauges are due: the lists and every lead of the account
    /// read at once, and the plan made from them, as `status` makes it (the leads the plan
    /// needs are among them, so they are not read twice).
    async fn plan_counting_leads(
        &mut self,
        load: crate::manifest::LoadOutcome,
        lifecycle: &crate::reconcile::lifecycle::LifecycleOptions,
        at: Instant,
        last: &mut super::idle::LastPass,
    ) -> Result<(pipeline::Planned, crate::api::client::BodyDigest), crate::api::ApiError> {
        let (observation, leads) = tokio::try_join!(
            super::idle::observe(&self.client, last),
            pipeline::read_every_lead(&self.client)
        )?;
        let (observed, digest) = (observation.observed, observation.digest);
        let listed = observed.campaigns.iter().map(|c| c.id).collect();
        let planned = pipeline::plan_with_account_leads(
            load,
            observed,
            &leads,
            &crate::reconcile::scope::Scope::whole_account(),
            lifecycle,
        )
        .await?;
        self.lead_counts = Some(LeadCountsRead {
            at,
            counts: crate::status::count_leads(&leads),
            listed,
        });
        self.status.metrics.leads_read();
        Ok((planned, digest))
    }

    /// The per-campaign gauges from this pass's plan (`status::rows`, as `campaignctl status`
    /// shows them), the windows at the pass's time. A `reused` plan has the last plan's rows
    /// (the same plan, manifests, campaign list and lead counts, which only a pass that plans
    /// reads): only their windows' states are taken again.
    fn campaign_gauges(&mut self, planned: &pipeline::Planned, reused: bool) {
        let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
        let kept = self.gauge_rows.take().filter(|_| reused);
        let rows = match kept {
            Some(mut kept) => {
                for (row, window) in kept.rows.iter_mut().zip(&kept.windows) {
                    if let (Some(at), Some(window)) = (row.window.as_mut(), window) {
                        at.state = crate::window_state::window_state(window, now);
                    }
                }
                kept
            }
            None => {
                let none = std::collections::BTreeMap::new();
                let rows = crate::status::rows(
                    &planned.plan,
                    &planned.load.manifests,
                    &planned.observed.campaigns,
                    self.lead_counts.as_ref().map_or(&none, |l| &l.counts),
                    now,
                    self.printer.shown_from(),
                );
                let by_id: HashMap<u64, &crate::api::types::RemoteCampaign> = planned
                    .observed
                    .campaigns
                    .iter()
                    .map(|c| (c.id, c))
                    .collect();
                let windows = rows
                    .iter()
                    .map(|r| {
                        let at = r.window.as_ref()?;
                        let campaign = by_id.get(&r.id?)?;
                        Some(crate::window_state::Window::of(campaign, at.zone))
                    })
                    .collect();
                GaugeRows { rows, windows }
            }
        };
        self.set_campaign_gauges(&rows.rows);
        self.gauge_rows = Some(rows);
    }

    fn set_campaign_gauges(&self, rows: &[crate::status::Row]) {
        let empty = crate::status::LeadCounts::new();
        let gauges: Vec<super::metrics::CampaignGauges<'_>> = rows
            .iter()
            .map(|r| super::metrics::CampaignGauges {
                name: &r.name,
                status: r.status.as_deref(),
                sync: r.sync,
                leads: match (&self.lead_counts, r.id) {
                    (Some(read), Some(id)) if read.listed.contains(&id) => {
                        Some(if r.leads.is_empty() { &empty } else { &r.leads })
                    }
                    _ => None,
                },
                window_open: r.window.as_ref().map(|w| w.state.open),
            })
            .collect();
        self.status.metrics.campaigns(&gauges);
    }

    /// The prunes this pass may carry out, an input of its plan
    /// (`LifecycleOptions::prunes_confirmed`): those the previous pass planned over the same
    /// files (`PendingPrunes`) at least one interval before `now`. Every other prune is held:
    /// a prune is carried out only when seen twice, since absence for a moment is not absence.
    fn confirmed_prunes(&self, now: Instant) -> BTreeSet<u64> {
        let fingerprint = self.loaded.as_ref().map_or(0, |l| l.fingerprint);
        self.pending_prunes
            .iter()
            .filter(|p| p.fingerprint == fingerprint)
            .flat_map(|p| &p.ids)
            .filter(|(_, (_, since, _))| now.saturating_duration_since(*since) >= self.interval)
            .map(|(id, _)| *id)
            .collect()
    }

    /// After planning with `confirmed` (at `planned_at`): remembers the prunes this pass's plan
    /// proposed, for the next pass to confirm, and logs the prunes the previous pass planned
    /// that this pass no longer plans (dropped: the campaign is declared again, or the files
    /// changed).
    fn remember_prunes(
        &mut self,
        plan: &crate::reconcile::Plan,
        confirmed: &BTreeSet<u64>,
        planned_at: Instant,
    ) {
        let fingerprint = self.loaded.as_ref().map_or(0, |l| l.fingerprint);
        let pending = self.pending_prunes.take();
        // Seen before over the same files: each with when it was first seen.
        let seen: HashMap<u64, Instant> = pending
            .iter()
            .filter(|p| p.fingerprint == fingerprint)
            .flat_map(|p| p.ids.iter().map(|(id, (_, since, _))| (*id, *since)))
            .collect();
        let proposed = crate::reconcile::deletion::proposed_prunes(plan);
        for (id, (name, _, was_confirmed)) in pending.iter().flat_map(|p| &p.ids) {
            if !proposed.contains(id) && !was_confirmed {
                warn!(
                    account = self.name.as_deref(),
                    campaign = crate::escape::text(name).as_ref(),
                    id,
                    "deletion dropped: the previous pass planned to delete this campaign by absence, and this pass does not"
                );
            }
        }
        if proposed.is_empty() {
            return;
        }
        let ids = plan
            .actions
            .iter()
            .filter_map(|a| Some((a.remote_id?, a)))
            .filter(|(id, _)| proposed.contains(id))
            .map(|(id, a)| {
                let since = seen.get(&id).copied().unwrap_or(planned_at);
                (id, (a.name.clone(), since, confirmed.contains(&id)))
            })
            .collect();
        self.pending_prunes = Some(PendingPrunes { fingerprint, ids });
    }
}

/// What a daemon on `roots` watches: the manifest paths, and the repository config.
pub(crate) fn watched_paths(roots: &[Root], config: Option<&std::path::Path>) -> Vec<PathBuf> {
    roots
        .iter()
        .map(|r| r.path.clone())
        .chain(config.map(std::path::Path::to_path_buf))
        .collect()
}

impl Daemon {
    /// With a repository config, reads it again: the account's paths, defaults and prune
    /// prefix follow edits to it (its API URL and token are read at start only). An invalid
    /// config, or one that no longer declares the account, applies nothing.
    fn reread_config(&mut self) -> Result<(), String> {
        let (Some(file), Some(name)) = (&self.config, &self.name) else {
            return Ok(());
        };
        let config = crate::config::read(file).map_err(|problems| {
            log_diagnostics(&problems, self.printer.shown_from());
            format!(
                "the repository config {} is invalid ({} error(s)); nothing was applied",
                file.display(),
                problems.iter().filter(|d| d.is_error()).count()
            )
        })?;
        let account = config.account(name).ok_or_else(|| {
            format!(
                "the repository config {} no longer declares account {name}; nothing was applied (restart watch to follow the change)",
                file.display()
            )
        })?;
        let started = self.started_as.get_or_insert_with(|| account.clone());
        let same_paths = |a: &crate::config::Account, b: &crate::config::Account| {
            a.roots
                .iter()
                .map(|r| &r.path)
                .eq(b.roots.iter().map(|r| &r.path))
        };
        if started.api_url != account.api_url
            || started.token != account.token
            || !same_paths(started, account)
        {
            return Err(format!(
                "the repository config {} changed the API URL, token source or paths of account {name}; restart watch to follow it (nothing is applied until then)",
                file.display()
            ));
        }
        self.roots = crate::config::narrowed(&account.roots, &self.narrowed_to);
        self.config_prune_prefix = self
            .narrowed_to
            .is_empty()
            .then(|| account.prune_prefix.clone())
            .flatten();
        Ok(())
    }

    /// Records what a pass carried out: in the repository's record, or in memory outside one.
    fn record(
        &mut self,
        target: Option<&crate::reconcile::applied_record::RecordTarget>,
        plan: &crate::reconcile::Plan,
        results: &[OperationResult],
    ) {
        if target.is_none() {
            let succeeded = crate::reconcile::applied_record::succeeded(results);
            let changes = crate::reconcile::applied::changes_of(plan, &succeeded, None);
            if Arc::make_mut(&mut self.record_in_memory).merge(&changes) {
                self.record_changes += 1;
            }
            return;
        }
        if let Err(e) = crate::reconcile::applied_record::record_run(target, plan, results) {
            warn!("{e}");
        }
    }

    /// The write-once baseline of the next pass: what this daemon applied, then `--base REF`
    /// for campaigns it has not applied yet. Rebuilt only when the memory changed.
    fn baseline(&mut self) -> Option<Arc<Baseline>> {
        if self.applied_baseline.is_none() {
            let mut parts = Vec::new();
            if !self.applied.is_empty() {
                parts.push(BaselinePart {
                    source: APPLIED_SOURCE.to_owned(),
                    manifests: self.applied.values().cloned().collect(),
                    ids: None,
                });
            }
            if let Some(base) = &self.lifecycle.baseline {
                parts.extend(base.parts.iter().cloned());
            }
            self.applied_baseline = (!parts.is_empty()).then(|| Arc::new(Baseline::new(parts)));
        }
        self.applied_baseline.clone()
    }

    /// Remembers the write-once values of a pass whose plan had no errors: those of every
    /// campaign `created` by it or whose replacement deleted the old one (that campaign and
    /// its values are gone, whatever became of the create), and those of a campaign seen for
    /// the first time (nothing to compare it with yet). A campaign whose write-once change was
    /// not applied (an error, or a replacement held or failed) keeps its old values, so the
    /// change stays visible on every pass until it is applied or reverted. The manifests are
    /// kept with names resolved to ids (an assistant renamed later still compares) and without
    /// their leads.
    fn remember(
        &mut self,
        planned: &pipeline::Planned,
        created: &HashSet<&str>,
        deleted: &HashSet<u64>,
    ) {
        let by_location: HashMap<&crate::manifest::Location, &crate::reconcile::Explanation> =
            planned
                .plan
                .actions
                .iter()
                .filter_map(|a| Some((a.manifest.as_ref()?, a)))
                .collect();
        for m in &planned.load.manifests {
            let Some(action) = by_location.get(&m.location) else {
                continue;
            };
            let name = &m.spec.name;
            let known = |applied: &HashMap<String, Manifest>| {
                applied.contains_key(name)
                    || m.spec
                        .renamed_from
                        .as_ref()
                        .is_some_and(|old| applied.contains_key(old))
            };
            let record = match action.kind {
                Disposition::Create { .. } => created.contains(name.as_str()),
                Disposition::Replace { .. } => {
                    created.contains(name.as_str())
                        || action.remote_id.is_some_and(|id| deleted.contains(&id))
                }
                Disposition::Unchanged { .. } | Disposition::Drift { .. } => !known(&self.applied),
                Disposition::Delete { .. } | Disposition::Absent => {
                    // The baseline is rebuilt only when this changed what it is built from: a
                    // campaign absent pass after pass keeps the same baseline (and a reusable
                    // plan, `idle`).
                    if self.applied.remove(name).is_some() {
                        self.applied_baseline = None;
                    }
                    false
                }
                Disposition::Unmanaged => false,
            };
            if record {
                if let Some(old) = &m.spec.renamed_from {
                    self.applied.remove(old);
                }
                let mut kept = m.clone();
                kept.spec.leads = None;
                self.applied.insert(name.clone(), kept);
                self.applied_baseline = None;
            }
        }
    }
}

/// One log line for each result that fails: failures with their mapped diagnostics (held
/// operations are logged when they appear and go, by `held`).
fn log_result(r: &OperationResult, shown_from: &ShownFrom) {
    let campaign = r.campaign.as_str();
    match &r.outcome {
        Outcome::Failed {
            error,
            diagnostics,
            lead_failures,
            ..
        } => {
            if r.op == "create" {
                warn!(campaign, "create failed: {error}");
            } else {
                warn!(campaign, op = r.op, failures = ?lead_failures, "{} failed: {error}", r.op);
            }
            log_diagnostics(diagnostics, shown_from);
        }
        Outcome::Unknown { error } => {
            if r.op == "create" {
                warn!(campaign, "create outcome unknown: {error}")
            } else {
                warn!(campaign, op = r.op, "outcome unknown: {error}")
            }
        }
        Outcome::Skipped { reason } => warn!(campaign, op = r.op, "skipped: {reason}"),
        Outcome::Held { .. } | Outcome::Done { .. } | Outcome::Inferred { .. } => {}
    }
}

fn first_error(diagnostics: &[Diagnostic], shown_from: &ShownFrom) -> String {
    diagnostics
        .iter()
        .find(|d| d.is_error())
        .map(|d| match &d.location {
            Some(loc) => format!("{}: {}", loc.shown(shown_from), d.message),
            None => d.message.clone(),
        })
        .unwrap_or_default()
}

/// What the next pass compares each declared assistant's manifest with. An assistant this pass
/// plans to update keeps what was seen before (nothing, the first time): the update may be held
/// or fail, and the platform still differing next pass is then this manifest not yet applied,
/// never an edit made outside git. Once the update lands, the next pass finds it unchanged and
/// takes its manifest.
fn seen_after(
    plan: &crate::reconcile::Plan,
    declared: &[campaignctl_core::manifest::AssistantManifest],
    before: Option<&AssistantsSeen>,
) -> AssistantsSeen {
    use crate::reconcile::model::AssistantDisposition;
    let updating: BTreeSet<&str> = plan
        .assistants
        .iter()
        .filter(|a| a.disposition == AssistantDisposition::Update)
        .map(|a| a.name.as_str())
        .collect();
    declared
        .iter()
        .filter_map(|a| {
            let fields = if updating.contains(a.name.as_str()) {
                before?.get(&a.name)?.clone()
            } else {
                a.fields.clone()
            };
            Some((a.name.clone(), fields))
        })
        .collect()
}
