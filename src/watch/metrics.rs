//! The daemon's Prometheus metrics (`/metrics`), all prefixed `campaignctl_`. Every labelled
//! series exists from the start at zero, so dashboards and alerts see it before the first event.
//! With a repository config every series carries an `account` label; each metric is still one
//! family (OpenMetrics allows a family once), with one series per account. The per-campaign
//! gauges (`campaign_*`) carry a `campaign` label too (escaped by the client, as every label
//! is), exist for the campaigns of the last plan only, and lose their series when a campaign
//! goes.

use std::collections::HashSet;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{EncodeLabel, EncodeLabelSet, LabelSetEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::reconcile::executor::{OperationResult, Outcome as OperationOutcome};

use super::controller::PassOutcome;

/// The `account` label: present with a repository config, absent without one.
#[derive(Debug, Clone, Hash, PartialEq, Eq, Default)]
struct Account(Option<Arc<str>>);

impl EncodeLabelSet for Account {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), std::fmt::Error> {
        match &self.0 {
            Some(name) => ("account", name.as_ref()).encode(encoder.encode_label()),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

/// An operation's kind and outcome.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    op: &'static str,
    outcome: &'static str,
}

/// The kind of a held operation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Kind {
    kind: &'static str,
}

/// A campaign, by name (two campaigns holding one name share their series).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Campaign {
    campaign: String,
}

/// A campaign and a state of it: its platform status, its sync status, or a lead status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CampaignState {
    campaign: String,
    status: String,
}

/// A campaign and whether it is in line with its manifest.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CampaignSync {
    campaign: String,
    sync: &'static str,
}

/// The platform's campaign statuses, each a series of every campaign (1 for its own, 0 for
/// the others), as kube-state-metrics shows a pod's phase: an alert can ask for one status
/// without knowing the others. A status outside these is a series of its own while it lasts.
const CAMPAIGN_STATUSES: [&str; 5] = ["draft", "in-progress", "stopped", "completed", "paused"];

/// What the per-campaign gauges show of one campaign (`status::Row`, for the metrics).
pub(crate) struct CampaignGauges<'a> {
    pub(crate) name: &'a str,
    /// The platform's status; `None` when the campaign does not exist (missing).
    pub(crate) status: Option<&'a str>,
    pub(crate) sync: crate::status::SyncStatus,
    /// Its leads by lead status; `None` when they were not read since the campaign appeared.
    pub(crate) leads: Option<&'a crate::status::LeadCounts>,
    /// Its window now; `None` when its zone is not known (or it does not exist).
    pub(crate) window_open: Option<bool>,
}

/// The per-campaign series one account set at its last update, removed when not set again.
#[derive(Default)]
struct CampaignSeriesSet {
    leads: HashSet<CampaignState>,
    status: HashSet<CampaignState>,
    sync: HashSet<CampaignSync>,
    window: HashSet<Campaign>,
    /// What they were set from: an update from the same values sets them as they are.
    from: Vec<SetFrom>,
}

/// One campaign's values at the last update (`CampaignGauges`, owned).
#[derive(PartialEq)]
struct SetFrom {
    name: String,
    status: Option<String>,
    sync: crate::status::SyncStatus,
    leads: Option<crate::status::LeadCounts>,
    window_open: Option<bool>,
}

impl SetFrom {
    fn of(c: &CampaignGauges<'_>) -> SetFrom {
        SetFrom {
            name: c.name.to_owned(),
            status: c.status.map(str::to_owned),
            sync: c.sync,
            leads: c.leads.cloned(),
            window_open: c.window_open,
        }
    }

    fn is(&self, c: &CampaignGauges<'_>) -> bool {
        self.name == c.name
            && self.status.as_deref() == c.status
            && self.sync == c.sync
            && self.leads.as_ref() == c.leads
            && self.window_open == c.window_open
    }
}

/// Every kind of operation, each with a held series from the start.
const OPERATION_KINDS: [&str; 6] = [
    "create",
    "add_leads",
    "update_leads",
    "start",
    "stop",
    "delete",
];

const CREATE_OUTCOMES: [&str; 4] = ["created", "inferred", "failed", "unknown"];

type Counters<L> = Family<(Account, L), Counter>;
type Gauges = Family<Account, Gauge>;
type Timestamps = Family<Account, Gauge<f64, AtomicU64>>;
type Durations = Family<Account, Histogram, fn() -> Histogram>;

