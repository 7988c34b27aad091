//! A person's stop wins (issue 18, item 4): a campaign is started only when git asks for it
//! (it is new, or its `status:` changed since what the record of what was applied says was
//! carried out), in `apply` and `watch` alike; a campaign stopped or deleted outside campaignctl
//! is reported and left alone unless `--self-heal-calls`; every start re-reads the status
//! right before, and a campaign already running is not started twice. The real binary against
//! the emulator (or a scripted platform) on loopback, in real git repositories.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::support::{campaignctl, commit_all, git, Emulator, Run, Workspace, TOKEN};

/// A manifest head that the calling-hours lint has nothing to say about.
const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

fn manifest(name: &str, status: &str) -> String {
    format!(
        "kind: Campaign\nname: {name}\nassistant_id: 7\nstatus: {status}\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\" }}\n{QUIET}"
    )
}

fn stat(emu: &Emulator, key: &str) -> u64 {
    let stats = emu.stats();
    stats[key]
        .as_u64()
        .unwrap_or_else(|| panic!("no {key} in {stats}"))
}

fn campaign(emu: &Emulator, name: &str) -> Option<Value> {
    emu.campaigns().into_iter().find(|c| c["name"] == name)
}

fn status_of(emu: &Emulator, name: &str) -> String {
    campaign(emu, name)
        .and_then(|c| c["status"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "<absent>".to_owned())
}

fn id_of(emu: &Emulator, name: &str) -> u64 {
    campaign(emu, name)
        .and_then(|c| c["id"].as_u64())
        .unwrap_or_else(|| panic!("no campaign {name:?} on the emulator"))
}

/// An emergency stop in the dashboard: the platform's own stop endpoint.
fn stop_by_hand(emu: &Emulator, name: &str) {
    let id = id_of(emu, name);
    emu.api(
        "POST",
        "user/campaigns/update-status",
        Some(json!({"campaign_id": id, "action": "stop"})),
    );
}

/// A git repository whose `c/q.yaml` declares the running campaign "Q", committed.
fn repository() -> Workspace {
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(".gitignore", ".campaignctl-locks/\n");
    ws.write("c/q.yaml", manifest("Q", "running"));
    commit_all(&ws, "Q runs");
    ws
}

fn apply(ws: &Workspace, emu: &Emulator, extra: &[&str]) -> Run {
    campaignctl(ws.path(), Some(emu))
        .args(["apply", "--auto-approve", "--allow-start"])
        .args(extra)
        .arg_path(std::path::Path::new("c"))
        .run()
}

/// The repository after `apply --allow-start` started "Q" and a person stopped it.
fn started_then_stopped_by_hand(emu: &Emulator) -> Workspace {
    let ws = repository();
    apply(&ws, emu, &[]).assert_code(0);
    assert_eq!(status_of(emu, "Q"), "in-progress");
    stop_by_hand(emu, "Q");
    assert_eq!(stat(emu, "start_requests"), 1);
    ws
}

#[test]
fn an_unrelated_merge_never_undoes_an_emergency_stop_and_a_status_change_in_git_does_start() {
    let emu = Emulator::start();
    let ws = started_then_stopped_by_hand(&emu);

    // An unrelated commit, applied as CI applies every merge.
    ws.write("c/other.yaml", manifest("Other", "draft"));
    commit_all(&ws, "an unrelated campaign");
    let run = apply(&ws, &emu, &[]);
    run.assert_code(0);
    assert_eq!(
        status_of(&emu, "Q"),
        "stopped",
        "the person's stop wins\n{}",
        run
    );
    assert_eq!(stat(&emu, "start_requests"), 1, "no start was sent");
    assert!(
        run.stdout.contains("  ! \"Q\" (id 1) status stopped: stopped outside campaignctl since campaignctl last left it running or a draft; a person's stop wins, so it is left alone (the manifest wants running)\n"),
        "the plan reports it:\n{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("c/q.yaml:4:9: warning: campaign \"Q\" (id 1) is not started: stopped outside campaignctl since campaignctl last left it running or a draft")
            && run.stderr.contains("hint: to start it again, set status: stopped, apply, then set status: running"),
        "a warning at its status line, with the way out:\n{}",
        run.stderr
    );

    // git asks: stopped, then running again. Each is a change carried out and recorded.
    ws.write("c/q.yaml", manifest("Q", "stopped"));
    commit_all(&ws, "Q stops");
    apply(&ws, &emu, &[]).assert_code(0);
    assert_eq!(stat(&emu, "start_requests"), 1);
    ws.write("c/q.yaml", manifest("Q", "running"));
    commit_all(&ws, "Q runs again");
    let run = apply(&ws, &emu, &[]);
    run.assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "in-progress", "{}", run);
    assert_eq!(stat(&emu, "start_requests"), 2);
}

