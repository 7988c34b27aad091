//! The observed state: what the platform reports, fetched in one go before planning.

use crate::api::types::{Assistant, PhoneNumber, RemoteCampaign};
use crate::api::{ApiError, Client};

#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub campaigns: Vec<RemoteCampaign>,
    /// All assistants, inbound and outbound, with their post-call schemas.
    pub assistants: Vec<Assistant>,
    pub phone_numbers: Vec<PhoneNumber>,
}

impl Observed {
    /// Lists campaigns, assistants and phone numbers concurrently.
    pub async fn fetch(client: &Client) -> Result<Observed, ApiError> {
        let (campaigns, assistants, phone_numbers) = tokio::try_join!(
            client.list_campaigns(),
            client.list_assistants(),
            client.list_phone_numbers()
        )?;
        Ok(Observed {
            campaigns,
            assistants,
            phone_numbers,
        })
    }
}
