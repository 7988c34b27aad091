//! Writing assistants: a create exactly once (a create whose answer was lost is never re-sent
//! blindly: the list is read first, and the assistant counted as created when it is there), an
//! update in place with only the fields that differ, a delete only while a fresh read shows no
//! campaign the manifests do not declare (one may use the assistant). A 422 naming a field of the
//! older assistant body means this platform expects that body: the run stops there, before any
//! campaign is touched (the scheduler runs every assistant operation before the campaigns').

use tracing::{info, warn};

use crate::api::assistant::AssistantWrite;
use crate::api::{ApiError, Client};
use crate::manifest::Diagnostic;
use crate::reconcile::operation::Operation;
use campaignctl_core::manifest::AssistantManifest;

use super::outcome::Outcome;
use super::platform::Declared;
use super::scheduler::Ran;

/// Campaigns named in a refused delete's message; the rest are counted.
const MAX_NAMED: usize = 5;

/// `POST /user/assistant`, exactly once.
pub(super) async fn create_assistant(
    client: &Client,
    op: &Operation,
    body: &AssistantWrite,
    manifest: Option<&AssistantManifest>,
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
            Err(e) => return failed(client, op, manifest, e),
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
            Ok(None) => return failed(client, op, manifest, error),
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
    manifest: Option<&AssistantManifest>,
) -> Ran {
    match client.update_assistant(id, body).await {
        Ok(()) => {
            info!(assistant = %op.campaign, id, "assistant updated");
            done(Some(id)).into()
        }
        Err(e) => failed(client, op, manifest, e),
    }
}

/// `DELETE /user/assistant/{id}`, only while a fresh read shows the account as the plan's rule
/// needs it: the plan deletes an assistant only when every campaign of the account is declared
/// and none names it (the campaign list does not say which assistant a campaign uses), and it
/// may be minutes old (a question waited, a saved plan). A campaign created since by another
/// tool or a person in the dashboard may use the assistant, so the campaign list is read
/// again first, and a campaign no manifest declares (by the id a manifest adopts, its name, or
/// the name it is renamed from: as the plan matches them) stops the delete. An assistant
/// already gone is what the manifest asks for; an account that cannot be read deletes nothing.
pub(super) async fn delete_assistant(
    client: &Client,
    op: &Operation,
    id: u64,
    declared: &Declared<'_>,
) -> Ran {
    let (assistants, campaigns) =
        match tokio::try_join!(client.list_assistants(), client.list_campaigns()) {
            Ok(lists) => lists,
            Err(e) => {
                return Outcome::failed(format!(
                    "cannot read the account right before deleting the assistant ({e}); nothing was deleted"
                ))
                .into()
            }
        };
    if !assistants.iter().any(|a| a.id == id) {
        info!(assistant = %op.campaign, id, "assistant already gone");
        return done(Some(id)).into();
    }
    let undeclared: Vec<&str> = campaigns
        .iter()
        .filter(|c| !declared.declares(c))
        .map(|c| c.name.as_str())
        .collect();
    if !undeclared.is_empty() {
        warn!(assistant = %op.campaign, id, campaigns = undeclared.len(), "campaigns no manifest declares since the plan; not deleted");
        let mut named: Vec<String> = undeclared
            .iter()
            .take(MAX_NAMED)
            .map(|name| format!("{name:?}"))
            .collect();
        if undeclared.len() > MAX_NAMED {
            named.push(format!("and {} more", undeclared.len() - MAX_NAMED));
        }
        return Ran::from(Outcome::Failed {
            error: format!(
                "the account now holds {} campaign(s) no manifest declares ({}), and the platform's campaign list does not say which assistant they use; assistant {id} was not deleted",
                undeclared.len(),
                named.join(", ")
            ),
            diagnostics: Vec::new(),
            hint: Some(
                "declare those campaigns in the repository (or delete them), then run `campaignctl plan` again"
                    .to_owned(),
            ),
            lead_failures: Vec::new(),
            leads_added: None,
        });
    }
    match client.delete_assistant(id).await {
        Ok(()) => {
            info!(assistant = %op.campaign, id, "assistant deleted");
            done(Some(id)).into()
        }
        // Already gone: what the manifest asks for.
        Err(ApiError::NotFound { .. }) => done(Some(id)).into(),
        Err(e) => failed(client, op, None, e),
    }
}

fn done(id: Option<u64>) -> Outcome {
    Outcome::done(id, None)
}

