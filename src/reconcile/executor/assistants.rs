//! Writing assistants: a create exactly once (a create whose answer was lost is never re-sent
//! blindly: the list is read first, and the assistant counted as created when it is there), an
//! update in place with only the fields that differ, a delete. A 422 naming a field of the
//! older assistant body means this platform expects that body: the run stops there, before any
//! campaign is touched (the scheduler runs every assistant operation before the campaigns').

use tracing::{info, warn};

use crate::api::assistant::AssistantWrite;
use crate::api::{ApiError, Client};
use crate::manifest::Diagnostic;
use crate::reconcile::operation::Operation;

use super::outcome::Outcome;
use super::scheduler::Ran;

/// `POST /user/assistant`, exactly once.
pub(super) async fn create_assistant(
    client: &Client,
    op: &Operation,
    body: &AssistantWrite,
) -> Ran {
    let name = op.campaign.as_str();
    let policy = client.retry_policy();
    let mut failures = 0u32;
    loop {
        let error = match client.create_assistant(body).await {
            Ok(created) => {
                info!(assistant = %name, id = created.id, "assistant created");
                return settle_name(client, name, created.id).await.into();
            }
            Err(e @ ApiError::Connect(_)) if failures + 1 < policy.max_attempts => {
                // Nothing was sent: send it again.
                failures += 1;
                tokio::time::sleep(policy.backoff_ceiling(failures)).await;
                let _ = e;
                continue;
            }
            Err(e) if e.outcome_unknown() => e,
            Err(e) => return failed(client, op, e),
        };
        failures += 1;
        warn!(assistant = %name, error = %error, "assistant create outcome unknown; listing before any retry");
        tokio::time::sleep(policy.backoff_ceiling(failures)).await;
        let listed = client.list_assistants().await.map(|list| {
            list.into_iter()
                .filter(|a| a.name == name)
                .map(|a| a.id)
                .min()
        });
        match listed {
            Ok(Some(id)) => {
                info!(assistant = %name, id, "found after an ambiguous create; counting it as created");
                return Outcome::Inferred {
                    id: Some(id),
                    status: None,
                    cause: error.to_string(),
                }
                .into();
            }
            Ok(None) if error.may_still_be_processing() => {
                return Outcome::Unknown {
                    error: format!(
                        "the assistant create got no answer ({error}) and the assistant is not listed yet; it may still be processing, so campaignctl did not send it again. Run `campaignctl plan` in a minute: it creates the assistant only if it is still absent"
                    ),
                }
                .into()
            }
            Ok(None) if failures < policy.max_attempts => {
                info!(assistant = %name, "not on the platform after a server error; sending it again");
            }
            Ok(None) => return failed(client, op, error),
            Err(list_error) => {
                return Outcome::Unknown {
                    error: format!(
                        "the assistant create failed ambiguously ({error}) and the assistant list could not be read to check ({list_error}); run `campaignctl plan` to see whether it exists before applying again"
                    ),
                }
                .into()
            }
        }
    }
}

/// After this run created `ours`, the one assistant of the name: another run (a second CI job
/// on another machine) may have created the same assistant at the same time. As for
/// campaigns, the lowest id wins: ours is deleted when an older one holds the name (nothing
/// uses it yet: this run's campaigns wait for this operation and take the id it reports), so
/// two racing runs end with one assistant, both using it. A list that cannot be read keeps
/// ours (the next plan shows a name held twice).
async fn settle_name(client: &Client, name: &str, ours: u64) -> Outcome {
    let older = match client.list_assistants().await {
        Ok(list) => list
            .into_iter()
            .filter(|a| a.name == name && a.id < ours)
            .map(|a| a.id)
            .min(),
        Err(e) => {
            warn!(assistant = %name, error = %e, "cannot list assistants after the create to check for a copy made by another run");
            None
        }
    };
    let Some(older) = older else {
        return done(Some(ours));
    };
    let note = match client.delete_assistant(ours).await {
        Ok(()) | Err(ApiError::NotFound { .. }) => format!(
            "another run created {name:?} at the same time; kept the older assistant (id {older}) and deleted this run's copy (id {ours})"
        ),
        Err(e) => format!(
            "another run created {name:?} at the same time; using the older assistant (id {older}); this run's copy (id {ours}) could not be deleted ({e}): delete it in the dashboard"
        ),
    };
    warn!(assistant = %name, older, ours, "{note}");
    Outcome::done(Some(older), Some(note))
}

/// `PUT /user/assistant/{id}` with the changed fields. Sending the same values twice stores the
/// same values, so an update whose answer was lost is simply reported; the next plan shows
/// whether it landed.
pub(super) async fn update_assistant(
    client: &Client,
    op: &Operation,
    id: u64,
    body: &AssistantWrite,
) -> Ran {
    match client.update_assistant(id, body).await {
        Ok(()) => {
            info!(assistant = %op.campaign, id, "assistant updated");
            done(Some(id)).into()
        }
        Err(e) => failed(client, op, e),
    }
}

/// `DELETE /user/assistant/{id}`.
pub(super) async fn delete_assistant(client: &Client, op: &Operation, id: u64) -> Ran {
    match client.delete_assistant(id).await {
        Ok(()) => {
            info!(assistant = %op.campaign, id, "assistant deleted");
            done(Some(id)).into()
        }
        // Already gone: what the manifest asks for.
        Err(ApiError::NotFound { .. }) => done(Some(id)).into(),
        Err(e) => failed(client, op, e),
    }
}

fn done(id: Option<u64>) -> Outcome {
    Outcome::done(id, None)
}

/// A definite failure, 422 field errors at the manifest's document; an older-shape 422 stops
/// the run before any campaign.
fn failed(client: &Client, op: &Operation, error: ApiError) -> Ran {
    let stops_campaigns = matches!(error, ApiError::OlderAssistantShape { .. });
    let mut diagnostics = Vec::new();
    if let ApiError::Validation { errors, .. } = &error {
        for (field, messages) in errors {
            for msg in messages {
                diagnostics.push(
                    Diagnostic::error(
                        op.manifest.clone(),
                        format!("the platform rejected assistant field {field}: {msg}"),
                    )
                    .with_field(field.clone()),
                );
            }
        }
    }
    let shown = client.diagnostic(&error);
    Ran {
        outcome: Outcome::Failed {
            hint: shown.hint,
            error: shown.message,
            diagnostics,
            lead_failures: Vec::new(),
            leads_added: None,
        },
        refuses_creates: false,
        stops_campaigns,
    }
}
