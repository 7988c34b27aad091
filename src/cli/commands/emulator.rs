//! `campaignctl emulator`: the local platform, until SIGINT/SIGTERM.

use crate::cli::ExitStatus;
use std::time::Duration;

use anyhow::Context;

use crate::cli::args::EmulatorArgs;
use campaignctl_emulator::{self as emulator, EmulatorConfig, FaultConfig};

pub async fn run(args: EmulatorArgs) -> anyhow::Result<ExitStatus> {
    let config = EmulatorConfig {
        listen: args.listen,
        token: args.token,
        seed: args.seed,
        state: args.state,
        campaign_limit: args.campaign_limit,
        older_assistant_api: args.older_assistant_api,
        faults: FaultConfig {
            latency: Duration::from_millis(args.latency),
            error_rate: args.error_rate,
            rate_limit_per_sec: args.rate_limit,
            drop_rate: args.drop_rate,
            seed: args.fault_seed,
        },
    };
    let running = emulator::start(config)
        .await
        .context("cannot start the emulator")?;
    // Tests and scripts read this first line to learn the port.
    anstream::println!("listening on {}", running.base_url());
    shutdown_signal().await;
    running.shutdown().await;
    Ok(ExitStatus::Success)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
