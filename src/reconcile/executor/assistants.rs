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
                return done(Some(created.id)).into();
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
    Outcome::Done {
        id,
        leads_added: None,
        leads_found: None,
        leads_updated: None,
        status: None,
        note: None,
    }
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
