//! The plan as data, at the bottom of the core's planning: every other planning module reads
//! or fills these types, and none of them is imported here, so the modules that decide a plan
//! (`plan`, `baseline`, `lifecycle`, `deletion`, `leads_and_status`, `applied`, `attention`)
//! and the producer that runs them (`full_plan`) form no import cycle.

mod assistant_view;
mod campaign_view;
mod leads_and_status;
mod plan;

pub use self::assistant_view::{
    AssistantDisposition, AssistantExplanation, AssistantFieldChange, DeleteRefused,
};
pub use self::campaign_view::{DeleteReason, Disposition, Explanation, FieldChange};
pub use self::leads_and_status::{
    CampaignDetails, CannotAct, LeadsChange, LeftAlone, StatusAction, StatusChange,
};
pub use self::plan::{Deletions, KeptCampaign, Plan, Summary, WriteOnceBaseline};
