//! Several accounts from one repository (issue 13): `campaignctl.yaml` declares accounts, each
//! with its own API (here: its own emulator), token, paths and defaults. The real binary runs
//! from a subdirectory of the repository with no path arguments.

use crate::support::{
    campaignctl, commit_all, git, inspect_at, Cmd, Emulator, Run, Workspace, TOKEN,
};

/// The second account's token: the emulator of the first one would refuse it.
const BETA_TOKEN: &str = "tok_beta_account_2b8d";

fn manifest(name: &str, extra: &str) -> String {
    format!("kind: Campaign\nname: {name}\nassistant_id: 7\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n{extra}")
}

/// A repository with accounts `acme` (timezone and retries by default) and `beta`, each on its
/// own emulator.
fn repository(acme: &Emulator, beta: &Emulator) -> Workspace {
    let ws = Workspace::new();
    // The config is found up to the repository's top, never above it.
    git(&ws, &["init", "-q"]);
    ws.write(
        "campaignctl.yaml",
        format!(
            "# two clients of the agency\naccounts:\n  acme:\n    api_url: {}\n    token_env: ACME_TOKEN\n    paths: [accounts/acme]\n    defaults:\n      timezone: America/Chicago\n      max_retries: 4\n  beta:\n    api_url: {}\n    token_file: secrets/beta.token\n    paths: [accounts/beta]\n",
            acme.url, beta.url
        ),
    );
    ws.write("secrets/beta.token", format!("{BETA_TOKEN}\n"));
    ws.write("accounts/acme/a.yaml", manifest("Acme one", ""));
    ws.write(
        "accounts/acme/b.yaml",
        manifest("Acme two", "max_retries: 5\n"),
    );
    ws.write("accounts/beta/b.yaml", manifest("Beta one", ""));
    ws
}

/// campaignctl in `dir` of the workspace with the accounts' tokens, and no API flags.
fn run_in(ws: &Workspace, dir: &str, args: &[&str]) -> Run {
    trusting(campaignctl(&ws.path().join(dir), None), ws)
        .env("ACME_TOKEN", TOKEN)
        .args(args)
        .run()
}

/// `cmd` in an environment that lets `ws`'s config read `ACME_TOKEN` (not `CAMPAIGNCTL_*`) and
/// token files in `ws/secrets`: a repository config may not, by default (issue 18).
fn trusting(cmd: Cmd, ws: &Workspace) -> Cmd {
    cmd.env("CAMPAIGNCTL_TOKEN_ENVS", "ACME_TOKEN").env(
        "CAMPAIGNCTL_TOKEN_DIRS",
        &ws.path().join("secrets").to_string_lossy(),
    )
}

fn beta_emulator() -> Emulator {
    Emulator::start_as("127.0.0.1:0", BETA_TOKEN, &[])
}

#[test]
fn two_accounts_are_planned_and_applied_with_one_command_each_getting_only_its_own_campaigns() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    std::fs::create_dir_all(ws.path().join("accounts/acme/deep")).expect("mkdir");

    let plan = run_in(&ws, "accounts/acme/deep", &["plan", "--detailed-exitcode"]);
    plan.assert_code(2)
        .assert_stdout("Account acme (")
        .assert_stdout("Account beta (")
        .assert_stdout("Accounts: 2 account(s); with changes: acme, beta.");

    run_in(&ws, "accounts", &["apply", "--auto-approve"]).assert_code(0);
    assert_eq!(acme.campaign_names(), ["Acme one", "Acme two"]);
    assert_eq!(beta.campaign_names(), ["Beta one"]);

    // The account's defaults, with a manifest's own value winning.
    let field = |emu: &Emulator, name: &str, key: &str| {
        emu.campaigns()
            .into_iter()
            .find(|c| c["name"] == name)
            .map(|c| c[key].clone())
            .unwrap_or_default()
    };
    assert_eq!(field(&acme, "Acme one", "timezone"), "America/Chicago");
    assert_eq!(field(&acme, "Acme one", "max_retries"), 4);
    assert_eq!(
        field(&acme, "Acme two", "max_retries"),
        5,
        "the manifest wins"
    );
    assert_ne!(
        field(&beta, "Beta one", "timezone"),
        "America/Chicago",
        "acme's defaults are not beta's"
    );
    assert_ne!(field(&beta, "Beta one", "max_retries"), 4);

    let again = run_in(&ws, ".", &["plan", "--detailed-exitcode"]);
    again.assert_code(0);
    assert!(
        !again.stdout.contains("default"),
        "defaults that change nothing add nothing to the plan:\n{}",
        again.stdout
    );
}

