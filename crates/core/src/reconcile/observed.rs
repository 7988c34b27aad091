//! The observed state: what the platform reports, read in one go before planning (reading it
//! is the client's: `reconcile::observe` in the campaignctl crate), and the leads of the
//! existing campaigns whose leads the plan needs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::types::{Assistant, Lead, PhoneNumber, RemoteCampaign};
use crate::manifest::normalize_phone;

#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub campaigns: Vec<RemoteCampaign>,
    /// All assistants, inbound and outbound, with their post-call schemas.
    pub assistants: Vec<Assistant>,
    pub phone_numbers: Vec<PhoneNumber>,
}

/// One lead of an existing campaign as the lead list returned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedLead {
    pub id: u64,
    /// Normalised as manifests' numbers are.
    pub phone_number: String,
    #[serde(default)]
    pub variables: BTreeMap<String, serde_json::Value>,
}

impl ObservedLead {
    /// A lead with no variables (tests).
    pub fn number(id: u64, phone_number: &str) -> ObservedLead {
        ObservedLead {
            id,
            phone_number: phone_number.to_owned(),
            variables: BTreeMap::new(),
        }
    }
}

/// The leads of each existing campaign that was read, by campaign id.
pub type ObservedLeads = BTreeMap<u64, Vec<ObservedLead>>;

/// `leads` as the plan compares them, numbers normalised as manifests' are.
pub fn observed_leads(leads: &[Lead]) -> Vec<ObservedLead> {
    leads
        .iter()
        .map(|l| ObservedLead {
            id: l.id,
            phone_number: normalize_phone(&l.phone_number)
                .unwrap_or_else(|| l.phone_number.clone()),
            variables: l.variables.clone(),
        })
        .collect()
}
