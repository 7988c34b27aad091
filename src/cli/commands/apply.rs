//! `campaignctl apply`: plan afresh, show it, confirm, create, report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use crate::api::Client;
use crate::cli::args::Format;
use crate::cli::{exit, UserError};
use crate::reconcile::{self, render, ApplyOptions};

use super::plan::{make_plan, print_json};

pub struct Options {
    pub auto_approve: bool,
    pub parallelism: usize,
    pub format: Format,
}

pub async fn run(client: &Client, paths: &[PathBuf], options: Options) -> anyhow::Result<u8> {
    // --parallelism bounds every request of the run, the plan's concurrent lists included.
    let client = &client.clone().with_max_in_flight(options.parallelism);
    let Some(planned) = make_plan(client, paths, options.format).await? else {
        return Ok(exit::ERROR);
    };
    let plan = &planned.plan;
    let text = options.format == Format::Text;
    if text {
        anstream::print!("{}", render::plan_text(plan));
    }
    if plan.has_errors() {
        anstream::eprint!("{}", render::diagnostics_text(&plan.diagnostics));
        anstream::eprintln!("The plan has errors; nothing was applied.");
        if !text {
            print_json(&render::plan_json(plan, &planned.load.diagnostics));
        }
        return Ok(exit::ERROR);
    }
    let creates = plan.summary().create;
    if creates == 0 {
        if !text {
            print_json(&render::apply_json(
                plan,
                &reconcile::ApplyReport::default(),
            ));
        }
        return Ok(exit::OK);
    }
    if !options.auto_approve {
        confirm(creates)?;
    }

    if text {
        anstream::println!(
            "\nCreating {creates} campaign(s), at most {} at once:",
            options.parallelism
        );
    }
    let report = reconcile::apply(
        client,
        plan,
        &planned.load.manifests,
        ApplyOptions {
            parallelism: options.parallelism,
        },
        |result| {
            if text {
                anstream::print!("{}", render::create_result_text(result));
            }
        },
    )
    .await;
    if text {
        anstream::print!(
            "\n{}",
            render::apply_summary_text(&report, plan.summary().drift)
        );
    } else {
        print_json(&render::apply_json(plan, &report));
    }
    Ok(if report.all_succeeded() {
        exit::OK
    } else {
        exit::ERROR
    })
}

/// Terraform's rule: only the literal answer `yes` approves. Without a terminal there is no one
/// to ask, so refuse rather than guess.
fn confirm(creates: usize) -> Result<(), UserError> {
    if !std::io::stdin().is_terminal() {
        return Err(UserError::new(
            "refusing to apply without confirmation: stdin is not a terminal",
        )
        .hint(
            "review `campaignctl plan`, then run `campaignctl apply --auto-approve` (as CI should)",
        ));
    }
    anstream::eprint!(
        "\nDo you want to create {creates} campaign(s)? Creating places no calls; campaigns start as drafts.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| UserError::new(format!("cannot read the answer: {e}")))?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(UserError::new("apply cancelled; nothing was created"))
    }
}