#[test]
fn account_narrows_to_the_named_accounts_and_an_unknown_name_is_refused() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    run_in(&ws, ".", &["apply", "--auto-approve", "--account", "beta"]).assert_code(0);
    assert_eq!(
        acme.campaign_names(),
        Vec::<String>::new(),
        "acme untouched"
    );
    assert_eq!(beta.campaign_names(), ["Beta one"]);

    run_in(&ws, ".", &["plan", "--account", "acm"])
        .assert_code(1)
        .assert_stderr("no account \"acm\"")
        .assert_stderr("did you mean `acme`?");
    // A path picks its account, and only the part of it named.
    run_in(&ws, ".", &["plan", "accounts/acme/a.yaml"])
        .assert_code(0)
        .assert_stdout("Account acme (")
        .assert_stdout("\"Acme one\" will be created")
        .assert_stdout("Only part of the account was planned");
    let stray = run_in(&ws, ".", &["plan", "secrets"]);
    stray.assert_code(1).assert_stderr("belongs to no account");
    assert_eq!(acme.campaign_names(), Vec::<String>::new());
}

#[test]
fn a_bad_default_is_reported_at_its_config_line_and_nothing_is_planned() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    let config = std::fs::read_to_string(ws.path().join("campaignctl.yaml")).expect("config");
    ws.write(
        "campaignctl.yaml",
        config.replace("timezone: America/Chicago", "timezone: America/Gotham"),
    );
    let run = run_in(&ws, "accounts", &["plan"]);
    run.assert_code(1)
        .assert_only_stderr("campaignctl.yaml:8:17: error: timezone")
        .assert_stderr("is invalid (1 error(s)); nothing was done");
    assert_eq!(acme.stats()["requests"], 0, "nothing was read: {}", run);

    // A problem with a defaulted value is reported where the default is written.
    ws.write(
        "campaignctl.yaml",
        config.replace(
            "max_retries: 4",
            "max_retries: 4\n      allowed_hours_start_time: \"06:00\"",
        ),
    );
    ws.write(
        "accounts/acme/early.yaml",
        "kind: Campaign\nname: Early\nassistant_id: 7\n",
    );
    run_in(&ws, ".", &["validate"])
        .assert_code(0)
        .assert_only_stderr("campaignctl.yaml:10:33: warning:");
}

#[test]
fn a_saved_plan_covers_every_account_it_was_made_for_and_is_applied_whole_or_not_at_all() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    run_in(&ws, ".", &["plan", "--out", "all.plan"])
        .assert_code(0)
        .assert_stderr("Saved the plan of accounts acme, beta to all.plan");

    // One account's inputs changed since: the file is refused whole, and neither account is
    // written, not even the one whose plan still holds.
    ws.write(
        "accounts/beta/b.yaml",
        manifest("Beta one", "max_retries: 2\n"),
    );
    run_in(&ws, "secrets", &["apply", "--auto-approve", "../all.plan"])
        .assert_code(1)
        .assert_stderr("account beta: the saved plan ../all.plan is stale: the manifests under")
        .assert_stderr("1 of its 2 account(s) did not check; no account was applied");
    assert_eq!(acme.stats()["campaign_create_requests"], 0);
    assert_eq!(beta.stats()["campaign_create_requests"], 0);

    // Back as planned: applied from elsewhere, with no account flags, each account with its
    // own API, token and defaults.
    ws.write("accounts/beta/b.yaml", manifest("Beta one", ""));
    let applied = run_in(&ws, "secrets", &["apply", "--auto-approve", "../all.plan"]);
    applied
        .assert_code(0)
        .assert_stdout("Accounts: 2 account(s).");
    assert_eq!(acme.campaign_names(), ["Acme one", "Acme two"]);
    assert_eq!(beta.campaign_names(), ["Beta one"]);
    let one = acme
        .campaigns()
        .into_iter()
        .find(|c| c["name"] == "Acme one")
        .expect("Acme one");
    assert_eq!(
        one["timezone"], "America/Chicago",
        "with the account's defaults"
    );
}

