//! `campaignctl watch` end to end: the real binary as a daemon, the real emulator, real files in
//! temporary directories (issue 3, "Done when"). Every wait polls with a deadline; a failure
//! says what was expected, what was seen, and shows the daemon's log.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{campaignctl, Cmd, Emulator, Workspace, TOKEN};

/// Long enough for a loaded CI machine; the daemon normally needs well under a second.
const DEADLINE: Duration = Duration::from_secs(15);

/// A manifest for a campaign named `name` on the demo account's outbound assistant 9.
fn manifest(name: &str) -> String {
    format!(
        "kind: Campaign\nname: {name}\nassistant_id: 9\ntimezone: Europe/London\nmax_calls_in_parallel: 2\n"
    )
}

/// A running `campaignctl watch --listen 127.0.0.1:0`, killed on drop.
pub(crate) struct Daemon {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
}

impl Daemon {
    /// Starts the daemon on `paths` (relative to the workspace). File events are the only
    /// trigger unless `extra` sets `--interval`; failures are retried quickly.
    pub(crate) fn start(ws: &Workspace, emu: &Emulator, paths: &[&str], extra: &[&str]) -> Daemon {
        Daemon::spawn(campaignctl(ws.path(), Some(emu)), paths, extra)
    }

    /// Starts `cmd` as the daemon (the same flags as `start`).
    fn spawn(cmd: Cmd, paths: &[&str], extra: &[&str]) -> Daemon {
        let mut child = cmd
            .args(["watch", "--listen", "127.0.0.1:0", "--interval", "1h"])
            .args(["--backoff-base", "100ms", "--backoff-max", "500ms"])
            .args(extra)
            .args(paths)
            .spawn();
        let log = crate::support::collect_stderr(&mut child);
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next().and_then(Result::ok));
            for _ in lines {}
        });
        let first = rx.recv_timeout(DEADLINE).ok().flatten();
        let Some(addr) = first
            .as_deref()
            .and_then(|l| l.strip_prefix("listening on http://"))
            .map(str::to_owned)
        else {
            let _ = child.kill();
            let _ = child.wait();
            let log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
            panic!("expected `listening on http://ADDR` on stdout, got {first:?}\nlog:\n{log}");
        };
        Daemon { child, addr, log }
    }

    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `GET path` on the health and metrics address: status and body.
    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr)
            .unwrap_or_else(|e| panic!("connect to {}: {e}\nlog:\n{}", self.addr, self.log()));
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("send request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read response");
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    pub(crate) fn metrics(&self) -> String {
        let (status, body) = self.get("/metrics");
        assert_eq!(status, 200, "/metrics answered {status}: {body}");
        body
    }

    /// The value of one series, e.g. `campaignctl_passes_total{outcome="success"}`.
    fn metric(&self, series: &str) -> f64 {
        let text = self.metrics();
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no series {series} in /metrics:\n{text}"))
    }

    pub(crate) fn passes(&self, outcome: &str) -> f64 {
        self.metric(&format!(
            "campaignctl_passes_total{{outcome=\"{outcome}\"}}"
        ))
    }

    /// Polls `done` until it holds, or fails saying what was awaited and what was seen.
    #[track_caller]
    pub(crate) fn wait_for(
        &self,
        what: &str,
        mut done: impl FnMut() -> Result<(), String>,
    ) -> Duration {
        let start = Instant::now();
        loop {
            let seen = match done() {
                Ok(()) => return start.elapsed(),
                Err(seen) => seen,
            };
            if start.elapsed() > DEADLINE {
                panic!(
                    "expected {what} within {DEADLINE:?}; last seen: {seen}\ndaemon log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    #[track_caller]
    pub(crate) fn wait_for_passes(&self, outcome: &str, at_least: f64) {
        self.wait_for(&format!("{at_least} {outcome} pass(es)"), || {
            let n = self.passes(outcome);
            (n >= at_least).then_some(()).ok_or(format!("{n}"))
        });
    }

    #[track_caller]
    fn wait_until_ready(&self) {
        self.wait_for("/readyz to answer 200", || {
            let (status, body) = self.get("/readyz");
            (status == 200)
                .then_some(())
                .ok_or(format!("{status} {body}"))
        });
    }

    /// SIGTERM, then waits (bounded) for the exit. Checks the token never appeared.
    #[track_caller]
    fn terminate(mut self) -> (ExitStatus, Duration, String) {
        let pid = self.child.id().to_string();
        let sent = Instant::now();
        let kill = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(kill.success(), "kill -TERM {pid} failed");
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if sent.elapsed() > Duration::from_secs(20) {
                panic!(
                    "the daemon did not exit after SIGTERM\nlog:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let took = sent.elapsed();
        // The stderr thread ends with the pipe; give it a moment to take the last lines.
        std::thread::sleep(Duration::from_millis(50));
        let log = self.log();
        assert!(
            !log.contains(TOKEN),
            "the token leaked into the log:\n{log}"
        );
        (status, took, log)
    }

    /// Stops the daemon and checks a clean exit.
    #[track_caller]
    fn stop(self) -> String {
        let (status, _, log) = self.terminate();
        assert_eq!(status.code(), Some(0), "exit status {status}\nlog:\n{log}");
        log
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn names_on(emu: &Emulator) -> Vec<String> {
    emu.campaign_names()
}

/// A waiter for `names` to exist on the emulator, each exactly once.
fn has_campaigns<'a>(
    emu: &'a Emulator,
    names: &'a [&str],
) -> impl FnMut() -> Result<(), String> + 'a {
    move || {
        let on = names_on(emu);
        let ok = names
            .iter()
            .all(|n| on.iter().filter(|o| o == n).count() == 1);
        ok.then_some(()).ok_or(format!("campaigns {on:?}"))
    }
}

/// A workspace whose `m/` holds the campaign "First", watched by a daemon that has applied it.
fn watching_first(emu: &Emulator, extra: &[&str]) -> (Workspace, Daemon) {
    let ws = Workspace::new();
    ws.write("m/first.yaml", manifest("First"));
    let daemon = Daemon::start(&ws, emu, &["m"], extra);
    daemon.wait_for_passes("success", 1.0);
    (ws, daemon)
}

/// Writes like an editor that saves atomically: a temp file, then a rename over the target.
fn save_atomically(path: &Path, contents: &str) {
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().expect("file name").to_string_lossy()
    ));
    std::fs::write(&tmp, contents).expect("write temp file");
    std::fs::rename(&tmp, path).expect("rename over the target");
}

#[test]
fn initial_reconcile_then_a_new_file_is_applied_within_seconds() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    let daemon = Daemon::start(&ws, &emu, &["campaigns"], &[]);
    let samples = [
        "Appointment Reminders",
        "Product Demo Campaign",
        "Q4 Renewals East",
        "Q4 Renewals West",
    ];
    daemon.wait_for("the four sample campaigns", has_campaigns(&emu, &samples));
    daemon.wait_for_passes("success", 1.0);

    let before = daemon.passes("success");
    save_atomically(
        &ws.path().join("campaigns/new.yaml"),
        &manifest("New Campaign"),
    );
    let took = daemon.wait_for(
        "the new file's campaign",
        has_campaigns(&emu, &["New Campaign"]),
    );
    eprintln!("a new file was applied {took:?} after it was saved");
    assert!(
        took < Duration::from_secs(5),
        "a new file should be applied within seconds, took {took:?}"
    );
    daemon.wait_for_passes("success", before + 1.0);
    assert_eq!(emu.campaigns().len(), 5, "nothing else was created");
    let log = daemon.stop();
    assert!(
        log.contains(
            "pass outcome=\"success\" trigger=\"start\" manifests=4 to_create=4 created=4"
        ),
        "one line per pass with its counts expected in:\n{log}"
    );
}

#[test]
fn a_burst_of_edits_is_coalesced_into_one_pass() {
    let emu = Emulator::start();
    let (ws, daemon) = watching_first(&emu, &[]);
    let target = ws.path().join("m/burst.yaml");

    // Ten saves in a row, each with vim's and emacs's side files, then the final content.
    for i in 0..10 {
        std::fs::write(ws.path().join("m/.burst.yaml.swp"), "swap").expect("swap file");
        std::fs::write(ws.path().join("m/burst.yaml~"), manifest("Backup")).expect("backup");
        save_atomically(&target, &manifest(&format!("Draft {i}")));
    }
    save_atomically(&target, &manifest("Final"));
    daemon.wait_for(
        "the final version",
        has_campaigns(&emu, &["First", "Final"]),
    );
    // Give a wrongly split burst time to show up as a third pass.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        daemon.passes("success"),
        2.0,
        "expected the start pass and one pass for the whole burst\nlog:\n{}",
        daemon.log()
    );
    assert_eq!(
        names_on(&emu),
        ["Final", "First"],
        "drafts, backups and swap files must never be applied"
    );

    // Editor scratch files alone change no manifest: no pass.
    std::fs::write(ws.path().join("m/.burst.yaml.swp"), "swap 2").expect("swap file");
    std::fs::write(ws.path().join("m/notes.txt"), "not a manifest").expect("notes");
    std::fs::write(ws.path().join("m/.hidden.yaml"), manifest("Hidden")).expect("hidden");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(daemon.passes("success"), 2.0, "log:\n{}", daemon.log());
    daemon.stop();
}

#[test]
fn a_broken_file_is_survived_with_nothing_applied_and_the_fix_applied() {
    let emu = Emulator::start();
    let (ws, daemon) = watching_first(&emu, &[]);

    // A valid new campaign and a broken one arrive together: neither may be applied.
    ws.write("m/good.yaml", manifest("Good"));
    ws.write(
        "m/broken.yaml",
        format!("{}max_retries: 9\n", manifest("Broken")),
    );
    daemon.wait_for_passes("invalid", 1.0);
    let (status, body) = daemon.get("/readyz");
    assert_eq!(status, 503, "/readyz after an invalid pass: {body}");
    assert!(
        body.contains("broken.yaml:6:"),
        "the reason should point at the file and line: {body}"
    );
    assert!(
        daemon
            .log()
            .contains("broken.yaml:6:14: error: max_retries"),
        "every diagnostic is logged with file:line:\n{}",
        daemon.log()
    );
    assert_eq!(
        names_on(&emu),
        ["First"],
        "nothing may be applied from an invalid set"
    );

    ws.write(
        "m/broken.yaml",
        format!("{}max_retries: 3\n", manifest("Broken")),
    );
    daemon.wait_for(
        "the fixed set applied",
        has_campaigns(&emu, &["First", "Good", "Broken"]),
    );
    daemon.wait_until_ready();
    daemon.stop();
}

#[test]
fn a_symlink_swap_of_the_watched_directory_is_followed() {
    // git-sync's layout: `current` is a symlink to a revision, replaced atomically by a rename.
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("rev1/a.yaml", manifest("Rev One"));
    ws.write("rev2/a.yaml", manifest("Rev One"));
    ws.write("rev2/b.yaml", manifest("Rev Two"));
    std::os::unix::fs::symlink("rev1", ws.path().join("current")).expect("symlink");
    let daemon = Daemon::start(&ws, &emu, &["current"], &[]);
    daemon.wait_for("the first revision", has_campaigns(&emu, &["Rev One"]));
    daemon.wait_for_passes("success", 1.0);

    std::os::unix::fs::symlink("rev2", ws.path().join("current.tmp")).expect("symlink");
    std::fs::rename(ws.path().join("current.tmp"), ws.path().join("current")).expect("swap");
    daemon.wait_for(
        "the swapped-in revision",
        has_campaigns(&emu, &["Rev One", "Rev Two"]),
    );

    // And the swap moved the watch: an edit inside the new revision is seen too.
    save_atomically(&ws.path().join("rev2/c.yaml"), &manifest("Rev Two Edit"));
    daemon.wait_for(
        "an edit in the new revision",
        has_campaigns(&emu, &["Rev One", "Rev Two", "Rev Two Edit"]),
    );
    daemon.stop();
}

#[test]
fn a_configmap_style_update_is_followed() {
    // Kubernetes' ConfigMap volume: keys are symlinks through `..data`, a symlink to a hidden
    // timestamped directory that an update replaces by renaming `..data_tmp` over `..data`.
    let emu = Emulator::start();
    let ws = Workspace::new();
    let vol = ws.path().join("config");
    ws.write("config/..2026_01/a.yaml", manifest("Map One"));
    std::os::unix::fs::symlink("..2026_01", vol.join("..data")).expect("symlink");
    std::os::unix::fs::symlink("..data/a.yaml", vol.join("a.yaml")).expect("symlink");
    let daemon = Daemon::start(&ws, &emu, &["config"], &[]);
    daemon.wait_for("the first version", has_campaigns(&emu, &["Map One"]));

    ws.write("config/..2026_02/a.yaml", manifest("Map Two"));
    std::os::unix::fs::symlink("..2026_02", vol.join("..data_tmp")).expect("symlink");
    std::fs::rename(vol.join("..data_tmp"), vol.join("..data")).expect("swap");
    std::fs::remove_dir_all(vol.join("..2026_01")).expect("remove the old version");
    daemon.wait_for(
        "the updated ConfigMap",
        has_campaigns(&emu, &["Map One", "Map Two"]),
    );
    daemon.stop();
}

#[test]
fn an_emulator_outage_is_survived_and_recovered_from() {
    let state_dir = tempfile::tempdir().expect("tempdir");
    let state = state_dir.path().join("emulator-state.json");
    let state_arg = state.to_str().expect("UTF-8 path");
    let emu = Emulator::start_with(&["--state", state_arg]);
    let (ws, daemon) = watching_first(&emu, &["--log-format", "json"]);

    let addr = emu.addr.clone();
    emu.stop();
    ws.write("m/second.yaml", manifest("Second"));
    daemon.wait_for_passes("failed", 1.0);
    let (status, body) = daemon.get("/readyz");
    assert_eq!(status, 503, "/readyz during the outage: {body}");
    assert!(
        body.contains("cannot read the platform"),
        "the reason should say the platform is unreachable: {body}"
    );
    let (status, _) = daemon.get("/healthz");
    assert_eq!(status, 200, "the process is alive during an outage");

    let emu = Emulator::start_on(&addr, &["--state", state_arg]);
    daemon.wait_for(
        "recovery once the emulator is back",
        has_campaigns(&emu, &["First", "Second"]),
    );
    daemon.wait_until_ready();
    let log = daemon.stop();
    for line in log.lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("--log-format json: not JSON ({e}): {line}"));
        assert!(v["level"].is_string() && v["message"].is_string(), "{line}");
    }
    assert!(
        log.lines()
            .any(|l| l.contains("\"message\":\"pass\"") && l.contains("\"outcome\":\"failed\"")),
        "a failed pass line expected in:\n{log}"
    );
}

