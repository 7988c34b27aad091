//! `campaignctl demo`: the quick start. Starts the emulator in-process on a free loopback
//! port with the demo account, then validates, plans, applies and plans again, so a newcomer
//! sees the whole loop (ending in an empty plan) without an account. The sample manifests are
//! built in, so the demo works from any directory once installed; it records nothing in the
//! repository it runs in (the account it applies to is thrown away when it ends).

use crate::cli::ExitStatus;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::api::{parse_base_url, ApiToken};
use crate::cli::accounts::{roots_without_config, AccountRun};
use crate::cli::args::{
    Format, LintArgs, ManifestPaths, PlanArgs, PlanFormat, ScopeArgs, ValidateFormat,
};
use crate::cli::settings::client_for;
use campaignctl_emulator::{self as emulator, EmulatorConfig, FaultConfig};

/// Per-request timeout against the built-in emulator, which answers at once.
const DEMO_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository's `campaigns/` samples, built into the binary.
const SAMPLES: [(&str, &str); 3] = [
    (
        "renewals.yaml",
        include_str!("../../../campaigns/renewals.yaml"),
    ),
    (
        "reminders.yml",
        include_str!("../../../campaigns/reminders.yml"),
    ),
    (
        "sales/product-demo.yaml",
        include_str!("../../../campaigns/sales/product-demo.yaml"),
    ),
];

pub async fn run(printer: &crate::cli::Printer, paths: &[PathBuf]) -> anyhow::Result<ExitStatus> {
    // Kept until the demo ends: the built-in samples, when they are what the demo plans.
    let samples;
    let mut paths = paths.to_vec();
    let here = std::path::Path::new(crate::cli::accounts::DEFAULT_PATH);
    if paths.is_empty() && std::fs::symlink_metadata(here).is_err() {
        samples = write_samples()?;
        paths.push(samples.path().join(crate::cli::accounts::DEFAULT_PATH));
        anstream::println!(
            "No {}/ here: the demo plans its built-in sample manifests, written to {}",
            crate::cli::accounts::DEFAULT_PATH,
            paths[0].display()
        );
    }
    let paths = &paths[..];
    let config = EmulatorConfig {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        token: emulator::DEFAULT_TOKEN.to_owned(),
        seed: None,
        state: None,
        campaign_limit: None,
        older_assistant_api: false,
        faults: FaultConfig::default(),
    };
    let running = emulator::start(config)
        .await
        .context("cannot start the built-in emulator")?;
    let base = parse_base_url(&running.base_url()).context("emulator URL")?;
    let token = ApiToken::new(emulator::DEFAULT_TOKEN).context("emulator token")?;
    let client = client_for(base, token, DEMO_TIMEOUT)?;
    // The demo plans the paths as given against its own account: no repository config.
    let account = AccountRun {
        name: None,
        client,
        roots: roots_without_config(paths),
        prune_prefix: None,
        whole: true,
        config: None,
    };

    let bold = anstyle::Style::new().bold();
    let step = |n: u8, what: &str| anstream::println!("\n{bold}== {n}. {what}{bold:#}\n");
    anstream::println!(
        "Built-in emulator (demo account) listening on {}",
        running.base_url()
    );

    step(1, "campaignctl validate");
    let mut code = super::validate::run(
        &account.roots,
        ValidateFormat::Text,
        false,
        printer.shown_from(),
    );
    let plan_args = PlanArgs {
        manifests: ManifestPaths {
            paths: account.paths(),
        },
        accounts: Default::default(),
        format: PlanFormat::Text,
        out: None,
        now: None,
        detailed_exitcode: false,
        scope: ScopeArgs {
            targets: Vec::new(),
            verbose: false,
        },
        lint: LintArgs {
            deny_warnings: false,
        },
        lifecycle: crate::cli::args::LifecycleArgs {
            prune_prefix: None,
            prune_history: false,
            max_deletes: crate::reconcile::lifecycle::DEFAULT_MAX_DELETES,
            base: None,
            self_heal_calls: false,
        },
    };
    if code == ExitStatus::Success {
        step(2, "campaignctl plan");
        code = super::plan::run(printer, &account, &plan_args).await?;
    }
    if code == ExitStatus::Success {
        step(3, "campaignctl apply --auto-approve");
        let options = super::apply::Options {
            auto_approve: true,
            allow_start: false,
            allow_delete: false,
            lifecycle: Default::default(),
            parallelism: 4,
            lock_timeout: Duration::from_secs(60),
            format: Format::Text,
            targets: Vec::new(),
            verbose: false,
            interrupt: Default::default(),
            interrupt_listened: false,
            // The demo's account is thrown away when it ends: no record of it in git.
            record_applied: false,
        };
        code = super::apply::run(printer, &account, options).await?;
    }
    if code == ExitStatus::Success {
        step(4, "campaignctl plan (again: expect no changes)");
        code = super::plan::run(printer, &account, &plan_args).await?;
    }
    running.shutdown().await;
    Ok(code)
}

/// The built-in samples in a new temporary directory, under `campaigns/` as in the repository.
fn write_samples() -> anyhow::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir().context("cannot create a directory for the sample manifests")?;
    for (name, text) in SAMPLES {
        let path = dir
            .path()
            .join(crate::cli::accounts::DEFAULT_PATH)
            .join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(dir)
}
