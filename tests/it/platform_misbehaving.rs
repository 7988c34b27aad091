//! The real binary against a scripted platform that misbehaves (issue 11, "the platform
//! misbehaving"): waits it asks for that are too long, an inconsistent campaign list, a wrong
//! API URL, no platform at all, and a token that cannot be sent. Every run is bounded by the
//! harness's timeout, so a regression that hangs fails instead of stalling CI.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::support::{campaignctl, Run, Workspace, TOKEN};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::json;

/// Answers one request: the path (under the server's root) and the number of requests to that
/// path before this one.
type Script = dyn Fn(&str, u32) -> Response + Send + Sync;

/// A scripted platform on a loopback port, counting every request it receives.
pub(crate) struct Hostile {
    pub(crate) addr: SocketAddr,
    requests: Arc<AtomicU32>,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Clone)]
struct Shared {
    script: Arc<Script>,
    requests: Arc<AtomicU32>,
    per_path: Arc<std::sync::Mutex<std::collections::HashMap<String, u32>>>,
}

impl Hostile {
    pub(crate) fn start(script: impl Fn(&str, u32) -> Response + Send + Sync + 'static) -> Hostile {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let requests = Arc::new(AtomicU32::new(0));
        let shared = Shared {
            script: Arc::new(script),
            requests: requests.clone(),
            per_path: Arc::default(),
        };
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new().fallback(answer).with_state(shared);
        runtime.spawn(async move { axum::serve(listener, app).await });
        Hostile {
            addr,
            requests,
            _runtime: runtime,
        }
    }

    pub(crate) fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    pub(crate) fn requests(&self) -> u32 {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn answer(State(shared): State<Shared>, req: Request) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let path = req.uri().path().to_owned();
    let before = {
        let mut per_path = shared
            .per_path
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = per_path.entry(path.clone()).or_default();
        *n += 1;
        *n - 1
    };
    (shared.script)(&path, before)
}

/// A healthy answer for the three lists a plan reads; `campaigns` is the campaign list.
pub(crate) fn lists(path: &str, campaigns: serde_json::Value) -> Response {
    match path {
        "/api/user/campaigns" => Json(campaigns).into_response(),
        "/api/user/assistants/get" => Json(json!({
            "current_page": 1, "data": [], "last_page": 1, "per_page": 100, "total": 0
        }))
        .into_response(),
        "/api/user/assistants/phone-numbers" => Json(json!([])).into_response(),
        _ => (StatusCode::NOT_FOUND, Json(json!({"message": "Not Found"}))).into_response(),
    }
}

fn too_many(retry_after: &str) -> Response {
    let mut resp = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({"message": "Too Many Attempts."})),
    )
        .into_response();
    resp.headers_mut().insert(
        "retry-after",
        HeaderValue::from_str(retry_after).expect("header value"),
    );
    resp
}

/// A workspace whose one manifest adopts campaign 5, so a plan needs no assistant.
fn adopting_workspace() -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "campaigns/a.yaml",
        "kind: Campaign\nid: 5\nname: Adopted\ntimezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n",
    );
    ws
}

fn plan_against(ws: &Workspace, url: &str) -> Run {
    campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", url)
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .env("CAMPAIGNCTL_RETRY_BASE_DELAY_MS", "10")
        .args(["plan"])
        .run()
}

#[track_caller]
fn assert_no_token(run: &Run) {
    run.assert_nowhere(TOKEN);
}

#[test]
fn a_huge_retry_after_fails_at_once_instead_of_waiting() {
    let server = Hostile::start(|_, _| too_many("999999"));
    let ws = adopting_workspace();
    let started = Instant::now();
    let run = plan_against(&ws, &server.api_url());
    let took = started.elapsed();
    run.assert_code(1)
        .assert_stderr("rate limited (429): the platform asks to wait 11days 13h 46m 39s")
        .assert_stderr("longer than the 1m campaignctl waits")
        .assert_only_stderr("hint: the platform is throttling this account");
    assert!(
        took < Duration::from_secs(20),
        "a refused wait must not be slept: took {took:?}"
    );
    assert!(
        server.requests() <= 3,
        "one request per list, none retried: {} requests",
        server.requests()
    );
    assert_no_token(&run);
}