/// Every metric family, registered once.
struct Families {
    passes: Counters<Outcome>,
    creates: Counters<Outcome>,
    operations: Counters<OperationLabels>,
    drift: Gauges,
    attention: Gauges,
    unmanaged: Gauges,
    left_alone: Gauges,
    held: Family<(Account, Kind), Gauge>,
    manifests: Gauges,
    manifest_loads: Family<Account, Counter>,
    baseline_resolutions: Family<Account, Counter>,
    plans_reused: Family<Account, Counter>,
    last_success: Timestamps,
    pass_duration: Durations,
    campaign_leads: Family<(Account, CampaignState), Gauge>,
    campaign_status: Family<(Account, CampaignState), Gauge>,
    campaign_sync: Family<(Account, CampaignSync), Gauge>,
    campaign_window_open: Family<(Account, Campaign), Gauge>,
    leads_read: Timestamps,
}

/// 10 ms .. ~3 min: an empty pass against a near API up to a large apply.
fn pass_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.0, 15))
}

/// The registry and its families, for every account.
pub(crate) struct Registered {
    pub(crate) registry: Registry,
    families: Arc<Families>,
}

/// The metrics of one account: its series in the shared families.
pub(crate) struct Metrics {
    families: Arc<Families>,
    account: Account,
    /// The per-campaign series this account set last, so those of campaigns gone are removed.
    campaigns: Mutex<CampaignSeriesSet>,
}

impl Registered {
    pub(crate) fn new() -> Registered {
        let mut registry = Registry::with_prefix("campaignctl");
        let families = Families {
            passes: Family::default(),
            creates: Family::default(),
            operations: Family::default(),
            drift: Family::default(),
            attention: Family::default(),
            unmanaged: Family::default(),
            left_alone: Family::default(),
            held: Family::default(),
            manifests: Family::default(),
            manifest_loads: Family::default(),
            baseline_resolutions: Family::default(),
            plans_reused: Family::default(),
            last_success: Family::default(),
            pass_duration: Family::new_with_constructor(pass_histogram),
            campaign_leads: Family::default(),
            campaign_status: Family::default(),
            campaign_sync: Family::default(),
            campaign_window_open: Family::default(),
            leads_read: Family::default(),
        };
        registry.register(
            "passes",
            "Reconcile passes, by outcome (success, invalid, failed)",
            families.passes.clone(),
        );
        registry.register(
            "creates",
            "Campaign creates, by outcome (created, inferred, failed, unknown)",
            families.creates.clone(),
        );
        registry.register(
            "operations",
            "Operations of passes, by kind (create, delete, add_leads, update_leads, start, stop) and outcome (done, inferred, unknown, failed, skipped, held)",
            families.operations.clone(),
        );
        registry.register(
            "drift_campaigns",
            "Campaigns whose observable fields differ from their manifest (drafts waiting to be replaced included), at the last plan",
            families.drift.clone(),
        );
        registry.register(
            "attention_campaigns",
            "Campaigns apply cannot act on (a status campaignctl does not know or does not change from, drift on a campaign it cannot replace), at the last plan",
            families.attention.clone(),
        );
        registry.register(
            "unmanaged_campaigns",
            "Platform campaigns no manifest names, at the last plan",
            families.unmanaged.clone(),
        );
        registry.register(
            "starts_left_alone_campaigns",
            "Campaigns whose manifest says running that are not started because git does not ask for it (stopped or deleted outside campaignctl after it started them, or stopped with no record), at the last plan",
            families.left_alone.clone(),
        );
        registry.register(
            "held_operations",
            "Operations watch holds at the last plan, by kind: those needing a flag it was not started with (--allow-start, --allow-delete) and deletions the plan holds",
            families.held.clone(),
        );
        registry.register(
            "manifests_loaded",
            "Campaign manifests in the last valid load",
            families.manifests.clone(),
        );
        registry.register(
            "manifest_loads",
            "Times a pass read, parsed and validated the manifests; the other passes reused the last load, since nothing it read had changed",
            families.manifest_loads.clone(),
        );
        registry.register(
            "baseline_resolutions",
            "Times a pass resolved the names of the write-once baseline's manifests against the account; the other passes reused them, since neither the baseline nor the account's assistants and phone numbers had changed",
            families.baseline_resolutions.clone(),
        );
        registry.register(
            "plans_reused",
            "Passes that reused the last pass's plan instead of planning: it had no operations, the manifests were not read again, the platform answered the same campaign list, assistants, phone numbers and leads, and the baseline, the record of what was applied and the confirmed deletions were the same",
            families.plans_reused.clone(),
        );
        registry.register(
            "last_successful_pass_timestamp_seconds",
            "Unix time of the end of the last successful pass (0 before the first)",
            families.last_success.clone(),
        );
        registry.register(
            "pass_duration_seconds",
            "Time taken by a reconcile pass",
            families.pass_duration.clone(),
        );
        registry.register(
            "campaign_leads",
            "Leads of each campaign on the platform by lead status (created, scheduled, processing, rescheduled, completed, reached-max-retries, blacklisted), as of the last read of the account's leads (campaignctl_campaign_leads_read_timestamp_seconds)",
            families.campaign_leads.clone(),
        );
        registry.register(
            "campaign_status",
            "Each campaign's platform status at the last plan: 1 for its status, 0 for the others (draft, in-progress, stopped, completed, paused)",
            families.campaign_status.clone(),
        );
        registry.register(
            "campaign_sync",
            "Whether each campaign is in line with its manifest at the last plan, as campaignctl status says it: 1 for its state (synced, out_of_sync, missing, unmanaged), 0 for the others",
            families.campaign_sync.clone(),
        );
        registry.register(
            "campaign_window_open",
            "1 when the campaign's calling window was open at the last plan, 0 when not; only campaigns whose manifest sets a timezone (the platform does not return it)",
            families.campaign_window_open.clone(),
        );
        registry.register(
            "campaign_leads_read_timestamp_seconds",
            "Unix time of the last read of the account's leads for campaignctl_campaign_leads (0 before the first)",
            families.leads_read.clone(),
        );
        Registered {
            registry,
            families: Arc::new(families),
        }
    }

