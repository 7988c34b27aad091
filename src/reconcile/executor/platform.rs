//! The runner that carries out operations on the platform through the client: each kind of
//! operation to the module that knows its rules (create, leads, status, delete), and the
//! verification after the creates.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::api::types::{CampaignStatus, CreateCampaign};
use crate::api::Client;
use crate::manifest::Manifest;
use crate::reconcile::operation::{Approvals, Operation, OperationKind};
use campaignctl_core::manifest::AssistantManifest;

use super::assistants::{create_assistant, delete_assistant, update_assistant};
use super::create::create_or_refused;
use super::delete::delete_campaign;
use super::leads::{add_leads, recheck_not_calling, update_leads, FreshStatuses};
use super::outcome::Outcome;
use super::scheduler::{Assignment, Ran, Runner, Sent, Verifications};
use super::status::{change_status, start_once};
use super::verify::verify_creates;

pub(super) struct PlatformRunner<'a> {
    client: &'a Client,
    /// The manifests the plan was made from, by campaign name, to map API errors back to file
    /// and line.
    manifests: HashMap<&'a str, &'a Manifest>,
    /// The assistants' manifests, by name: a 422 on an assistant points at the field's line.
    assistants: HashMap<&'a str, &'a AssistantManifest>,
    approvals: Approvals,
    /// The status of existing campaigns as read right before the first lead is added to one
    /// that was not running: the plan may be minutes old (a question waited).
    fresh: FreshStatuses,
}

impl<'a> PlatformRunner<'a> {
    pub(super) fn new(
        client: &'a Client,
        manifests: &'a [Manifest],
        assistants: &'a [AssistantManifest],
        approvals: Approvals,
    ) -> PlatformRunner<'a> {
        PlatformRunner {
            client,
            manifests: manifests
                .iter()
                .map(|m| (m.spec.name.as_str(), m))
                .collect(),
            assistants: assistants.iter().map(|a| (a.name.as_str(), a)).collect(),
            approvals,
            fresh: Mutex::new(None),
        }
    }

    /// The campaigns the manifests declare, as the plan matches them: by the id a manifest
    /// adopts, by name, or by the name a manifest renames from (the rename may not have run
    /// yet).
    fn declared(&self) -> Declared<'a> {
        Declared {
            names: self
                .manifests
                .values()
                .flat_map(|m| {
                    std::iter::once(m.spec.name.as_str()).chain(m.spec.renamed_from.as_deref())
                })
                .collect(),
            ids: self.manifests.values().filter_map(|m| m.spec.id).collect(),
        }
    }

    /// Drops the shared status read: this run just changed a status.
    fn forget_statuses(&self) {
        if let Ok(mut guard) = self.fresh.lock() {
            *guard = None;
        }
    }
}

/// The campaigns a run's manifests declare (`PlatformRunner::declared`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Declared<'a> {
    pub(super) names: HashSet<&'a str>,
    pub(super) ids: HashSet<u64>,
}

impl Declared<'_> {
    /// Whether a manifest declares `campaign`, as the plan would match it.
    pub(super) fn declares(&self, campaign: &crate::api::types::RemoteCampaign) -> bool {
        self.ids.contains(&campaign.id) || self.names.contains(campaign.name.as_str())
    }
}

