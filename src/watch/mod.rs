//! `campaignctl watch`: a long-running reconciler that keeps the platform in line with the
//! manifests (issue 3). It runs a full pass at start, after manifest changes (debounced), every
//! `interval`, and after failures on a backoff; it serves `/healthz`, `/readyz` and `/metrics`;
//! and on shutdown it lets creates in flight finish (bounded) before returning.
//!
//! The pieces: `controller` is the loop (generic, so tested with a paused clock), `daemon` the
//! real pass, `watcher` and `fingerprint` decide when files changed, `debounce` and `backoff`
//! the timing, `health` and `metrics` what is served.

mod backoff;
mod controller;
mod daemon;
mod debounce;
mod fingerprint;
mod health;
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

use backoff::Backoff;
use controller::Timing;
use daemon::Daemon;
use debounce::Debouncer;
use health::Status;
use watcher::ManifestWatcher;

/// Everything the daemon needs, validated by the caller.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// Manifest files and directories, as for `plan`.
    pub paths: Vec<PathBuf>,
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
    /// `--prune-prefix` and `--max-deletes`.
    pub lifecycle: crate::reconcile::lifecycle::LifecycleOptions,
    /// First wait after a failed pass; it doubles with each failure in a row, up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How long creates in flight at shutdown may take to finish.
    pub grace: Duration,
}

/// Runs the daemon until `shutdown` resolves, then lets the pass in flight finish its creates
/// (at most `config.grace`) and returns. `listener`, when given, serves the health and metrics
/// endpoints. Errors only when it cannot start (the file watcher); a failed pass is never one.
pub async fn run(
    config: WatchConfig,
    client: Client,
    listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    // Stops the pass in flight between operations (those under way finish).
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

    let status = Arc::new(Status::new());
    let server = listener.map(|l| tokio::spawn(health::serve(l, status.clone())));

    // Room for a burst; when full, a signal is already waiting and nothing is lost.
    let (events_tx, events_rx) = mpsc::channel(64);
    let watcher =
        ManifestWatcher::new(&config.paths, events_tx).context("cannot watch the manifests")?;
    let mut daemon = Daemon {
        paths: config.paths.clone(),
        client,
        parallelism: config.parallelism,
        allow_start: config.allow_start,
        allow_delete: config.allow_delete,
        lifecycle: config.lifecycle.clone(),
        status,
        watcher,
        cancel,
        last_read: None,
        applied: Default::default(),
    };
    let mut debouncer = Debouncer::new(events_rx, config.debounce);
    let timing = Timing {
        interval: config.interval,
        backoff: Backoff::new(config.backoff_base, config.backoff_max),
        grace: config.grace,
    };
    info!(
        paths = ?config.paths,
        interval = %humantime::format_duration(config.interval),
        debounce = %humantime::format_duration(config.debounce),
        "watching"
    );
    controller::run(&mut daemon, &mut debouncer, timing, stop_rx).await;
    if let Some(server) = server {
        server.abort();
    }
    info!("stopped");
    Ok(())
}
