//! `campaignctl plan`: load, list, plan, print. Changes nothing.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::api::Client;
use crate::cli::args::Format;
use crate::cli::{exit, UserError};
use crate::manifest::{self, Diagnostic, LoadOutcome, Manifest};
use crate::reconcile::{planning, render, Observed, Plan};

/// A plan together with what it was made from, for apply.
pub struct Planned {
    pub load: LoadOutcome,
    pub plan: Plan,
    /// `load.manifests` with names resolved to ids: what apply maps API errors back through.
    pub resolved: Vec<Manifest>,
    /// Calling-hours warnings (already printed).
    pub lint: Vec<Diagnostic>,
}

pub async fn run(client: &Client, paths: &[PathBuf], format: Format) -> anyhow::Result<u8> {
    run_with(client, paths, format, false).await
}

/// `plan`; `deny_warnings` makes any warning (lint included) fail the run.
pub async fn run_with(
    client: &Client,
    paths: &[PathBuf],
    format: Format,
    deny_warnings: bool,
) -> anyhow::Result<u8> {
    let Some(planned) = make_plan(client, paths, format).await? else {
        return Ok(exit::ERROR);
    };
    let warnings: Vec<Diagnostic> = planned
        .load
        .diagnostics
        .iter()
        .chain(&planned.lint)
        .cloned()
        .collect();
    match format {
        Format::Text => anstream::print!("{}", render::plan_text(&planned.plan)),
        Format::Json => print_json(&render::plan_json(&planned.plan, &warnings)),
    }
    anstream::eprint!("{}", render::diagnostics_text(&planned.plan.diagnostics));
    let denied =
        deny_warnings && super::validate::denied(warnings.iter().chain(&planned.plan.diagnostics));
    Ok(if planned.plan.has_errors() || denied {
        exit::ERROR
    } else {
        exit::OK
    })
}

/// Loads and validates the manifests, lists the platform, and plans. `None` when the
/// manifests are invalid (diagnostics already printed). API failures are errors.
pub async fn make_plan(
    client: &Client,
    paths: &[PathBuf],
    format: Format,
) -> anyhow::Result<Option<Planned>> {
    let load = manifest::load(paths);
    anstream::eprint!("{}", render::diagnostics_text(&load.diagnostics));
    if load.has_errors() {
        anstream::eprintln!("{}", super::validate::error_summary(&load));
        if format == Format::Json {
            print_json(&render::failure_json(&load.diagnostics, None));
        }
        return Ok(None);
    }
    if std::io::stderr().is_terminal() {
        anstream::eprintln!(
            "Reading campaigns, assistants and phone numbers from {} ...",
            client.base_url()
        );
    }
    let observed = match Observed::fetch(client).await {
        Ok(o) => o,
        Err(e) => return Err(api_failure(format, &load, e)),
    };
    let lint = crate::lint::calling_hours(&load.manifests);
    anstream::eprint!("{}", render::diagnostics_text(&lint));
    let planned = match planning::plan_all(client, &load.manifests, &observed).await {
        Ok(p) => p,
        Err(e) => return Err(api_failure(format, &load, e)),
    };
    Ok(Some(Planned {
        load,
        plan: planned.plan,
        resolved: planned.manifests,
        lint,
    }))
}

/// An API failure before the plan: the JSON document says so too, then the error is returned.
fn api_failure(format: Format, load: &LoadOutcome, e: crate::api::ApiError) -> anyhow::Error {
    if format == Format::Json {
        print_json(&render::failure_json(
            &load.diagnostics,
            Some(&e.to_string()),
        ));
    }
    UserError::from(e).into()
}

pub fn print_json(v: &serde_json::Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => anstream::println!("{s}"),
        Err(e) => anstream::eprintln!("error: cannot encode JSON: {e}"),
    }
}
