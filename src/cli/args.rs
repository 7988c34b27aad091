//! Command-line definitions (clap derive). Doc comments are the help text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  campaignctl validate campaigns/
  CAMPAIGNCTL_API_TOKEN=... campaignctl plan campaigns/
  CAMPAIGNCTL_API_TOKEN=... campaignctl apply --auto-approve campaigns/
  campaignctl plan --out campaigns.plan && campaignctl apply campaigns.plan
  campaignctl watch campaigns/ --listen 127.0.0.1:9464   # daemon: apply on every change
  campaignctl status --tz Europe/Berlin  # where each campaign stands, windows in Berlin time
  campaignctl calendar --tz Europe/Berlin  # when the campaigns call this week, offline
  campaignctl export --out imported/    # bring an existing account under git
  campaignctl demo                      # plan and apply campaigns/ against a built-in emulator

Environment:
  CAMPAIGNCTL_API_URL     platform API base URL (default https://app.autocalls.ai/api)
  CAMPAIGNCTL_API_TOKEN   API token (or --token-file); never printed or logged
  CAMPAIGNCTL_API_HOSTS   hosts a config may send tokens to (default: the platform's, loopback)
  CAMPAIGNCTL_TOKEN_ENVS  variables its token_env may name besides CAMPAIGNCTL_* (docs/security.md)
  CAMPAIGNCTL_TOKEN_DIRS  directories its token_file may be in (default: none)
  RUST_LOG                log verbosity, e.g. RUST_LOG=debug (logs go to stderr)
  NO_COLOR                disable colour

Exit codes: 0 success, 1 error (invalid manifests, API errors, failed creates, usage errors),
            2 `plan --detailed-exitcode` found changes to make.";

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
    /// When to colour the output (`auto`: only on a terminal, and not with NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
}

/// How to reach the platform: only on the commands that talk to it (plan, apply, export, get,
/// status, watch), so the offline ones do not list options they ignore.
#[derive(Debug, Args)]
#[command(next_help_heading = "Platform API")]
pub struct ApiArgs {
    /// Platform API base URL (usually ends in /api).
    ///
    /// Plain http:// is refused unless the
    /// host is loopback. Default: https://app.autocalls.ai/api. Not with a repository config,
    /// whose accounts name their own.
    #[arg(long, env = "CAMPAIGNCTL_API_URL")]
    pub api_url: Option<String>,

    /// Read the API token from FILE instead of CAMPAIGNCTL_API_TOKEN.
    ///
    /// When both are set, the file wins. One line; a final line break is fine.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Seconds before one API request times out.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,

    /// Base delay of the retry backoff, in milliseconds (default 250). Hidden: it exists so
    /// fault-injection tests run in seconds; production runs keep the default.
    #[arg(long, hide = true, value_name = "MS", env = "CAMPAIGNCTL_RETRY_BASE_DELAY_MS", value_parser = clap::value_parser!(u64).range(1..=60_000))]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Terraform-style text.
    Text,
    /// Stable JSON (docs/json-output.md).
    Json,
    /// A pull-request comment body.
    Markdown,
    /// GitHub Actions workflow annotations.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    /// One JSON document: per account, the campaigns and files read and every problem.
    Json,
    /// GitHub Actions workflow annotations.
    Github,
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
        after_help = "Examples:\n  campaignctl plan\n  campaignctl plan campaigns/ --format json > plan.json\n  campaignctl plan --out campaigns.plan && campaignctl apply campaigns.plan\n  campaignctl plan --detailed-exitcode --format markdown > comment.md   # CI\n  campaignctl plan --base origin/main   # write-once fields as at origin/main\n\nMore with --help: the plan's symbols and the exit codes.",
        after_long_help = "Examples:\n  campaignctl plan\n  campaignctl plan campaigns/ --format json > plan.json\n  campaignctl plan --out campaigns.plan && campaignctl apply campaigns.plan\n  campaignctl plan --detailed-exitcode --format markdown > comment.md   # CI\n  campaignctl plan --base origin/main   # write-once fields as at origin/main\n\nSymbols:\n  +    create (or leads to add)\n  ~    drifted (reported only), lead variables to update, or an assistant\n       updated in place\n  -/+  replace a draft (delete, then create)\n  -    delete (WILL DELETE), or stop\n  =    unchanged\n  ?    unmanaged (never touched unless --prune-prefix)\n  !    WILL START CALLING (in yellow: a status apply cannot act on)\n\nExit codes:\n  0  plan computed (with --detailed-exitcode: nothing to apply)\n  1  error\n  2  with --detailed-exitcode: campaigns to create, replace or delete, leads to add\n     or update, a status to change, an assistant to create, update or delete.\n     Unmanaged campaigns do not count; what apply\n     cannot act on is a warning, not a change (--deny-warnings fails on it)."
    )]
    Plan {
        #[command(flatten)]
        args: PlanArgs,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Plan afresh, show the plan, confirm, then create campaigns, add leads and set status.
    #[command(
        after_help = "Examples:\n  campaignctl apply                              # asks on a terminal\n  campaignctl apply --auto-approve campaigns/    # CI: writes, never starts calling\n  campaignctl apply --auto-approve --allow-start campaigns/   # CI that may start\n  campaignctl apply --auto-approve campaigns.plan   # exactly a saved plan, or refused\n\nMore with --help: what needs which approval, and the exit codes.",
        after_long_help = "Examples:\n  campaignctl apply                              # asks on a terminal\n  campaignctl apply --auto-approve campaigns/    # CI: writes, never starts calling\n  campaignctl apply --auto-approve --allow-start campaigns/   # CI that may start\n  campaignctl apply --auto-approve campaigns.plan   # exactly a saved plan, or refused\n\nCreating a campaign places no calls: it starts as a draft. A manifest with\n`status: running` starts its campaign after its leads are added: that needs\n--allow-start (or its own answer on a terminal); --auto-approve alone holds it and\nsays so. Deleting (status: deleted, --prune-prefix, replacing a drifted draft) needs\n--allow-delete, on a terminal its own answer; a saved plan needs the flag.\n\nExit codes:\n  0  everything approved succeeded (held operations are reported, not failures)\n  1  otherwise: a failure, an unknown outcome, an interrupt"
    )]
    Apply {
        #[command(flatten)]
        args: ApplyArgs,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Run as a daemon: apply the manifests at start, on every change, and every --interval.
    #[command(after_help = WATCH_HELP)]
    Watch {
        #[command(flatten)]
        args: WatchArgs,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// List the account's assistants or phone numbers: the names manifests refer to.
    #[command(
        after_help = "Examples:\n  campaignctl get assistants\n  campaignctl get numbers --format json\n  campaignctl get assistants --account acme   # one account of campaignctl.yaml"
    )]
    Get {
        #[command(flatten)]
        args: GetArgs,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// One line per campaign: platform status, in line with its manifest or not, leads by
    /// status, calling window. Changes nothing.
    #[command(after_help = STATUS_HELP)]
    Status {
        #[command(flatten)]
        args: StatusArgs,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// A week grid of when the campaigns may call, in one time zone, with the lines they may
    /// use at once. Offline unless --include-remote.
    #[command(
        after_help = "Examples:\n  campaignctl calendar                         # this week, in the local zone\n  campaignctl calendar --tz America/New_York --week 2027-W11\n  campaignctl calendar --all --format markdown >> comment.md\n  campaignctl calendar --format json | jq '.peak'\n\nOnly campaigns declared `status: running` are shown unless --all is given. A cell marked !\nreaches into quiet hours (before 08:00 or after 21:00 in the campaign's own zone), as the\ncalling-hours lint of `validate` warns."
    )]
    Calendar {
        #[command(flatten)]
        args: CalendarArgs,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Write every remote campaign and assistant as a manifest pinned by id, to bring an account under git.
    #[command(
        after_help = "Examples:\n  campaignctl export --out campaigns/imported/\n  campaignctl export > everything.yaml\n  campaignctl plan campaigns/imported/      # right after: no creates, no drift\n\nThe lists do not return a campaign's assistant_id and other write-once fields, nor an\nassistant's mode and models, so exported manifests adopt with `id:` and a comment names\nwhat is missing. With --out, assistants go to DIR/assistants/ and their prompts to\nDIR/assistants/prompts/, one text file each; on stdout prompts stay inline."
    )]
    Export {
        #[command(flatten)]
        args: ExportArgs,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Print the JSON Schema of the manifest format, or of campaignctl.yaml (for editors).
    #[command(
        after_help = "Examples:\n  campaignctl schema > campaign.schema.json\n  # then start each manifest with:\n  # yaml-language-server: $schema=./campaign.schema.json\n  campaignctl schema --config > campaignctl.schema.json   # for campaignctl.yaml"
    )]
    Schema(SchemaArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  campaignctl completions bash > ~/.local/share/bash-completion/completions/campaignctl\n  campaignctl completions zsh > ~/.zfunc/_campaignctl\n  campaignctl completions fish > ~/.config/fish/completions/campaignctl.fish"
    )]
    Completions(CompletionsArgs),
    /// Run the local platform emulator (for tests, demos and trying manifests out).
    #[command(
        after_help = "Example:\n  campaignctl emulator --listen 127.0.0.1:8080 --token dev\n  CAMPAIGNCTL_API_URL=http://127.0.0.1:8080/api CAMPAIGNCTL_API_TOKEN=dev campaignctl plan\n\nThe first line on stdout is `listening on http://ADDR/api`."
    )]
    Emulator(EmulatorArgs),
    /// Validate, plan, apply and re-plan the manifests against a built-in emulator: no account needed.
    #[command(after_help = "Example:\n  campaignctl demo campaigns/")]
    Demo(DemoArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ManifestPaths {
    /// Manifest files and directories (default: `campaigns`, or the config's paths).
    ///
    /// Directories are searched recursively for *.yaml / *.yml. With a repository config, the
    /// default is every selected account's paths.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// The repository config and the accounts to run against.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Accounts")]
pub struct AccountArgs {
    /// The repository config (default: the campaignctl.yaml here or above).
    ///
    /// Without it, the campaignctl.yaml found in the working directory or above it is used.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Only this account of the config (repeatable; default: every account).
    #[arg(long = "account", value_name = "NAME")]
    pub accounts: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,

    #[command(flatten)]
    pub accounts: AccountArgs,

    /// Output format. Annotations are also printed when GITHUB_ACTIONS=true.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text, help_heading = "Output")]
    pub format: ValidateFormat,

    #[command(flatten)]
    pub lint: LintArgs,
}

/// What part of the manifests a plan or apply covers, and how much of it is shown.
#[derive(Debug, Clone, Args)]
pub struct ScopeArgs {
    /// Plan and apply only the campaigns with this name or glob (repeatable).
    ///
    /// A glob pattern (`'Q4 *'`) matches several. A target that matches no campaign of the manifests is an error.
    /// Unmanaged campaigns are not listed: the rest of the account is not planned.
    #[arg(help_heading = "Selection", long = "target", value_name = "NAME")]
    pub targets: Vec<String>,

    /// List unchanged and unmanaged campaigns too.
    ///
    /// By default unchanged campaigns are only counted in the summary line, and unmanaged ones
    /// summed up; this lists them with their leads and status.
    #[arg(help_heading = "Output", short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Treat warnings as errors (exit 1).
    ///
    /// Warnings are the calling-hours lint, campaigns apply cannot act on, and others.
    #[arg(help_heading = "Output", long)]
    pub deny_warnings: bool,
}

/// Removals: `--prune-prefix` and its guard, for plan, apply and watch alike.
#[derive(Debug, Clone, Args)]
pub struct LifecycleArgs {
    /// Delete undeclared drafts without leads whose name starts with PREFIX.
    ///
    /// Only drafts that no manifest declares are deleted (the prefix marks what campaignctl owns; it must end in a separator, such as
    /// `prod-` or `team/`). A campaign that has run or holds leads is kept and counted in one
    /// line (see --prune-history). Needs all of the account's manifests, and holds every
    /// deletion while a manifest file or path has a problem. Deleting needs --allow-delete.
    #[arg(help_heading = "Deleting", long, value_name = "PREFIX", value_parser = prune_prefix)]
    pub prune_prefix: Option<String>,

    /// With --prune-prefix: also campaigns that have run or hold leads.
    ///
    /// Also with the config's prune_prefix. Their call history goes with them. Still needs --allow-delete and
    /// counts toward --max-deletes. Without it, only `status: deleted` deletes such a campaign.
    #[arg(help_heading = "Deleting", long)]
    pub prune_history: bool,

    /// Refuse a plan that deletes more than N campaigns.
    ///
    /// Deletes, prunes and replacements of drafts count; the refusal names them.
    #[arg(help_heading = "Deleting", long, value_name = "N", default_value_t = crate::reconcile::lifecycle::DEFAULT_MAX_DELETES)]
    pub max_deletes: usize,

    /// Compare write-once fields with the manifests at REF (default: automatic).
    ///
    /// Write-once fields (assistant, timezone, phone numbers, retry flags, goal variable) are
    /// never returned by the platform. REF is a branch, tag or commit: a changed draft is replaced, a change to a campaign that has
    /// run is an error. Without it they are compared anyway, per campaign with the first that
    /// knows it: the record of what was applied (refs/campaignctl/applied/), the merge-base of
    /// HEAD and CAMPAIGNCTL_BASE, GITHUB_BASE_REF (as origin/BRANCH) or
    /// CI_MERGE_REQUEST_TARGET_BRANCH_NAME, the commit a push started from (GitHub's push
    /// event, CI_COMMIT_BEFORE_SHA), else HEAD; the plan says which. `watch` starts from REF
    /// (read once), then compares with the values it applied.
    #[arg(help_heading = "Write-once fields and starts", long, value_name = "REF", value_parser = base_revision)]
    pub base: Option<String>,

    /// Restart what a person stopped when the manifest says running (calls).
    ///
    /// WARNING: places calls a person may have stopped. Start every campaign whose manifest
    /// says `status: running` and that is stopped or paused, or that was deleted by hand,
    /// even when campaignctl started it before and someone stopped it since (an emergency
    /// stop in the dashboard). Without it a person's stop wins: a campaign is started only
    /// when git asks for it (it is new, or its `status:` changed since what campaignctl last
    /// carried out, as recorded under refs/campaignctl/applied/ in the repository). Give it to
    /// `plan` too, so that the plan shows what apply will do. With `watch`, it also changes an
    /// assistant edited in the dashboard back to its manifest (without it, watch leaves such
    /// an edit and says so; plan and apply always change it back).
    #[arg(help_heading = "Write-once fields and starts", long)]
    pub self_heal_calls: bool,
}

impl LifecycleArgs {
    pub fn options(&self) -> crate::reconcile::lifecycle::LifecycleOptions {
        crate::reconcile::lifecycle::LifecycleOptions {
            prune_prefix: self.prune_prefix.clone(),
            prune_history: self.prune_history,
            max_deletes: self.max_deletes,
            base: self
                .base
                .clone()
                .map(|given| crate::reconcile::lifecycle::BaseRevision {
                    given,
                    commit: None,
                }),
            baseline: None,
            baseline_from: Default::default(),
            self_heal_calls: self.self_heal_calls,
            applied: Default::default(),
            holds: Vec::new(),
            prunes_confirmed: None,
            assistants_seen: None,
        }
    }
}

fn base_revision(s: &str) -> Result<String, String> {
    crate::manifest::check_revision(s).map(|()| s.to_owned())
}

/// A prefix that marks a namespace (`lifecycle::check_prune_prefix`).
fn prune_prefix(s: &str) -> Result<String, String> {
    crate::reconcile::lifecycle::check_prune_prefix(s).map(|()| s.to_owned())
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,

    #[command(flatten)]
    pub accounts: AccountArgs,

    #[command(flatten)]
    pub scope: ScopeArgs,

    /// Output format.
    ///
    /// `json` is stable (docs/json-output.md); annotations are also
    /// printed when GITHUB_ACTIONS=true.
    #[arg(help_heading = "Output", long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Save the plan to FILE for `campaignctl apply FILE`.
    ///
    /// No token is written to it.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// The instant whose week the Markdown plan's calendar shows (RFC 3339). Hidden: it
    /// exists so tests are reproducible; runs keep the clock.
    #[arg(long, hide = true, value_name = "RFC3339", env = "CAMPAIGNCTL_NOW", value_parser = instant)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,

    /// Exit 2 when apply has something to do, 0 when not, 1 on error.
    ///
    /// Exit 2 when apply has something to do (campaigns to create, replace or delete, leads to
    /// add or update, a status to change; unmanaged campaigns do not count). What apply cannot act on (drift on a campaign that has run, a status it does
    /// not know, a start left alone) is a warning, not a change: --deny-warnings fails on it.
    /// 0 vouches only for what was compared: when no baseline for write-once fields could be
    /// had (no git repository, no record of what was applied), the plan says on one line which
    /// campaigns' write-once fields were not compared, and does not say "No changes"; pass
    /// --base REF, or run in the manifests' repository.
    #[arg(help_heading = "Output", long)]
    pub detailed_exitcode: bool,

    #[command(flatten)]
    pub lint: LintArgs,

    #[command(flatten)]
    pub lifecycle: LifecycleArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Manifest files and directories, or one saved plan file (`plan --out`), recognised by
    /// its content.
    #[command(flatten)]
    pub manifests: ManifestPaths,

    #[command(flatten)]
    pub accounts: AccountArgs,

    /// Apply without asking (needed without a terminal); places no calls by itself.
    ///
    /// Does not approve placing calls (see --allow-start) or destroying data (--allow-delete).
    #[arg(help_heading = "Approvals", long)]
    pub auto_approve: bool,

    /// Approve placing real phone calls: starts, leads added to running campaigns.
    ///
    /// Without it, --auto-approve holds them and says so; on a
    /// terminal they are asked for separately.
    #[arg(help_heading = "Approvals", long)]
    pub allow_start: bool,

    /// Approve what destroys data: deletes, and replacing drafts.
    ///
    /// Deletes come from `status: deleted` and --prune-prefix; a draft is replaced by a delete,
    /// then a create. Without it those are held and reported; on a
    /// terminal they are asked for separately. A saved plan needs it too.
    #[arg(help_heading = "Approvals", long)]
    pub allow_delete: bool,

    /// Operations in flight at most at once, per account.
    ///
    /// Accounts applied at once each have their own N.
    #[arg(help_heading = "Execution", long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,

    /// How long to wait for another run holding the account's lock.
    ///
    /// Another run is a `watch` daemon or another apply on this machine. 0s fails at once.
    #[arg(help_heading = "Execution", long, value_name = "DURATION", default_value = "5m", value_parser = lock_timeout)]
    pub lock_timeout: std::time::Duration,

    /// Output format of the plan and the results.
    #[arg(help_heading = "Output", long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    // --target is refused with a saved plan: the plan file records its own targets.
    #[command(flatten)]
    pub scope: ScopeArgs,

    #[command(flatten)]
    pub lifecycle: LifecycleArgs,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The API token clients must send: --token when given, else CAMPAIGNCTL_EMULATOR_TOKEN,
    /// else the default. (CAMPAIGNCTL_API_TOKEN and --token-file are the client's, not the
    /// emulator's: it reads neither.)
    #[arg(long, value_name = "T", env = "CAMPAIGNCTL_EMULATOR_TOKEN", hide_env_values = true, default_value = campaignctl_emulator::DEFAULT_TOKEN)]
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

    /// Refuse assistant writes as a platform on the older assistant body does (a 422 naming
    /// `assistant_name`).
    #[arg(long)]
    pub older_assistant_api: bool,

    /// Added latency per request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,

    /// Probability (0..1) that a request fails with 500 before it is handled.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    pub error_rate: f64,

    /// Requests per second before 429 with Retry-After, e.g. `5/s`.
    #[arg(long, value_name = "N/s", value_parser = campaignctl_emulator::parse_rate_limit)]
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
pub struct ExportArgs {
    /// Write one manifest per campaign into DIR (created if missing), one per assistant into
    /// DIR/assistants with its prompts in files, instead of all of them to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Overwrite manifests (and the prompt files they name) that an earlier export for the
    /// same account wrote in DIR.
    #[arg(long, requires = "out")]
    pub force: bool,
}

const STATUS_HELP: &str = "\
Examples:
  campaignctl status
  campaignctl status campaigns/ --tz Europe/Berlin
  campaignctl status --format json | jq '.accounts[].campaigns[] | select(.sync != \"synced\")'

SYNC is what `plan` decides, read-only:
  Synced     nothing to apply, nothing apply cannot act on
  OutOfSync  drift, a draft to replace, leads to add or update, a status to change,
             a delete, or a status apply cannot act on (see `campaignctl plan`)
  Missing    declared, not on the platform: apply creates it
  Unmanaged  on the platform, in no manifest (listed only when every manifest is read)

WINDOW is `open` when the campaign's local time is within its calling hours on one of
its days; NEXT OPEN is the next start, in its zone and in --tz. The platform never returns
a campaign's zone: without `timezone:` in its manifest both show `?`.

Requests: the three lists `plan` reads and the account's leads, 100 a page.

Exit codes: 0 listed, 1 error (invalid manifests, an API error, a plan with errors).";

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,

    #[command(flatten)]
    pub accounts: AccountArgs,

    /// Output format (`json`: docs/json-output.md).
    #[arg(long, value_enum, default_value_t = Format::Text, help_heading = "Output")]
    pub format: Format,

    /// The zone NEXT OPEN is also shown in (default: the local zone: TZ, else the system's).
    #[arg(long, value_name = "ZONE", value_parser = time_zone, help_heading = "Output")]
    pub tz: Option<chrono_tz::Tz>,

    /// The instant to compute windows at (RFC 3339). Hidden: it exists so tests and their
    /// snapshots are reproducible; runs keep the clock.
    #[arg(long, hide = true, value_name = "RFC3339", env = "CAMPAIGNCTL_NOW", value_parser = instant)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

/// `campaignctl calendar`.
#[derive(Debug, Clone, Args)]
pub struct CalendarArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,

    #[command(flatten)]
    pub accounts: AccountArgs,

    /// The zone the grid's hours are in (default: the local zone: TZ, else the system's).
    #[arg(long, value_name = "ZONE", value_parser = time_zone, help_heading = "Output")]
    pub tz: Option<chrono_tz::Tz>,

    /// The week shown: an ISO week (2027-W12) or any date in it (2027-03-24). Default: this
    /// week in --tz.
    #[arg(long, value_name = "WEEK", value_parser = calendar_week, help_heading = "Selection")]
    pub week: Option<chrono::NaiveDate>,

    /// Also show campaigns not declared `status: running` (drafts and stopped ones).
    #[arg(long, help_heading = "Selection")]
    pub all: bool,

    /// Also read the platform (the account as `plan` does): campaigns running there are shown
    /// whatever their manifest says, and those no manifest declares are listed.
    #[arg(long, help_heading = "Selection")]
    pub include_remote: bool,

    /// Output format (`json`: docs/json-output.md).
    #[arg(long, value_enum, default_value_t = CalendarFormat::Text, help_heading = "Output")]
    pub format: CalendarFormat,

    /// The instant "this week" is computed from (RFC 3339). Hidden: for reproducible tests.
    #[arg(long, hide = true, value_name = "RFC3339", env = "CAMPAIGNCTL_NOW", value_parser = instant)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CalendarFormat {
    Text,
    Markdown,
    Json,
    /// A standalone image, of one account (choose it with --account when the config has several).
    Svg,
}

fn calendar_week(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::calendar::parse_week(s)
}

/// An IANA zone name (`Europe/Berlin`), with the closest known name when it is not one.
fn time_zone(s: &str) -> Result<chrono_tz::Tz, String> {
    s.parse::<chrono_tz::Tz>().map_err(|_| {
        let close = campaignctl_core::manifest::suggest::closest(
            s,
            chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()),
        );
        match close {
            Some(close) => format!("not an IANA time zone; did you mean {close}?"),
            None => "not an IANA time zone (such as Europe/Berlin or America/New_York)".to_owned(),
        }
    })
}

fn instant(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("not an RFC 3339 instant ({e}), such as 2026-12-02T15:00:00Z"))
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// What to list.
    #[arg(value_enum)]
    pub what: GetWhat,

    #[command(flatten)]
    pub accounts: AccountArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, help_heading = "Output")]
    pub format: Format,
}