#[test]
fn an_http_date_retry_after_is_waited_for_and_announced() {
    // The first campaign list is throttled until a date 4 s ahead; then the platform answers.
    let server = Hostile::start(|path, before| {
        if path == "/api/user/campaigns" && before == 0 {
            let at = SystemTime::now() + Duration::from_secs(4);
            return too_many(&httpdate::fmt_http_date(at));
        }
        lists(path, json!([{"id": 5, "name": "Adopted"}]))
    });
    let ws = adopting_workspace();
    let started = Instant::now();
    let run = plan_against(&ws, &server.api_url());
    let took = started.elapsed();
    run.assert_code(0)
        .assert_stderr("rate limited: waiting")
        .assert_stderr("then attempt 2 of 21 (GET user/campaigns)");
    assert!(
        took >= Duration::from_secs(2),
        "the date was read as a wait of about 3-4 s (the backoff fallback is 10 ms): took {took:?}"
    );
}

#[test]
fn a_campaign_list_holding_one_id_twice_is_refused_naming_the_id() {
    let server = Hostile::start(|path, _| {
        lists(
            path,
            json!([{"id": 5, "name": "Adopted"}, {"id": 9, "name": "Other"}, {"id": 9, "name": "Shadow"}]),
        )
    });
    let ws = adopting_workspace();
    let run = plan_against(&ws, &server.api_url());
    run.assert_code(1).assert_stderr(
        "campaign id 9 appears 2 times (\"Other\", \"Shadow\"); refusing to work from it",
    );
    assert!(
        !run.stdout.contains("Plan:"),
        "no plan is printed from an inconsistent list:\n{}",
        run.stdout
    );
}

#[test]
fn a_two_line_token_is_refused_before_any_request_without_showing_it() {
    let server = Hostile::start(|path, _| lists(path, json!([{"id": 5, "name": "Adopted"}])));
    let ws = adopting_workspace();
    let file = ws.write("token", "first-half-XYZ\nsecond-half-XYZ\n");
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", &server.api_url())
        .args(["plan", "--token-file"])
        .args([&file])
        .run();
    run.assert_code(1)
        .assert_stderr("has 2 lines; a token is one line")
        .assert_only_stderr("hint: put the token alone on one line");
    // No part of the token may be shown.
    run.assert_nowhere("XYZ");
    // Not a network problem.
    run.assert_nowhere("could not reach");

    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", &server.api_url())
        .env("CAMPAIGNCTL_API_TOKEN", "abc\u{7}XYZ")
        .args(["plan"])
        .run();
    run.assert_code(1)
        .assert_stderr("CAMPAIGNCTL_API_TOKEN contains a control character");
    run.assert_nowhere("XYZ");
    assert_eq!(server.requests(), 0, "nothing is sent with a bad token");

    // One final line break is how files end: that token is fine.
    std::fs::write(&file, "first-half-XYZ\n").expect("write token");
    campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", &server.api_url())
        .args(["plan", "--token-file"])
        .args([&file])
        .run()
        .assert_code(0);
}

#[test]
fn a_404_on_a_list_names_the_url_and_hints_at_api() {
    let server = Hostile::start(|path, _| {
        lists(path, json!([])) // only /api/... exists
    });
    let ws = adopting_workspace();
    let url_without_api = format!("http://{}", server.addr);
    let run = plan_against(&ws, &url_without_api);
    run.assert_code(1)
        .assert_stderr(&format!("not found (404): http://{}/user/", server.addr))
        .assert_only_stderr("hint: the API URL usually ends in /api");
    assert_no_token(&run);
}

#[test]
fn connection_refused_is_one_concise_error_without_a_warn_flood() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let ws = adopting_workspace();
    let run = plan_against(&ws, &format!("http://127.0.0.1:{port}/api"));
    run.assert_code(1)
        .assert_stderr(&format!(
            "could not connect to the platform at http://127.0.0.1:{port}/api/user/"
        ))
        .assert_stderr("Connection refused");
    assert!(
        !run.stderr.contains("WARN"),
        "retries are logged at debug, not warn:\n{}",
        run.stderr
    );
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .count();
    assert_eq!(errors, 1, "one error line:\n{}", run.stderr);
    assert!(
        run.stderr.lines().count() <= 2,
        "the error and its hint, nothing else:\n{}",
        run.stderr
    );
}
