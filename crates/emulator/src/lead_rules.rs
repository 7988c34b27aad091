//! Validation of lead writes (`POST /user/lead`, `PUT /user/leads/{id}`), with Laravel's wording.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::wire::ContactRecord;

use super::error_response::ErrorResponse;
use super::input::Input;
use super::records::{StoredCampaign, StoredLead};
use super::validation::{is_e164, label, Validator};

/// Statuses a lead can have (docs/platform-api.md, "Lead statuses").
pub(crate) const LEAD_STATUSES: &[&str] = &[
    "created",
    "scheduled",
    "processing",
    "completed",
    "rescheduled",
    "reached-max-retries",
    "blacklisted",
];

const PHONE_MAX_CHARS: usize = 255;

pub(crate) struct NewLead {
    pub phone_number: String,
    pub campaign_id: u64,
    pub variables: BTreeMap<String, Value>,
    pub secondary_contacts: Vec<ContactRecord>,
}

#[derive(Default)]
pub(crate) struct LeadChanges {
    pub phone_number: Option<String>,
    pub status: Option<String>,
    pub variables: Option<BTreeMap<String, Value>>,
}

pub(crate) fn validate_new(
    input: &Input,
    campaigns: &[StoredCampaign],
    leads: &[StoredLead],
) -> Result<NewLead, ErrorResponse> {
    let mut v = Validator::new(input);
    let phone_number = v
        .required("phone_number")
        .and_then(|x| phone(&mut v, "phone_number", x));
    let campaign_id = v
        .required("campaign_id")
        .and_then(|x| v.integer("campaign_id", x))
        .and_then(|n| {
            let id = u64::try_from(n)
                .ok()
                .filter(|id| campaigns.iter().any(|c| c.id == *id));
            if id.is_none() {
                v.fail_selected("campaign_id");
            }
            id
        });
    let variables = v.optional("variables").and_then(|x| v.map("variables", x));
    let allow_duplicate = v
        .optional("allow_dupplicate")
        .and_then(|x| v.boolean("allow_dupplicate", x));
    let secondary_contacts = v
        .optional("secondary_contacts")
        .and_then(|x| v.list("secondary_contacts", x))
        .map(|items| secondary_contacts(&mut v, items));
    if let (Some(phone_number), Some(campaign_id)) = (&phone_number, campaign_id) {
        let taken = leads
            .iter()
            .any(|l| l.campaign_id == campaign_id && &l.phone_number == phone_number);
        if taken && !allow_duplicate.unwrap_or(false) {
            v.fail("phone_number", "The phone number has already been taken.");
        }
    }
    let (phone_number, campaign_id) = v.finish_with(phone_number.zip(campaign_id))?;
    Ok(NewLead {
        phone_number,
        campaign_id,
        variables: variables.map(into_btree).unwrap_or_default(),
        secondary_contacts: secondary_contacts.unwrap_or_default(),
    })
}

pub(crate) fn validate_changes(input: &Input) -> Result<LeadChanges, ErrorResponse> {
    let mut v = Validator::new(input);
    let phone_number = v
        .optional("phone_number")
        .and_then(|x| phone(&mut v, "phone_number", x));
    let status = v.optional("status").and_then(|x| {
        v.one_of("status", x, |s| {
            LEAD_STATUSES.contains(&s).then(|| s.to_string())
        })
    });
    let variables = v
        .optional("variables")
        .and_then(|x| v.map("variables", x))
        .map(into_btree);
    v.finish()?;
    Ok(LeadChanges {
        phone_number,
        status,
        variables,
    })
}

/// `string|regex:/^\+[1-9]\d{6,14}$/`.
fn phone(v: &mut Validator<'_>, key: &str, value: &Value) -> Option<String> {
    let number = v.string(key, value, PHONE_MAX_CHARS)?;
    if is_e164(&number) {
        Some(number)
    } else {
        v.fail(key, format!("The {} field format is invalid.", label(key)));
        None
    }
}

/// `secondary_contacts.*.phone_number` => `required|regex`,
/// `secondary_contacts.*.variables` => `array`.
fn secondary_contacts(v: &mut Validator<'_>, items: &[Value]) -> Vec<ContactRecord> {
    let mut contacts = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(fields) = item.as_object() else {
            v.fail(
                &format!("secondary_contacts.{i}"),
                format!("The secondary_contacts.{i} field must be an array."),
            );
            continue;
        };
        let phone_key = format!("secondary_contacts.{i}.phone_number");
        let phone_number = match fields.get("phone_number").filter(|x| !x.is_null()) {
            Some(value) => phone(v, &phone_key, value),
            None => {
                v.fail(&phone_key, format!("The {phone_key} field is required."));
                None
            }
        };
        let variables_key = format!("secondary_contacts.{i}.variables");
        let variables = match fields.get("variables").filter(|x| !x.is_null()) {
            Some(value) => v.map(&variables_key, value),
            None => Some(Map::new()),
        };
        if let (Some(phone_number), Some(variables)) = (phone_number, variables) {
            contacts.push(ContactRecord {
                phone_number,
                variables: into_btree(variables),
            });
        }
    }
    contacts
}

fn into_btree(map: Map<String, Value>) -> BTreeMap<String, Value> {
    map.into_iter().collect()
}
