//! Assistants, the second kind of resource: what each declared assistant needs (`classify`),
//! and that decision as the plan's explanations and operations (`plan`), which the producer
//! (`full_plan`) puts before the campaigns'.

pub mod classify;
pub mod plan;

#[cfg(test)]
mod tests;

pub use classify::{
    classify, AssistantContext, AssistantDecision, AssistantFieldChange, AssistantPlan,
    DeleteRefused, UNLISTED,
};
pub use plan::{plan_assistants, AssistantInputs, PlannedAssistants};
