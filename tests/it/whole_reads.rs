//! Reads that must be whole before anything is planned or deleted from them (issue 18, gaps
//! found after items 1 and 5): a lead list that comes back short or repeats a lead, per
//! campaign or account-wide, is refused instead of planned as leads to add (and called); a
//! replace re-checks the lead count it planned with right before its delete; a file skipped
//! by discovery, and a path repeated in the config, are load problems that hold deletions.
//! The real binary against the emulator, behind a loopback proxy that drops leads, or against
//! a scripted platform (`platform_misbehaving::Hostile`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::platform_misbehaving::{lists, Hostile};
use crate::support::{campaignctl, seeded, Emulator, Run, Workspace, TOKEN};

const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

/// A manifest for `name` that wants it `status` with `numbers` as its leads.
fn manifest(name: &str, status: &str, numbers: &[&str]) -> String {
    let items: String = numbers
        .iter()
        .map(|n| format!("    - {{ phone_number: \"{n}\" }}\n"))
        .collect();
    format!("kind: Campaign\nname: {name}\nassistant_id: 7\nstatus: {status}\nleads:\n  items:\n{items}{QUIET}")
}

/// A loopback proxy in front of the emulator that drops the last lead of every page of
/// `GET user/leads`, keeping the page's `total` and `last_page`: a list that comes back short.
struct ShortLeads {
    addr: std::net::SocketAddr,
    lead_reads: Arc<AtomicU32>,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Clone)]
struct Upstream {
    url: String,
    http: reqwest::Client,
    lead_reads: Arc<AtomicU32>,
}

impl ShortLeads {
    fn start(emu: &Emulator) -> ShortLeads {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let lead_reads = Arc::new(AtomicU32::new(0));
        let upstream = Upstream {
            url: emu.url.trim_end_matches("/api").to_owned(),
            http: reqwest::Client::new(),
            lead_reads: lead_reads.clone(),
        };
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new().fallback(forward).with_state(upstream);
        runtime.spawn(async move { axum::serve(listener, app).await });
        ShortLeads {
            addr,
            lead_reads,
            _runtime: runtime,
        }
    }

    fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    fn lead_reads(&self) -> u32 {
        self.lead_reads.load(Ordering::SeqCst)
    }
}

async fn forward(State(up): State<Upstream>, req: Request) -> Response {
    let method = req.method().clone();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let shorten = method == axum::http::Method::GET && req.uri().path() == "/api/user/leads";
    let mut out = up
        .http
        .request(method, format!("{}{path_and_query}", up.url));
    for (name, value) in req.headers() {
        if name != "host" {
            out = out.header(name, value);
        }
    }
    let body = to_bytes(req.into_body(), usize::MAX)
        .await
        .expect("request body");
    let answer = out.body(body).send().await.expect("the emulator answers");
    let status = answer.status();
    let bytes = answer.bytes().await.expect("answer body");
    if !shorten {
        return (status, Body::from(bytes)).into_response();
    }
    up.lead_reads.fetch_add(1, Ordering::SeqCst);
    let mut page: Value = serde_json::from_slice(&bytes).expect("a page of leads");
    if let Some(data) = page["data"].as_array_mut() {
        data.pop();
    }
    (status, Json(page)).into_response()
}

fn through(ws: &Workspace, proxy: &ShortLeads, args: &[&str]) -> Run {
    campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", &proxy.api_url())
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .env("CAMPAIGNCTL_RETRY_BASE_DELAY_MS", "10")
        .args(args)
        .run()
}

fn leads_of(emu: &Emulator, campaign: u64) -> u64 {
    emu.api("GET", &format!("user/leads?campaign_id={campaign}"), None)["total"]
        .as_u64()
        .expect("a page of leads")
}

#[test]
fn a_campaigns_lead_list_that_comes_back_short_is_refused_not_planned_as_a_lead_to_call() {
    const A: &str = "+14155550101";
    const B: &str = "+14155550102";
    let (emu, _seed) = seeded(&[(1, "prod-running", "in-progress", &[A, B])]);
    let ws = Workspace::new();
    ws.write("c/a.yaml", manifest("prod-running", "running", &[A, B]));
    let proxy = ShortLeads::start(&emu);

    let plan = through(&ws, &proxy, &["plan", "c"]);
    plan.assert_code(1);
    assert!(
        !plan.stdout.contains("gains") && !plan.stdout.contains("WILL CALL"),
        "a lead already on the campaign is not planned again:\n{}",
        plan.stdout
    );
    assert!(
        plan.stderr.contains(
            "cannot read user/leads whole: 1 distinct lead(s) read in all, but the platform says there are 2; the list came back short"
        ),
        "the refusal names the short list:\n{}",
        plan.stderr
    );

    let apply = through(
        &ws,
        &proxy,
        &["apply", "--auto-approve", "--allow-start", "c"],
    );
    apply.assert_code(1);
    assert_eq!(leads_of(&emu, 1), 2, "no lead was added twice");
    assert_eq!(
        emu.stats()["leads_created"].as_u64(),
        Some(0),
        "nothing was sent:\n{}",
        apply.stderr
    );
}