/// What `get` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GetWhat {
    /// Assistants (inbound and outbound), by name: what `assistant:` names.
    Assistants,
    /// Phone numbers: what `phone_numbers:` names.
    Numbers,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the schema of the repository config (campaignctl.yaml) instead.
    #[arg(long)]
    pub config: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,
}

const WATCH_HELP: &str = "\
Examples:
  campaignctl watch campaigns/ --listen 127.0.0.1:9090
  campaignctl watch /git/current/campaigns --interval 1m --log-format json

Each pass loads the manifests, lists the platform, plans and creates what is missing
(auto-approved). Invalid manifests are logged and nothing is applied until they are fixed.
With --listen, the first line on stdout is `listening on http://ADDR`, and ADDR serves
/healthz, /readyz (503 with the reason when the last pass failed) and /metrics (Prometheus).
SIGINT/SIGTERM: no new passes; creates in flight may finish (at most 10 s); exit 0.";

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub manifests: ManifestPaths,

    #[command(flatten)]
    pub accounts: AccountArgs,

    /// Quiet time after a file change before a pass.
    ///
    /// A burst of saves makes one pass. At least 50ms.
    #[arg(long, value_name = "DURATION", default_value = "300ms", value_parser = debounce_duration)]
    pub debounce: std::time::Duration,

    /// Time between passes without file changes.
    ///
    /// Catches changes made in the dashboard. At least 10s.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = interval_duration)]
    pub interval: std::time::Duration,

    /// --interval without its 10s floor, for measurements and tests only (hidden): every pass
    /// lists the whole account, so a short interval only loads the platform.
    #[arg(long, value_name = "DURATION", value_parser = positive_duration, hide = true)]
    pub bench_interval: Option<std::time::Duration>,

    /// Serve /healthz, /readyz and /metrics on ADDR (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// How often a pass also reads the account's leads for /metrics' lead gauges.
    ///
    /// Only with --listen. Such a pass reads every lead (100 a page) and plans from them
    /// instead of its own lead reads; the other passes keep the last counts. The first pass
    /// always reads them.
    // In `--help` only: `-h` fits a screen (tests/it/new_user.rs), and the default suits most.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = positive_duration, hide_short_help = true)]
    pub lead_metrics_interval: std::time::Duration,

    /// Log format on stderr: human-readable text, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub log_format: Format,

    /// Creates in flight at most at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,

    /// Let `status: running` start campaigns (places real phone calls).
    ///
    /// Without it
    /// the daemon adds leads and stops campaigns, but leaves starts to `campaignctl apply`.
    #[arg(help_heading = "Approvals", long)]
    pub allow_start: bool,

    /// Let the daemon delete campaigns and replace drafts.
    ///
    /// Deletes come from `status: deleted` and --prune-prefix. Without it those are held, logged with this flag, and left for `campaignctl apply`.
    #[arg(help_heading = "Approvals", long)]
    pub allow_delete: bool,

    #[command(flatten)]
    pub lifecycle: LifecycleArgs,

    /// First wait after a failed pass; doubles per failure up to --backoff-max (tests shorten it).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = positive_duration, hide = true)]
    pub backoff_base: std::time::Duration,

    /// Longest wait after failed passes.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = positive_duration, hide = true)]
    pub backoff_max: std::time::Duration,
}

