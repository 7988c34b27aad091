//! Tests of the core crate's planning modules that need the loader to build their manifests.

mod applied;
mod assistants;
mod baseline;
mod deletion;
mod disposition;
mod full_plan;
mod lifecycle;
mod resolve;
mod scope;