#[test]
fn the_account_wide_lead_read_is_held_to_the_same_rules_and_read_again_once() {
    const A: &str = "+14155550101";
    const B: &str = "+14155550102";
    const C: &str = "+14155550103";
    const D: &str = "+14155550104";
    // Two campaigns declaring leads: the plan reads the account's leads at once.
    let (emu, _seed) = seeded(&[
        (1, "prod-one", "in-progress", &[A, B]),
        (2, "prod-two", "in-progress", &[C, D]),
    ]);
    let ws = Workspace::new();
    ws.write("c/one.yaml", manifest("prod-one", "running", &[A, B]));
    ws.write("c/two.yaml", manifest("prod-two", "running", &[C, D]));

    // Through the emulator itself: read whole, nothing to add.
    let whole = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--detailed-exitcode", "c"])
        .run();
    whole.assert_code(0);

    let proxy = ShortLeads::start(&emu);
    let plan = through(&ws, &proxy, &["plan", "c"]);
    plan.assert_code(1);
    assert!(
        !plan.stdout.contains("WILL CALL"),
        "nothing is planned from a short list:\n{}",
        plan.stdout
    );
    assert!(
        plan.stderr.contains(
            "cannot read user/leads whole: 3 distinct lead(s) read in all, but the platform says there are 4; the list came back short"
        ),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stderr
            .contains("the account's leads were inconsistent while read; reading them again once"),
        "{}",
        plan.stderr
    );
    assert_eq!(
        proxy.lead_reads(),
        2,
        "one page read, then read again once, then refused"
    );
}

/// A scripted account whose leads, read account-wide two a page, repeat lead 2 on page 2 and
/// so never show lead 4: the read the plan would otherwise make says `prod-two` lacks `D`.
fn repeating_platform(path: &str, before: u32) -> Response {
    let lead = |id: u64, campaign: u64, number: &str| json!({"id": id, "campaign_id": campaign, "phone_number": number});
    match path {
        // Page 1 on even requests, page 2 on odd ones (the account is read page by page).
        "/api/user/leads" if before.is_multiple_of(2) => Json(json!({
            "current_page": 1,
            "data": [lead(1, 5, "+14155550101"), lead(2, 5, "+14155550102")],
            "last_page": 2, "per_page": 2, "total": 4
        }))
        .into_response(),
        "/api/user/leads" => Json(json!({
            "current_page": 2,
            "data": [lead(2, 5, "+14155550102"), lead(3, 6, "+14155550103")],
            "last_page": 2, "per_page": 2, "total": 4
        }))
        .into_response(),
        _ => lists(
            path,
            json!([
                {"id": 5, "name": "prod-one", "status": "in-progress"},
                {"id": 6, "name": "prod-two", "status": "in-progress"}
            ]),
        ),
    }
}

#[test]
fn a_lead_repeated_across_the_accounts_pages_is_refused_not_dropped() {
    let server = Hostile::start(repeating_platform);
    let ws = Workspace::new();
    let adopt = |id: u64, name: &str, numbers: &[&str]| {
        let items: String = numbers
            .iter()
            .map(|n| format!("    - {{ phone_number: \"{n}\" }}\n"))
            .collect();
        format!("kind: Campaign\nid: {id}\nname: {name}\nstatus: running\nleads:\n  items:\n{items}{QUIET}")
    };
    ws.write(
        "c/one.yaml",
        adopt(5, "prod-one", &["+14155550101", "+14155550102"]),
    );
    ws.write(
        "c/two.yaml",
        adopt(6, "prod-two", &["+14155550103", "+14155550104"]),
    );
    let plan = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", &server.api_url())
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .env("CAMPAIGNCTL_RETRY_BASE_DELAY_MS", "10")
        .args(["plan", "c"])
        .run();
    plan.assert_code(1);
    assert!(
        !plan.stdout.contains("WILL CALL"),
        "lead 4 is not planned as missing:\n{}",
        plan.stdout
    );
    assert!(
        plan.stderr
            .contains("cannot read user/leads whole: lead 2 appears on page 1 and again on page 2"),
        "{}",
        plan.stderr
    );
}

