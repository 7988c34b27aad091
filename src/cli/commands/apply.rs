//! `campaignctl apply`: plan afresh, show it, confirm, create, report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::api::Client;
use crate::cli::args::Format;
use crate::cli::{exit, UserError};
use crate::manifest::{self, Diagnostic, Manifest};
use crate::reconcile::follow_up::lead_numbers;
use crate::reconcile::follow_up_apply::apply_follow_ups;
use crate::reconcile::saved;
use crate::reconcile::{self, render, render_follow_up, ApplyOptions, Plan};

use super::plan::{make_plan, print_json};

pub struct Options {
    pub auto_approve: bool,
    pub parallelism: usize,
    pub format: Format,
}

pub async fn run(client: &Client, paths: &[PathBuf], options: Options) -> anyhow::Result<u8> {
    // --parallelism bounds every request of the run, the plan's concurrent lists included.
    let client = &client.clone().with_max_in_flight(options.parallelism);
    if let Some(plan_file) = saved_plan_among(paths)? {
        return run_saved(client, &plan_file, options).await;
    }
    let Some(planned) = make_plan(client, paths, options.format).await? else {
        return Ok(exit::ERROR);
    };
    execute(
        client,
        &planned.plan,
        &planned.load.diagnostics,
        &planned.resolved,
        &options,
    )
    .await
}

/// The saved plan among `paths`, if one of them is a plan file (by content). A saved plan is
/// applied on its own: mixing it with manifests would make it unclear what is approved.
fn saved_plan_among(paths: &[PathBuf]) -> Result<Option<PathBuf>, UserError> {
    let plans: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.is_file() && manifest::is_saved_plan(p))
        .collect();
    match plans.as_slice() {
        [] => Ok(None),
        [one] if paths.len() == 1 => Ok(Some((*one).clone())),
        _ => Err(UserError::new(format!(
            "{} is a saved plan; a saved plan is applied on its own, without other paths",
            plans[0].display()
        ))
        .hint("run `campaignctl apply PLANFILE`, or `campaignctl apply DIR...` to plan afresh")),
    }
}

