//! The pure core of campaignctl: the campaign domain, manifests as data, the platform's wire
//! types, and planning. A separate crate so that the compiler keeps it pure: it depends on no
//! async runtime, no HTTP client and no client of ours, and its `clippy.toml` forbids the file
//! system, the network, the environment and the clock. The `campaignctl` crate re-exports
//! these modules at the same paths (`campaignctl::reconcile::plan`, ...).

// What `clippy.toml` forbids (files, network, environment, clock) is an error, not a warning.
#![deny(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod api {
    //! The platform's wire types (reading and writing them is the `campaignctl` crate's client).
    pub mod assistant;
    pub mod campaign_status;
    pub mod types;
}
pub mod campaign;
pub mod diagnostic;
pub mod escape;
pub mod manifest;
pub mod reconcile;
pub mod shown_path;