#[test]
fn account_selects_part_of_a_saved_plan_and_an_account_it_lacks_is_refused() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    run_in(&ws, ".", &["plan", "--out", "all.plan"]).assert_code(0);
    run_in(
        &ws,
        ".",
        &["apply", "--auto-approve", "--account", "gamma", "all.plan"],
    )
    .assert_code(1)
    .assert_stderr("all.plan has no plan for account gamma; it holds account(s) acme, beta");
    run_in(
        &ws,
        ".",
        &["apply", "--auto-approve", "--account", "acme", "all.plan"],
    )
    .assert_code(0);
    assert_eq!(acme.campaign_names(), ["Acme one", "Acme two"]);
    assert_eq!(beta.campaign_names(), Vec::<String>::new());
    // The other account's plan in the file still holds, and is applied on its own.
    run_in(
        &ws,
        ".",
        &["apply", "--auto-approve", "--account", "beta", "all.plan"],
    )
    .assert_code(0);
    assert_eq!(beta.campaign_names(), ["Beta one"]);
    // Applied twice, the file is stale for the account that has it all already.
    run_in(&ws, ".", &["apply", "--auto-approve", "all.plan"])
        .assert_code(1)
        .assert_stderr(
            "account acme: the saved plan all.plan is stale: the campaigns on the platform changed",
        );
}

#[test]
fn accounts_are_applied_at_once_each_result_named_by_its_account() {
    // Every request takes 400 ms, so that two accounts applied one after the other could
    // never have requests in flight at the same moment.
    let acme = Emulator::start_with(&["--latency", "400"]);
    let beta = Emulator::start_as("127.0.0.1:0", BETA_TOKEN, &["--latency", "400"]);
    let ws = repository(&acme, &beta);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (acme_at, beta_at, done) = (acme.addr.clone(), beta.addr.clone(), done.clone());
        std::thread::spawn(move || {
            // Busy executing: a create was answered, and a request is in flight (the next
            // create, or the list that verifies them). The plans' reads, made at once too,
            // come before any create and do not count.
            let executing = |addr: &str| {
                let stats = inspect_at(addr, "/_emulator/stats");
                stats["campaign_create_requests"].as_u64().unwrap_or(0) > 0
                    && stats["in_flight"].as_u64().unwrap_or(0) > 0
            };
            let mut both = false;
            while !done.load(std::sync::atomic::Ordering::SeqCst) && !both {
                both = executing(&acme_at) && executing(&beta_at);
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            both
        })
    };
    let applied = run_in(&ws, ".", &["apply", "--auto-approve"]);
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let overlapped = watcher.join().expect("watcher");
    applied.assert_code(0);
    assert_eq!(acme.campaign_names(), ["Acme one", "Acme two"]);
    assert_eq!(beta.campaign_names(), ["Beta one"]);
    assert!(
        overlapped,
        "both accounts were executing at once (they were applied one after the other):\n{}",
        applied
    );
    // Each result is printed as it happens, after its account's name (a run killed midway
    // still leaves a record), and each account's summary under its header.
    let out = &applied.stdout;
    for line in [
        "acme |   + \"Acme one\": created",
        "acme |   + \"Acme two\": created",
        "beta |   + \"Beta one\": created",
    ] {
        assert!(out.contains(line), "stdout lacks {line:?}:\n{out}");
    }
    for (account, created) in [("acme", 2), ("beta", 1)] {
        let block = format!("Account {account} (");
        let at = out
            .find(&block)
            .and_then(|plan| out[plan + 1..].find(&block).map(|i| i + plan + 1))
            .unwrap_or_else(|| panic!("no results block for {account} after its plan:\n{out}"));
        let summary = out[at..].lines().nth(1).unwrap_or_default();
        assert_eq!(
            summary,
            format!("Apply complete: {created} created, 0 failed."),
            "{account}'s summary under its header:\n{out}"
        );
    }
}

