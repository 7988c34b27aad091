//! The platform API: wire types, the HTTP client with retries and error mapping, and the token.

pub use campaignctl_core::api::{assistant, campaign_status, types};

pub(crate) mod client;
pub(crate) mod error;
pub(crate) mod pages;
pub(crate) mod retry;
pub(crate) mod secret;

pub use client::{parse_base_url, BaseUrlError, Client, ClientConfig};
pub use error::ApiError;
pub use retry::RetryPolicy;
pub use secret::ApiToken;