#[test]
fn health_readiness_and_metrics_are_served() {
    let emu = Emulator::start();
    // One campaign made in the dashboard, and one sample whose parallelism was changed there.
    emu.api(
        "POST",
        "user/campaign",
        Some(serde_json::json!({"name": "Dashboard Only", "assistant_id": 8})),
    );
    emu.api(
        "POST",
        "user/campaign",
        Some(serde_json::json!({"name": "Appointment Reminders", "assistant_id": 9, "max_calls_in_parallel": 5})),
    );
    let ws = Workspace::with_samples();
    let daemon = Daemon::start(&ws, &emu, &["campaigns"], &[]);
    let (status, body) = daemon.get("/healthz");
    assert_eq!(status, 200, "/healthz: {body}");
    daemon.wait_for("/readyz to be ready", || {
        let (status, body) = daemon.get("/readyz");
        (status == 200 && body.contains("last pass succeeded"))
            .then_some(())
            .ok_or(format!("{status} {body}"))
    });
    let text = daemon.metrics();
    for series in [
        "campaignctl_passes_total{outcome=\"success\"} 1",
        "campaignctl_passes_total{outcome=\"invalid\"} 0",
        "campaignctl_passes_total{outcome=\"failed\"} 0",
        "campaignctl_creates_total{outcome=\"created\"} 3",
        "campaignctl_creates_total{outcome=\"failed\"} 0",
        "campaignctl_drift_campaigns 1",
        "campaignctl_attention_campaigns 0",
        "campaignctl_unmanaged_campaigns 1",
        "campaignctl_manifests_loaded 4",
        "campaignctl_pass_duration_seconds_count 1",
        "# TYPE campaignctl_pass_duration_seconds histogram",
    ] {
        assert!(
            text.contains(series),
            "expected {series:?} in /metrics:\n{text}"
        );
    }
    let last = daemon.metric("campaignctl_last_successful_pass_timestamp_seconds");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    assert!(
        (now - last).abs() < 600.0,
        "the last success timestamp should be now-ish, got {last} (now {now})"
    );
    let (status, _) = daemon.get("/nope");
    assert_eq!(status, 404);
    daemon.stop();
}

