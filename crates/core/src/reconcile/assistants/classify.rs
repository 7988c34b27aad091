//! What each declared assistant needs, decided from the manifests, the platform's list and the
//! git baseline: create, update in place with only the fields that differ, nothing, or delete
//! (a tombstone, refused while a campaign may use it). Fields the list does not return (`mode`,
//! `language_id`, the model ids, the tuning) are compared with the baseline's manifest of the
//! same assistant; without one they are not compared, and the decision says so.

use std::collections::BTreeMap;

use crate::api::assistant::AssistantWrite;
use crate::api::types::Assistant;
use crate::manifest::{as_platform_stores_text, AssistantManifest};

pub use crate::reconcile::model::{AssistantFieldChange, DeleteRefused};

/// What one declared assistant needs.
#[derive(Debug, Clone, PartialEq)]
pub enum AssistantDecision {
    /// `POST /user/assistant` with every declared field.
    Create { request: AssistantWrite },
    /// `PUT /user/assistant/{id}` with the changed fields only.
    Update {
        id: u64,
        request: AssistantWrite,
        changes: Vec<AssistantFieldChange>,
    },
    /// Nothing differs (among the fields compared).
    Unchanged { id: u64 },
    /// `DELETE /user/assistant/{id}` (`status: deleted`).
    Delete { id: u64 },
    /// `status: deleted`, held.
    DeleteRefused { id: u64, why: DeleteRefused },
    /// `status: deleted` and already absent.
    Absent,
    /// `id:` adopts an assistant the platform does not list.
    AdoptedIdMissing { id: u64 },
}

/// One declared assistant and its decision.
#[derive(Debug, Clone, PartialEq)]
pub struct AssistantPlan {
    pub name: String,
    pub decision: AssistantDecision,
    /// The unlisted fields the manifest declares that could not be compared (no baseline).
    pub not_compared: Vec<&'static str>,
}

/// The inputs besides the manifests and the list.
#[derive(Debug, Clone, Default)]
pub struct AssistantContext<'a> {
    /// The same assistants' manifests at the baseline commit, by name.
    pub baseline: BTreeMap<&'a str, &'a AssistantManifest>,
    /// Declared campaigns by the assistant name they use (`assistant:`).
    pub used_by: BTreeMap<&'a str, Vec<String>>,
    /// Campaigns on the platform that no manifest declares.
    pub undeclared_campaigns: usize,
}

/// Decides every declared assistant, in manifest order.
pub fn classify(
    declared: &[AssistantManifest],
    live: &[Assistant],
    context: &AssistantContext<'_>,
) -> Vec<AssistantPlan> {
    declared
        .iter()
        .map(|manifest| classify_one(manifest, live, context))
        .collect()
}

fn classify_one(
    manifest: &AssistantManifest,
    live: &[Assistant],
    context: &AssistantContext<'_>,
) -> AssistantPlan {
    let found = match manifest.id {
        Some(id) => live.iter().find(|a| a.id == id),
        // The lowest id of the name, as the executor keeps when two runs created it at once.
        None => live
            .iter()
            .filter(|a| a.name == manifest.name)
            .min_by_key(|a| a.id),
    };
    let plan = |decision| AssistantPlan {
        name: manifest.name.clone(),
        decision,
        not_compared: Vec::new(),
    };
    let Some(live) = found else {
        return plan(match (manifest.deleted, manifest.id) {
            (true, _) => AssistantDecision::Absent,
            (false, Some(id)) => AssistantDecision::AdoptedIdMissing { id },
            (false, None) => AssistantDecision::Create {
                request: manifest.fields.clone(),
            },
        });
    };
    if manifest.deleted {
        let users = context
            .used_by
            .get(manifest.name.as_str())
            .cloned()
            .unwrap_or_default();
        return plan(if !users.is_empty() {
            AssistantDecision::DeleteRefused {
                id: live.id,
                why: DeleteRefused::UsedBy { campaigns: users },
            }
        } else if context.undeclared_campaigns > 0 {
            AssistantDecision::DeleteRefused {
                id: live.id,
                why: DeleteRefused::UndeclaredCampaigns {
                    count: context.undeclared_campaigns,
                },
            }
        } else {
            AssistantDecision::Delete { id: live.id }
        });
    }
    let baseline = context.baseline.get(manifest.name.as_str()).copied();
    let (request, changes, not_compared) = differences(manifest, live, baseline);
    AssistantPlan {
        name: manifest.name.clone(),
        decision: if changes.is_empty() {
            AssistantDecision::Unchanged { id: live.id }
        } else {
            AssistantDecision::Update {
                id: live.id,
                request,
                changes,
            }
        },
        not_compared,
    }
}

