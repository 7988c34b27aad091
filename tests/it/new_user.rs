//! Smaller things a new user hit (issue 11): misleading time zone names, options listed by
//! commands that ignore them, help that disagreed with the README, and watch timings that
//! flood the platform.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{campaignctl, Workspace, BIN, TOKEN};

#[test]
fn legacy_and_fixed_offset_time_zones_get_a_warning_with_their_line() {
    let ws = Workspace::new();
    let window = "allowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";
    let mut text = String::new();
    for (i, tz) in [
        "EST",
        "US/Eastern",
        "EST5EDT",
        "Etc/GMT+5",
        "America/New_York",
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&format!(
            "---\nkind: Campaign\nname: C{i}\nassistant_id: 7\ntimezone: {tz}\n{window}"
        ));
    }
    ws.write("campaigns/zones.yaml", text);
    let run = campaignctl(ws.path(), None)
        .args(["validate", "campaigns"])
        .run();
    run.assert_code(0)
        .assert_only_stderr("campaigns/zones.yaml:5:11: warning: timezone \"EST\" is a fixed offset (UTC-05:00), no daylight saving: did you mean America/New_York?")
        .assert_only_stderr("campaigns/zones.yaml:12:11: warning: timezone \"US/Eastern\" is a legacy name for America/New_York")
        .assert_only_stderr("campaigns/zones.yaml:19:11: warning: timezone \"EST5EDT\" is a legacy name for America/New_York")
        .assert_only_stderr("campaigns/zones.yaml:26:11: warning: timezone \"Etc/GMT+5\" is a fixed offset (UTC-05:00), no daylight saving: did you mean America/New_York?");
    assert_eq!(
        run.stderr.matches("warning:").count(),
        4,
        "America/New_York is fine:\n{}",
        run.stderr
    );
    campaignctl(ws.path(), None)
        .args(["validate", "--deny-warnings", "campaigns"])
        .run()
        .assert_code(1);
}

#[test]
fn offline_commands_do_not_list_the_platform_options() {
    let ws = Workspace::new();
    for offline in [
        &["validate", "--help"][..],
        &["schema", "--help"],
        &["completions", "--help"],
        &["demo", "--help"],
    ] {
        let run = campaignctl(ws.path(), None).args(offline).run();
        run.assert_code(0);
        for option in ["--api-url", "--token-file", "--timeout"] {
            assert!(
                !run.stdout.contains(option),
                "`{}` lists {option}:\n{}",
                offline.join(" "),
                run.stdout
            );
        }
    }
    for online in ["plan", "apply", "export", "watch", "get"] {
        let run = campaignctl(ws.path(), None).args([online, "--help"]).run();
        run.assert_code(0)
            .assert_stdout("--api-url")
            .assert_stdout("--token-file")
            .assert_stdout("--timeout");
    }
    campaignctl(ws.path(), None)
        .args(["validate", "--api-url", "https://x/api"])
        .run()
        .assert_code(1)
        .assert_stderr("unexpected argument '--api-url'");
}

#[test]
fn detailed_exitcode_help_lists_what_the_readme_lists() {
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), None).args(["plan", "--help"]).run();
    let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    let readme = include_str!("../../README.md");
    // Drift apply cannot act on is a warning, not a change (issue 18): no longer listed.
    let from_readme =
        "campaigns to create, replace or delete, leads to add or update, a status to change";
    assert!(
        readme.contains(from_readme),
        "the README's exit code table changed; update this test and the help"
    );
    assert!(
        help.contains(&format!(
            "Exit 2 when apply has something to do ({from_readme}; unmanaged campaigns do not count)"
        )),
        "--detailed-exitcode help disagrees with the README:\n{}",
        run.stdout
    );
}