#[test]
fn sigterm_exits_0_within_5s_and_creates_in_flight_finish() {
    // Each request takes a second, and one create runs at a time: at the signal one create is
    // in flight, and the others have not started.
    let emu = Emulator::start_with(&["--latency", "1000"]);
    let ws = Workspace::with_samples();
    let daemon = Daemon::start(&ws, &emu, &["campaigns"], &["--parallelism", "1"]);
    daemon.wait_for("a create in flight", || {
        let stats = emu.stats();
        (stats["campaign_create_requests"].as_u64() >= Some(1))
            .then_some(())
            .ok_or(format!("{stats}"))
    });
    let (status, took, log) = daemon.terminate();
    assert_eq!(status.code(), Some(0), "exit status {status}\nlog:\n{log}");
    assert!(
        took < Duration::from_secs(5),
        "took {took:?} to exit\nlog:\n{log}"
    );
    eprintln!("exited {took:?} after SIGTERM");
    let stats = emu.stats();
    let requested = stats["campaign_create_requests"]
        .as_u64()
        .unwrap_or_default();
    assert_eq!(
        emu.campaigns().len() as u64,
        requested,
        "every create that was sent must have finished: {stats}\nlog:\n{log}"
    );
    assert!(
        requested < 4,
        "no new creates after the signal; {requested} were sent\nlog:\n{log}"
    );
    assert!(
        log.contains("skipped: not started: the run was interrupted"),
        "the pass stopped between operations and said which did not run\nlog:\n{log}"
    );
}