impl Runner for PlatformRunner<'_> {
    /// Runs one operation: a create, or an operation on the campaign `assignment.campaign_id`
    /// (existing, or made by this run's create).
    async fn run(&self, op: &Operation, assignment: Assignment) -> Ran {
        let client = self.client;
        let (kind, id) = match (&op.kind, assignment.campaign_id) {
            (
                OperationKind::CreateCampaign {
                    request,
                    assistant_from,
                },
                _,
            ) => {
                let manifest = self.manifests.get(op.campaign.as_str()).copied();
                // A campaign naming an assistant this run created takes its new id.
                let with_assistant;
                let request = match (assistant_from, request.assistant_id) {
                    (Some(_), None) => {
                        let Some(assistant_id) = assignment.assistant_id else {
                            return Outcome::failed(
                                "the id of the assistant it names is not known (its create did not report one)",
                            )
                            .into();
                        };
                        with_assistant = CreateCampaign {
                            assistant_id: Some(assistant_id),
                            ..(**request).clone()
                        };
                        &with_assistant
                    }
                    _ => &**request,
                };
                return match create_or_refused(client, request, manifest).await {
                    Ok(outcome) => outcome.into(),
                    Err(outcome) => Ran {
                        outcome,
                        refuses_creates: true,
                        stops_campaigns: false,
                    },
                };
            }
            (OperationKind::CreateAssistant { request, .. }, _) => {
                let manifest = self.assistants.get(op.campaign.as_str()).copied();
                return create_assistant(client, op, request, manifest).await;
            }
            (_, None) => return Outcome::failed("the campaign's id is not known").into(),
            (kind, Some(id)) => (kind, id),
        };
        let outcome = match kind {
            OperationKind::CreateCampaign { .. } => Outcome::failed("a create has no campaign yet"),
            OperationKind::AddLeads { leads, .. } => {
                // Existing campaigns and those this run created alike: another run, or a
                // person in the dashboard, may have started it since it was planned or verified.
                if !op.effects().places_calls && !self.approvals.place_calls {
                    if let Some(outcome) = recheck_not_calling(client, op, id, &self.fresh).await {
                        return outcome.into();
                    }
                }
                add_leads(client, id, leads, op).await
            }
            OperationKind::Start { expected_status } => {
                let joined = assignment.joined_another_run;
                let outcome = start_once(client, op, id, expected_status, joined).await;
                self.forget_statuses();
                outcome
            }
            OperationKind::Stop => {
                let outcome = change_status(client, id, "stop", CampaignStatus::Stopped).await;
                self.forget_statuses();
                outcome
            }
            OperationKind::DeleteCampaign {
                expected_status,
                leads,
            } => {
                let outcome = delete_campaign(client, op, id, expected_status, *leads).await;
                self.forget_statuses();
                outcome
            }
            OperationKind::UpdateLeads { updates } => update_leads(client, op, updates).await,
            OperationKind::UpdateAssistant { request, .. } => {
                let manifest = self.assistants.get(op.campaign.as_str()).copied();
                return update_assistant(client, op, id, request, manifest).await;
            }
            OperationKind::DeleteAssistant => {
                return delete_assistant(client, op, id, &self.declared()).await;
            }
            OperationKind::CreateAssistant { .. } => {
                Outcome::failed("an assistant create has no assistant yet")
            }
        };
        outcome.into()
    }

    async fn verify_creates(&self, sent: Vec<Sent>) -> Verifications {
        verify_creates(self.client, sent).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::time::Duration;

    use super::*;
    use crate::api::client::{parse_base_url, ClientConfig};
    use crate::api::{ApiToken, RetryPolicy};
    use crate::manifest::testing::{valid, BASE};
    use crate::reconcile::operation::Approvals;

    /// What an assistant's delete counts as declared: every manifest's name, the name a
    /// manifest renames its campaign from (the assistants' operations run before the rename),
    /// and the id a manifest adopts (its campaign may hold another name on the platform).
    #[test]
    fn declared_are_the_manifests_names_the_names_they_rename_from_and_the_ids_they_adopt() {
        let client = Client::new(ClientConfig {
            // Never contacted: only the names are asked for.
            base_url: parse_base_url("http://127.0.0.1:9/api").expect("a loopback URL"),
            token: ApiToken::new("unused").expect("a token"),
            timeout: Duration::from_secs(1),
            retry: RetryPolicy::default(),
        })
        .expect("a client");
        let manifests = [
            valid(BASE),
            valid("kind: Campaign\nname: Q1 renewals\nrenamed_from: Q1 old\nassistant_id: 12\n"),
            valid("kind: Campaign\nid: 41\nname: Adopted\n"),
        ];
        let runner = PlatformRunner::new(&client, &manifests, &[], Approvals::default());
        let declared = runner.declared();
        let expected: HashSet<&str> = ["Q4 promo", "Q1 renewals", "Q1 old", "Adopted"].into();
        assert_eq!(declared.names, expected);
        assert_eq!(declared.ids, [41].into());
        let remote = |id: u64, name: &str| -> crate::api::types::RemoteCampaign {
            serde_json::from_value(serde_json::json!({"id": id, "name": name, "status": "draft"}))
                .expect("a listed campaign")
        };
        assert!(declared.declares(&remote(41, "Named otherwise in the dashboard")));
        assert!(declared.declares(&remote(7, "Q1 old")));
        assert!(!declared.declares(&remote(7, "Made by hand")));
    }
}