/// A duration above zero and at most a year: longer waits mean a typo, and would overflow the
/// clock arithmetic of the pass loop.
fn positive_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 30s, 5m, 1h 30m)"))?;
    if d.is_zero() {
        Err("must be longer than zero".into())
    } else if d > MAX_WAIT {
        Err("must be at most a year".into())
    } else {
        Ok(d)
    }
}

/// A `--lock-timeout`: zero (fail at once) up to a day.
fn lock_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 0s, 30s, 5m)"))?;
    if d > std::time::Duration::from_secs(86_400) {
        return Err("must be at most a day".into());
    }
    Ok(d)
}

/// The shortest `--interval`: every pass lists the whole account, so a shorter one only loads
/// the platform (a millisecond interval sent about 900 requests a second).
pub const MIN_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);
/// The shortest `--debounce`: below it one editor save (write, rename, chmod) makes several
/// passes.
pub const MIN_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(50);

/// A `--interval`: at least `MIN_INTERVAL`, at most a year.
fn interval_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = positive_duration(s)?;
    at_least(d, MIN_INTERVAL)
}

/// A `--debounce`: at least `MIN_DEBOUNCE`, at most an hour.
fn debounce_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 300ms, 2s)"))?;
    if d > std::time::Duration::from_secs(3600) {
        return Err("must be at most an hour".into());
    }
    at_least(d, MIN_DEBOUNCE)
}