#[test]
fn the_kubernetes_example_holds_valid_manifests_and_probes_both_endpoints() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kubernetes");
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let configmap = campaignctl_emulator::yaml::document(&read("configmap.yaml"))
        .unwrap_or_else(|e| panic!("configmap.yaml is YAML: {e}"));
    let data = configmap["data"]
        .as_object()
        .expect("the ConfigMap has data");
    let ws = Workspace::new();
    for (key, value) in data {
        let Some(value) = value.as_str() else {
            panic!("ConfigMap entries are file names and texts: {key:?}");
        };
        ws.write(&format!("m/{key}"), value);
    }
    campaignctl(ws.path(), None)
        .args(["validate", "m"])
        .run()
        .assert_code(0);
    let deployment = read("deployment.yaml");
    for needle in ["path: /healthz", "path: /readyz", "secretKeyRef", "- watch"] {
        assert!(
            deployment.contains(needle),
            "deployment.yaml should contain {needle:?}"
        );
    }
}

#[test]
fn unusable_durations_are_refused_before_starting() {
    let ws = Workspace::new();
    for (flag, value, message) in [
        ("--interval", "0s", "must be longer than zero"),
        ("--interval", "5000years", "must be at most a year"),
        ("--interval", "soon", "examples: 30s, 5m"),
        ("--debounce", "2days", "must be at most an hour"),
    ] {
        campaignctl(ws.path(), None)
            .args(["watch", flag, value])
            .run()
            .assert_code(1)
            .assert_stderr(message);
    }
}

/// The emulator's status of the campaign named `name`.
fn status_of(emu: &Emulator, name: &str) -> String {
    emu.campaigns()
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["status"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "<absent>".to_owned())
}

#[test]
fn leads_are_added_by_the_daemon_but_a_start_needs_allow_start() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let doc = "kind: Campaign\nname: Calls\nassistant_id: 9\nstatus: running\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n";
    ws.write("m/calls.yaml", doc);

    let daemon = Daemon::start(&ws, &emu, &["m"], &[]);
    daemon.wait_for_passes("success", 1.0);
    daemon.wait_for("the lead to be added", || {
        let n = emu.stats()["leads_created"].as_u64().unwrap_or(0);
        (n == 1).then_some(()).ok_or(format!("{n} lead(s)"))
    });
    assert_eq!(
        status_of(&emu, "Calls"),
        "draft",
        "without --allow-start the daemon never starts a campaign"
    );
    let log = daemon.stop();
    assert!(
        log.contains("not applied by watch without --allow-start"),
        "the held start is logged:\n{log}"
    );

    let daemon = Daemon::start(&ws, &emu, &["m"], &["--allow-start"]);
    daemon.wait_for("the campaign to be started", || {
        let status = status_of(&emu, "Calls");
        (status == "in-progress").then_some(()).ok_or(status)
    });
    daemon.stop();
    assert_eq!(emu.stats()["leads_created"], 1, "no lead was added twice");

    // The campaign now runs: a new lead would be called, so it waits for --allow-start too.
    ws.write(
        "m/calls.yaml",
        format!("{doc}    - {{ phone_number: \"+14155550102\" }}\n"),
    );
    let daemon = Daemon::start(&ws, &emu, &["m"], &[]);
    daemon.wait_for_passes("success", 1.0);
    let log = daemon.stop();
    assert_eq!(
        emu.stats()["leads_created"],
        1,
        "a running campaign gets no lead without --allow-start:\n{log}"
    );
    assert!(
        log.contains("not added by watch without --allow-start"),
        "the held leads are logged:\n{log}"
    );
}

/// With a repository config, `watch` runs one reconcile loop per account: an account whose API
/// is down does not stop the other, `/readyz` is 503 naming the account that is not ready,
/// and every series on `/metrics` carries an `account` label.
#[test]
fn watch_reconciles_each_account_of_the_config_and_names_the_one_that_is_down() {
    let up = Emulator::start();
    let ws = Workspace::new();
    // A port nothing listens on: bound, then released.
    let down = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    ws.write(
        "campaignctl.yaml",
        format!(
            "accounts:\n  up:\n    api_url: {}\n    token_env: UP_TOKEN\n    paths: [up]\n  down:\n    api_url: http://{down}/api\n    token_env: DOWN_TOKEN\n    paths: [down]\n",
            up.url
        ),
    );
    ws.write("up/q.yaml", manifest("Up campaign"));
    ws.write("down/q.yaml", manifest("Down campaign"));
    let cmd = campaignctl(ws.path(), None)
        .env("UP_TOKEN", TOKEN)
        .env("DOWN_TOKEN", "tok_other_account_1")
        .env("CAMPAIGNCTL_TOKEN_ENVS", "UP_TOKEN,DOWN_TOKEN");
    let daemon = Daemon::spawn(cmd, &[], &[]);
    daemon.wait_for("the campaign of the account that is up", || {
        let names = up.campaign_names();
        (names == ["Up campaign"])
            .then_some(())
            .ok_or(format!("{names:?}"))
    });
    daemon.wait_for("/readyz to name the account that is down", || {
        let (status, body) = daemon.get("/readyz");
        (status == 503 && body.contains("account down:") && !body.contains("account up:"))
            .then_some(())
            .ok_or(format!("{status} {body}"))
    });
    let success = daemon.metric("campaignctl_passes_total{account=\"up\",outcome=\"success\"}");
    assert!(success >= 1.0, "the account that is up passed: {success}");
    daemon.wait_for("a failed pass of the account that is down", || {
        let failed = daemon.metric("campaignctl_passes_total{account=\"down\",outcome=\"failed\"}");
        (failed >= 1.0).then_some(()).ok_or(format!("{failed}"))
    });
    let (status, body) = daemon.get("/readyz");
    assert!(
        status == 503 && body.contains("not ready: account down: cannot read the platform"),
        "{status} {body}"
    );
    let (_, _, log) = daemon.terminate();
    assert!(
        !log.contains("tok_other_account_1"),
        "a token leaked:\n{log}"
    );
}