#[test]
fn api_flags_are_refused_with_a_config_and_a_missing_token_names_its_variable() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    campaignctl(ws.path(), Some(&acme))
        .args(["plan"])
        .run()
        .assert_code(1)
        .assert_stderr("do not apply with it");
    trusting(campaignctl(ws.path(), None), &ws)
        .args(["plan"])
        .run()
        .assert_code(1)
        .assert_stderr(
            "account acme: no API token: the environment variable ACME_TOKEN is not set",
        );
    // A token the platform refuses: the hint names where this account's token is set, not the
    // variables of a run without a config.
    let refused = trusting(campaignctl(ws.path(), None), &ws)
        .env("ACME_TOKEN", "tok_not_this_accounts_token")
        .args(["plan", "--account", "acme"])
        .run();
    refused
        .assert_code(1)
        .assert_only_stderr("hint: check ACME_TOKEN (the token_env of account acme, ")
        .assert_stderr("campaignctl.yaml:3:3) and that the api_url of account acme (");
    refused.assert_nowhere("CAMPAIGNCTL_API_TOKEN");
    // The config is never read as a manifest, even when its directory is planned.
    run_in(&ws, ".", &["validate", "."])
        .assert_code(0)
        .assert_stdout("Account acme:\n2 campaign(s) in 2 file(s) are valid.")
        .assert_stdout("Account beta:\n1 campaign(s) in 1 file(s) are valid.");
}

/// `--base` reads the manifests at REF with the defaults the config had there: an unchanged
/// repository compares equal (a default is not a change), and a default timezone changed since
/// REF replaces the drafts it fills.
#[test]
fn base_compares_with_the_defaults_the_config_had_at_that_revision() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    commit_all(&ws, "two accounts");
    run_in(&ws, ".", &["apply", "--auto-approve", "--account", "acme"]).assert_code(0);
    run_in(
        &ws,
        ".",
        &[
            "plan",
            "--account",
            "acme",
            "--base",
            "HEAD",
            "--detailed-exitcode",
        ],
    )
    .assert_code(0);

    let config = std::fs::read_to_string(ws.path().join("campaignctl.yaml")).expect("config");
    ws.write(
        "campaignctl.yaml",
        config.replace("timezone: America/Chicago", "timezone: America/Denver"),
    );
    let plan = run_in(&ws, ".", &["plan", "--account", "acme", "--base", "HEAD"]);
    plan.assert_code(0)
        .assert_stdout("-/+ campaign \"Acme one\"")
        .assert_stdout(
            "timezone = \"America/Chicago\" -> \"America/Denver\"   # forces replacement (write-once, at HEAD (commit ",
        );
}

/// The config chooses where tokens go, so only the config in effect counts: a saved plan that
/// names another config is refused, a path under another repository's config is refused, and
/// a symlink cannot make one account's manifests another's.
#[test]
fn tokens_go_only_where_the_config_in_effect_says() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    run_in(
        &ws,
        ".",
        &["plan", "--account", "acme", "--out", "acme.plan"],
    )
    .assert_code(0);
    // A second repository with its own config, made from the same files.
    let other = Workspace::new();
    git(&other, &["init", "-q"]);
    let config = std::fs::read_to_string(ws.path().join("campaignctl.yaml")).expect("config");
    other.write("campaignctl.yaml", &config);
    other.write("accounts/acme/a.yaml", manifest("Acme one", ""));
    trusting(campaignctl(other.path(), None), &other)
        .env("ACME_TOKEN", TOKEN)
        .args(["apply", "--auto-approve"])
        .arg_path(&ws.path().join("acme.plan"))
        .run()
        .assert_code(1)
        .assert_stderr("is in effect here; nothing was applied");
    trusting(campaignctl(other.path(), None), &other)
        .env("ACME_TOKEN", TOKEN)
        .args(["plan"])
        .arg_path(&ws.path().join("accounts/acme"))
        .run()
        .assert_code(1)
        .assert_stderr("which is not the one in effect here");
    assert_eq!(acme.campaign_names(), Vec::<String>::new());

    // beta's directory links to acme's manifests: they are not beta's.
    std::os::unix::fs::symlink("../acme", ws.path().join("accounts/beta/shared")).expect("symlink");
    run_in(&ws, ".", &["plan", "--account", "beta"])
        .assert_code(1)
        .assert_stderr("under another account's path");
    assert_eq!(beta.campaign_names(), Vec::<String>::new());
}