fn at_least(
    d: std::time::Duration,
    min: std::time::Duration,
) -> Result<std::time::Duration, String> {
    if d < min {
        Err(format!(
            "must be at least {} (the minimum)",
            humantime::format_duration(min)
        ))
    } else {
        Ok(d)
    }
}

const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(366 * 24 * 3600);

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn watch_durations_have_minimums() {
        assert_eq!(
            interval_duration("9s"),
            Err("must be at least 10s (the minimum)".to_owned())
        );
        assert_eq!(interval_duration("10s"), Ok(MIN_INTERVAL));
        assert_eq!(
            debounce_duration("0ms"),
            Err("must be at least 50ms (the minimum)".to_owned())
        );
        assert_eq!(debounce_duration("50ms"), Ok(MIN_DEBOUNCE));
        assert_eq!(
            interval_duration("0s"),
            Err("must be longer than zero".to_owned())
        );
    }

    #[test]
    fn only_commands_that_talk_to_the_platform_take_its_options() {
        let cli = Cli::command();
        for sub in cli.get_subcommands() {
            let has = sub.get_arguments().any(|a| a.get_id() == "api_url");
            // `calendar` talks to the platform only with --include-remote.
            let online = [
                "plan", "apply", "export", "watch", "get", "status", "calendar",
            ]
            .contains(&sub.get_name());
            assert_eq!(has, online, "{} and --api-url", sub.get_name());
        }
    }
}