/// Idle passes reuse the last load; each change to something the load read loads again
/// (issue 20). The daemon passes every 200 ms (the hidden `--bench-interval`), so idle passes
/// happen while the test waits; `campaignctl_manifest_loads_total` counts the loads.
mod reuse {
    use super::*;

    const PACE: [&str; 2] = ["--bench-interval", "200ms"];

    fn loads(daemon: &Daemon) -> f64 {
        daemon.metric("campaignctl_manifest_loads_total")
    }

    /// A workspace whose `m/a.yaml` declares "First" with its leads in `leads/q.csv`, outside
    /// the watched directory `m`, watched by a daemon that has applied it and then passed idle
    /// at least twice without loading again.
    fn idle_daemon(emu: &Emulator) -> (Workspace, Daemon) {
        let ws = Workspace::new();
        ws.write(
            "m/a.yaml",
            format!("{}leads:\n  file: ../leads/q.csv\n", manifest("First")),
        );
        ws.write("leads/q.csv", "phone_number\n+14155550101\n");
        let daemon = Daemon::start(&ws, emu, &["m"], &PACE);
        daemon.wait_for_passes("success", 4.0);
        assert_eq!(
            loads(&daemon),
            1.0,
            "idle passes must reuse the first load\nlog:\n{}",
            daemon.log()
        );
        (ws, daemon)
    }

    /// Waits for the change to be loaded (one more load), then for two idle passes that reuse it.
    #[track_caller]
    fn assert_reloaded_once(daemon: &Daemon, what: &str, before: f64) {
        daemon.wait_for(&format!("a load after {what}"), || {
            let n = loads(daemon);
            (n > before).then_some(()).ok_or(format!("{n} load(s)"))
        });
        let after = loads(daemon);
        let passes = daemon.passes("success");
        daemon.wait_for_passes("success", passes + 2.0);
        assert_eq!(
            loads(daemon),
            after,
            "after {what}, idle passes reuse the new load\nlog:\n{}",
            daemon.log()
        );
    }

