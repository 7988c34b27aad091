//! `campaignctl status`: one line per campaign (`kubectl get`, `argocd app list`): platform
//! status, whether it is in line with its manifest (the plan's own classification, made
//! read-only), leads by lead status, and whether its calling window is open. Reads the three
//! lists `plan` reads and the account's leads (100 a page); writes nothing.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::cli::accounts::{AccountError, AccountRun};
use crate::cli::args::{Format, StatusArgs};
use crate::cli::printer::Printer;
use crate::cli::ExitStatus;
use crate::diagnostic::Diagnostic;
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::pipeline;
use crate::status::{self, Row};

/// The JSON document (docs/json-output.md, "status"): one entry per account.
#[derive(Serialize)]
struct Document {
    format_version: u32,
    kind: &'static str,
    /// The instant the windows were computed at.
    now: String,
    /// The zone `next_open_in_tz` is in (`--tz`).
    tz: String,
    accounts: Vec<AccountRows>,
}

#[derive(Serialize)]
struct AccountRows {
    account: Option<String>,
    /// Every manifest of the account was read: unmanaged campaigns are listed only then.
    #[serde(skip_serializing_if = "Option::is_none")]
    whole_account: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaigns: Option<Vec<RowJson>>,
    /// Why the account could not be read (its error is on stderr too); then no campaigns.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct RowJson {
    name: String,
    id: Option<u64>,
    status: Option<String>,
    sync: status::SyncStatus,
    leads: LeadsJson,
    window: Option<WindowJson>,
    manifest: Option<String>,
}

#[derive(Serialize)]
struct LeadsJson {
    total: u64,
    by_status: status::LeadCounts,
}

#[derive(Serialize)]
struct WindowJson {
    timezone: String,
    open: bool,
    next_open: Option<String>,
    next_open_in_tz: Option<String>,
}

