//! The observed state: what the platform reports, read in one go before planning (reading it
//! is the client's: `reconcile::observe` in the campaignctl crate).

use crate::api::types::{Assistant, PhoneNumber, RemoteCampaign};

#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub campaigns: Vec<RemoteCampaign>,
    /// All assistants, inbound and outbound, with their post-call schemas.
    pub assistants: Vec<Assistant>,
    pub phone_numbers: Vec<PhoneNumber>,
}