/// `apply FILE`: exactly the saved plan's actions, and only if nothing it was computed from
/// has changed since (manifests and remote campaign list).
async fn run_saved(client: &Client, file: &Path, options: Options) -> anyhow::Result<u8> {
    let replan = "make a new plan with `campaignctl plan --out FILE`, review it, and apply that";
    let saved = saved::read(file).map_err(|e| UserError::new(e.to_string()).hint(replan))?;
    if saved.api_url != client.base_url().as_str() {
        return Err(UserError::new(format!(
            "{} was planned against {}, not {}",
            file.display(),
            saved.api_url,
            client.base_url()
        ))
        .hint("set --api-url / CAMPAIGNCTL_API_URL to the API the plan was made for, or plan again")
        .into());
    }

    let load = manifest::load(&saved.paths);
    if load.has_errors()
        || saved::manifests_fingerprint(&load.manifests) != saved.fingerprint.manifests
    {
        if load.has_errors() {
            anstream::eprint!("{}", render::diagnostics_text(&load.diagnostics));
        }
        return Err(UserError::new(format!(
            "the saved plan {} is stale: the manifests under {} changed since it was made",
            file.display(),
            saved
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint(replan)
        .into());
    }
    let campaigns = client.list_campaigns().await.map_err(UserError::from)?;
    if saved::remote_fingerprint(&campaigns) != saved.fingerprint.remote {
        return Err(UserError::new(format!(
            "the saved plan {} is stale: the campaigns on the platform changed since it was made (it may already have been applied, or someone else changed the account); nothing was applied",
            file.display()
        ))
        .hint(replan)
        .into());
    }
    let mut leads = reconcile::follow_up::ObservedLeads::new();
    for &id in &saved.lead_campaigns {
        let list = client.list_leads(id).await.map_err(UserError::from)?;
        leads.insert(id, lead_numbers(&list));
    }
    if saved::leads_fingerprint(&leads) != saved.fingerprint.leads {
        return Err(UserError::new(format!(
            "the saved plan {} is stale: the leads of its campaigns changed since it was made (it may already have been applied); nothing was applied",
            file.display()
        ))
        .hint(replan)
        .into());
    }
    let manifests = saved.create_manifests();
    execute(client, &saved.plan, &[], &manifests, &options).await
}

/// Shows the plan, asks (unless auto-approved), performs the creates and reports.
async fn execute(
    client: &Client,
    plan: &Plan,
    load_diagnostics: &[Diagnostic],
    manifests: &[Manifest],
    options: &Options,
) -> anyhow::Result<u8> {
    let text = options.format == Format::Text;
    if text {
        anstream::print!("{}", render::plan_text(plan));
    }
    if plan.has_errors() {
        anstream::eprint!("{}", render::diagnostics_text(&plan.diagnostics));
        anstream::eprintln!("The plan has errors; nothing was applied.");
        if !text {
            print_json(&render::plan_json(plan, load_diagnostics));
        }
        return Ok(exit::ERROR);
    }
    let creates = plan.summary().create;
    if !plan.has_writes() {
        if !text {
            print_json(&render::apply_json(
                plan,
                &reconcile::ApplyReport::default(),
            ));
        }
        return Ok(exit::OK);
    }
    if !options.auto_approve {
        confirm_writes(plan)?;
    }

    if text && creates > 0 {
        anstream::println!(
            "\nCreating {creates} campaign(s), at most {} at once:",
            options.parallelism
        );
    }
    let report = reconcile::apply(
        client,
        plan,
        manifests,
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
    if text && plan.follow_ups.iter().any(|f| f.has_changes()) {
        anstream::println!("\nAdding leads, then changing status:");
    }
    let follow_ups = apply_follow_ups(client, plan, &report, options.parallelism, |result| {
        if text {
            anstream::print!("{}", render_follow_up::follow_up_result_text(result));
        }
    })
    .await;
    if text {
        anstream::print!(
            "\n{}",
            render::apply_summary_text(&report, plan.summary().drift)
        );
        if let Some(line) = render_follow_up::follow_up_summary_line(&follow_ups) {
            anstream::print!("{line}");
        }
    } else {
        let mut doc = render::apply_json(plan, &report);
        doc["follow_ups"] = serde_json::json!(follow_ups.results);
        print_json(&doc);
    }
    Ok(if report.all_succeeded() && follow_ups.all_succeeded() {
        exit::OK
    } else {
        exit::ERROR
    })
}

/// Asks for the plan's writes, and separately for starting campaigns (which places real calls),
/// before anything is written: declining either changes nothing.
fn confirm_writes(plan: &Plan) -> Result<(), UserError> {
    let creates = plan.summary().create;
    let changes = plan.follow_up_summary();
    let calling_leads: usize = plan
        .follow_ups
        .iter()
        .filter(|f| f.calls_new_leads())
        .filter_map(|f| f.leads.as_ref().map(|l| l.to_add.len()))
        .sum();
    let mut writes = Vec::new();
    for (n, what) in [
        (creates, "create {} campaign(s)"),
        (
            changes.leads_to_add - calling_leads,
            "add {} lead(s) to campaigns that are not running",
        ),
        (
            changes.stop,
            "stop {} campaign(s), aborting calls under way",
        ),
    ] {
        if n > 0 {
            writes.push(what.replace("{}", &n.to_string()));
        }
    }
    if !writes.is_empty() {
        confirm(&format!(
            "Do you want to {}? This places no calls.",
            writes.join(", ")
        ))?;
    }
    // Everything that places calls is asked for separately, naming the campaigns.
    let calling: Vec<String> = plan
        .follow_ups
        .iter()
        .filter(|f| f.places_calls())
        .map(|f| {
            if f.starts() {
                format!("start {:?}", f.name)
            } else {
                let n = f.leads.as_ref().map_or(0, |l| l.to_add.len());
                format!("add {n} lead(s) to running {:?}", f.name)
            }
        })
        .collect();
    if !calling.is_empty() {
        confirm(&format!(
            "{}: do you want to {}? This places real phone calls.",
            render_follow_up::WILL_START_CALLING,
            calling.join(", ")
        ))?;
    }
    Ok(())
}

/// Terraform's rule: only the literal answer `yes` approves. Without a terminal there is no one
/// to ask, so refuse rather than guess.
fn confirm(question: &str) -> Result<(), UserError> {
    if !std::io::stdin().is_terminal() {
        return Err(UserError::new(
            "refusing to apply without confirmation: stdin is not a terminal",
        )
        .hint(
            "review `campaignctl plan`, then run `campaignctl apply --auto-approve` (as CI should)",
        ));
    }
    anstream::eprint!(
        "\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
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
        Err(UserError::new("apply cancelled; nothing was changed"))
    }
}
