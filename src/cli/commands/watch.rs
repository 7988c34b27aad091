//! `campaignctl watch`: turns the flags into a `WatchConfig`, binds the health and metrics
//! address, and runs the daemon until SIGINT/SIGTERM.

use crate::cli::ExitStatus;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::cli::args::{ApiArgs, WatchArgs};
use crate::watch::{self, WatchConfig};

/// How long creates in flight at shutdown may take to finish (issue 3: "bounded").
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

pub async fn run(
    printer: &crate::cli::Printer,
    args: WatchArgs,
    api: &ApiArgs,
) -> anyhow::Result<ExitStatus> {
    // Listen for signals before anything else, so an early SIGTERM is a clean stop too.
    let shutdown = tokio::spawn(super::emulator::shutdown_signal());
    let runs = crate::cli::accounts::select(printer, &args.accounts, &args.manifests.paths, api)?;
    let mut accounts = Vec::new();
    for run in runs {
        // A daemon that cannot reach one of its accounts from the start is misconfigured:
        // refused, rather than running without it.
        let run = run.map_err(|e| e.error)?;
        if args.lifecycle.prune_prefix.is_some() {
            super::plan::account_scope(&run, &[]).allows_prune()?;
        }
        if !run.whole && run.prune_prefix.is_some() {
            return Err(crate::diagnostic::Diagnostic::error(None, format!(
                "account {} prunes campaigns under its prune_prefix, which needs all of its manifests; watch cannot follow only part of its paths",
                run.name.as_deref().unwrap_or_default()
            ))
            .with_hint("start watch without paths: it follows each account's paths from the config")
            .into());
        }
        // The daemon starts out comparing with --base REF, or the baseline found at start (the
        // record of what was applied, else HEAD; read once), then with what it applies.
        let config = run.name.as_deref().zip(run.config.as_deref());
        let store = crate::reconcile::applied_record::RecordStore::find(
            printer,
            &run.paths(),
            run.client.base_url(),
            run.name.as_deref(),
        );
        let applied = crate::reconcile::applied_record::load(printer, store.as_ref());
        let lifecycle = super::plan::with_baseline(
            printer,
            args.lifecycle.options(),
            &run.paths(),
            config,
            crate::reconcile::baseline_source::Look::Afresh(applied.record()),
            // Read once, before the daemon's first load: nothing loaded to take from yet.
            None,
        )?;
        accounts.push(watch::AccountWatch {
            name: run.name,
            client: run.client,
            roots: run.roots,
            lifecycle,
            config: run.config,
            narrowed_to: args.manifests.paths.clone(),
        });
    }
    let config = WatchConfig {
        debounce: args.debounce,
        interval: args.bench_interval.unwrap_or(args.interval),
        parallelism: usize::from(args.parallelism),
        allow_start: args.allow_start,
        allow_delete: args.allow_delete,
        backoff_base: args.backoff_base,
        backoff_max: args.backoff_max,
        grace: SHUTDOWN_GRACE,
        // Nobody reads the lead gauges without /metrics: then no pass reads leads for them.
        lead_metrics_every: args.listen.map(|_| args.lead_metrics_interval),
    };
    let listener = match args.listen {
        Some(addr) => {
            let listener = TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let bound = listener
                .local_addr()
                .with_context(|| format!("cannot listen on {addr}"))?;
            // Scripts and tests read this first line to learn the port.
            anstream::println!("listening on http://{bound}");
            tracing::info!("serving /healthz, /readyz and /metrics on http://{bound}");
            Some(listener)
        }
        None => None,
    };
    watch::run(printer, config, accounts, listener, async move {
        let _ = shutdown.await;
    })
    .await?;
    Ok(ExitStatus::Success)
}
