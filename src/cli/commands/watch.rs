//! `campaignctl watch`: turns the flags into a `WatchConfig`, binds the health and metrics
//! address, and runs the daemon until SIGINT/SIGTERM.

use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::cli::args::{ApiArgs, WatchArgs};
use crate::cli::exit;
use crate::watch::{self, WatchConfig};

/// How long creates in flight at shutdown may take to finish (issue 3: "bounded").
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

pub async fn run(args: WatchArgs, api: &ApiArgs) -> anyhow::Result<u8> {
    // Listen for signals before anything else, so an early SIGTERM is a clean stop too.
    let shutdown = tokio::spawn(super::emulator::shutdown_signal());
    let client = crate::cli::settings::client_from(api)?;
    if let Some(base) = &args.lifecycle.base {
        // Checked here rather than by clap: the option is shared with plan and apply.
        return Err(crate::cli::UserError::new(format!(
            "--base {base} is for plan and apply: watch compares the write-once fields with the values it last applied while it runs"
        ))
        .hint("run `campaignctl plan --base REF` to compare with a git revision, then start watch without --base")
        .into());
    }
    if args.lifecycle.prune_prefix.is_some() {
        crate::reconcile::scope::Scope::of(&args.manifests.paths, None)
            .allows_prune()
            .map_err(crate::cli::UserError::new)?;
    }
    let config = WatchConfig {
        paths: args.manifests.paths,
        debounce: args.debounce,
        interval: args.interval,
        parallelism: usize::from(args.parallelism),
        allow_start: args.allow_start,
        allow_delete: args.allow_delete,
        lifecycle: args.lifecycle.options(),
        backoff_base: args.backoff_base,
        backoff_max: args.backoff_max,
        grace: SHUTDOWN_GRACE,
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
    watch::run(config, client, listener, async move {
        let _ = shutdown.await;
    })
    .await?;
    Ok(exit::OK)
}
