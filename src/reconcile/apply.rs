//! Apply: executes a plan's creates through the client with bounded parallelism.
//!
//! The rule that matters most: a create whose outcome is unknown (5xx, timeout, connection lost
//! after sending) may have happened. It is never re-sent blindly: wait, list again, and if the
//! name now exists count the campaign as created ("inferred"); re-send only when it is absent.

use std::collections::HashMap;

use futures::stream::{self, StreamExt};
use serde::Serialize;
use tracing::{info, warn};

use crate::api::types::{CreateCampaign, RemoteCampaign};
use crate::api::{ApiError, Client};
use crate::manifest::{Diagnostic, Location, Manifest};

use super::plan::Plan;

#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions {
    /// Creates in flight at most at once (>= 1).
    pub parallelism: usize,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions { parallelism: 4 }
    }
}

/// What happened to one create.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CreateOutcome {
    Created {
        id: u64,
    },
    /// The create's answer was lost or was a server error, and a fresh list showed the name:
    /// counted as created, and said so.
    CreatedInferred {
        id: u64,
        cause: String,
    },
    Failed {
        error: String,
        /// Field errors of a 422 (or a 404 for the assistant), mapped to manifest lines.
        diagnostics: Vec<Diagnostic>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
    },
    /// The create may or may not have happened and the list could not be read to find out.
    Unknown {
        error: String,
    },
}

impl CreateOutcome {
    pub fn succeeded(&self) -> bool {
        matches!(
            self,
            CreateOutcome::Created { .. } | CreateOutcome::CreatedInferred { .. }
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateResult {
    pub name: String,
    pub manifest: Option<Location>,
    #[serde(flatten)]
    pub outcome: CreateOutcome,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    /// In plan order.
    pub results: Vec<CreateResult>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ApplySummary {
    pub created: usize,
    /// Of `created`, how many were inferred from a re-list after an ambiguous failure.
    pub inferred: usize,
    pub failed: usize,
    pub unknown: usize,
}

impl ApplyReport {
    pub fn summary(&self) -> ApplySummary {
        let mut s = ApplySummary::default();
        for r in &self.results {
            match r.outcome {
                CreateOutcome::Created { .. } => s.created += 1,
                CreateOutcome::CreatedInferred { .. } => {
                    s.created += 1;
                    s.inferred += 1
                }
                CreateOutcome::Failed { .. } => s.failed += 1,
                CreateOutcome::Unknown { .. } => s.unknown += 1,
            }
        }
        s
    }

    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(|r| r.outcome.succeeded())
    }
}

/// Performs the plan's creates. `manifests` are those the plan was made from (to map API
/// errors back to file and line). `on_result` sees each result as it completes (progress).
/// The caller must not call this for a plan with errors.
pub async fn apply(
    client: &Client,
    plan: &Plan,
    manifests: &[Manifest],
    options: ApplyOptions,
    mut on_result: impl FnMut(&CreateResult),
) -> ApplyReport {
    let by_name: HashMap<&str, &Manifest> = manifests
        .iter()
        .map(|m| (m.spec.name.as_str(), m))
        .collect();
    let jobs: Vec<(usize, &CreateCampaign, Option<&Manifest>, Option<Location>)> = plan
        .creates()
        .enumerate()
        .map(|(i, (action, request))| {
            (
                i,
                request,
                by_name.get(action.name.as_str()).copied(),
                action.manifest.clone(),
            )
        })
        .collect();

    let mut results: Vec<(usize, CreateResult)> = Vec::with_capacity(jobs.len());
    let mut stream = stream::iter(jobs)
        .map(|(i, request, manifest, location)| async move {
            let outcome = create_once(client, request, manifest).await;
            (
                i,
                CreateResult {
                    name: request.name.clone(),
                    manifest: location,
                    outcome,
                },
            )
        })
        .buffer_unordered(options.parallelism.max(1));
    while let Some((i, result)) = stream.next().await {
        on_result(&result);
        results.push((i, result));
    }
    results.sort_by_key(|(i, _)| *i);
    ApplyReport {
        results: results.into_iter().map(|(_, r)| r).collect(),
    }
}

/// Creates one campaign, exactly once.
///
/// - A connection that could not be made sent nothing: the create is sent again (bounded).
/// - A 5xx answer ends the request's processing: list, and send again only if the name is
///   absent.
/// - A timeout or a connection lost before the answer may leave the create still being
///   processed, so a list made now can miss it: list, count it as created if it is there, and
///   otherwise report the outcome as unknown rather than risk a second campaign. The next plan
///   shows whether it landed.
async fn create_once(
    client: &Client,
    request: &CreateCampaign,
    manifest: Option<&Manifest>,
) -> CreateOutcome {
    let policy = client.retry_policy();
    let mut failures = 0u32;
    loop {
        let error = match client.create_campaign(request).await {
            Ok(created) => {
                info!(name = %request.name, id = created.id, "created");
                return CreateOutcome::Created { id: created.id };
            }
            Err(e @ ApiError::Connect(_)) => {
                failures += 1;
                if failures >= policy.max_attempts {
                    return failure(e, manifest);
                }
                warn!(name = %request.name, error = %e, "could not connect; the create was not sent, sending it again");
                tokio::time::sleep(policy.backoff_ceiling(failures)).await;
                continue;
            }
            Err(e) if e.outcome_unknown() => e,
            Err(e) => return failure(e, manifest),
        };
        failures += 1;
        warn!(name = %request.name, error = %error, "create outcome unknown; listing before any retry");
        // Give a create the server may still be processing time to land before looking.
        tokio::time::sleep(policy.backoff_ceiling(failures)).await;
        match find_by_name(client, &request.name).await {
            Ok(Some(found)) => {
                info!(name = %request.name, id = found.id, "found after an ambiguous create; counting it as created");
                return CreateOutcome::CreatedInferred { id: found.id, cause: error.to_string() };
            }
            Ok(None) if error.may_still_be_processing() => {
                return CreateOutcome::Unknown {
                    error: format!(
                        "the create got no answer ({error}) and the campaign is not listed yet; it may still be processing, so campaignctl did not send it again. Run `campaignctl plan` in a minute: it creates the campaign only if it is still absent"
                    ),
                }
            }
            Ok(None) if failures < policy.max_attempts => {
                info!(name = %request.name, "not on the platform after a server error; sending it again");
            }
            Ok(None) => return failure(error, manifest),
            Err(list_error) => {
                return CreateOutcome::Unknown {
                    error: format!(
                        "the create failed ambiguously ({error}) and the campaign list could not be read to check ({list_error}); run `campaignctl plan` to see whether it exists before applying again"
                    ),
                }
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
fn failure(error: ApiError, manifest: Option<&Manifest>) -> CreateOutcome {
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
    CreateOutcome::Failed {
        hint: error.hint().map(str::to_owned),
        error: error.to_string(),
        diagnostics,
    }
}
