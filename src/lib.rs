//! campaignctl: campaigns-as-code for an outbound AI phone-calling platform.
//!
//! Manifests (YAML in git) are the desired state, the platform API is the observed state;
//! `plan` is a pure function of the two and `apply` executes it. ARCHITECTURE.md maps the modules.

use campaignctl_core::shown_path;
pub use campaignctl_core::{campaign, diagnostic, escape};

mod account_lock;
pub mod api;
mod calendar;
mod cli;
mod config;
mod lint;
mod log_escape;
pub mod manifest;
mod memory;
pub mod reconcile;
pub mod render;
mod status;
mod timezone_names;
mod trust;
mod watch;
mod window_state;

/// The program: what `main.rs` runs.
pub use cli::main_entry;
