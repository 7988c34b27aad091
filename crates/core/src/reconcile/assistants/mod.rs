//! Assistants, the second kind of resource: what each declared assistant needs
//! (`classify`). Kept apart from the campaign producer; turning these decisions into
//! operations of the plan is not built yet (see docs/assistants.md).

pub mod classify;

#[cfg(test)]
mod tests;

pub use classify::{
    classify, AssistantContext, AssistantDecision, AssistantFieldChange, AssistantPlan,
    DeleteRefused, UNLISTED,
};