    #[test]
    fn an_edit_keeping_size_and_mtime_is_loaded() {
        let emu = Emulator::start();
        let (ws, daemon) = idle_daemon(&emu);
        let path = ws.path().join("m/a.yaml");
        let mtime = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        let before = loads(&daemon);
        // Same size, and the modification time set back: only the change time (and the
        // bytes) tell.
        std::fs::write(
            &path,
            format!("{}leads:\n  file: ../leads/q.csv\n", manifest("Frist")),
        )
        .expect("edit");
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(mtime))
            .expect("set the mtime back");
        daemon.wait_for("the edited campaign", has_campaigns(&emu, &["Frist"]));
        assert_reloaded_once(&daemon, "an edit keeping size and mtime", before);
        daemon.stop();
    }

    #[test]
    fn a_leads_file_outside_the_watched_paths_is_loaded() {
        let emu = Emulator::start();
        let (ws, daemon) = idle_daemon(&emu);
        daemon.wait_for("the first lead", || {
            let n = emu.stats()["leads_created"].as_u64().unwrap_or(0);
            (n == 1).then_some(()).ok_or(format!("{n} lead(s)"))
        });
        let before = loads(&daemon);
        ws.write("leads/q.csv", "phone_number\n+14155550101\n+14155550102\n");
        daemon.wait_for("the lead added to the file outside `m`", || {
            let n = emu.stats()["leads_created"].as_u64().unwrap_or(0);
            (n == 2).then_some(()).ok_or(format!("{n} lead(s)"))
        });
        assert_reloaded_once(&daemon, "a leads file edit", before);
        daemon.stop();
    }

    #[test]
    fn a_new_file_and_a_deleted_file_are_loaded() {
        let emu = Emulator::start();
        let (ws, daemon) = idle_daemon(&emu);
        let before = loads(&daemon);
        ws.write("m/b.yaml", manifest("Second"));
        daemon.wait_for("the new file's campaign", has_campaigns(&emu, &["Second"]));
        assert_reloaded_once(&daemon, "a new file", before);

        let before = loads(&daemon);
        std::fs::remove_file(ws.path().join("m/b.yaml")).expect("remove");
        assert_reloaded_once(&daemon, "a deleted file", before);
        assert_eq!(
            daemon.metric("campaignctl_manifests_loaded"),
            1.0,
            "the deleted file's manifest is gone from the load"
        );
        daemon.stop();
    }

    fn resolutions(daemon: &Daemon) -> f64 {
        daemon.metric("campaignctl_baseline_resolutions_total")
    }

    /// The write-once baseline (what the daemon applied) has its names resolved once, not on
    /// every idle pass; an edit to a manifest is compared with that same baseline, and only a
    /// change to the baseline itself (a campaign created, so remembered) resolves it again.
    #[test]
    fn idle_passes_reuse_the_resolved_baseline_until_it_changes() {
        let emu = Emulator::start();
        let (ws, daemon) = idle_daemon(&emu);
        // Pass 1 created "First" (no baseline yet); pass 2 compared with what it applied.
        assert_eq!(
            resolutions(&daemon),
            1.0,
            "one resolution for the baseline of pass 2 onwards\nlog:\n{}",
            daemon.log()
        );
        let passes = daemon.passes("success");
        daemon.wait_for_passes("success", passes + 2.0);
        assert_eq!(resolutions(&daemon), 1.0, "idle passes reuse it");

        // A write-once edit of the draft is seen against the reused baseline: a replacement,
        // held without --allow-delete, so nothing is applied and the baseline stays.
        ws.write(
            "m/a.yaml",
            format!(
                "{}leads:\n  file: ../leads/q.csv\n",
                manifest("First").replace("Europe/London", "Europe/Paris")
            ),
        );
        daemon.wait_for("the timezone change as drift", || {
            let n = daemon.metric("campaignctl_drift_campaigns");
            (n == 1.0).then_some(()).ok_or(format!("{n} drifted"))
        });
        assert_eq!(resolutions(&daemon), 1.0, "the baseline did not change");

        ws.write("m/b.yaml", manifest("Second"));
        daemon.wait_for("the new campaign", has_campaigns(&emu, &["Second"]));
        daemon.wait_for("the baseline resolved again", || {
            let n = resolutions(&daemon);
            (n == 2.0).then_some(()).ok_or(format!("{n} resolution(s)"))
        });
        let passes = daemon.passes("success");
        daemon.wait_for_passes("success", passes + 2.0);
        assert_eq!(
            resolutions(&daemon),
            2.0,
            "the new baseline is reused in turn\nlog:\n{}",
            daemon.log()
        );
        daemon.stop();
    }

    /// Passes that reused the last plan, and successful passes, from one reading of /metrics.
    fn reused_and_passes(daemon: &Daemon) -> (f64, f64) {
        let text = daemon.metrics();
        let series = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no series {name} in /metrics:\n{text}"))
        };
        (
            series("campaignctl_plans_reused_total"),
            series("campaignctl_passes_total{outcome=\"success\"}"),
        )
    }

    /// After a change has settled (a pass that acts changes the baseline or the record, which
    /// the next pass plans from, and a prune is confirmed a pass later), each of the next three
    /// idle passes reuses the last plan (the counter is bumped while a pass runs, so a reading
    /// may count one pass more than the passes finished).
    #[track_caller]
    fn assert_idle_passes_reuse_the_plan(daemon: &Daemon, after: &str) {
        let passes = daemon.passes("success");
        daemon.wait_for_passes("success", passes + 3.0);
        let (reused, passes) = reused_and_passes(daemon);
        daemon.wait_for_passes("success", passes + 3.0);
        let (reused_now, passes_now) = reused_and_passes(daemon);
        assert!(
            reused_now - reused >= passes_now - passes - 1.0 && reused_now > reused,
            "after {after}, idle passes reuse the plan: {} of {} passes did\nlog:\n{}",
            reused_now - reused,
            passes_now - passes,
            daemon.log()
        );
    }

    /// Idle passes plan nothing: they reuse the last plan. A campaign deleted in the dashboard
    /// is a new answer from the platform: the next pass plans again and creates it again.
    #[test]
    fn idle_passes_reuse_the_plan_until_the_platform_answers_otherwise() {
        let emu = Emulator::start();
        let (_ws, daemon) = idle_daemon(&emu);
        assert_idle_passes_reuse_the_plan(&daemon, "the first passes");

        let id = emu
            .campaigns()
            .iter()
            .find(|c| c["name"] == "First")
            .and_then(|c| c["id"].as_u64())
            .expect("First on the emulator");
        emu.api("DELETE", &format!("user/campaign/{id}"), None);
        daemon.wait_for("First created again", || {
            let n = emu.stats()["campaigns_created"].as_u64().unwrap_or(0);
            let on = names_on(&emu);
            (n == 2 && on == ["First"])
                .then_some(())
                .ok_or(format!("{n} create(s), campaigns {on:?}"))
        });
        assert_idle_passes_reuse_the_plan(&daemon, "the campaign was created again");
        daemon.stop();
    }

    /// An edited manifest is loaded, planned and applied; the new plan is reused in turn.
    #[test]
    fn an_edited_manifest_is_planned_again() {
        let emu = Emulator::start();
        let (ws, daemon) = idle_daemon(&emu);
        assert_idle_passes_reuse_the_plan(&daemon, "the first passes");
        ws.write("m/b.yaml", manifest("Second"));
        daemon.wait_for("the new file's campaign", has_campaigns(&emu, &["Second"]));
        assert_idle_passes_reuse_the_plan(&daemon, "Second was created");
        daemon.stop();
    }

    /// A person's stop in the dashboard changes the campaign list: the next pass plans again,
    /// leaves the campaign alone and says so (log and gauge), and later passes reuse that plan.
    #[test]
    fn a_dashboard_stop_is_planned_and_reported() {
        let emu = Emulator::start();
        let ws = Workspace::new();
        ws.write(
            "m/q.yaml",
            "kind: Campaign\nname: Q\nassistant_id: 9\nstatus: running\ntimezone: Europe/London\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n",
        );
        let daemon = Daemon::start(&ws, &emu, &["m"], &[&PACE[..], &["--allow-start"]].concat());
        let status = |emu: &Emulator| {
            emu.campaigns()
                .iter()
                .find(|c| c["name"] == "Q")
                .map(|c| (c["id"].as_u64().unwrap_or(0), c["status"].to_string()))
        };
        daemon.wait_for("Q running", || match status(&emu) {
            Some((_, s)) if s == "\"in-progress\"" => Ok(()),
            seen => Err(format!("{seen:?}")),
        });
        assert_idle_passes_reuse_the_plan(&daemon, "Q was started");
        let (id, _) = status(&emu).expect("Q");
        emu.api(
            "POST",
            "user/campaigns/update-status",
            Some(serde_json::json!({"campaign_id": id, "action": "stop"})),
        );
        daemon.wait_for("the stop to be seen", || {
            let n = daemon.metric("campaignctl_starts_left_alone_campaigns");
            (n == 1.0).then_some(()).ok_or(format!("{n} left alone"))
        });
        assert!(
            daemon
                .log()
                .contains("is not started: stopped outside campaignctl"),
            "the stop is reported\nlog:\n{}",
            daemon.log()
        );
        assert_idle_passes_reuse_the_plan(&daemon, "the stop was seen");
        assert_eq!(
            emu.stats()["start_requests"].as_u64(),
            Some(1),
            "the stopped campaign is not started again\nlog:\n{}",
            daemon.log()
        );
        daemon.stop();
    }

    /// A deletion by absence waits for a second pass an interval later: the pass that first
    /// plans it holds it, and its plan has no operations, so the next could reuse it; but the
    /// prunes a pass may carry out are one of its inputs, so the pass after the interval plans
    /// again and deletes.
    #[test]
    fn a_prune_waiting_for_confirmation_is_carried_out() {
        let emu = Emulator::start();
        let ws = Workspace::new();
        ws.write("m/a.yaml", manifest("prod-a"));
        ws.write("m/b.yaml", manifest("prod-b"));
        let daemon = Daemon::start(
            &ws,
            &emu,
            &["m"],
            &[&PACE[..], &["--allow-delete", "--prune-prefix", "prod-"]].concat(),
        );
        daemon.wait_for("both created", has_campaigns(&emu, &["prod-a", "prod-b"]));
        assert_idle_passes_reuse_the_plan(&daemon, "both were created");
        std::fs::remove_file(ws.path().join("m/b.yaml")).expect("remove");
        daemon.wait_for("prod-b pruned", || {
            let on = names_on(&emu);
            (on == ["prod-a"])
                .then_some(())
                .ok_or(format!("campaigns {on:?}"))
        });
        assert!(
            daemon.log().contains("deletion held"),
            "the first pass without prod-b held its deletion\nlog:\n{}",
            daemon.log()
        );
        assert_idle_passes_reuse_the_plan(&daemon, "the prune");
        daemon.stop();
    }

    #[test]
    fn a_file_swapped_for_a_symlink_is_loaded() {
        let emu = Emulator::start();
        let (ws, daemon) = idle_daemon(&emu);
        ws.write("m/c.yaml", manifest("Plain"));
        daemon.wait_for("the plain file's campaign", has_campaigns(&emu, &["Plain"]));
        let before = loads(&daemon);
        // Another file of the same size (in a hidden directory, which discovery skips, inside
        // the watched one, so the link stays within it), swapped in atomically as a link.
        ws.write("m/.versions/c.yaml", manifest("Linkd"));
        let link = ws.path().join("m/.c.yaml.new");
        std::os::unix::fs::symlink(".versions/c.yaml", &link).expect("symlink");
        std::fs::rename(&link, ws.path().join("m/c.yaml")).expect("swap");
        daemon.wait_for(
            "the linked file's campaign",
            has_campaigns(&emu, &["Linkd"]),
        );
        assert_reloaded_once(&daemon, "a symlink swap", before);
        daemon.stop();
    }
}

