//! Reading the observed state: campaigns, assistants and phone numbers, listed at once.

use crate::api::{ApiError, Client};
use crate::reconcile::Observed;

/// Lists campaigns, assistants and phone numbers concurrently.
pub async fn observe(client: &Client) -> Result<Observed, ApiError> {
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
