//! The local platform emulator: a real HTTP server imitating the calling platform's API
//! (docs/platform-api.md), quirks included, over an in-memory account, with fault injection.
//!
//! `start` serves `/api/...` (bearer auth, Laravel-shaped errors) and `/_emulator/...`
//! (counters and full campaign records for tests). Tests and `campaignctl emulator` drive it on
//! a real port; nothing in the client is mocked.
//!
//! A crate of its own, depending on neither campaignctl nor its core: it answers from its own
//! types (`wire`, `records`, `schedule`), written from the documentation, so a mistake in the
//! client's types or rules fails a test instead of round-tripping through a shared struct.

mod app;
mod assistant_rules;
mod assistant_write;
mod assistants;
mod auth;
mod campaign_create;
mod campaign_status;
mod campaigns;
mod clock;
mod config;
mod error_response;
mod faults;
mod input;
mod inspect;
mod lead_rules;
mod leads;
mod paginator;
mod rate_limit;
mod records;
mod schedule;
mod seed;
mod server;
mod state_file;
mod stats;
mod store;
mod validation;
mod wire;
pub mod yaml;

#[cfg(test)]
mod tests;

pub use config::{parse_rate_limit, EmulatorConfig, FaultConfig, DEFAULT_TOKEN};
pub use server::{start, RunningEmulator};