#[test]
fn emulator_help_says_which_token_wins_and_the_flag_wins() {
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), None)
        .args(["emulator", "--help"])
        .run();
    let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("--token when given, else CAMPAIGNCTL_EMULATOR_TOKEN"),
        "emulator --help must say which token wins:\n{}",
        run.stdout
    );
    assert!(
        !help.contains("--token-file <"),
        "the emulator has no --token-file option:\n{}",
        run.stdout
    );

    // The behaviour matches: with both, the flag's token is the one accepted.
    let mut child = Command::new(BIN)
        .args(["emulator", "--listen", "127.0.0.1:0", "--token", TOKEN])
        .env("CAMPAIGNCTL_EMULATOR_TOKEN", "from-the-environment")
        .env("RUST_LOG", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the emulator");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = tx.send(lines.next().and_then(Result::ok));
        for _ in lines {}
    });
    let first = rx.recv_timeout(Duration::from_secs(20)).ok().flatten();
    let url = first
        .as_deref()
        .and_then(|l| l.strip_prefix("listening on "))
        .map(str::to_owned);
    let Some(url) = url else {
        let _ = child.kill();
        panic!("emulator did not report its address: {first:?}");
    };
    let plan = |token: &str| {
        campaignctl(ws.path(), None)
            .env("CAMPAIGNCTL_API_URL", &url)
            .env("CAMPAIGNCTL_API_TOKEN", token)
            .args(["export"])
            .run()
    };
    let with_flag = plan(TOKEN);
    let with_env = plan("from-the-environment");
    let _ = child.kill();
    let _ = child.wait();
    with_flag.assert_code(0);
    with_env.assert_code(1).assert_stderr("401");
}

#[test]
fn watch_refuses_intervals_and_debounces_below_the_minimum() {
    let ws = Workspace::new();
    for (flag, value, message) in [
        ("--interval", "1ms", "must be at least 10s (the minimum)"),
        ("--interval", "9s", "must be at least 10s (the minimum)"),
        ("--debounce", "0ms", "must be at least 50ms (the minimum)"),
    ] {
        campaignctl(ws.path(), None)
            .args(["watch", flag, value])
            .run()
            .assert_code(1)
            .assert_stderr(&format!("for '{flag} <DURATION>'"))
            .assert_stderr(message);
    }
}

/// Each `-h` fits a screen (at most 56 lines of at most 100 columns), and each flag is listed
/// under the heading of what it does: `plan -h` once listed --format, --out, --target and
/// --base under "Accounts:" (issue 19, item 4).
#[test]
fn short_help_fits_a_screen_and_lists_each_flag_under_its_heading() {
    let ws = Workspace::new();
    let heading_of = |help: &str, flag: &str| -> Option<String> {
        let mut heading = None;
        for line in help.lines() {
            if !line.starts_with(' ') && line.ends_with(':') {
                heading = Some(line.trim_end_matches(':').to_owned());
            }
            if line.trim_start().starts_with(flag) || line.contains(&format!(", {flag}")) {
                return heading;
            }
        }
        None
    };
    for (cmd, expected) in [
        (
            "plan",
            &[
                ("--config", "Accounts"),
                ("--target", "Selection"),
                ("--format", "Output"),
                ("--out", "Output"),
                ("--verbose", "Output"),
                ("--detailed-exitcode", "Output"),
                ("--prune-prefix", "Deleting"),
                ("--base", "Write-once fields and starts"),
                ("--api-url", "Platform API"),
            ][..],
        ),
        (
            "apply",
            &[
                ("--auto-approve", "Approvals"),
                ("--allow-start", "Approvals"),
                ("--allow-delete", "Approvals"),
                ("--parallelism", "Execution"),
                ("--format", "Output"),
            ][..],
        ),
        (
            "watch",
            &[
                ("--allow-start", "Approvals"),
                ("--max-deletes", "Deleting"),
            ][..],
        ),
    ] {
        let run = campaignctl(ws.path(), None).args([cmd, "-h"]).run();
        run.assert_code(0);
        assert!(
            run.stderr.is_empty(),
            "{cmd} -h wrote to stderr: {}",
            run.stderr
        );
        let lines = run.stdout.lines().count();
        assert!(lines <= 56, "{cmd} -h is {lines} lines:\n{}", run.stdout);
        for line in run.stdout.lines() {
            assert!(
                line.chars().count() <= 100,
                "{cmd} -h has a line over 100 columns: {line:?}"
            );
        }
        for (flag, heading) in expected {
            assert_eq!(
                heading_of(&run.stdout, flag).as_deref(),
                Some(*heading),
                "{cmd} -h lists {flag} under the wrong heading:\n{}",
                run.stdout
            );
        }
    }
}