#[test]
fn targets_narrow_across_accounts_and_a_path_inside_another_path_keeps_its_own_defaults() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    let config = std::fs::read_to_string(ws.path().join("campaignctl.yaml")).expect("config");
    ws.write(
        "campaignctl.yaml",
        config
            .replace(
                "paths: [accounts/acme]",
                "paths: [accounts/acme, {path: accounts/acme/eu, defaults: {timezone: Europe/Berlin}}]",
            )
            .replace("    token_file: secrets/beta.token\n", "    token_file: secrets/beta.token\n    prune_prefix: \"Beta-\"\n"),
    );
    ws.write("accounts/acme/eu/e.yaml", manifest("Acme EU", ""));
    // A target that only acme has: beta (which prunes) is left out, not failed.
    run_in(
        &ws,
        ".",
        &["apply", "--auto-approve", "--target", "Acme EU"],
    )
    .assert_code(0);
    assert_eq!(acme.campaign_names(), ["Acme EU"]);
    assert_eq!(beta.campaign_names(), Vec::<String>::new());
    let eu = acme
        .campaigns()
        .into_iter()
        .find(|c| c["name"] == "Acme EU")
        .expect("Acme EU");
    assert_eq!(
        eu["timezone"], "Europe/Berlin",
        "the inner path's default wins"
    );
    run_in(&ws, ".", &["plan", "--target", "Nobody *"])
        .assert_code(1)
        .assert_stderr("matches no campaign of the selected accounts");
    run_in(&ws, ".", &["validate", "nonexistent.yaml"])
        .assert_code(1)
        .assert_stderr("belongs to no account");
}

/// `plan` reads the accounts' lists at once, but never for an account whose manifests are
/// invalid: "nothing was sent to the platform" stays true for it, while the others are planned.
#[test]
fn an_account_with_invalid_manifests_gets_no_request_while_the_others_are_planned() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    ws.write(
        "accounts/acme/a.yaml",
        manifest("Acme one", "max_retries: 99\n"),
    );
    let run = run_in(&ws, ".", &["plan"]);
    run.assert_code(1)
        .assert_stderr("max_retries must be between")
        .assert_stdout("\"Beta one\" will be created");
    assert_eq!(acme.stats()["requests"], 0, "{}", run);
    assert!(beta.stats()["requests"].as_u64().unwrap_or(0) > 0);
}

