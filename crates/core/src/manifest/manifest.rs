//! A loaded, validated campaign manifest: the typed spec plus where each field was written.

use std::collections::BTreeMap;

use crate::api::types::CreateCampaign;
use crate::campaign::{ClockTime, Weekday};

use super::desired_status::DesiredStatus;
use super::leads::LeadsSpec;
use crate::diagnostic::Location;

/// The desired state of one campaign, as a manifest declares it. `None` means "not set": the
/// manifest does not manage that field, so it is neither sent nor compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CampaignSpec {
    /// Adopts an existing campaign: matched by this id instead of by name, never created.
    pub id: Option<u64>,
    pub name: String,
    pub assistant_id: Option<u64>,
    pub timezone: Option<String>,
    pub max_calls_in_parallel: Option<u64>,
    pub allowed_hours_start_time: Option<ClockTime>,
    pub allowed_hours_end_time: Option<ClockTime>,
    /// As written (order kept for display); compare with `campaign::normalize_days`.
    pub allowed_days: Option<Vec<Weekday>>,
    pub max_retries: Option<u64>,
    pub retry_interval: Option<u64>,
    pub retry_on_voicemail: Option<bool>,
    pub retry_on_goal_incomplete: Option<bool>,
    pub goal_completion_variable: Option<String>,
    pub mark_complete_when_no_leads: Option<bool>,
    pub phone_number_ids: Option<Vec<u64>>,
    /// The assistant by name, instead of `assistant_id`; resolved to an id at plan time.
    pub assistant: Option<String>,
    /// Phone numbers (E.164), instead of `phone_number_ids`; resolved to ids at plan time.
    pub phone_numbers: Option<Vec<String>>,
    /// The leads the campaign must have; never sent with the create, never removed.
    pub leads: Option<LeadsSpec>,
    /// The status the campaign should be in; `None` is `draft`: never started or stopped.
    pub status: Option<DesiredStatus>,
    /// The name the campaign had before this manifest renamed it. The platform cannot rename:
    /// a draft under the old name is replaced under the new one; one that has run is not.
    pub renamed_from: Option<String>,
}

impl CampaignSpec {
    /// `status: deleted`: the campaign must not exist.
    pub fn is_deleted(&self) -> bool {
        self.status == Some(DesiredStatus::Deleted)
    }
}

impl CampaignSpec {
    /// The create request: exactly the fields the manifest sets.
    pub fn create_request(&self) -> CreateCampaign {
        CreateCampaign {
            name: self.name.clone(),
            assistant_id: self.assistant_id,
            timezone: self.timezone.clone(),
            max_calls_in_parallel: self.max_calls_in_parallel,
            allowed_hours_start_time: self.allowed_hours_start_time,
            allowed_hours_end_time: self.allowed_hours_end_time,
            allowed_days: self.allowed_days.clone(),
            max_retries: self.max_retries,
            retry_interval: self.retry_interval,
            retry_on_voicemail: self.retry_on_voicemail,
            retry_on_goal_incomplete: self.retry_on_goal_incomplete,
            goal_completion_variable: self.goal_completion_variable.clone(),
            mark_complete_when_no_leads: self.mark_complete_when_no_leads,
            phone_number_ids: self.phone_number_ids.clone(),
        }
    }

    /// The manifest fields this spec sets, in `campaign::MANIFEST_FIELDS` order (without `kind`).
    pub fn set_fields(&self) -> Vec<&'static str> {
        let set = [
            ("id", self.id.is_some()),
            ("name", true),
            ("assistant_id", self.assistant_id.is_some()),
            ("timezone", self.timezone.is_some()),
            (
                "max_calls_in_parallel",
                self.max_calls_in_parallel.is_some(),
            ),
            (
                "allowed_hours_start_time",
                self.allowed_hours_start_time.is_some(),
            ),
            (
                "allowed_hours_end_time",
                self.allowed_hours_end_time.is_some(),
            ),
            ("allowed_days", self.allowed_days.is_some()),
            ("max_retries", self.max_retries.is_some()),
            ("retry_interval", self.retry_interval.is_some()),
            ("retry_on_voicemail", self.retry_on_voicemail.is_some()),
            (
                "retry_on_goal_incomplete",
                self.retry_on_goal_incomplete.is_some(),
            ),
            (
                "goal_completion_variable",
                self.goal_completion_variable.is_some(),
            ),
            (
                "mark_complete_when_no_leads",
                self.mark_complete_when_no_leads.is_some(),
            ),
            ("phone_number_ids", self.phone_number_ids.is_some()),
        ];
        set.into_iter()
            .filter(|(_, is_set)| *is_set)
            .map(|(f, _)| f)
            .collect()
    }
}

/// One campaign document from a manifest file.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub spec: CampaignSpec,
    /// Where the document's mapping starts.
    pub location: Location,
    /// Where each key's value was written, keyed by field name, plus one entry per array
    /// element in Laravel's dotted form (`phone_number_ids.1`). Used to point API errors
    /// (422 field errors, missing references) back at the manifest.
    pub field_locations: BTreeMap<String, Location>,
}

impl Manifest {
    /// The location of `field` (dotted form allowed), falling back to the parent field and then
    /// to the document itself.
    pub fn locate(&self, field: &str) -> Location {
        let mut key = field;
        loop {
            if let Some(loc) = self.field_locations.get(key) {
                return loc.clone();
            }
            match key.rfind('.') {
                Some(i) => key = &key[..i],
                None => return self.location.clone(),
            }
        }
    }
}
