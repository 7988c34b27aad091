//! The plan: a pure function of (desired manifests, observed state). No I/O, no clock, and a
//! deterministic order: manifests in load order (file, line), then unmanaged campaigns by id.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::api::types::{CreateCampaign, RemoteCampaign};
use crate::campaign::{normalize_days, WRITE_ONCE_FIELDS};
use crate::manifest::{CampaignSpec, Diagnostic, Location, Manifest};

use super::follow_up::FollowUp;
use super::observed::Observed;
use super::references::check_references;

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub actions: Vec<Action>,
    /// Plan-time errors (missing references, names held by several remote campaigns). Any
    /// error blocks the whole apply: nothing is written.
    pub diagnostics: Vec<Diagnostic>,
    /// Leads to add and status changes, after the creates (`follow_up`). Empty from `plan()`
    /// alone; filled by `planning::plan_all`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub name: String,
    /// The manifest that declares the campaign; `None` for unmanaged campaigns.
    pub manifest: Option<Location>,
    /// The remote campaign id, when it exists.
    pub remote_id: Option<u64>,
    pub kind: ActionKind,
}

#[derive(Debug, Clone, Serialize)]
pub enum ActionKind {
    /// No campaign has the name: create it with exactly the manifest's fields.
    Create { request: CreateCampaign },
    /// Every observable field the manifest sets matches. `write_once` lists the fields the
    /// manifest sets that cannot be read back, so are not compared.
    Unchanged { write_once: Vec<&'static str> },
    /// Observable fields differ. The API has no update endpoint, so this is reported only.
    Drift {
        changes: Vec<FieldChange>,
        write_once: Vec<&'static str>,
    },
    /// A remote campaign no manifest names: reported, never touched.
    Unmanaged,
}

impl ActionKind {
    pub fn label(&self) -> &'static str {
        match self {
            ActionKind::Create { .. } => "create",
            ActionKind::Unchanged { .. } => "unchanged",
            ActionKind::Drift { .. } => "drift",
            ActionKind::Unmanaged => "unmanaged",
        }
    }
}

/// One observable field whose platform value differs from the manifest's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub desired: Value,
    pub actual: Value,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub unchanged: usize,
    pub drift: usize,
    pub unmanaged: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for a in &self.actions {
            match a.kind {
                ActionKind::Create { .. } => s.create += 1,
                ActionKind::Unchanged { .. } => s.unchanged += 1,
                ActionKind::Drift { .. } => s.drift += 1,
                ActionKind::Unmanaged => s.unmanaged += 1,
            }
        }
        s
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn creates(&self) -> impl Iterator<Item = (&Action, &CreateCampaign)> {
        self.actions.iter().filter_map(|a| match &a.kind {
            ActionKind::Create { request } => Some((a, request)),
            _ => None,
        })
    }
}

/// Computes the plan. `desired` must already be valid (see `manifest::load`).
pub fn plan(desired: &[Manifest], observed: &Observed) -> Plan {
    let mut by_name: BTreeMap<&str, Vec<&RemoteCampaign>> = BTreeMap::new();
    for c in &observed.campaigns {
        by_name.entry(c.name.as_str()).or_default().push(c);
    }

    let mut actions = Vec::with_capacity(desired.len() + observed.campaigns.len());
    let mut diagnostics = Vec::new();
    for m in desired {
        let spec = &m.spec;
        match by_name.get(spec.name.as_str()).map(Vec::as_slice) {
            None | Some([]) => {
                diagnostics.extend(check_references(m, observed));
                actions.push(Action {
                    name: spec.name.clone(),
                    manifest: Some(m.location.clone()),
                    remote_id: None,
                    kind: ActionKind::Create {
                        request: spec.create_request(),
                    },
                });
            }
            Some([remote]) => {
                let changes = diff(spec, remote);
                let write_once = write_once_fields(spec);
                let kind = if changes.is_empty() {
                    ActionKind::Unchanged { write_once }
                } else {
                    ActionKind::Drift {
                        changes,
                        write_once,
                    }
                };
                actions.push(Action {
                    name: spec.name.clone(),
                    manifest: Some(m.location.clone()),
                    remote_id: Some(remote.id),
                    kind,
                });
            }
            Some(many) => {
                let ids: Vec<String> = many.iter().map(|c| c.id.to_string()).collect();
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("name")),
                        format!(
                            "campaign name {:?} is held by {} campaigns on the platform (ids {}); campaignctl will not guess which one this manifest means",
                            spec.name,
                            many.len(),
                            ids.join(", ")
                        ),
                    )
                    .with_field("name")
                    .with_hint("delete or rename the extra campaigns in the dashboard so that one campaign holds the name"),
                );
            }
        }
    }

    let managed: std::collections::HashSet<&str> =
        desired.iter().map(|m| m.spec.name.as_str()).collect();
    let mut unmanaged: Vec<&RemoteCampaign> = observed
        .campaigns
        .iter()
        .filter(|c| !managed.contains(c.name.as_str()))
        .collect();
    unmanaged.sort_by_key(|c| c.id);
    actions.extend(unmanaged.into_iter().map(|c| Action {
        name: c.name.clone(),
        manifest: None,
        remote_id: Some(c.id),
        kind: ActionKind::Unmanaged,
    }));

    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Plan {
        actions,
        diagnostics,
        follow_ups: Vec::new(),
    }
}