    /// The series of one account (labelled with its name when it has one), all at zero.
    pub(crate) fn account(&self, name: Option<&str>) -> Metrics {
        let account = Account(name.map(Arc::from));
        let f = &self.families;
        for outcome in PassOutcome::ALL {
            let _ = f.passes.get_or_create(&(
                account.clone(),
                Outcome {
                    outcome: outcome.label(),
                },
            ));
        }
        for outcome in CREATE_OUTCOMES {
            let _ = f
                .creates
                .get_or_create(&(account.clone(), Outcome { outcome }));
        }
        let _ = f.drift.get_or_create(&account);
        let _ = f.attention.get_or_create(&account);
        let _ = f.unmanaged.get_or_create(&account);
        let _ = f.left_alone.get_or_create(&account);
        for kind in OPERATION_KINDS {
            let _ = f.held.get_or_create(&(account.clone(), Kind { kind }));
        }
        let _ = f.manifests.get_or_create(&account);
        let _ = f.manifest_loads.get_or_create(&account);
        let _ = f.baseline_resolutions.get_or_create(&account);
        let _ = f.plans_reused.get_or_create(&account);
        let _ = f.last_success.get_or_create(&account);
        let _ = f.pass_duration.get_or_create(&account);
        let _ = f.leads_read.get_or_create(&account);
        Metrics {
            families: self.families.clone(),
            account,
            campaigns: Mutex::default(),
        }
    }

    /// The OpenMetrics text exposition, which Prometheus scrapes natively.
    pub(crate) fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

impl Metrics {
    pub(crate) fn pass_finished(&self, outcome: PassOutcome, took: Duration) {
        let f = &self.families;
        f.passes
            .get_or_create(&(
                self.account.clone(),
                Outcome {
                    outcome: outcome.label(),
                },
            ))
            .inc();
        f.pass_duration
            .get_or_create(&self.account)
            .observe(took.as_secs_f64());
        if outcome == PassOutcome::Success {
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            f.last_success
                .get_or_create(&self.account)
                .set(now.as_secs_f64());
        }
    }

    pub(crate) fn operation_finished(&self, r: &OperationResult) {
        let f = &self.families;
        f.operations
            .get_or_create(&(
                self.account.clone(),
                OperationLabels {
                    op: r.op,
                    outcome: r.outcome.label(),
                },
            ))
            .inc();
        let outcome = match (&r.outcome, r.op) {
            (OperationOutcome::Done { .. }, "create") => "created",
            (OperationOutcome::Inferred { .. }, "create") => "inferred",
            (OperationOutcome::Failed { .. }, "create") => "failed",
            (OperationOutcome::Unknown { .. }, "create") => "unknown",
            _ => return,
        };
        f.creates
            .get_or_create(&(self.account.clone(), Outcome { outcome }))
            .inc();
    }

