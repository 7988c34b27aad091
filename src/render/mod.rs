//! Rendering, outside the core: the one plan and apply report as Terraform-style text for
//! people, stable JSON for machines, a Markdown pull-request comment and GitHub workflow
//! commands. Text carries ANSI styles; the caller writes it through `anstream`, which strips
//! them when the output is not a terminal or `NO_COLOR` is set.

mod assistants;
mod campaign_ops;
pub(crate) mod deletions;
pub(crate) mod details;
mod excerpt;
pub mod github;
pub(crate) mod json;
pub(crate) mod lifecycle;
pub mod markdown;
pub(crate) mod style;
pub mod text;
pub(crate) mod write_once;

pub use json::{apply_json, diagnostic_json, failure_json, plan_json, FORMAT_VERSION};
pub(crate) use style::without_styles;
pub use text::{
    apply_summary_text, diagnostics_text, operation_result_text, plan_text, plan_text_with,
    write_plan_text, PlanTextOptions,
};