/// The write-once fields this manifest sets, in manifest field order.
fn write_once_fields(spec: &CampaignSpec) -> Vec<&'static str> {
    spec.set_fields()
        .into_iter()
        .filter(|f| WRITE_ONCE_FIELDS.contains(f))
        .collect()
}

/// Observable fields the manifest sets whose normalised values differ from the platform's.
/// A field the platform did not return is not compared (it cannot be observed).
pub fn diff(spec: &CampaignSpec, remote: &RemoteCampaign) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut cmp = |field: &'static str, desired: Option<Value>, actual: Option<Value>| {
        if let (Some(d), Some(a)) = (desired, actual) {
            if d != a {
                changes.push(FieldChange {
                    field,
                    desired: d,
                    actual: a,
                });
            }
        }
    };
    cmp(
        "max_calls_in_parallel",
        spec.max_calls_in_parallel.map(|v| json!(v)),
        remote.max_calls_in_parallel.map(|v| json!(v)),
    );
    cmp(
        "mark_complete_when_no_leads",
        spec.mark_complete_when_no_leads.map(|v| json!(v)),
        remote.mark_complete_when_no_leads.map(|v| json!(v)),
    );
    // ClockTime parsing already made 09:00 and 09:00:00 the same value; both print as H:i.
    cmp(
        "allowed_hours_start_time",
        spec.allowed_hours_start_time.map(|t| json!(t)),
        remote.allowed_hours_start_time.map(|t| json!(t)),
    );
    cmp(
        "allowed_hours_end_time",
        spec.allowed_hours_end_time.map(|t| json!(t)),
        remote.allowed_hours_end_time.map(|t| json!(t)),
    );
    // Day lists are sets: the platform keeps its own order.
    cmp(
        "allowed_days",
        spec.allowed_days
            .as_deref()
            .map(|d| json!(normalize_days(d))),
        remote
            .allowed_days
            .as_deref()
            .map(|d| json!(normalize_days(d))),
    );
    cmp(
        "max_retries",
        spec.max_retries.map(|v| json!(v)),
        remote.max_retries.map(|v| json!(v)),
    );
    cmp(
        "retry_interval",
        spec.retry_interval.map(|v| json!(v)),
        remote.retry_interval.map(|v| json!(v)),
    );
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Assistant, PhoneNumber, PostCallVariable};
    use crate::campaign::{ClockTime, Weekday};

    fn manifest(spec: CampaignSpec) -> Manifest {
        Manifest {
            spec,
            location: Location::new("c.yaml", 1, 1),
            field_locations: BTreeMap::new(),
        }
    }

    fn spec(name: &str) -> CampaignSpec {
        CampaignSpec {
            name: name.into(),
            assistant_id: Some(7),
            ..CampaignSpec::default()
        }
    }

    fn remote(id: u64, name: &str) -> RemoteCampaign {
        RemoteCampaign {
            id,
            name: name.into(),
            status: Some("draft".into()),
            max_calls_in_parallel: Some(3),
            mark_complete_when_no_leads: Some(true),
            allowed_hours_start_time: ClockTime::parse_api("00:00:00"),
            allowed_hours_end_time: ClockTime::parse_api("23:59:00"),
            allowed_days: Some(vec![
                Weekday::Friday,
                Weekday::Monday,
                Weekday::Saturday,
                Weekday::Sunday,
                Weekday::Thursday,
                Weekday::Tuesday,
                Weekday::Wednesday,
            ]),
            max_retries: Some(3),
            retry_interval: Some(60),
            created_at: None,
            updated_at: None,
        }
    }

    fn observed(campaigns: Vec<RemoteCampaign>) -> Observed {
        Observed {
            campaigns,
            assistants: vec![Assistant {
                id: 7,
                name: "Sales".into(),
                kind: "outbound".into(),
                mode: None,
                status: None,
                timezone: None,
                post_call_schema: vec![PostCallVariable {
                    name: "booked".into(),
                    kind: "bool".into(),
                    description: None,
                }],
            }],
            phone_numbers: vec![PhoneNumber {
                id: 45,
                phone_number: "+12025550145".into(),
                country_code: None,
                type_label: None,
                is_available: None,
            }],
        }
    }

    #[test]
    fn missing_campaign_is_created_with_only_the_set_fields() {
        let mut s = spec("A");
        s.max_retries = Some(2);
        let p = plan(&[manifest(s)], &observed(vec![]));
        assert_eq!(
            p.summary(),
            Summary {
                create: 1,
                ..Summary::default()
            }
        );
        let (_, req) = p.creates().next().expect("one create");
        let body = serde_json::to_value(req).expect("json");
        assert_eq!(
            body,
            json!({"name": "A", "assistant_id": 7, "max_retries": 2}),
            "unset fields must not be sent"
        );
    }

    #[test]
    fn unset_fields_are_not_compared_whatever_the_platform_defaults() {
        let p = plan(&[manifest(spec("A"))], &observed(vec![remote(1, "A")]));
        assert_eq!(
            p.summary(),
            Summary {
                unchanged: 1,
                ..Summary::default()
            },
            "{p:#?}"
        );
    }

    #[test]
    fn times_with_seconds_equal_times_without() {
        let mut s = spec("A");
        s.allowed_hours_start_time = ClockTime::parse_hi("00:00");
        s.allowed_hours_end_time = ClockTime::parse_hi("23:59");
        let p = plan(&[manifest(s)], &observed(vec![remote(1, "A")]));
        assert_eq!(
            p.summary().unchanged,
            1,
            "09:00 must equal 09:00:00: {p:#?}"
        );
    }

    #[test]
    fn day_order_and_repeats_do_not_matter() {
        use Weekday::*;
        let mut s = spec("A");
        s.allowed_days = Some(vec![
            Sunday, Saturday, Friday, Thursday, Wednesday, Tuesday, Monday,
        ]);
        let p = plan(&[manifest(s.clone())], &observed(vec![remote(1, "A")]));
        assert_eq!(p.summary().unchanged, 1, "days are a set: {p:#?}");

        s.allowed_days = Some(vec![Monday]);
        let p = plan(&[manifest(s)], &observed(vec![remote(1, "A")]));
        match &p.actions[0].kind {
            ActionKind::Drift { changes, .. } => {
                assert_eq!(changes.len(), 1);
                assert_eq!(changes[0].field, "allowed_days");
                assert_eq!(changes[0].desired, json!(["monday"]));
            }
            other => panic!("expected drift, got {other:?}"),
        }
    }

    #[test]
    fn drift_lists_each_differing_field_and_names_write_once_fields() {
        let mut s = spec("A");
        s.max_retries = Some(5);
        s.retry_interval = Some(60);
        s.timezone = Some("UTC".into());
        let p = plan(&[manifest(s)], &observed(vec![remote(4, "A")]));
        assert_eq!(p.actions[0].remote_id, Some(4));
        match &p.actions[0].kind {
            ActionKind::Drift {
                changes,
                write_once,
            } => {
                assert_eq!(
                    changes,
                    &vec![FieldChange {
                        field: "max_retries",
                        desired: json!(5),
                        actual: json!(3)
                    }]
                );
                assert_eq!(write_once, &vec!["assistant_id", "timezone"]);
            }
            other => panic!("expected drift, got {other:?}"),
        }
    }

    #[test]
    fn a_field_the_list_did_not_return_is_not_drift() {
        let mut s = spec("A");
        s.max_retries = Some(5);
        let mut r = remote(1, "A");
        r.max_retries = None;
        assert_eq!(
            plan(&[manifest(s)], &observed(vec![r])).summary().unchanged,
            1
        );
    }

    #[test]
    fn duplicate_remote_names_are_an_error_not_a_guess() {
        let p = plan(
            &[manifest(spec("A"))],
            &observed(vec![remote(1, "A"), remote(2, "A")]),
        );
        assert!(
            p.has_errors(),
            "two remote campaigns with a managed name must be an error"
        );
        assert!(
            p.diagnostics[0].message.contains("ids 1, 2"),
            "{}",
            p.diagnostics[0].message
        );
        assert!(
            p.actions.is_empty(),
            "no action for an ambiguous name, and the twins are not 'unmanaged': {p:#?}"
        );
    }

    #[test]
    fn duplicate_unmanaged_names_are_both_reported_and_sorted_by_id() {
        let p = plan(&[], &observed(vec![remote(9, "X"), remote(3, "X")]));
        let ids: Vec<_> = p.actions.iter().map(|a| a.remote_id).collect();
        assert_eq!(ids, vec![Some(3), Some(9)]);
        assert!(!p.has_errors());
    }

    #[test]
    fn references_are_checked_for_creates() {
        let mut s = spec("A");
        s.assistant_id = Some(99);
        s.phone_number_ids = Some(vec![45, 46]);
        let p = plan(&[manifest(s)], &observed(vec![]));
        let msgs: Vec<&str> = p.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains("assistant_id 99 does not exist")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("46 is not a phone number")),
            "{msgs:?}"
        );

        let mut s = spec("B");
        s.goal_completion_variable = Some("nope".into());
        let p = plan(&[manifest(s)], &observed(vec![]));
        assert!(
            p.diagnostics[0]
                .message
                .contains("not in the post-call schema"),
            "{:?}",
            p.diagnostics
        );
        assert_eq!(
            p.diagnostics[0].hint.as_deref(),
            Some("bool variables of that assistant: booked")
        );
    }

    #[test]
    fn plan_is_deterministic() {
        let ms = vec![manifest(spec("B")), manifest(spec("A"))];
        let obs = observed(vec![remote(5, "Z"), remote(2, "Y"), remote(1, "A")]);
        let names = |p: &Plan| p.actions.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&plan(&ms, &obs)), vec!["B", "A", "Y", "Z"]);
        assert_eq!(names(&plan(&ms, &obs)), names(&plan(&ms, &obs)));
    }
}