/// The request carrying only what differs, the changes as shown, and the unlisted fields that
/// could not be compared.
fn differences(
    manifest: &AssistantManifest,
    live: &Assistant,
    baseline: Option<&AssistantManifest>,
) -> (AssistantWrite, Vec<AssistantFieldChange>, Vec<&'static str>) {
    let want = &manifest.fields;
    let have = &live.listed;
    let mut request = AssistantWrite::default();
    let mut changes = Vec::new();
    let mut listed = |field: &'static str, live: Option<String>, declared: Option<String>| {
        // A field the manifest leaves out is not managed.
        let differs = declared.is_some() && live != declared;
        if differs {
            changes.push(AssistantFieldChange {
                field: field.to_owned(),
                live,
                declared,
                from_baseline: false,
            });
        }
        differs
    };
    let text = |s: &Option<String>| s.as_deref().map(|t| as_platform_stores_text(t).to_owned());
    let show = |v: Option<u64>| v.map(|n| n.to_string());
    let flag = |v: Option<bool>| v.map(|b| b.to_string());
    if listed("name", Some(live.name.clone()), want.name.clone()) {
        request.name = want.name.clone();
    }
    if listed("type", Some(live.kind.clone()), want.kind.clone()) {
        request.kind = want.kind.clone();
    }
    if listed("voice_id", show(have.voice_id), show(want.voice_id)) {
        request.voice_id = want.voice_id;
    }
    if listed("timezone", live.timezone.clone(), want.timezone.clone()) {
        request.timezone = want.timezone.clone();
    }
    if listed(
        "initial_message",
        text(&have.initial_message),
        text(&want.initial_message),
    ) {
        request.initial_message = want.initial_message.clone();
    }
    if listed(
        "system_prompt",
        text(&have.system_prompt),
        text(&want.system_prompt),
    ) {
        request.system_prompt = want.system_prompt.clone();
    }
    if listed(
        "phone_number_id",
        show(have.phone_number_id),
        show(want.phone_number_id),
    ) {
        request.phone_number_id = want.phone_number_id;
    }
    let json = |v: Option<String>| v;
    if listed(
        "variables",
        json(Some(
            serde_json::to_string(&have.variables.clone().unwrap_or_default()).unwrap_or_default(),
        )),
        want.variables
            .as_ref()
            .map(|v| serde_json::to_string(v).unwrap_or_default()),
    ) {
        request.variables = want.variables.clone();
    }
    if listed(
        "post_call_schema",
        Some(schema_text(&live.post_call_schema)),
        want.post_call_schema.as_deref().map(schema_text),
    ) {
        request.post_call_schema = want.post_call_schema.clone();
    }
    for (field, have, want_value, slot) in [
        (
            "post_call_evaluation",
            have.post_call_evaluation,
            want.post_call_evaluation,
            &mut request.post_call_evaluation,
        ),
        (
            "is_webhook_active",
            have.is_webhook_active,
            want.is_webhook_active,
            &mut request.is_webhook_active,
        ),
        ("record", have.record, want.record, &mut request.record),
    ] {
        if listed(field, flag(have), flag(want_value)) {
            *slot = want_value;
        }
    }
    if listed(
        "webhook_url",
        have.webhook_url.clone(),
        want.webhook_url.clone(),
    ) {
        request.webhook_url = want.webhook_url.clone();
    }
    for (field, have, want_value, slot) in [
        (
            "max_duration",
            have.max_duration,
            want.max_duration,
            &mut request.max_duration,
        ),
        (
            "max_silence_duration",
            have.max_silence_duration,
            want.max_silence_duration,
            &mut request.max_silence_duration,
        ),
        (
            "reengagement_interval",
            have.reengagement_interval,
            want.reengagement_interval,
            &mut request.reengagement_interval,
        ),
    ] {
        if listed(field, show(have), show(want_value)) {
            *slot = want_value;
        }
    }
    let not_compared = unlisted(want, baseline, &mut request, &mut changes);
    (request, changes, not_compared)
}