/// A scripted account with one draft, `prod-draft` (id 5), that drifted from its manifest and
/// holds its two declared leads when the plan reads them; by the time its replace deletes it,
/// a third lead was added by hand. Counts the deletes and creates it receives.
struct LeadAddedBeforeDelete {
    server: Hostile,
    writes: Arc<AtomicU32>,
}

impl LeadAddedBeforeDelete {
    fn start() -> LeadAddedBeforeDelete {
        let writes = Arc::new(AtomicU32::new(0));
        let counted = writes.clone();
        let server = Hostile::start(move |path, before| {
            let lead =
                |id: u64, number: &str| json!({"id": id, "campaign_id": 5, "phone_number": number});
            let mut leads = vec![lead(1, "+14155550101"), lead(2, "+14155550102")];
            match path {
                "/api/user/leads" => {
                    // The plan's read is the first; every later read sees the lead added.
                    if before > 0 {
                        leads.push(lead(3, "+14155550199"));
                    }
                    let total = leads.len();
                    Json(json!({
                        "current_page": 1, "data": leads,
                        "last_page": 1, "per_page": 100, "total": total
                    }))
                    .into_response()
                }
                "/api/user/assistants/get" => Json(json!({
                    "current_page": 1, "data": [{"id": 7, "name": "Sales", "type": "outbound"}],
                    "last_page": 1, "per_page": 100, "total": 1
                }))
                .into_response(),
                "/api/user/campaign/5" | "/api/user/campaign" => {
                    counted.fetch_add(1, Ordering::SeqCst);
                    Json(json!({"message": "done", "data": {"id": 6, "name": "prod-draft", "status": "draft"}}))
                        .into_response()
                }
                _ => lists(
                    path,
                    json!([{"id": 5, "name": "prod-draft", "status": "draft", "max_retries": 1}]),
                ),
            }
        });
        LeadAddedBeforeDelete { server, writes }
    }
}

#[test]
fn a_replace_whose_draft_gained_a_lead_since_the_plan_deletes_nothing_and_creates_nothing() {
    let platform = LeadAddedBeforeDelete::start();
    let ws = Workspace::new();
    ws.write(
        "c/d.yaml",
        format!("kind: Campaign\nname: prod-draft\nassistant_id: 7\nmax_retries: 3\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\" }}\n    - {{ phone_number: \"+14155550102\" }}\n{QUIET}"),
    );
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", &platform.server.api_url())
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .env("CAMPAIGNCTL_RETRY_BASE_DELAY_MS", "10")
        .args(["apply", "--auto-approve", "--allow-delete", "c"])
        .run();
    assert!(
        run.stdout.contains(
            "# WILL DELETE the draft (id 5) first, then creates it anew with the manifest's leads"
        ),
        "the plan replaces the draft, all of whose leads are declared:\n{}",
        run.stdout
    );
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "campaign 5 (\"prod-draft\") held 2 lead(s) when planned and holds 3 now; it was not deleted"
        ),
        "the delete is refused with the counts:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  - \"prod-draft\": create skipped: the delete of \"prod-draft\" failed\n")
            && run
                .stdout
                .contains("Apply failed: 0 created, 1 failed, 2 skipped."),
        "the create that waits for the delete is skipped, with the reason:\n{}",
        run.stdout
    );
    assert_eq!(
        platform.writes.load(Ordering::SeqCst),
        0,
        "neither the delete nor the create that waits for it was sent:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

/// `prod-stale`, a draft without leads nobody declares (what pruning deletes), and
/// `prod-kept`, declared in `c/kept.yaml`.
fn prunable() -> (Emulator, tempfile::TempDir, Workspace) {
    let (emu, seed) = seeded(&[
        (1, "prod-kept", "draft", &[]),
        (2, "prod-stale", "draft", &[]),
    ]);
    let ws = Workspace::new();
    ws.write(
        "c/kept.yaml",
        format!("kind: Campaign\nname: prod-kept\nassistant_id: 7\n{QUIET}"),
    );
    (emu, seed, ws)
}

fn prune(ws: &Workspace, emu: &Emulator) -> Run {
    campaignctl(ws.path(), Some(emu))
        .args([
            "apply",
            "--prune-prefix",
            "prod-",
            "--allow-delete",
            "--auto-approve",
            "c",
        ])
        .run()
}

/// The run kept `prod-stale`, naming `problem` in the plan's held deletions and on stderr.
#[track_caller]
fn held_for(run: &Run, emu: &Emulator, problem: &str) {
    run.assert_code(0);
    assert_eq!(
        emu.campaign_names(),
        ["prod-kept", "prod-stale"],
        "nothing is deleted:\n{}",
        run
    );
    assert!(
        run.stdout.contains(
            "  # campaign \"prod-stale\" (id 2) HELD, NOT DELETED: no manifest declares it"
        ),
        "the prune is held:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "Deletions held: every delete and replace of this account waits, because 1 manifest file(s) or path(s) could not be read whole, so the manifests may be incomplete: {problem}."
        )),
        "the reason is named:\n{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!(
            "{}: warning: {}",
            problem.split_once(": ").map_or("", |p| p.0),
            problem.split_once(": ").map_or("", |p| p.1)
        )),
        "the warning is on stderr:\n{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_manifest_is_a_warning_that_holds_every_deletion() {
    let (emu, _seed, ws) = prunable();
    let made = std::process::Command::new("mkfifo")
        .arg(ws.path().join("c/pipe.yaml"))
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    let run = prune(&ws, &emu);
    held_for(
        &run,
        &emu,
        "c/pipe.yaml:1:1: this path is a FIFO (named pipe), not a regular file; it was not read",
    );
}