/// Issue 19, item 5: a held start and a held deletion are each logged once when they appear
/// and once when they go, not every pass; `campaignctl_held_operations` counts them by kind;
/// `/readyz` stays 200 and lists them.
#[test]
fn held_operations_are_logged_once_counted_and_listed_in_readyz() {
    let emu = Emulator::start();
    emu.api(
        "POST",
        "user/campaign",
        Some(serde_json::json!({"name": "Gone", "assistant_id": 9})),
    );
    let ws = Workspace::new();
    let calls = "kind: Campaign\nname: Calls\nassistant_id: 9\nstatus: running\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n";
    ws.write("m/calls.yaml", calls);
    ws.write(
        "m/gone.yaml",
        "kind: Campaign\nname: Gone\nstatus: deleted\n",
    );
    let daemon = Daemon::start(&ws, &emu, &["m"], &["--bench-interval", "200ms"]);
    daemon.wait_for_passes("success", 5.0);
    let log = daemon.log();
    let start_line = "status: running is not applied by watch without --allow-start";
    let delete_line = "delete is not carried out by watch without --allow-delete";
    for line in [start_line, delete_line] {
        assert_eq!(
            log.matches(line).count(),
            1,
            "{line:?} once over 5 passes, not every pass\nlog:\n{log}"
        );
    }
    assert!(
        !log.contains("call history"),
        "no call history is claimed for a held deletion\nlog:\n{log}"
    );
    for (kind, n) in [("start", 1.0), ("delete", 1.0), ("add_leads", 0.0)] {
        assert_eq!(
            daemon.metric(&format!("campaignctl_held_operations{{kind=\"{kind}\"}}")),
            n,
            "held {kind} operations"
        );
    }
    let (status, body) = daemon.get("/readyz");
    assert_eq!(status, 200, "holding is not a failure: {body}");
    assert!(
        body.contains("held: start \"Calls\" (needs --allow-start)\n")
            && body.contains("held: delete \"Gone\" (needs --allow-delete)\n"),
        "/readyz lists what is held:\n{body}"
    );

    // The manifest no longer asks for a start: the hold goes, once.
    ws.write("m/calls.yaml", calls.replace("status: running\n", ""));
    daemon.wait_for("the start to be no longer held", || {
        let n = daemon.metric("campaignctl_held_operations{kind=\"start\"}");
        (n == 0.0).then_some(()).ok_or(format!("{n}"))
    });
    let passes = daemon.passes("success");
    daemon.wait_for_passes("success", passes + 2.0);
    let log = daemon.stop();
    assert_eq!(
        log.matches("no longer held: start \"Calls\"").count(),
        1,
        "the start's hold going is logged once\nlog:\n{log}"
    );
    assert_eq!(log.matches(delete_line).count(), 1, "log:\n{log}");
}

