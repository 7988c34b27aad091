//! `campaignctl watch`: a long-running reconciler that keeps the platform in line with the
//! manifests (issue 3). It runs a full pass at start, after manifest changes (debounced), every
//! `interval`, and after failures on a backoff; it serves `/healthz`, `/readyz` and `/metrics`;
//! and on shutdown it lets creates in flight finish (bounded) before returning.
//!
//! The pieces: `controller` is the loop (generic, so tested with a paused clock), `daemon` the
//! real pass, `watcher` and `load_cache` decide when files changed (and when a load can be reused), `debounce` and `backoff`
//! the timing, `health` and `metrics` what is served.

mod backoff;
mod controller;
mod daemon;
mod debounce;
mod health;
mod held;
mod idle;
mod lint_log;
mod load_cache;
mod metrics;
mod watcher;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::api::Client;
use crate::manifest::Root;

use backoff::Backoff;
use controller::Timing;
use daemon::Daemon;
use debounce::Debouncer;
use health::Status;
use watcher::ManifestWatcher;

/// One account the daemon keeps in line, with its own pass loop, backoff and readiness.
#[derive(Debug)]
pub struct AccountWatch {
    /// The account's name in the repository config; `None` without one.
    pub name: Option<String>,
    pub client: Client,
    /// Its manifest paths, each with its defaults.
    pub roots: Vec<Root>,
    /// `--prune-prefix` (or the account's `prune_prefix`) and `--max-deletes`.
    pub lifecycle: crate::reconcile::lifecycle::LifecycleOptions,
    /// The repository config the account comes from: watched, and read again at each pass for
    /// the account's defaults and prune prefix.
    pub config: Option<PathBuf>,
    /// The paths given on the command line, which narrow the account's paths (none: all).
    pub narrowed_to: Vec<PathBuf>,
}

/// Everything the daemon needs, validated by the caller.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// Quiet time after a file event before a pass.
    pub debounce: Duration,
    /// Time between passes when nothing happens (> 0).
    pub interval: Duration,
    /// Creates in flight at most at once (>= 1).
    pub parallelism: usize,
    /// Whether a manifest's `status: running` may start its campaign (which places calls).
    /// Without it, such a start is logged and left for `campaignctl apply`.
    pub allow_start: bool,
    /// Whether the daemon may delete campaigns and replace drafts (destroys data). Without it,
    /// such operations are held, logged with `--allow-delete`, and left for `campaignctl apply`.
    pub allow_delete: bool,
    /// First wait after a failed pass; it doubles with each failure in a row, up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How long creates in flight at shutdown may take to finish.
    pub grace: Duration,
    /// How often a pass reads the account's leads whole for the lead gauges; `None` when no
    /// metrics are served.
    pub lead_metrics_every: Option<Duration>,
}

/// Runs the daemon until `shutdown` resolves, then lets the passes in flight finish their
/// creates (at most `config.grace`) and returns. One pass loop per account, each with its own
/// backoff and readiness, all stopped together. `listener`, when given, serves the health and
/// metrics endpoints. Errors only when it cannot start (a file watcher); a failed pass is never
/// one.
pub async fn run(
    printer: &crate::cli::Printer,
    config: WatchConfig,
    accounts: Vec<AccountWatch>,
    listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    // Stops the passes in flight between operations (those under way finish).
    let cancel = CancellationToken::new();
    tokio::spawn({
        let cancel = cancel.clone();
        async move {
            shutdown.await;
            info!("shutdown requested: no new passes");
            let _ = stop_tx.send(true);
            cancel.cancel();
        }
    });

    let names: Vec<Option<String>> = accounts.iter().map(|a| a.name.clone()).collect();
    let status = Arc::new(Status::new(&names));
    let server = listener.map(|l| tokio::spawn(health::serve(l, status.clone())));

    let mut loops = Vec::new();
    for (account, account_status) in accounts.into_iter().zip(status.accounts.iter().cloned()) {
        // Room for a burst; when full, a signal is already waiting and nothing is lost.
        let (events_tx, events_rx) = mpsc::channel(64);
        let watched = daemon::watched_paths(&account.roots, account.config.as_deref());
        let watcher =
            ManifestWatcher::new(&watched, events_tx).context("cannot watch the manifests")?;
        info!(
            account = account.name.as_deref(),
            paths = ?watched,
            interval = %humantime::format_duration(config.interval),
            debounce = %humantime::format_duration(config.debounce),
            "watching"
        );
        let mut daemon = Daemon {
            name: account.name,
            roots: account.roots,
            config: account.config,
            config_prune_prefix: None,
            narrowed_to: account.narrowed_to,
            started_as: None,
            client: account.client,
            printer: printer.clone(),
            parallelism: config.parallelism,
            allow_start: config.allow_start,
            allow_delete: config.allow_delete,
            lifecycle: account.lifecycle,
            status: account_status,
            watcher,
            cancel: cancel.clone(),
            loaded: None,
            config_seen: None,
            applied: Default::default(),
            applied_baseline: None,
            record_in_memory: Default::default(),
            interval: config.interval,
            pending_prunes: None,
            assistants_seen: None,
            edited_outside: Default::default(),
            held: Default::default(),
            lint: Default::default(),
            load_problems: Default::default(),
            plan_problems: Default::default(),
            lead_metrics_every: config.lead_metrics_every,
            lead_counts: None,
            last: Default::default(),
            record_changes: 0,
            gauge_rows: None,
        };
        let mut debouncer = Debouncer::new(events_rx, config.debounce);
        let timing = Timing {
            interval: config.interval,
            backoff: Backoff::new(config.backoff_base, config.backoff_max),
            grace: config.grace,
        };
        let stop = stop_rx.clone();
        loops.push(async move {
            controller::run(&mut daemon, &mut debouncer, timing, stop).await;
        });
    }
    futures::future::join_all(loops).await;
    if let Some(server) = server {
        server.abort();
    }
    info!("stopped");
    Ok(())
}
