//! Creating a campaign exactly once: the ambiguous-create rule (a create whose answer was lost
//! is never re-sent blindly: list first, infer it when listed) and the mapping of the
//! platform's field errors back to the manifest's lines.

use tracing::{debug, info, warn};

use crate::api::types::{CreateCampaign, RemoteCampaign};
use crate::api::{ApiError, Client};
use crate::manifest::{Diagnostic, Manifest};

use super::outcome::Outcome;

/// Creates one campaign, exactly once.
///
/// - A connection that could not be made sent nothing: the create is sent again (bounded).
/// - A 5xx answer ends the request's processing: list, and send again only if the name is
///   absent.
/// - A timeout or a connection lost before the answer may leave the create still being
///   processed, so a list made now can miss it: list, count it as created if it is there, and
///   otherwise report the outcome as unknown rather than risk a second campaign. The next plan
///   shows whether it landed.
///
/// `Err` when the account refused the create (403: its campaign limit, or a plan without the
/// feature), after which no other create can succeed either.
pub(super) async fn create_or_refused(
    client: &Client,
    request: &CreateCampaign,
    manifest: Option<&Manifest>,
) -> Result<Outcome, Outcome> {
    let policy = client.retry_policy();
    let mut failures = 0u32;
    loop {
        let error = match client.create_campaign(request).await {
            Ok(created) => {
                info!(name = %request.name, id = created.id, "created");
                return Ok(Outcome::done(Some(created.id), None));
            }
            Err(e @ ApiError::Forbidden { .. }) => return Err(failure(client, e, manifest)),
            Err(e @ ApiError::Connect(_)) => {
                failures += 1;
                if failures >= policy.max_attempts {
                    return Ok(failure(client, e, manifest));
                }
                debug!(name = %request.name, error = %e, "could not connect; the create was not sent, sending it again");
                tokio::time::sleep(policy.backoff_ceiling(failures)).await;
                continue;
            }
            Err(e) if e.outcome_unknown() => e,
            Err(e) => return Ok(failure(client, e, manifest)),
        };
        failures += 1;
        warn!(name = %request.name, error = %error, "create outcome unknown; listing before any retry");
        // Give a create the server may still be processing time to land before looking.
        tokio::time::sleep(policy.backoff_ceiling(failures)).await;
        match find_by_name(client, &request.name).await {
            Ok(Some(found)) => {
                info!(name = %request.name, id = found.id, "found after an ambiguous create; counting it as created");
                return Ok(Outcome::Inferred {
                    id: Some(found.id),
                    status: None,
                    cause: error.to_string(),
                });
            }
            Ok(None) if error.may_still_be_processing() => {
                return Ok(Outcome::Unknown {
                    error: format!(
                        "the create got no answer ({error}) and the campaign is not listed yet; it may still be processing, so campaignctl did not send it again. Run `campaignctl plan` in a minute: it creates the campaign only if it is still absent"
                    ),
                })
            }
            Ok(None) if failures < policy.max_attempts => {
                info!(name = %request.name, "not on the platform after a server error; sending it again");
            }
            Ok(None) => return Ok(failure(client, error, manifest)),
            Err(list_error) => {
                return Ok(Outcome::Unknown {
                    error: format!(
                        "the create failed ambiguously ({error}) and the campaign list could not be read to check ({list_error}); run `campaignctl plan` to see whether it exists before applying again"
                    ),
                })
            }
        }
    }
}

/// The campaign with this name, if one exists now (the lowest id if several).
async fn find_by_name(client: &Client, name: &str) -> Result<Option<RemoteCampaign>, ApiError> {
    let list = client.list_campaigns().await?;
    Ok(list
        .into_iter()
        .filter(|c| c.name == name)
        .min_by_key(|c| c.id))
}

/// A definite failure, with 422 field errors (and a 404 for the assistant) mapped back to the
/// manifest's lines.
fn failure(client: &Client, error: ApiError, manifest: Option<&Manifest>) -> Outcome {
    let mut diagnostics = Vec::new();
    if let Some(m) = manifest {
        match &error {
            ApiError::Validation { errors, .. } => {
                for (field, messages) in errors {
                    for msg in messages {
                        diagnostics.push(
                            Diagnostic::error(
                                Some(m.locate(field)),
                                format!("the platform rejected {field}: {msg}"),
                            )
                            .with_field(field.clone()),
                        );
                    }
                }
            }
            ApiError::NotFound { message } => diagnostics.push(
                Diagnostic::error(
                    Some(m.locate("assistant_id")),
                    format!("the platform says: {message}"),
                )
                .with_field("assistant_id"),
            ),
            _ => {}
        }
    }
    // The hint names where this client's URL and token are set (flags, or a config account).
    let shown = client.diagnostic(&error);
    Outcome::Failed {
        hint: shown.hint,
        error: shown.message,
        diagnostics,
        lead_failures: Vec::new(),
        leads_added: None,
    }
}
