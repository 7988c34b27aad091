//! Field-level comparison of a manifest with the platform's campaign: the observable fields that
//! differ (drift), and the write-once fields set but not comparable.

use crate::api::types::RemoteCampaign;
use crate::campaign::fields::{OBSERVABLE, WRITE_ONCE};
use crate::manifest::CampaignSpec;

use super::model::FieldChange;

/// The write-once fields this manifest sets, in manifest field order.
pub fn write_once_fields(spec: &CampaignSpec) -> Vec<&'static str> {
    WRITE_ONCE
        .iter()
        .filter(|&&f| spec.get(f).is_some())
        .map(|f| f.name())
        .collect()
}

/// Observable fields the manifest sets whose normalised values differ from the platform's.
/// A field the platform did not return is not compared (it cannot be observed).
pub fn diff(spec: &CampaignSpec, remote: &RemoteCampaign) -> Vec<FieldChange> {
    // Borrowed values are compared; JSON is built only for a field that differs (building it
    // for every field of every campaign was a fifth of planning a large fleet).
    let mut changes = Vec::new();
    for field in OBSERVABLE {
        if let (Some(desired), Some(actual)) = (spec.get(field), remote.get(field)) {
            if !desired.same(&actual) {
                changes.push(FieldChange {
                    field: field.name(),
                    desired: desired.to_json(),
                    actual: actual.to_json(),
                    known_from: None,
                });
            }
        }
    }
    changes
}
