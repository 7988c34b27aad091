//! The real client against small HTTP servers on loopback that misbehave in ways the emulator
//! does not: a create that never answers (it may still be processing, so it must never be sent
//! again: docs/platform-api.md, "Ambiguous creates"), and a response body too large to read.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::{Json, Router};
use campaignctl::api::{parse_base_url, ApiToken, Client, ClientConfig, RetryPolicy};
use campaignctl::manifest::parse_bytes;
use campaignctl::reconcile::{self, ExecuteOptions, Observed, Outcome};
use tokio_util::sync::CancellationToken;

/// Serves `app` on a free loopback port; a client for it with `timeout` and fast retries.
async fn serve(app: Router, timeout: Duration) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Client::new(ClientConfig {
        base_url: parse_base_url(&format!("http://{addr}/api")).expect("url"),
        token: ApiToken::new("t").expect("token"),
        timeout,
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
    })
    .expect("client")
}

#[tokio::test]
async fn a_create_without_an_answer_is_sent_once_and_reported_unknown() {
    let posts = Arc::new(AtomicU32::new(0));
    let counter = posts.clone();
    let app = Router::new()
        .route(
            "/api/user/campaign",
            post(move || {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    // Still "processing" long after the client gave up.
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    Json(serde_json::json!({}))
                }
            }),
        )
        .route(
            "/api/user/campaigns",
            get(|| async { Json(serde_json::json!([])) }),
        );
    let client = serve(app, Duration::from_millis(300)).await;
    let (manifests, diagnostics) = parse_bytes(
        Path::new("c.yaml"),
        b"kind: Campaign\nname: Slow\nassistant_id: 7\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let plan = reconcile::plan(&manifests, &Observed::default());
    let report = reconcile::execute(
        &client,
        &plan.operations,
        &manifests,
        &[],
        ExecuteOptions::approving_writes(4),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await;

    assert_eq!(report.results.len(), 1);
    let outcome = &report.results[0].outcome;
    let Outcome::Unknown { error } = outcome else {
        panic!("expected an unknown outcome, got {outcome:?}");
    };
    assert!(
        error.contains("did not send it again"),
        "the report says why: {error}"
    );
    assert_eq!(
        posts.load(Ordering::SeqCst),
        1,
        "a create that may still be processing is never sent a second time"
    );
}

#[tokio::test]
async fn a_response_body_beyond_the_cap_is_refused_not_read_into_memory() {
    // 70 MiB in 1 MiB chunks, without a Content-Length: the cap must hold while streaming.
    let app = Router::new().route(
        "/api/user/campaigns",
        get(|| async {
            let chunks = (0..70).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1 << 20]));
            axum::body::Body::from_stream(futures::stream::iter(chunks))
        }),
    );
    let client = serve(app, Duration::from_secs(20)).await;
    let err = client
        .list_campaigns()
        .await
        .expect_err("an oversized list is an error");
    assert!(
        err.to_string().contains("larger than 64 MiB"),
        "the error says why: {err}"
    );
}
