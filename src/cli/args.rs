//! Command-line definitions (clap derive). Doc comments are the help text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  campaignctl validate campaigns/
  CAMPAIGNCTL_API_TOKEN=... campaignctl plan campaigns/
  CAMPAIGNCTL_API_TOKEN=... campaignctl apply --auto-approve campaigns/
  campaignctl demo                      # plan and apply campaigns/ against a built-in emulator

Environment:
  CAMPAIGNCTL_API_URL     platform API base URL (default https://app.autocalls.ai/api)
  CAMPAIGNCTL_API_TOKEN   API token (or --token-file); never printed or logged
  RUST_LOG                log verbosity, e.g. RUST_LOG=debug (logs go to stderr)
  NO_COLOR                disable colour

Exit codes: 0 success, 1 error (invalid manifests, API errors, failed creates, usage errors).";

/// Campaigns-as-code for an outbound AI phone-calling platform.
///
/// campaignctl reads campaign manifests (YAML), lists what exists through the platform API,
/// shows a plan and applies it, the way Terraform does for infrastructure.
#[derive(Debug, Parser)]
#[command(name = "campaignctl", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Platform API base URL. Plain http:// is refused unless the host is loopback.
    #[arg(
        long,
        env = "CAMPAIGNCTL_API_URL",
        default_value = "https://app.autocalls.ai/api",
        global = true
    )]
    pub api_url: String,

    /// Read the API token from FILE instead of the CAMPAIGNCTL_API_TOKEN environment variable.
    #[arg(long, value_name = "FILE", global = true)]
    pub token_file: Option<PathBuf>,

    /// Seconds before one API request times out.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600), global = true)]
    pub timeout: u64,

    /// When to colour the output. `auto` colours only on a terminal and honours NO_COLOR.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,

    /// Base delay of the retry backoff, in milliseconds (default 250). Hidden: it exists so
    /// fault-injection tests run in seconds; production runs keep the default.
    #[arg(long, hide = true, value_name = "MS", env = "CAMPAIGNCTL_RETRY_BASE_DELAY_MS", value_parser = clap::value_parser!(u64).range(1..=60_000), global = true)]
    pub retry_base_delay_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests offline: syntax, fields and every documented API rule.
    #[command(
        after_help = "Example:\n  campaignctl validate campaigns/ extra/q4.yaml\n\nExit codes: 0 valid, 1 invalid."
    )]
    Validate(ValidateArgs),

    /// Compare the manifests with the platform and print the plan. Changes nothing.
    #[command(
        after_help = "Examples:\n  campaignctl plan\n  campaignctl plan campaigns/ --format json > plan.json\n\nSymbols: + create, ~ drifted (reported only), = unchanged, ? unmanaged (never touched).\nExit codes: 0 plan computed, 1 error."
    )]
    Plan(PlanArgs),

    /// Plan afresh, show the plan, confirm, and create the missing campaigns.
    #[command(
        after_help = "Examples:\n  campaignctl apply                       # asks for confirmation on a terminal\n  campaignctl apply --auto-approve campaigns/   # CI\n\nCreating a campaign places no calls: it starts as a draft.\nExit codes: 0 everything succeeded (or nothing to do), 1 otherwise."
    )]
    Apply(ApplyArgs),

    /// Run the local platform emulator (for tests, demos and trying manifests out).
    #[command(
        after_help = "Example:\n  campaignctl emulator --listen 127.0.0.1:8080 --token dev\n  CAMPAIGNCTL_API_URL=http://127.0.0.1:8080/api CAMPAIGNCTL_API_TOKEN=dev campaignctl plan\n\nThe first line on stdout is `listening on http://ADDR/api`."
    )]
    Emulator(EmulatorArgs),

    /// Validate, plan, apply and re-plan the manifests against a built-in emulator: no account needed.
    #[command(after_help = "Example:\n  campaignctl demo campaigns/")]
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct ManifestPaths {
    /// Manifest files and directories (searched recursively for *.yaml / *.yml).
    #[arg(value_name = "PATH", default_value = "campaigns")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,

    /// Output format. `json` is stable and documented in the README.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,

    /// Apply without asking for confirmation (required when stdin is not a terminal).
    #[arg(long)]
    pub auto_approve: bool,

    /// Creates in flight at most at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,

    /// Output format of the plan and the results.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The API token clients must send.
    #[arg(long, value_name = "T", env = "CAMPAIGNCTL_EMULATOR_TOKEN", hide_env_values = true, default_value = crate::emulator::DEFAULT_TOKEN)]
    pub token: String,

    /// Load this account (YAML or JSON) instead of the built-in demo account.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,

    /// Keep the emulator's state in FILE across restarts.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Campaigns the account may hold before creates get 403.
    #[arg(long, value_name = "N")]
    pub campaign_limit: Option<usize>,

    /// Added latency per request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,

    /// Probability (0..1) that a request fails with 500 before it is handled.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    pub error_rate: f64,

    /// Requests per second before 429 with Retry-After, e.g. `5/s`.
    #[arg(long, value_name = "N/s", value_parser = crate::emulator::parse_rate_limit)]
    pub rate_limit: Option<f64>,

    /// Probability (0..1) that a write is performed and its connection then closed unanswered.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    pub drop_rate: f64,

    /// Seed that makes the injected faults deterministic.
    #[arg(long, value_name = "N")]
    pub fault_seed: Option<u64>,
}

fn probability(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not a probability between 0 and 1"))
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
