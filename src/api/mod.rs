//! The platform API: wire types, the HTTP client with retries and error mapping, and the token.

pub use campaignctl_core::api::{campaign_status, types};

pub mod client;
pub mod error;
pub mod pages;
pub mod retry;
pub mod secret;

pub use client::{parse_base_url, BaseUrlError, Client, ClientConfig};
pub use error::ApiError;
pub use retry::RetryPolicy;
pub use secret::ApiToken;
