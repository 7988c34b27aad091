//! `campaignctl status`: one line per campaign (`kubectl get`, `argocd app list`): platform
//! status, whether it is in line with its manifest (the plan's own classification, made
//! read-only), leads by lead status, and whether its calling window is open. Reads the three
//! lists `plan` reads and the account's leads (100 a page); writes nothing.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::cli::accounts::{AccountError, AccountRun};
use crate::cli::args::{Format, StatusArgs};
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
    whole_account: bool,
    campaigns: Vec<RowJson>,
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
    runs: &[Result<AccountRun, AccountError>],
    args: &StatusArgs,
) -> anyhow::Result<ExitStatus> {
    let now = args
        .now
        .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
    let tz = args.tz.unwrap_or_else(local_zone);
    let mut failed = false;
    let mut accounts = Vec::new();
    for run in runs {
        match run {
            Ok(account) => match rows_of(account, now).await {
                Ok((rows, clean)) => {
                    failed |= !clean;
                    accounts.push((account, rows));
                }
                Err(e) => {
                    failed = true;
                    crate::cli::report::problems(std::slice::from_ref(&e));
                }
            },
            Err(AccountError { error, .. }) => {
                failed = true;
                crate::cli::report::problems(std::slice::from_ref(error));
            }
        }
    }
    match args.format {
        Format::Json => {
            super::plan::print_json(&serde_json::to_value(document(&accounts, now, tz))?)
        }
        Format::Text => anstream::print!("{}", text(&accounts, tz)),
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
    account: &AccountRun,
    now: DateTime<Utc>,
) -> Result<(AccountStatus, bool), Diagnostic> {
    let load = pipeline::load(&account.roots);
    crate::cli::report::problems(&load.diagnostics);
    if load.has_errors() {
        anstream::eprintln!("{}", super::validate::error_summary(&load));
        return Err(Diagnostic::error(
            None,
            "the manifests are invalid: no status was read",
        ));
    }
    let lifecycle = super::plan::lifecycle_of(LifecycleOptions::default(), account, &[])?;
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
    crate::cli::report::problems(&planned.plan.diagnostics);
    let clean = !planned.plan.has_errors();
    let rows = status::rows(
        &planned.plan,
        &planned.load.manifests,
        &planned.observed.campaigns,
        &status::count_leads(&leads),
        now,
    );
    Ok((
        AccountStatus {
            whole_account: scope.whole_account,
            rows,
        },
        clean,
    ))
}

/// The zone `--tz` defaults to: `TZ` when it names one, else the system's, else UTC.
fn local_zone() -> Tz {
    let from_env = std::env::var("TZ")
        .ok()
        .and_then(|tz| tz.trim_start_matches(':').parse::<Tz>().ok());
    from_env
        .or_else(|| iana_time_zone::get_timezone().ok()?.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

fn document(accounts: &[(&AccountRun, AccountStatus)], now: DateTime<Utc>, tz: Tz) -> Document {
    Document {
        format_version: 1,
        kind: "status",
        now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        tz: tz.name().to_owned(),
        accounts: accounts
            .iter()
            .map(|(account, s)| AccountRows {
                account: account.name.clone(),
                whole_account: s.whole_account,
                campaigns: s.rows.iter().map(|r| row_json(r, tz)).collect(),
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
fn text(accounts: &[(&AccountRun, AccountStatus)], tz: Tz) -> String {
    let several = accounts.len() > 1 || accounts.iter().any(|(a, _)| a.name.is_some());
    let mut out = String::new();
    for (i, (account, s)) in accounts.iter().enumerate() {
        if several {
            if i > 0 {
                out.push('\n');
            }
            let name = account.name.as_deref().unwrap_or("(flags)");
            out.push_str(&format!("Account {}:\n", crate::escape::text(name)));
        }
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