/// A warning in the manifests (a file without campaign documents) and the errors of an
/// invalid set stay the same pass after pass: each is logged once when it appears, not every
/// pass; the pass line of an invalid pass still says why, every pass. Fixed and broken again,
/// the error is logged again.
#[test]
fn load_problems_are_logged_once_while_they_last() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let good = "kind: Campaign\nname: Alpha\nassistant_id: 9\n";
    ws.write("m/a.yaml", good);
    ws.write("m/empty.yaml", "# nothing here yet\n");
    let daemon = Daemon::start(&ws, &emu, &["m"], &["--bench-interval", "200ms"]);
    daemon.wait_for_passes("success", 4.0);
    let warning = "no campaign documents in this file";
    let log = daemon.log();
    assert_eq!(
        log.matches(warning).count(),
        1,
        "the warning once over 4 passes, not every pass\nlog:\n{log}"
    );

    let broken = format!("{good}max_retries: lots\n");
    ws.write("m/a.yaml", &broken);
    daemon.wait_for_passes("invalid", 3.0);
    let error = "max_retries must be";
    let log = daemon.log();
    assert_eq!(
        log.matches(error).count(),
        // Once as the problem, and in each invalid pass line's reason.
        1 + log.matches("outcome=\"invalid\"").count(),
        "the error once, then only in the pass lines\nlog:\n{log}"
    );

    ws.write("m/a.yaml", good);
    let passes = daemon.passes("success");
    daemon.wait_for_passes("success", passes + 1.0);
    ws.write("m/a.yaml", &broken);
    let invalid = daemon.passes("invalid");
    daemon.wait_for_passes("invalid", invalid + 1.0);
    let log = daemon.stop();
    assert_eq!(
        log.matches(error).count(),
        2 + log.matches("outcome=\"invalid\"").count(),
        "broken again, the error is logged again\nlog:\n{log}"
    );
    assert_eq!(log.matches(warning).count(), 1, "log:\n{log}");
}

/// An assistant changed in the dashboard while its manifest stays as watch last read it is an
/// edit made outside git: watch leaves it (and logs it once) unless `--self-heal-calls`, with
/// which it changes it back. `plan` and `apply` always change it back.
#[test]
fn an_assistant_edited_in_the_dashboard_is_left_alone_unless_self_heal_calls() {
    const ADA: &str = "kind: Assistant\nname: Ada\ntype: outbound\nmode: pipeline\nvoice_id: 3\nlanguage_id: 1\nllm_model_id: 5\ntimezone: Europe/Berlin\ninitial_message: Hello.\nsystem_prompt: You are Ada.\n";
    for self_heal in [false, true] {
        let emu = Emulator::start();
        let ws = Workspace::new();
        ws.write("m/ada.yaml", ADA);
        let extra: &[&str] = if self_heal {
            &["--self-heal-calls"]
        } else {
            &[]
        };
        let daemon = Daemon::start(&ws, &emu, &["m"], extra);
        daemon.wait_for_passes("success", 1.0);
        let ada = || {
            emu.inspect("/_emulator/assistants")
                .as_array()
                .and_then(|all| all.iter().find(|a| a["name"] == "Ada").cloned())
                .unwrap_or_else(|| panic!("no Ada\nlog:\n{}", daemon.log()))
        };
        let id = ada()["id"].as_u64().expect("id");
        emu.api(
            "PUT",
            &format!("user/assistant/{id}"),
            Some(serde_json::json!({"system_prompt": "Edited by hand."})),
        );
        // Another file: a pass that reads the platform again.
        ws.write("m/other.yaml", manifest("Other"));
        daemon.wait_for(
            "the next pass to create Other",
            has_campaigns(&emu, &["Other"]),
        );
        daemon.wait_for_passes("success", 2.0);
        let prompt = ada()["system_prompt"].clone();
        if self_heal {
            assert_eq!(
                prompt,
                "You are Ada.",
                "changed back\nlog:\n{}",
                daemon.log()
            );
        } else {
            assert_eq!(
                prompt,
                "Edited by hand.",
                "left alone\nlog:\n{}",
                daemon.log()
            );
            let log = daemon.log();
            assert_eq!(
                log.matches("assistant edited outside git").count(),
                1,
                "logged once: {log}"
            );
        }
    }
}

/// `watch` keeps its load between passes, its manifests' names resolved by the last plan. A
/// campaign deleted in the dashboard while its assistant was renamed there must not be created
/// again with the id its name resolved to before: the name no longer names an assistant, so
/// the pass reports that, at the manifest's line, and creates nothing. Named again, it is
/// created with that assistant.
#[test]
fn a_reused_load_resolves_its_names_again_against_the_account_as_it_is_now() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "m/named.yaml",
        "kind: Campaign\nname: Named\nassistant: Appointment Reminders\ntimezone: Europe/London\n",
    );
    // Passes every 200 ms: the load is reused, as nothing in `m/` changes after the start.
    let daemon = Daemon::start(&ws, &emu, &["m"], &["--bench-interval", "200ms"]);
    daemon.wait_for("Named to be created", has_campaigns(&emu, &["Named"]));
    let named = || {
        emu.campaigns()
            .into_iter()
            .find(|c| c["name"] == "Named")
            .unwrap_or_else(|| panic!("no Named\nlog:\n{}", daemon.log()))
    };
    let id = named()["id"].as_u64().expect("an id");
    emu.api(
        "PUT",
        "user/assistant/9",
        Some(serde_json::json!({"name": "Reminders (old)"})),
    );
    emu.api("DELETE", &format!("user/campaign/{id}"), None);
    daemon.wait_for("a pass that reports the name", || {
        daemon
            .log()
            .contains("no outbound assistant is named")
            .then_some(())
            .ok_or_else(|| "not reported yet".to_owned())
    });
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert!(
        !names_on(&emu).contains(&"Named".to_owned()),
        "not created with the id the name resolved to before\nlog:\n{}",
        daemon.log()
    );
    emu.api(
        "PUT",
        "user/assistant/9",
        Some(serde_json::json!({"name": "Appointment Reminders"})),
    );
    daemon.wait_for("Named to be created again", has_campaigns(&emu, &["Named"]));
    let again = named();
    assert_eq!(again["assistant_id"], 9, "{again}");
}