#[test]
fn a_stop_left_alone_is_a_warning_in_every_rendering_not_a_change() {
    let emu = Emulator::start();
    let ws = started_then_stopped_by_hand(&emu);
    let plan = |args: &[&str]| {
        campaignctl(ws.path(), Some(&emu))
            .args(["plan"])
            .args(args)
            .arg_path(std::path::Path::new("c"))
            .run()
    };
    let text = plan(&["--detailed-exitcode"]);
    text.assert_code(0);
    assert!(!text.stdout.contains("No changes"), "{}", text.stdout);
    assert!(!text.stdout.contains("as wanted"), "{}", text.stdout);
    assert!(
        text.stdout.contains(
            "Nothing to apply, but 1 campaign(s) need attention: apply cannot act on them."
        ),
        "{}",
        text.stdout
    );
    assert!(
        text.stderr
            .contains("warning: campaign \"Q\" (id 1) is not started"),
        "{}",
        text.stderr
    );
    plan(&["--deny-warnings"]).assert_code(1);

    let doc = plan(&["--format", "json"]).assert_code(0).json();
    let q = doc["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["name"] == "Q"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(q["status"]["left_alone"], "stopped_outside", "{doc:#}");
    assert_eq!(q["status"]["cannot_act"], "start_left_alone", "{doc:#}");
    assert_eq!(q["status"]["action"], Value::Null, "{doc:#}");
    assert!(
        doc["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["severity"] == "warning"
                && d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("is not started")))),
        "{doc:#}"
    );

    let md = plan(&["--format", "markdown"])
        .assert_code(0)
        .stdout
        .clone();
    assert!(!md.contains("No changes"), "{md}");
    assert!(
        md.contains(":warning: **Nothing to apply, but 1 campaign(s) need attention: apply cannot act on them.**"),
        "{md}"
    );
    assert!(
        md.contains("| ⚠️ | Q | unchanged, **status stopped: apply cannot act on it** (wanted: running) | 1 |"),
        "{md}"
    );

    let gh = plan(&["--format", "github"]).assert_code(0).stdout.clone();
    assert!(gh.contains("::warning file=c/q.yaml,line=4,col=9"), "{gh}");

    // --self-heal-calls restores the old behaviour, and the plan says so as apply will do it.
    let healing = plan(&["--self-heal-calls", "--detailed-exitcode"]);
    healing.assert_code(2);
    assert!(
        healing.stdout.contains("\"Q\" WILL START CALLING"),
        "{}",
        healing.stdout
    );
    apply(&ws, &emu, &["--self-heal-calls"]).assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "in-progress");
    assert_eq!(stat(&emu, "start_requests"), 2);
}

#[test]
fn a_campaign_deleted_by_hand_comes_back_as_a_draft_and_is_not_started() {
    let emu = Emulator::start();
    let ws = repository();
    // Created with its start held (no --allow-start): a draft, still asked to start.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "draft");
    apply(&ws, &emu, &[]).assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "in-progress");
    let id = id_of(&emu, "Q");
    emu.api("DELETE", &format!("user/campaign/{id}"), None);
    let run = apply(&ws, &emu, &[]);
    run.assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "draft", "{}", run);
    assert_eq!(stat(&emu, "start_requests"), 1);
    assert!(
        run.stderr.contains("warning: campaign \"Q\" is not started: deleted outside campaignctl after campaignctl started it; it is created again as a draft"),
        "{}",
        run.stderr
    );
    // It stays a draft on every later run, until git asks or a person opts in.
    apply(&ws, &emu, &[]).assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "draft");
    apply(&ws, &emu, &["--self-heal-calls"]).assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "in-progress");
}