/// One interrupt stops the whole run: every account being applied stops between operations,
/// and none starts another.
#[test]
fn an_interrupt_stops_every_account_between_operations() {
    // Both answer slowly and run one operation at a time, so the signal arrives while each
    // has its first create in flight and a second one waiting.
    let acme = Emulator::start_with(&["--latency", "700"]);
    let beta = Emulator::start_as("127.0.0.1:0", BETA_TOKEN, &["--latency", "700"]);
    let ws = repository(&acme, &beta);
    ws.write("accounts/beta/c.yaml", manifest("Beta two", ""));
    let mut child = trusting(campaignctl(ws.path(), None), &ws)
        .env("ACME_TOKEN", TOKEN)
        .args(["apply", "--auto-approve", "--parallelism", "1"])
        .spawn();
    let creates = |emu: &Emulator| {
        emu.stats()["campaign_create_requests"]
            .as_u64()
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while creates(&acme) < 1 || creates(&beta) < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the accounts never both got a create"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let status = child.wait().expect("wait");
    let mut out = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut out);
    let mut err = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err);
    assert_eq!(status.code(), Some(1), "{out}\n{err}");
    for name in ["acme", "beta"] {
        assert!(
            err.contains(&format!("the apply of account {name} was interrupted")),
            "{err}"
        );
    }
    assert_eq!(
        err.matches("interrupted: no new operation starts").count(),
        1,
        "said once for the run: {err}"
    );
    assert_eq!(
        (creates(&acme), creates(&beta)),
        (1, 1),
        "no account started its second create after the interrupt:\n{out}\n{err}"
    );
    assert!(
        out.contains("not started: the run was interrupted"),
        "the report names what did not run:\n{out}"
    );
}

/// A plan saved with a path that narrows an account (here `.`, every account's directory) does
/// not list unmanaged campaigns, and applying it must not list them either: the saved plan
/// records whether it covered the whole account.
#[test]
fn a_plan_saved_with_a_path_applies_though_an_account_has_an_unmanaged_campaign() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    ws.write("accounts/acme/h.yaml", manifest("Made by hand", ""));
    run_in(
        &ws,
        ".",
        &[
            "apply",
            "--auto-approve",
            "--account",
            "acme",
            "accounts/acme/h.yaml",
        ],
    )
    .assert_code(0);
    std::fs::remove_file(ws.path().join("accounts/acme/h.yaml")).expect("rm");
    run_in(&ws, ".", &["plan", ".", "--out", "all.plan"]).assert_code(0);
    run_in(&ws, ".", &["apply", "--auto-approve", "all.plan"]).assert_code(0);
    assert_eq!(
        acme.campaign_names(),
        ["Acme one", "Acme two", "Made by hand"]
    );
    assert_eq!(beta.campaign_names(), ["Beta one"]);
}

/// A saved file whose accounts reach one platform account is refused before any lock is
/// waited for (its own second lock would never come).
#[test]
fn a_saved_plan_whose_accounts_reach_one_platform_account_is_refused() {
    let (acme, beta) = (Emulator::start(), beta_emulator());
    let ws = repository(&acme, &beta);
    run_in(&ws, ".", &["plan", "--out", "all.plan"]).assert_code(0);
    // Since planning, beta's URL and token became acme's.
    let config = std::fs::read_to_string(ws.path().join("campaignctl.yaml")).expect("config");
    ws.write("campaignctl.yaml", config.replace(&beta.url, &acme.url));
    ws.write("secrets/beta.token", format!("{TOKEN}\n"));
    let run = trusting(campaignctl(ws.path(), None), &ws)
        .env("ACME_TOKEN", TOKEN)
        .args([
            "apply",
            "--auto-approve",
            "--lock-timeout",
            "20s",
            "all.plan",
        ])
        .run();
    run.assert_code(1);
    run.assert_nowhere("Waiting for the lock");
    assert_eq!(acme.stats()["campaign_create_requests"], 0);
}

/// A plan made without a config, whose manifests have since come under one, is refused even
/// from outside the repository: its campaigns now belong to an account with its own API.
#[test]
fn a_saved_plan_whose_paths_came_under_a_config_is_refused() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write("campaigns/a.yaml", manifest("Loose", ""));
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "loose.plan"])
        .run()
        .assert_code(0);
    ws.write(
        "campaignctl.yaml",
        format!(
            "accounts:\n  acme:\n    api_url: {}\n    token_env: ACME_TOKEN\n    paths: [campaigns]\n",
            emu.url
        ),
    );
    let elsewhere = Workspace::new();
    campaignctl(elsewhere.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .arg_path(&ws.path().join("loose.plan"))
        .run()
        .assert_code(1)
        .assert_stderr("belongs to the repository config");
    assert_eq!(emu.stats()["campaign_create_requests"], 0);
}