#[test]
fn a_directory_named_like_a_manifest_is_a_warning_that_holds_every_deletion() {
    let (emu, _seed, ws) = prunable();
    std::fs::create_dir_all(ws.path().join("c/eu.yaml")).expect("mkdir");
    let run = prune(&ws, &emu);
    held_for(
        &run,
        &emu,
        "c/eu.yaml:1:1: this is a directory named like a manifest; its files are searched like any directory's, and it is not read as a manifest",
    );
}

#[test]
fn a_saved_plan_among_the_manifests_holds_every_deletion_except_the_plan_applied() {
    let (emu, _seed, ws) = prunable();
    // A manifest written over by `plan --out`: its campaign is no longer declared.
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--out", "c/kept.yaml"])
        .run()
        .assert_code(0);
    ws.write(
        "c/also.yaml",
        format!("kind: Campaign\nname: prod-also\nassistant_id: 7\n{QUIET}"),
    );
    let run = prune(&ws, &emu);
    run.assert_code(0);
    assert_eq!(
        emu.campaign_names(),
        ["prod-also", "prod-kept", "prod-stale"],
        "nothing is deleted, the create proceeds:\n{}",
        run
    );
    assert!(
        run.stdout.contains("Deletions held: every delete and replace of this account waits, because 1 manifest file(s) or path(s) could not be read whole, so the manifests may be incomplete: c/kept.yaml:1:1: this file is a saved plan (`campaignctl plan --out`), not a manifest; it was not read as one."),
        "{}",
        run.stdout
    );

    // A plan saved beside the manifests on purpose, written twice, is applied as saved: the
    // file being written or applied is not a loading problem of its own plan.
    let (emu, _seed, ws) = prunable();
    for _ in 0..2 {
        campaignctl(ws.path(), Some(&emu))
            .args([
                "plan",
                "c",
                "--prune-prefix",
                "prod-",
                "--out",
                "c/reviewed.yaml",
            ])
            .run()
            .assert_code(0);
    }
    let applied = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--allow-delete", "c/reviewed.yaml"])
        .run();
    applied.assert_code(0);
    assert_eq!(
        emu.campaign_names(),
        ["prod-kept"],
        "the reviewed prune is carried out:\n{}",
        applied
    );
}

#[test]
fn a_path_listed_twice_in_the_config_is_an_error_at_its_line() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    crate::support::git(&ws, &["init", "-q"]);
    ws.write(
        "campaignctl.yaml",
        format!("accounts:\n  acme:\n    api_url: {}\n    token_env: CAMPAIGNCTL_ACME_TOKEN\n    prune_prefix: \"prod-\"\n    paths:\n      - acme/us\n      - acme/us\n", emu.url),
    );
    ws.write(
        "acme/us/us.yaml",
        format!("kind: Campaign\nname: prod-us\nassistant_id: 7\n{QUIET}"),
    );
    std::fs::create_dir_all(ws.path().join("acme/eu")).expect("mkdir");
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_ACME_TOKEN", TOKEN)
        .args(["apply", "--auto-approve", "--allow-delete"])
        .run();
    run.assert_code(1);
    assert!(
        // Named relative to the repository's top, as every path in the output is.
        run.stderr.contains(
            "\ncampaignctl.yaml:8:9: error: accounts.acme.paths.1 names the directory acme/us again, as accounts.acme.paths.0 does; each path is listed once\n",
        ) && run.stderr.contains(
            "\n  hint: remove the repeated line, or correct it to the directory you meant\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        emu.campaign_names().is_empty(),
        "nothing is written: {:?}",
        emu.campaign_names()
    );
}
