//! `campaignctl plan`: load, list, plan, print. Changes nothing.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::api::Client;
use crate::cli::args::Format;
use crate::cli::{exit, UserError};
use crate::manifest::{self, LoadOutcome};
use crate::reconcile::{self, render, Observed, Plan};

/// A plan together with what it was made from, for apply.
pub struct Planned {
    pub load: LoadOutcome,
    pub plan: Plan,
}

pub async fn run(client: &Client, paths: &[PathBuf], format: Format) -> anyhow::Result<u8> {
    let Some(Planned { plan, load }) = make_plan(client, paths, format).await? else {
        return Ok(exit::ERROR);
    };
    // The plan holds everything it shows. The manifests, most of the memory at scale, go
    // before the rendering allocates its own (README, Performance).
    drop(load.manifests);
    match format {
        Format::Text => anstream::print!("{}", render::plan_text(&plan)),
        Format::Json => print_json(&render::plan_json(&plan, &load.diagnostics)),
    }
    anstream::eprint!("{}", render::diagnostics_text(&plan.diagnostics));
    Ok(if plan.has_errors() {
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
        Err(e) => {
            if format == Format::Json {
                print_json(&render::failure_json(
                    &load.diagnostics,
                    Some(&e.to_string()),
                ));
            }
            return Err(UserError::from(e).into());
        }
    };
    let plan = reconcile::plan(&load.manifests, &observed);
    Ok(Some(Planned { load, plan }))
}

/// Streams the document to stdout. Not through anstream: JSON escapes control characters, so
/// there is no colour to strip, and building the whole text first doubled the peak memory of
/// `plan --format json` for large fleets (README, Performance).
pub fn print_json(v: &serde_json::Value) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, v)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        anstream::eprintln!("error: cannot write JSON: {e}");
    }
}
