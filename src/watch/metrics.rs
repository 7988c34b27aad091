//! The daemon's Prometheus metrics (`/metrics`), all prefixed `campaignctl_`. Every labelled
//! series exists from the start at zero, so dashboards and alerts see it before the first event.
//! With a repository config, each account's series carry an `account` label (one sub-registry
//! per account of one registry).

use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime};

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::reconcile::executor::{OperationResult, Outcome as OperationOutcome};

use super::controller::PassOutcome;

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

const CREATE_OUTCOMES: [&str; 4] = ["created", "inferred", "failed", "unknown"];

pub(crate) struct Metrics {
    passes: Family<Outcome, Counter>,
    creates: Family<Outcome, Counter>,
    operations: Family<OperationLabels, Counter>,
    drift: Gauge,
    unmanaged: Gauge,
    manifests: Gauge,
    last_success: Gauge<f64, AtomicU64>,
    pass_duration: Histogram,
}

/// The registry every account's metrics are registered in.
pub(crate) fn registry() -> Registry {
    Registry::with_prefix("campaignctl")
}

impl Metrics {
    /// The metrics of one account, registered in `registry` (labelled `account="NAME"` when
    /// the account has a name).
    pub(crate) fn register(registry: &mut Registry, account: Option<&str>) -> Metrics {
        let registry = match account {
            Some(name) => registry.sub_registry_with_label((
                std::borrow::Cow::Borrowed("account"),
                std::borrow::Cow::Owned(name.to_owned()),
            )),
            None => registry,
        };
        let passes = Family::<Outcome, Counter>::default();
        let creates = Family::<Outcome, Counter>::default();
        let operations = Family::<OperationLabels, Counter>::default();
        let drift = Gauge::default();
        let unmanaged = Gauge::default();
        let manifests = Gauge::default();
        let last_success = Gauge::<f64, AtomicU64>::default();
        // 10 ms .. ~3 min: an empty pass against a near API up to a large apply.
        let pass_duration = Histogram::new(exponential_buckets(0.01, 2.0, 15));
        registry.register(
            "passes",
            "Reconcile passes, by outcome (success, invalid, failed)",
            passes.clone(),
        );
        registry.register(
            "creates",
            "Campaign creates, by outcome (created, inferred, failed, unknown)",
            creates.clone(),
        );
        registry.register(
            "operations",
            "Operations of passes, by kind (create, delete, add_leads, update_leads, start, stop) and outcome (done, inferred, unknown, failed, skipped, held)",
            operations.clone(),
        );
        registry.register(
            "drift_campaigns",
            "Campaigns whose observable fields differ from their manifest (drafts waiting to be replaced included), at the last plan",
            drift.clone(),
        );
        registry.register(
            "unmanaged_campaigns",
            "Platform campaigns no manifest names, at the last plan",
            unmanaged.clone(),
        );
        registry.register(
            "manifests_loaded",
            "Campaign manifests in the last valid load",
            manifests.clone(),
        );
        registry.register(
            "last_successful_pass_timestamp_seconds",
            "Unix time of the end of the last successful pass (0 before the first)",
            last_success.clone(),
        );
        registry.register(
            "pass_duration_seconds",
            "Time taken by a reconcile pass",
            pass_duration.clone(),
        );
        for outcome in PassOutcome::ALL {
            let _ = passes.get_or_create(&Outcome {
                outcome: outcome.label(),
            });
        }
        for outcome in CREATE_OUTCOMES {
            let _ = creates.get_or_create(&Outcome { outcome });
        }
        Metrics {
            passes,
            creates,
            operations,
            drift,
            unmanaged,
            manifests,
            last_success,
            pass_duration,
        }
    }

    pub(crate) fn pass_finished(&self, outcome: PassOutcome, took: Duration) {
        self.passes
            .get_or_create(&Outcome {
                outcome: outcome.label(),
            })
            .inc();
        self.pass_duration.observe(took.as_secs_f64());
        if outcome == PassOutcome::Success {
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            self.last_success.set(now.as_secs_f64());
        }
    }

    pub(crate) fn operation_finished(&self, r: &OperationResult) {
        self.operations
            .get_or_create(&OperationLabels {
                op: r.op,
                outcome: r.outcome.label(),
            })
            .inc();
        let outcome = match (&r.outcome, r.op) {
            (OperationOutcome::Done { .. }, "create") => "created",
            (OperationOutcome::Inferred { .. }, "create") => "inferred",
            (OperationOutcome::Failed { .. }, "create") => "failed",
            (OperationOutcome::Unknown { .. }, "create") => "unknown",
            _ => return,
        };
        self.creates.get_or_create(&Outcome { outcome }).inc();
    }

    pub(crate) fn planned(&self, drift: usize, unmanaged: usize) {
        self.drift.set(drift as i64);
        self.unmanaged.set(unmanaged as i64);
    }

    pub(crate) fn loaded(&self, manifests: usize) {
        self.manifests.set(manifests as i64);
    }
}

/// The OpenMetrics text exposition of `registry`, which Prometheus scrapes natively.
pub(crate) fn encode_all(registry: &Registry) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    encode(&mut out, registry)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One account's metrics and the text of their registry.
    fn metrics(account: Option<&str>) -> (Metrics, Registry) {
        let mut registry = registry();
        let m = Metrics::register(&mut registry, account);
        (m, registry)
    }

    #[test]
    fn each_account_has_its_own_labelled_series() {
        let mut registry = registry();
        let a = Metrics::register(&mut registry, Some("acme"));
        let _b = Metrics::register(&mut registry, Some("beta"));
        a.pass_finished(PassOutcome::Failed, Duration::from_millis(5));
        let text = encode_all(&registry).expect("encode");
        for series in [
            "campaignctl_passes_total{account=\"acme\",outcome=\"failed\"} 1",
            "campaignctl_passes_total{account=\"beta\",outcome=\"failed\"} 0",
            "campaignctl_drift_campaigns{account=\"beta\"} 0",
        ] {
            assert!(text.contains(series), "missing {series:?} in:\n{text}");
        }
    }

    #[test]
    fn every_series_is_exposed_from_the_start() {
        let (_m, registry) = metrics(None);
        let text = encode_all(&registry).expect("encode");
        for series in [
            "campaignctl_passes_total{outcome=\"success\"} 0",
            "campaignctl_passes_total{outcome=\"invalid\"} 0",
            "campaignctl_passes_total{outcome=\"failed\"} 0",
            "campaignctl_creates_total{outcome=\"created\"} 0",
            "campaignctl_creates_total{outcome=\"unknown\"} 0",
            "campaignctl_drift_campaigns 0",
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
        let (m, registry) = metrics(None);
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
        let text = encode_all(&registry).expect("encode");
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