#[test]
fn a_saved_plan_decides_as_apply_does_with_the_record_read_again() {
    let emu = Emulator::start();
    let ws = started_then_stopped_by_hand(&emu);
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "q.plan", "c"])
        .run()
        .assert_code(0);
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--allow-start", "q.plan"])
        .run();
    run.assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "stopped", "{}", run);
    assert_eq!(stat(&emu, "start_requests"), 1);
    assert!(
        run.stderr
            .contains("warning: campaign \"Q\" (id 1) is not started"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_a_record_a_stopped_campaign_is_not_started() {
    // Outside a git repository nothing says campaignctl started it: fail closed.
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/q.yaml", manifest("Q", "running"));
    apply(&ws, &emu, &[]).assert_code(0);
    stop_by_hand(&emu, "Q");
    let run = apply(&ws, &emu, &[]);
    run.assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "stopped", "{}", run);
    assert!(
        run.stderr
            .contains("no record says what campaignctl last carried out on it")
            && run
                .stderr
                .contains("hint: the record of what was applied is kept in the git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn racing_applies_send_one_start_request_per_campaign() {
    // Three runs on three machines (no shared lock, no shared record) apply the same new
    // campaigns at once: one start request each, not one per run.
    let emu = Emulator::start_with(&["--latency", "40"]);
    let workspaces: Vec<Workspace> = (0..3)
        .map(|_| {
            let ws = Workspace::new();
            ws.write("c/r1.yaml", manifest("R1", "running"));
            ws.write("c/r2.yaml", manifest("R2", "running"));
            ws
        })
        .collect();
    let runs: Vec<_> = workspaces
        .iter()
        .map(|ws| {
            let cmd = campaignctl(ws.path(), Some(&emu)).args([
                "apply",
                "--auto-approve",
                "--allow-start",
                "c",
            ]);
            std::thread::spawn(move || cmd.run())
        })
        .collect();
    let runs: Vec<Run> = runs
        .into_iter()
        .map(|t| t.join().expect("run thread"))
        .collect();
    let all: Vec<String> = runs.iter().map(Run::to_string).collect();
    // A run that plans while another's fresh copies still exist refuses the plan (a name
    // held twice) and writes nothing: a safe outcome of the race, not the one under test.
    for run in &runs {
        if run.code != 0 {
            run.assert_code(1).assert_stderr("is held by 2 campaigns");
        }
    }
    assert!(runs.iter().any(|r| r.code == 0), "{}", all.join("\n---\n"));
    assert_eq!(emu.campaign_names(), ["R1", "R2"]);
    assert_eq!(status_of(&emu, "R1"), "in-progress");
    assert_eq!(status_of(&emu, "R2"), "in-progress");
    assert_eq!(
        stat(&emu, "start_requests"),
        2,
        "one start request per campaign:\n{}",
        all.join("\n---\n")
    );
}

/// A scripted platform holding campaign 5 ("Adopted", one lead): the plan's list says
/// `draft`; every later list says `later`. Counts the start requests it receives.
struct Scripted {
    addr: std::net::SocketAddr,
    starts: Arc<AtomicU32>,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Clone)]
struct Script {
    later: &'static str,
    lists: Arc<AtomicU32>,
    starts: Arc<AtomicU32>,
}

async fn answer(State(s): State<Script>, req: Request) -> Response {
    let path = req.uri().path();
    let page = |data: Value| {
        Json(json!({"current_page": 1, "data": data, "last_page": 1, "per_page": 100, "total": 1}))
            .into_response()
    };
    match path {
        "/api/user/campaigns" => {
            let status = if s.lists.fetch_add(1, Ordering::SeqCst) == 0 {
                "draft"
            } else {
                s.later
            };
            Json(json!([{"id": 5, "name": "Adopted", "status": status}])).into_response()
        }
        "/api/user/leads" => {
            page(json!([{"id": 1, "campaign_id": 5, "phone_number": "+14155550101"}]))
        }
        "/api/user/assistants/get" => Json(json!({
            "current_page": 1, "data": [], "last_page": 1, "per_page": 100, "total": 0
        }))
        .into_response(),
        "/api/user/assistants/phone-numbers" => Json(json!([])).into_response(),
        "/api/user/campaigns/update-status" => {
            s.starts.fetch_add(1, Ordering::SeqCst);
            Json(json!({"message": "Campaign started successfully.", "data": {"id": 5, "status": "in-progress"}}))
                .into_response()
        }
        _ => (StatusCode::NOT_FOUND, Json(json!({"message": "Not Found"}))).into_response(),
    }
}

impl Scripted {
    fn start(later: &'static str) -> Scripted {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let starts = Arc::new(AtomicU32::new(0));
        let script = Script {
            later,
            lists: Arc::default(),
            starts: starts.clone(),
        };
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new().fallback(answer).with_state(script);
        runtime.spawn(async move { axum::serve(listener, app).await });
        Scripted {
            addr,
            starts,
            _runtime: runtime,
        }
    }

    fn apply(&self) -> Run {
        let ws = Workspace::new();
        ws.write(
            "c/a.yaml",
            format!("kind: Campaign\nid: 5\nname: Adopted\nstatus: running\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\" }}\n{QUIET}"),
        );
        campaignctl(ws.path(), None)
            .env("CAMPAIGNCTL_API_URL", &format!("http://{}/api", self.addr))
            .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
            .args(["apply", "--auto-approve", "--allow-start", "c"])
            .run()
    }
}

#[test]
fn a_start_re_reads_the_status_and_skips_a_campaign_that_changed_since_the_plan() {
    let platform = Scripted::start("paused");
    let run = platform.apply();
    run.assert_code(1);
    assert_eq!(platform.starts.load(Ordering::SeqCst), 0, "{}", run);
    assert!(
        run.stdout.contains("not started: its status is paused right before the start, not draft as when planned (changed outside this run); plan again"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_start_that_finds_the_campaign_running_is_success_without_a_request() {
    let platform = Scripted::start("in-progress");
    let run = platform.apply();
    run.assert_code(0);
    assert_eq!(platform.starts.load(Ordering::SeqCst), 0, "{}", run);
}

/// `campaignctl watch` on a repository, with its log and metrics.
struct Daemon {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
}

const DEADLINE: Duration = Duration::from_secs(20);

impl Daemon {
    /// `watch --allow-start c` in `ws`, with file events as the trigger.
    fn start(ws: &Workspace, emu: &Emulator) -> Daemon {
        let mut child = campaignctl(ws.path(), Some(emu))
            .args(["watch", "--allow-start", "--listen", "127.0.0.1:0"])
            .args(["--interval", "1h", "--debounce", "50ms", "c"])
            .spawn();
        let log = crate::support::collect_stderr(&mut child);
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("first line");
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        Daemon { child, addr, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn metric(&self, series: &str) -> f64 {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        write!(
            stream,
            "GET /metrics HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        response
            .lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no series {series} in:\n{response}"))
    }

    #[track_caller]
    fn wait_for(&self, what: &str, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(
                start.elapsed() < DEADLINE,
                "expected {what} within {DEADLINE:?}\nlog:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_leaves_a_campaign_stopped_in_the_dashboard_alone_and_reports_it() {
    let emu = Emulator::start();
    stopped_in_the_dashboard_while_watching(&emu, &repository());
}

#[test]
fn outside_a_repository_watch_remembers_what_it_started_for_its_lifetime() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/q.yaml", manifest("Q", "running"));
    stopped_in_the_dashboard_while_watching(&emu, &ws);
}

/// `watch --allow-start` starts "Q"; a person stops it; the next pass (an unrelated edit)
/// leaves it alone and says so in the log and on /metrics.
fn stopped_in_the_dashboard_while_watching(emu: &Emulator, ws: &Workspace) {
    let daemon = Daemon::start(ws, emu);
    daemon.wait_for("Q to be started", || status_of(emu, "Q") == "in-progress");
    let passes = "campaignctl_passes_total{outcome=\"success\"}";
    daemon.wait_for("the pass to end", || daemon.metric(passes) >= 1.0);
    stop_by_hand(emu, "Q");

    // The next pass, triggered by an unrelated edit.
    ws.write("c/other.yaml", manifest("Other", "draft"));
    daemon.wait_for("the next pass", || {
        status_of(emu, "Other") == "draft" && daemon.metric(passes) >= 2.0
    });
    assert_eq!(status_of(emu, "Q"), "stopped", "log:\n{}", daemon.log());
    assert_eq!(stat(emu, "start_requests"), 1, "log:\n{}", daemon.log());
    assert_eq!(
        daemon.metric("campaignctl_starts_left_alone_campaigns"),
        1.0
    );
    let log = daemon.log();
    assert!(
        log.contains("warning: campaign \"Q\" (id 1) is not started: stopped outside campaignctl since campaignctl last left it running or a draft"),
        "log:\n{log}"
    );
    assert!(!log.contains(TOKEN));
}

/// A person's start in the dashboard: the platform's own endpoint.
fn start_by_hand(emu: &Emulator, name: &str) {
    let id = id_of(emu, name);
    emu.api(
        "POST",
        "user/campaigns/update-status",
        Some(json!({"campaign_id": id, "action": "start"})),
    );
}

/// The lines of `text` that contain `part`, for precise assertions on one stream.
fn lines_with<'a>(text: &'a str, part: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(part)).collect()
}

#[test]
fn renaming_a_stopped_campaign_onto_a_stale_entry_does_not_start_it() {
    // The record has "A" running and "Old" stopped; a person stops A. A commit removes
    // old.yaml and declares A's campaign as `name: Old` by `id:`: the entry "Old" is the other
    // campaign's, not A's, so A's campaign is a person's stop and stays stopped.
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(".gitignore", ".campaignctl-locks/\n");
    ws.write("c/a.yaml", manifest("A", "running"));
    ws.write("c/old.yaml", manifest("Old", "running"));
    commit_all(&ws, "A and Old run");
    apply(&ws, &emu, &[]).assert_code(0);
    ws.write("c/old.yaml", manifest("Old", "stopped"));
    commit_all(&ws, "Old stops");
    apply(&ws, &emu, &[]).assert_code(0);
    let (a, old) = (id_of(&emu, "A"), id_of(&emu, "Old"));
    assert_eq!(status_of(&emu, "Old"), "stopped");
    stop_by_hand(&emu, "A");
    let starts = stat(&emu, "start_requests");

    // Old's campaign goes away (deleted in the dashboard), so that only A's can be "Old".
    emu.api("DELETE", &format!("user/campaign/{old}"), None);
    std::fs::remove_file(ws.path().join("c/old.yaml")).expect("remove old.yaml");
    ws.write(
        "c/a.yaml",
        format!("id: {a}\n{}", manifest("Old", "running")),
    );
    commit_all(&ws, "A's campaign is now called Old");
    let run = apply(&ws, &emu, &[]);
    assert_eq!(
        stat(&emu, "start_requests"),
        starts,
        "A's campaign must not be started:\n{}",
        run
    );
    let renamed = emu
        .campaigns()
        .into_iter()
        .find(|c| c["id"] == a)
        .unwrap_or_default();
    assert_eq!(renamed["status"], "stopped", "{}", run);
    run.assert_code(0);
    assert_eq!(
        lines_with(&run.stderr, "is not started"),
        [format!("c/a.yaml:5:9: warning: campaign \"Old\" (id {a}) is not started: stopped outside campaignctl since campaignctl last left it running or a draft; a person's stop wins, so it is left alone")],
        "{}",
        run.stderr
    );
}

#[test]
fn a_held_start_that_a_person_started_and_stopped_is_not_restarted_by_an_unrelated_merge() {
    let emu = Emulator::start();
    let ws = repository();
    // The start is held (no --allow-start): the record says draft, still asked for.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "draft");
    // A person starts it in the dashboard, then makes an emergency stop.
    start_by_hand(&emu, "Q");
    stop_by_hand(&emu, "Q");
    assert_eq!(stat(&emu, "start_requests"), 1);

    ws.write("c/other.yaml", manifest("Other", "draft"));
    commit_all(&ws, "an unrelated campaign");
    let run = apply(&ws, &emu, &[]);
    assert_eq!(status_of(&emu, "Q"), "stopped", "{}", run);
    assert_eq!(stat(&emu, "start_requests"), 1, "{}", run);
    run.assert_code(0);
    assert_eq!(
        lines_with(&run.stdout, "\"Q\" (id 1) status"),
        ["  ! \"Q\" (id 1) status stopped: stopped outside campaignctl since campaignctl last left it running or a draft; a person's stop wins, so it is left alone (the manifest wants running)"],
        "{}",
        run.stdout
    );
    assert_eq!(
        lines_with(&run.stderr, "is not started"),
        ["c/q.yaml:4:9: warning: campaign \"Q\" (id 1) is not started: stopped outside campaignctl since campaignctl last left it running or a draft; a person's stop wins, so it is left alone"],
        "{}",
        run.stderr
    );
}

/// The name of the one record ref in `ws`.
fn record_ref(ws: &Workspace) -> String {
    let out = std::process::Command::new("git")
        .current_dir(ws.path())
        .args(["for-each-ref", "--format=%(refname)", "refs/campaignctl/"])
        .output()
        .expect("git for-each-ref");
    let refs = String::from_utf8_lossy(&out.stdout).into_owned();
    let refs: Vec<&str> = refs.lines().collect();
    assert_eq!(refs.len(), 1, "one record ref: {refs:?}");
    refs[0].to_owned()
}

/// Points `refname` at a commit whose `record.json` is `json`, as a newer campaignctl (or a
/// damaged clone) might leave it.
fn overwrite_record(ws: &Workspace, refname: &str, json: &str) {
    let run = |args: &[&str], input: &str| {
        let mut child = std::process::Command::new("git")
            .current_dir(ws.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@localhost")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@localhost")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("git");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("git");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let blob = run(&["hash-object", "-w", "--stdin"], json);
    let tree = run(&["mktree"], &format!("100644 blob {blob}\trecord.json\n"));
    let commit = run(&["commit-tree", &tree], "damaged\n");
    run(&["update-ref", refname, &commit], "");
}

#[test]
fn while_the_record_is_unusable_only_a_draft_on_the_platform_is_started() {
    let emu = Emulator::start();
    let ws = started_then_stopped_by_hand(&emu);
    // D's start is held: a draft on the platform, still asked for.
    ws.write("c/d.yaml", manifest("D", "running"));
    commit_all(&ws, "D runs");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    assert_eq!(status_of(&emu, "D"), "draft");
    // A person deletes Q; the record becomes unreadable (written by a newer campaignctl).
    let q = id_of(&emu, "Q");
    emu.api("DELETE", &format!("user/campaign/{q}"), None);
    let refname = record_ref(&ws);
    let newer = r#"{"version": 99, "campaigns": {}}"#;
    overwrite_record(&ws, &refname, newer);

    let doc = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "c"])
        .run()
        .assert_code(0)
        .json();
    let status = |name: &str| {
        doc["actions"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["name"] == name))
            .map(|a| a["status"].clone())
            .unwrap_or_default()
    };
    assert_eq!(status("Q")["left_alone"], "record_unusable", "{doc:#}");
    assert_eq!(status("Q")["cannot_act"], "start_left_alone", "{doc:#}");
    assert_eq!(status("D")["action"], "start", "{doc:#}");

    let run = apply(&ws, &emu, &[]);
    assert_eq!(status_of(&emu, "Q"), "draft", "{}", run);
    assert_eq!(status_of(&emu, "D"), "in-progress", "{}", run);
    assert_eq!(stat(&emu, "start_requests"), 2, "{}", run);
    run.assert_code(0);
    assert_eq!(
        lines_with(&run.stderr, "record of what was applied is unusable"),
        [format!("warning: the record of what was applied is unusable: {refname} was written by a newer campaignctl (record version 99); no campaign is started unless it is a draft on the platform, and the record is not written").as_str()],
        "{}",
        run.stderr
    );
    assert_eq!(
        lines_with(&run.stderr, "is not started"),
        ["c/q.yaml:4:9: warning: campaign \"Q\" is not started: the record of what was applied cannot be read, so nothing says whether a person stopped or deleted it; only a draft on the platform is started"],
        "{}",
        run.stderr
    );
    assert_ne!(id_of(&emu, "Q"), q, "created again");
    // Nothing was written over it.
    let still = std::process::Command::new("git")
        .current_dir(ws.path())
        .args(["show", &format!("{refname}:record.json")])
        .output()
        .expect("git show");
    assert_eq!(String::from_utf8_lossy(&still.stdout), newer);
}

#[test]
fn a_rotated_token_keeps_the_record() {
    // Q was started by campaignctl and deleted by a person; then the token is rotated (same
    // platform account, same API URL). The record still says campaignctl had Q running, so Q
    // comes back as a draft and is not started.
    let state_dir = tempfile::tempdir().expect("tempdir");
    let state = state_dir.path().join("emulator-state.json");
    let state = state.to_str().expect("UTF-8 path").to_owned();
    let emu = Emulator::start_with(&["--state", &state]);
    let ws = repository();
    apply(&ws, &emu, &[]).assert_code(0);
    assert_eq!(status_of(&emu, "Q"), "in-progress");
    emu.api(
        "DELETE",
        &format!("user/campaign/{}", id_of(&emu, "Q")),
        None,
    );
    let addr = emu.addr.clone();
    emu.stop();

    const ROTATED: &str = "tok_ROTATED_0c4d2e8f1a";
    let emu = Emulator::start_as(&addr, ROTATED, &["--state", &state]);
    let run = campaignctl(ws.path(), Some(&emu))
        .env("CAMPAIGNCTL_API_TOKEN", ROTATED)
        .args(["apply", "--auto-approve", "--allow-start", "c"])
        .run();
    assert_eq!(status_of(&emu, "Q"), "draft", "{}", run);
    run.assert_code(0);
    assert_eq!(
        lines_with(&run.stderr, "is not started"),
        ["c/q.yaml:4:9: warning: campaign \"Q\" is not started: deleted outside campaignctl after campaignctl started it; it is created again as a draft, which calls nobody, and not started"],
        "{}",
        run.stderr
    );
    run.assert_nowhere(ROTATED).assert_nowhere(TOKEN);
}

/// Found by the second adversarial review: a draft whose replacement was held (a loading
/// problem holds every delete) was started with its old settings, although its manifest asked
/// for others; once it had run it could never be replaced. A draft that differs from its
/// manifest and is not replaced is not started.
#[test]
fn a_draft_whose_replacement_is_held_is_not_started_with_its_old_settings() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(".gitignore", ".campaignctl-locks/\n");
    ws.write("c/g.yaml", manifest("G", "draft"));
    commit_all(&ws, "G, a draft");
    apply(&ws, &emu, &[]).assert_code(0);
    assert_eq!(status_of(&emu, "G"), "draft");

    // git asks for other settings and for calls, while an empty file holds every deletion.
    ws.write("c/g.yaml", manifest("G", "running") + "max_retries: 5\n");
    ws.write("c/empty.yaml", "");
    commit_all(&ws, "G runs with five retries");
    let run = apply(&ws, &emu, &["--allow-delete"]);
    assert_eq!(status_of(&emu, "G"), "draft", "{}", run);
    assert_eq!(stat(&emu, "start_requests"), 0, "{}", run);
    assert!(
        run.stdout.contains("the draft differs from its manifest and is not replaced (see its drift), so it is not started with settings the manifest no longer asks for"),
        "{}",
        run.stdout
    );

    // The file fixed: the draft is replaced, and the replacement is started.
    std::fs::remove_file(ws.path().join("c/empty.yaml")).expect("rm");
    commit_all(&ws, "no empty file");
    let run = apply(&ws, &emu, &["--allow-delete"]);
    run.assert_code(0);
    assert_eq!(status_of(&emu, "G"), "in-progress", "{}", run);
    assert_eq!(
        campaign(&emu, "G").map(|c| c["max_retries"].clone()),
        Some(json!(5))
    );
}