/// The fields the list leaves out, compared with the baseline's manifest. A change of `mode`
/// resets the mode-specific settings, so it also carries the model id the manifest declares.
fn unlisted(
    want: &AssistantWrite,
    baseline: Option<&AssistantManifest>,
    request: &mut AssistantWrite,
    changes: &mut Vec<AssistantFieldChange>,
) -> Vec<&'static str> {
    let declared = unlisted_values(want);
    let Some(baseline) = baseline else {
        return declared
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(f, _)| *f)
            .collect();
    };
    let before = unlisted_values(&baseline.fields);
    for ((field, now), (_, then)) in declared.iter().zip(before.iter()) {
        if now.is_some() && now != then {
            changes.push(AssistantFieldChange {
                field: (*field).to_owned(),
                live: then.clone(),
                declared: now.clone(),
                from_baseline: true,
            });
            copy_unlisted(field, want, request);
        }
    }
    if request.mode.is_some() {
        request.llm_model_id = want.llm_model_id;
        request.multimodal_model_id = want.multimodal_model_id;
    }
    Vec::new()
}

/// The assistant fields the platform's list does not return: known only from git (and named in
/// a comment by `export`, which cannot read them).
pub const UNLISTED: &[&str] = &[
    "mode",
    "language_id",
    "llm_model_id",
    "multimodal_model_id",
    "llm_temperature",
    "speech_speed",
    "voice_stability",
    "voice_similarity",
    "endpoint_type",
    "endpoint_sensitivity",
    "interrupt_sensitivity",
    "ambient_sound",
];

fn unlisted_values(w: &AssistantWrite) -> Vec<(&'static str, Option<String>)> {
    let n = |v: Option<u64>| v.map(|n| n.to_string());
    let f = |v: Option<f64>| v.map(|n| n.to_string());
    let values = [
        w.mode.clone(),
        n(w.language_id),
        n(w.llm_model_id),
        n(w.multimodal_model_id),
        f(w.llm_temperature),
        f(w.speech_speed),
        f(w.voice_stability),
        f(w.voice_similarity),
        w.endpoint_type.clone(),
        f(w.endpoint_sensitivity),
        f(w.interrupt_sensitivity),
        w.ambient_sound.clone(),
    ];
    UNLISTED.iter().copied().zip(values).collect()
}

fn copy_unlisted(field: &str, from: &AssistantWrite, to: &mut AssistantWrite) {
    match field {
        "mode" => to.mode = from.mode.clone(),
        "language_id" => to.language_id = from.language_id,
        "llm_model_id" => to.llm_model_id = from.llm_model_id,
        "multimodal_model_id" => to.multimodal_model_id = from.multimodal_model_id,
        "llm_temperature" => to.llm_temperature = from.llm_temperature,
        "speech_speed" => to.speech_speed = from.speech_speed,
        "voice_stability" => to.voice_stability = from.voice_stability,
        "voice_similarity" => to.voice_similarity = from.voice_similarity,
        "endpoint_type" => to.endpoint_type = from.endpoint_type.clone(),
        "endpoint_sensitivity" => to.endpoint_sensitivity = from.endpoint_sensitivity,
        "interrupt_sensitivity" => to.interrupt_sensitivity = from.interrupt_sensitivity,
        _ => to.ambient_sound = from.ambient_sound.clone(),
    }
}

/// A post-call schema as compared and shown: one `name: type (description)` per line.
fn schema_text(schema: &[crate::api::types::PostCallVariable]) -> String {
    schema
        .iter()
        .map(|v| match &v.description {
            Some(d) => format!("{}: {} ({})", v.name, v.kind, as_platform_stores_text(d)),
            None => format!("{}: {}", v.name, v.kind),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
