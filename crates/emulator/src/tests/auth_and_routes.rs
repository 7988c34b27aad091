//! Authentication, unknown routes, and the inspection endpoints.

use reqwest::StatusCode;
use serde_json::json;

use super::Emu;

#[tokio::test]
async fn api_requests_need_the_token() {
    let emu = Emu::start().await;
    let url = emu.url("/user/campaigns");
    let cases = [
        ("no token", None),
        ("wrong token", Some("Bearer nope")),
        ("wrong scheme", Some("Basic emulator-token")),
    ];
    for (case, header) in cases {
        let mut request = emu.client.get(&url);
        if let Some(header) = header {
            request = request.header("Authorization", header);
        }
        let response = request.send().await.expect("the emulator must answer");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{case}: expected 401"
        );
        let body: serde_json::Value = response.json().await.expect("401 body is JSON");
        assert_eq!(
            body,
            json!({"message": "Unauthenticated."}),
            "{case}: Laravel's 401 body"
        );
    }
    assert_eq!(
        emu.get("/user/campaigns").await.status,
        StatusCode::OK,
        "the right token must be accepted"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn a_custom_token_replaces_the_default() {
    let config = crate::EmulatorConfig {
        token: "s3cret".to_string(),
        ..Default::default()
    };
    let emu = Emu::with(config).await;
    assert_eq!(
        emu.get("/user/campaigns").await.status,
        StatusCode::UNAUTHORIZED,
        "the default token must not work"
    );
    let response = emu
        .client
        .get(emu.url("/user/campaigns"))
        .bearer_auth("s3cret")
        .send()
        .await
        .expect("answer");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the configured token must work"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_are_json_404s_and_wrong_methods_405s() {
    let emu = Emu::start().await;
    let reply = emu.get("/user/nothing-here").await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "unknown API route: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body,
        json!({"message": "Not Found"}),
        "unknown route body"
    );
    let reply = emu.get("/user/campaign").await;
    assert_eq!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "GET on a POST route: {:?}",
        reply.body
    );
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("GET")),
        "405 names the method: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn inspection_needs_no_token_and_counts_requests() {
    let emu = Emu::start().await;
    emu.campaign_id("Counted").await;
    emu.get("/user/campaigns").await;
    let stats = emu.inspect("stats").await;
    assert_eq!(stats["requests"], 2, "two API requests were made: {stats}");
    assert_eq!(
        stats["campaign_create_requests"], 1,
        "one create request: {stats}"
    );
    assert_eq!(
        stats["campaigns_created"], 1,
        "one campaign created: {stats}"
    );
    assert_eq!(stats["in_flight"], 0, "nothing is running: {stats}");
    assert_eq!(
        stats["max_in_flight"], 1,
        "requests were sequential: {stats}"
    );
    assert_eq!(
        stats["faults"],
        json!({"errors": 0, "drops": 0, "rate_limited": 0}),
        "no faults: {stats}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn in_flight_counts_concurrent_requests_including_latency() {
    let faults = crate::FaultConfig {
        latency: std::time::Duration::from_millis(200),
        ..Default::default()
    };
    let emu = Emu::with(crate::EmulatorConfig {
        faults,
        ..Default::default()
    })
    .await;
    let requests = (0..4).map(|_| emu.get("/user/campaigns"));
    let replies = futures::future::join_all(requests).await;
    assert!(
        replies.iter().all(|r| r.status == StatusCode::OK),
        "all concurrent requests succeed"
    );
    let stats = emu.inspect("stats").await;
    assert_eq!(
        stats["max_in_flight"], 4,
        "four requests overlapped during their latency: {stats}"
    );
    assert_eq!(stats["in_flight"], 0, "all finished: {stats}");
    emu.server.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let emu = Emu::start().await;
    let addr = emu.server.addr;
    assert!(
        emu.server.base_url().starts_with("http://127.0.0.1:"),
        "base URL: {}",
        emu.server.base_url()
    );
    assert!(
        emu.server.base_url().ends_with("/api"),
        "base URL ends in /api: {}",
        emu.server.base_url()
    );
    emu.server.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the port must be closed after shutdown"
    );
}

/// Collects everything a tracing subscriber writes.
#[derive(Clone, Default)]
struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut logs = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        logs.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_never_reach_the_logs_even_at_trace_level() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // `#[tokio::test]` runs on one thread, so the server's tasks log to this subscriber too.
    let _guard = tracing::subscriber::set_default(subscriber);
    // Callsite interest is cached process-wide: a test on another thread may have cached
    // "never" for these callsites while no subscriber listened. Recompute it now that this
    // thread's subscriber wants everything.
    tracing::callsite::rebuild_interest_cache();
    let token = "tok_TRACE_SECRET_91b2";
    let emu = Emu::with(crate::EmulatorConfig {
        token: token.to_string(),
        ..Default::default()
    })
    .await;
    for bearer in [token, "tok_WRONG_SECRET_33"] {
        let response = emu
            .client
            .get(emu.url("/user/campaigns"))
            .bearer_auth(bearer)
            .send()
            .await;
        assert!(response.is_ok(), "the emulator must answer");
    }
    emu.server.shutdown().await;
    let logs = String::from_utf8_lossy(
        &logs
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned();
    assert!(
        logs.contains("api request"),
        "trace logging must be on for this test to mean anything:\n{logs}"
    );
    assert!(
        !logs.contains("SECRET"),
        "a token leaked into the logs:\n{logs}"
    );
}