/// `status` for every selected account; an account that cannot be read is reported and the
/// others still are. 1 when any account failed, as `get`.
pub async fn run(
    printer: &Printer,
    runs: &[Result<AccountRun, AccountError>],
    args: &StatusArgs,
) -> anyhow::Result<ExitStatus> {
    let now = args
        .now
        .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
    let tz = args.tz.unwrap_or_else(crate::cli::settings::local_zone);
    let mut failed = false;
    // Each account's rows, or the error that kept it from being read (reported on stderr
    // here, and in the JSON document so that a reader does not take it for an empty account).
    let mut accounts: Vec<(Option<String>, Result<AccountStatus, String>)> = Vec::new();
    for run in runs {
        let (name, read) = match run {
            Ok(account) => (account.name.clone(), rows_of(printer, account, now).await),
            Err(AccountError { name, error }) => (Some(name.clone()), Err(error.clone())),
        };
        match read {
            Ok((rows, clean)) => {
                failed |= !clean;
                accounts.push((name, Ok(rows)));
            }
            Err(e) => {
                failed = true;
                printer.problems(std::slice::from_ref(&e));
                accounts.push((name, Err(e.message)));
            }
        }
    }
    match args.format {
        Format::Json => {
            super::plan::print_json(&serde_json::to_value(document(&accounts, now, tz))?)
        }
        Format::Text => super::plan::report_stdout_error(
            printer.print(&text(&accounts, tz)),
            "the status table",
        ),
    }
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// One account's rows.
struct AccountStatus {
    whole_account: bool,
    rows: Vec<Row>,
}

/// One account's rows at `now`, from what is read once: the plan (read-only), the listed
/// campaigns, the manifests and every lead. `false` beside them when the plan has errors
/// (printed here): the rows are still shown, and the exit code says so.
async fn rows_of(
    printer: &Printer,
    account: &AccountRun,
    now: DateTime<Utc>,
) -> Result<(AccountStatus, bool), Diagnostic> {
    let load = pipeline::load(&account.roots, printer.shown_from());
    printer.problems(&load.diagnostics);
    if load.has_errors() {
        // `1 error(s) in 1 file(s); nothing was sent to the platform.`, as `plan` ends.
        let summary = super::validate::error_summary(&load);
        return Err(Diagnostic::error(None, summary.trim_end_matches('.')));
    }
    let lifecycle = super::plan::lifecycle_of(
        printer,
        LifecycleOptions::default(),
        account,
        &[],
        Some(&load),
    )?;
    let scope = super::plan::account_scope(account, &[]);
    let client = &account.client;
    // The lists and the leads at once: nothing in one depends on the other.
    let (observed, leads) = tokio::try_join!(
        crate::reconcile::observe(client),
        pipeline::read_every_lead(client)
    )
    .map_err(|e| client.diagnostic(&e))?;
    let planned = pipeline::plan_with_account_leads(load, observed, &leads, &scope, &lifecycle)
        .await
        .map_err(|e| client.diagnostic(&e))?;
    printer.problems(&planned.plan.diagnostics);
    let clean = !planned.plan.has_errors();
    let rows = status::rows(
        &planned.plan,
        &planned.load.manifests,
        &planned.observed.campaigns,
        &status::count_leads(&leads),
        now,
        printer.shown_from(),
    );
    Ok((
        AccountStatus {
            whole_account: scope.whole_account,
            rows,
        },
        clean,
    ))
}

fn document(
    accounts: &[(Option<String>, Result<AccountStatus, String>)],
    now: DateTime<Utc>,
    tz: Tz,
) -> Document {
    Document {
        format_version: 1,
        kind: "status",
        now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        tz: tz.name().to_owned(),
        accounts: accounts
            .iter()
            .map(|(account, read)| match read {
                Ok(s) => AccountRows {
                    account: account.clone(),
                    whole_account: Some(s.whole_account),
                    campaigns: Some(s.rows.iter().map(|r| row_json(r, tz)).collect()),
                    error: None,
                },
                Err(e) => AccountRows {
                    account: account.clone(),
                    whole_account: None,
                    campaigns: None,
                    error: Some(e.clone()),
                },
            })
            .collect(),
    }
}

fn row_json(r: &Row, tz: Tz) -> RowJson {
    let seconds = |t: DateTime<Tz>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    RowJson {
        name: r.name.clone(),
        id: r.id,
        status: r.status.clone(),
        sync: r.sync,
        leads: LeadsJson {
            total: r.leads.values().sum(),
            by_status: r.leads.clone(),
        },
        window: r.window.as_ref().map(|w| WindowJson {
            timezone: w.zone.name().to_owned(),
            open: w.state.open,
            next_open: w.state.next_open.map(seconds),
            next_open_in_tz: w.state.next_open.map(|t| seconds(t.with_timezone(&tz))),
        }),
        manifest: r.manifest.clone(),
    }
}

/// The table of each account, under its name when there is a config (as `get`'s).
fn text(accounts: &[(Option<String>, Result<AccountStatus, String>)], tz: Tz) -> String {
    let several = accounts.len() > 1 || accounts.iter().any(|(name, _)| name.is_some());
    let mut out = String::new();
    for (i, (name, read)) in accounts.iter().enumerate() {
        if several {
            if i > 0 {
                out.push('\n');
            }
            let name = crate::escape::text(name.as_deref().unwrap_or("(flags)"));
            out.push_str(&match read {
                Ok(_) => format!("Account {name}:\n"),
                // The error itself is on stderr.
                Err(_) => format!("Account {name}: not read\n"),
            });
        }
        let Ok(s) = read else {
            continue;
        };
        out.push_str(&table(&s.rows, tz));
        if !s.whole_account {
            out.push_str("Only part of the account's manifests was read: campaigns in no manifest are not listed.\n");
        }
        if s.rows.iter().any(|r| r.id.is_some() && r.window.is_none()) {
            out.push_str("?: the platform does not return a campaign's zone; set `timezone:` in its manifest to see its window.\n");
        }
    }
    out
}

fn table(rows: &[Row], tz: Tz) -> String {
    if rows.is_empty() {
        return "No campaigns.\n".to_owned();
    }
    let cells = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.id.map(|id| id.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                r.status.clone().unwrap_or_else(|| "-".to_owned()),
                r.sync.label().to_owned(),
                leads_cell(&r.leads),
                window_cell(r),
                next_open_cell(r, tz),
            ]
        })
        .collect();
    // `aligned` escapes every cell: names and statuses come from the platform.
    super::get::aligned(
        &[
            "NAME",
            "ID",
            "STATUS",
            "SYNC",
            "LEADS",
            "WINDOW",
            "NEXT OPEN",
        ],
        cells,
    )
}

/// `5 (created 3, completed 2)`, `0`.
fn leads_cell(counts: &status::LeadCounts) -> String {
    let total: u64 = counts.values().sum();
    if total == 0 {
        return "0".to_owned();
    }
    let parts: Vec<String> = status::rows::ordered(counts)
        .into_iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    format!("{total} ({})", parts.join(", "))
}

fn window_cell(r: &Row) -> String {
    match (&r.window, r.id) {
        (Some(w), _) if w.state.open => "open".to_owned(),
        (Some(_), _) => "closed".to_owned(),
        (None, Some(_)) => "?".to_owned(),
        (None, None) => "-".to_owned(),
    }
}

/// `Thu 03 Dec 09:00 America/New_York (Thu 03 Dec 15:00 Europe/Berlin)`; once when the zones
/// are one.
fn next_open_cell(r: &Row, tz: Tz) -> String {
    let Some(w) = &r.window else {
        return if r.id.is_some() { "?" } else { "-" }.to_owned();
    };
    let Some(next) = w.state.next_open else {
        return "never".to_owned();
    };
    let at = |t: DateTime<Tz>| format!("{} {}", t.format("%a %d %b %H:%M"), t.timezone().name());
    if w.zone == tz {
        at(next)
    } else {
        format!("{} ({})", at(next), at(next.with_timezone(&tz)))
    }
}
