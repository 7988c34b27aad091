//! Campaign manifests as data: the typed spec a manifest validates into, with where each field
//! was written. Finding, reading and validating files is the `campaignctl` crate's loader.

mod assistant;
mod desired_status;
mod leads;
#[allow(clippy::module_inception)] // the module is named after the type it holds, per house style
mod manifest;
mod positions;
pub mod suggest;

pub use crate::diagnostic::{Diagnostic, Location};
pub use assistant::{as_platform_stores_text, AssistantManifest, TextSource};
pub use desired_status::DesiredStatus;
pub use leads::{as_platform_stores, normalize_phone, DesiredLead, LeadsSpec, E164_HINT};
pub use manifest::{CampaignSpec, Manifest, Written};
pub use positions::{Part, Position, Positions, SubKey};
pub use suggest::closest as suggest_closest;
