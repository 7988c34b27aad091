//! Where each campaign stands, as `campaignctl status` shows it and `watch`'s per-campaign
//! gauges count it (`rows.rs`, pure: from a plan and what was read for it).

pub mod rows;

pub use rows::{count_leads, rows, LeadCounts, Row, SyncStatus};