    pub(crate) fn planned(&self, drift: usize, unmanaged: usize, attention: usize) {
        let f = &self.families;
        f.drift.get_or_create(&self.account).set(drift as i64);
        f.attention
            .get_or_create(&self.account)
            .set(attention as i64);
        f.unmanaged
            .get_or_create(&self.account)
            .set(unmanaged as i64);
    }

    /// Campaigns whose start is left alone (`reconcile::applied::LeftAlone`), at the last plan.
    pub(crate) fn starts_left_alone(&self, campaigns: usize) {
        self.families
            .left_alone
            .get_or_create(&self.account)
            .set(campaigns as i64);
    }

    /// The operations held at the last plan, by kind (every kind not named is 0).
    pub(crate) fn held(&self, counts: &std::collections::BTreeMap<&'static str, usize>) {
        for kind in OPERATION_KINDS.iter().chain(counts.keys()) {
            let n = counts.get(kind).copied().unwrap_or(0);
            self.families
                .held
                .get_or_create(&(self.account.clone(), Kind { kind }))
                .set(n as i64);
        }
    }

    /// A pass read the manifests (rather than reusing the last load).
    pub(crate) fn manifests_read(&self) {
        self.families
            .manifest_loads
            .get_or_create(&self.account)
            .inc();
    }

    /// The account's leads were read whole now, for the lead gauges.
    pub(crate) fn leads_read(&self) {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        self.families
            .leads_read
            .get_or_create(&self.account)
            .set(now.as_secs_f64());
    }

