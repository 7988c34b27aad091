//! campaignctl: campaigns-as-code for an outbound AI phone-calling platform.
//!
//! Manifests (YAML in git) are the desired state, the platform API is the observed state;
//! `plan` is a pure function of the two and `apply` executes it. ARCHITECTURE.md maps the modules.

pub use campaignctl_core::{campaign, diagnostic, escape};

pub mod account_lock;
pub mod api;
pub mod cli;
pub mod config;
pub mod lint;
pub mod log_escape;
pub mod manifest;
pub mod reconcile;
pub mod render;
pub mod timezone_names;
pub mod trust;
pub mod watch;