/// A definite failure, each 422 field error at its field's line in the assistant's manifest
/// (its document when the field is not written there); an older-shape 422 stops the run
/// before any campaign.
fn failed(
    client: &Client,
    op: &Operation,
    manifest: Option<&AssistantManifest>,
    error: ApiError,
) -> Ran {
    let stops_campaigns = matches!(error, ApiError::OlderAssistantShape { .. });
    let mut diagnostics = Vec::new();
    if let ApiError::Validation { errors, .. } = &error {
        for (field, messages) in errors {
            for msg in messages {
                diagnostics.push(
                    Diagnostic::error(
                        manifest
                            .map(|m| m.location_of(field).clone())
                            .or_else(|| op.manifest.clone()),
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use campaignctl_emulator::EmulatorConfig;

    use super::*;
    use crate::api::client::{parse_base_url, ClientConfig};
    use crate::api::types::CreateCampaign;
    use crate::api::ApiToken;
    use crate::api::RetryPolicy;
    use crate::reconcile::operation::{OperationKind, Target};

    /// What `delete_assistant` makes of a planned delete of assistant `id`, named `name`.
    async fn delete(client: &Client, name: &str, id: u64, declared: &Declared<'_>) -> Outcome {
        let op = Operation {
            id: 0,
            campaign: name.to_owned(),
            target: Target::Existing { id },
            manifest: None,
            kind: OperationKind::DeleteAssistant,
            depends_on: Vec::new(),
        };
        delete_assistant(client, &op, id, declared).await.outcome
    }

    async fn assistant_ids(client: &Client) -> Vec<u64> {
        let listed = client.list_assistants().await.expect("assistant list");
        listed.iter().map(|a| a.id).collect()
    }

    /// Against the demo account (assistants 7, 8, 9 and 12, no campaigns): a campaign no
    /// manifest declares, made since the plan, stops the delete; declared, it does not; an
    /// assistant already gone is done without a request to delete it.
    #[tokio::test]
    async fn a_campaign_no_manifest_declares_stops_the_delete_and_one_already_gone_is_done() {
        let emulator = campaignctl_emulator::start(EmulatorConfig::default())
            .await
            .expect("the emulator starts");
        let client = Client::new(ClientConfig {
            base_url: parse_base_url(&emulator.base_url()).expect("the emulator's URL"),
            token: ApiToken::new(campaignctl_emulator::DEFAULT_TOKEN).expect("a token"),
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        })
        .expect("a client");
        let nothing_declared = Declared::default();
        let done = |outcome: &Outcome| matches!(outcome, Outcome::Done { .. });

        let outcome = delete(&client, "Sales Outbound", 7, &nothing_declared).await;
        assert!(done(&outcome), "an account without campaigns: {outcome:?}");
        assert!(!assistant_ids(&client).await.contains(&7), "7 was deleted");

        client
            .create_campaign(&CreateCampaign {
                name: "Made by hand".to_owned(),
                assistant_id: Some(8),
                ..CreateCampaign::default()
            })
            .await
            .expect("a campaign made in the dashboard");
        match delete(&client, "Renewals Outbound", 8, &nothing_declared).await {
            Outcome::Failed { error, hint, .. } => {
                assert!(
                    error.contains("the account now holds 1 campaign(s) no manifest declares (\"Made by hand\")")
                        && error.ends_with("assistant 8 was not deleted"),
                    "{error}"
                );
                assert!(
                    hint.as_deref()
                        .is_some_and(|h| h.contains("campaignctl plan")),
                    "{hint:?}"
                );
            }
            other => panic!("a campaign no manifest declares must stop the delete: {other:?}"),
        }
        assert!(
            assistant_ids(&client).await.contains(&8),
            "8 is still there"
        );

        // Declared by the id a manifest adopts, under another name than the platform's.
        let made = client.list_campaigns().await.expect("the campaign list")[0].id;
        let declared = Declared {
            ids: [made].into(),
            ..Declared::default()
        };
        let outcome = delete(&client, "Renewals Outbound", 8, &declared).await;
        assert!(done(&outcome), "declared: {outcome:?}");
        assert!(!assistant_ids(&client).await.contains(&8), "8 was deleted");

        let outcome = delete(&client, "Sales Outbound", 7, &nothing_declared).await;
        assert!(
            done(&outcome),
            "already gone is what the manifest asks for: {outcome:?}"
        );
        emulator.shutdown().await;
    }
}