    /// The per-campaign gauges of the last plan: every campaign's series set, and the series
    /// of campaigns no longer there (or no longer in a state) removed.
    pub(crate) fn campaigns(&self, campaigns: &[CampaignGauges<'_>]) {
        // An idle pass gives the values of the last: setting 100,000 series (keys hashed,
        // compared and allocated) to what they hold cost more than the rest of the pass.
        {
            let last = self.campaigns.lock().unwrap_or_else(|e| e.into_inner());
            if last.from.len() == campaigns.len()
                && last.from.iter().zip(campaigns).all(|(a, b)| a.is(b))
            {
                return;
            }
        }
        let f = &self.families;
        let mut now = CampaignSeriesSet {
            from: campaigns.iter().map(SetFrom::of).collect(),
            ..CampaignSeriesSet::default()
        };
        // Summed over campaigns holding one name, so a name's series says what it holds.
        let mut leads: std::collections::HashMap<CampaignState, i64> = Default::default();
        for c in campaigns {
            let campaign = c.name.to_owned();
            let sync = c.sync;
            for state in crate::status::rows::SyncStatus::ALL {
                let key = CampaignSync {
                    campaign: campaign.clone(),
                    sync: state.key(),
                };
                let value = i64::from(state == sync);
                f.campaign_sync
                    .get_or_create(&(self.account.clone(), key.clone()))
                    .set(value);
                now.sync.insert(key);
            }
            if let Some(status) = c.status {
                let statuses = CAMPAIGN_STATUSES
                    .iter()
                    .copied()
                    .chain((!CAMPAIGN_STATUSES.contains(&status)).then_some(status));
                for s in statuses {
                    let key = CampaignState {
                        campaign: campaign.clone(),
                        status: s.to_owned(),
                    };
                    let gauge = f
                        .campaign_status
                        .get_or_create(&(self.account.clone(), key.clone()));
                    // Another holder of the name may have set its own status to 1 already.
                    if s == status {
                        gauge.set(1);
                    } else if !now.status.contains(&key) {
                        gauge.set(0);
                    }
                    now.status.insert(key);
                }
            }
            if let Some(counts) = c.leads {
                let statuses = crate::status::rows::LEAD_STATUSES
                    .iter()
                    .map(|s| (*s, 0))
                    .chain(counts.iter().map(|(s, n)| (s.as_str(), *n)));
                for (s, n) in statuses {
                    *leads
                        .entry(CampaignState {
                            campaign: campaign.clone(),
                            status: s.to_owned(),
                        })
                        .or_default() += i64::try_from(n).unwrap_or(i64::MAX);
                }
            }
            if let Some(open) = c.window_open {
                let key = Campaign { campaign };
                let gauge = f
                    .campaign_window_open
                    .get_or_create(&(self.account.clone(), key.clone()));
                if open || !now.window.contains(&key) {
                    gauge.set(i64::from(open));
                }
                now.window.insert(key);
            }
        }
        for (key, n) in leads {
            f.campaign_leads
                .get_or_create(&(self.account.clone(), key.clone()))
                .set(n);
            now.leads.insert(key);
        }
        let mut last = self.campaigns.lock().unwrap_or_else(|e| e.into_inner());
        let account = &self.account;
        for gone in last.leads.difference(&now.leads) {
            f.campaign_leads.remove(&(account.clone(), gone.clone()));
        }
        for gone in last.status.difference(&now.status) {
            f.campaign_status.remove(&(account.clone(), gone.clone()));
        }
        for gone in last.sync.difference(&now.sync) {
            f.campaign_sync.remove(&(account.clone(), gone.clone()));
        }
        for gone in last.window.difference(&now.window) {
            f.campaign_window_open
                .remove(&(account.clone(), gone.clone()));
        }
        *last = now;
    }

    /// A pass resolved the write-once baseline's names `n` times (0: it reused them).
    pub(crate) fn baseline_resolved(&self, n: u64) {
        self.families
            .baseline_resolutions
            .get_or_create(&self.account)
            .inc_by(n);
    }

    /// A pass reused the last pass's plan (`watch::idle`).
    pub(crate) fn plan_reused(&self) {
        self.families
            .plans_reused
            .get_or_create(&self.account)
            .inc();
    }

    pub(crate) fn loaded(&self, manifests: usize) {
        self.families
            .manifests
            .get_or_create(&self.account)
            .set(manifests as i64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One account's metrics and the registry they are in.
    fn metrics(account: Option<&str>) -> (Metrics, Registered) {
        let registered = Registered::new();
        let m = registered.account(account);
        (m, registered)
    }

    #[test]
    fn each_account_has_its_own_labelled_series_in_one_family() {
        let registered = Registered::new();
        let a = registered.account(Some("acme"));
        let _b = registered.account(Some("beta"));
        a.pass_finished(PassOutcome::Failed, Duration::from_millis(5));
        let text = registered.encode().expect("encode");
        assert_eq!(
            text.matches("# TYPE campaignctl_passes counter").count(),
            1,
            "one family, whatever the accounts:\n{text}"
        );
        for series in [
            "campaignctl_passes_total{account=\"acme\",outcome=\"failed\"} 1",
            "campaignctl_passes_total{account=\"beta\",outcome=\"failed\"} 0",
            "campaignctl_drift_campaigns{account=\"beta\"} 0",
        ] {
            assert!(text.contains(series), "missing {series:?} in:\n{text}");
        }
    }

    #[test]
    fn held_operations_are_a_gauge_by_kind_with_escaped_labels() {
        let (m, registered) = metrics(Some("a\"b\\c\nd"));
        m.held(&[("start", 2)].into_iter().collect());
        let text = registered.encode().expect("encode");
        for series in [
            "campaignctl_held_operations{account=\"a\\\"b\\\\c\\nd\",kind=\"start\"} 2",
            "campaignctl_held_operations{account=\"a\\\"b\\\\c\\nd\",kind=\"delete\"} 0",
        ] {
            assert!(text.contains(series), "missing {series:?} in:\n{text}");
        }
        m.held(&Default::default());
        let text = registered.encode().expect("encode");
        assert!(
            text.contains("kind=\"start\"} 0"),
            "a kind no longer held is back to 0:\n{text}"
        );
    }

    #[test]
    fn campaign_series_follow_the_campaigns_and_their_states() {
        let (m, registered) = metrics(Some("acme"));
        let counts: crate::status::LeadCounts = [("created".to_owned(), 2)].into_iter().collect();
        let gauges = |status: &'static str, leads| CampaignGauges {
            name: "Q4 \"x\"",
            status: Some(status),
            sync: crate::status::SyncStatus::Synced,
            leads,
            window_open: Some(true),
        };
        m.campaigns(&[gauges("archived", Some(&counts))]);
        let text = registered.encode().expect("encode");
        for series in [
            r#"campaignctl_campaign_status{account="acme",campaign="Q4 \"x\"",status="archived"} 1"#,
            r#"campaignctl_campaign_status{account="acme",campaign="Q4 \"x\"",status="draft"} 0"#,
            r#"campaignctl_campaign_leads{account="acme",campaign="Q4 \"x\"",status="created"} 2"#,
            r#"campaignctl_campaign_leads{account="acme",campaign="Q4 \"x\"",status="completed"} 0"#,
            r#"campaignctl_campaign_window_open{account="acme",campaign="Q4 \"x\""} 1"#,
        ] {
            assert!(text.contains(series), "missing {series:?} in:\n{text}");
        }
        // A status outside the platform's five goes with it; leads not read leave no series.
        m.campaigns(&[gauges("draft", None)]);
        let text = registered.encode().expect("encode");
        assert!(text.contains(r#"status="draft"} 1"#), "{text}");
        assert!(!text.contains("archived"), "{text}");
        assert!(!text.contains("campaignctl_campaign_leads{"), "{text}");
        // No campaigns: no campaign series.
        m.campaigns(&[]);
        let text = registered.encode().expect("encode");
        assert!(!text.contains("campaign=\""), "{text}");
    }

    #[test]
    fn the_same_values_leave_the_series_as_they_are_and_a_change_still_shows() {
        let (m, registered) = metrics(None);
        let gauges = |open| CampaignGauges {
            name: "Q",
            status: Some("in-progress"),
            sync: crate::status::SyncStatus::Synced,
            leads: None,
            window_open: Some(open),
        };
        m.campaigns(&[gauges(true)]);
        let first = registered.encode().expect("encode");
        m.campaigns(&[gauges(true)]);
        assert_eq!(registered.encode().expect("encode"), first);
        // The window closed: the one series that moves with the clock.
        m.campaigns(&[gauges(false)]);
        let text = registered.encode().expect("encode");
        assert!(
            text.contains("campaignctl_campaign_window_open{campaign=\"Q\"} 0"),
            "{text}"
        );
        // The same values as two updates ago are set again, not taken for the last update's.
        m.campaigns(&[gauges(true)]);
        assert_eq!(registered.encode().expect("encode"), first);
    }

    #[test]
    fn every_series_is_exposed_from_the_start() {
        let (_m, registered) = metrics(None);
        let text = registered.encode().expect("encode");
        for series in [
            "campaignctl_passes_total{outcome=\"success\"} 0",
            "campaignctl_passes_total{outcome=\"invalid\"} 0",
            "campaignctl_passes_total{outcome=\"failed\"} 0",
            "campaignctl_creates_total{outcome=\"created\"} 0",
            "campaignctl_creates_total{outcome=\"unknown\"} 0",
            "campaignctl_drift_campaigns 0",
            "campaignctl_attention_campaigns 0",
            "campaignctl_unmanaged_campaigns 0",
            "campaignctl_manifests_loaded 0",
            "campaignctl_last_successful_pass_timestamp_seconds 0",
            "campaignctl_pass_duration_seconds_count 0",
        ] {
            assert!(text.contains(series), "missing {series:?} in:\n{text}");
        }
    }

    #[test]
    fn a_pass_is_counted_by_outcome_and_timed() {
        let (m, registered) = metrics(None);
        m.pass_finished(PassOutcome::Success, Duration::from_millis(20));
        m.pass_finished(PassOutcome::Failed, Duration::from_millis(20));
        let result = |op: &'static str, outcome: OperationOutcome| OperationResult {
            id: 0,
            op,
            campaign: "Q".into(),
            campaign_id: None,
            manifest: None,
            outcome,
        };
        let done = || OperationOutcome::Done {
            id: Some(1),
            leads_added: None,
            leads_found: None,
            leads_updated: None,
            status: None,
            note: None,
        };
        for r in [
            result("create", done()),
            result("create", done()),
            result(
                "create",
                OperationOutcome::Inferred {
                    id: Some(2),
                    status: None,
                    cause: "lost".into(),
                },
            ),
            result(
                "create",
                OperationOutcome::Unknown {
                    error: "lost".into(),
                },
            ),
            result("start", done()),
        ] {
            m.operation_finished(&r);
        }
        let text = registered.encode().expect("encode");
        for series in [
            "campaignctl_passes_total{outcome=\"success\"} 1",
            "campaignctl_passes_total{outcome=\"failed\"} 1",
            "campaignctl_creates_total{outcome=\"created\"} 2",
            "campaignctl_creates_total{outcome=\"inferred\"} 1",
            "campaignctl_creates_total{outcome=\"unknown\"} 1",
            "campaignctl_operations_total{op=\"start\",outcome=\"done\"} 1",
            "campaignctl_operations_total{op=\"create\",outcome=\"done\"} 2",
            "campaignctl_pass_duration_seconds_count 2",
        ] {
            assert!(text.contains(series), "missing {series:?} in:\n{text}");
        }
        assert!(
            !text.contains("campaignctl_last_successful_pass_timestamp_seconds 0\n"),
            "a success must set the timestamp:\n{text}"
        );
    }
}
