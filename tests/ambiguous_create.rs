//! A create that gets no answer may still be processing on the server, so a list made right
//! after it can miss it. Against a real HTTP server on loopback that never answers creates
//! and lists nothing, apply must send the create exactly once and report the outcome as
//! unknown, never send it again (DESIGN.md, "Ambiguous creates").

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::{Json, Router};
use campaignctl::api::{parse_base_url, ApiToken, Client, ClientConfig, RetryPolicy};
use campaignctl::manifest::parse_bytes;
use campaignctl::reconcile::{self, ApplyOptions, CreateOutcome, Observed};

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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = Client::new(ClientConfig {
        base_url: parse_base_url(&format!("http://{addr}/api")).expect("url"),
        token: ApiToken::new("t").expect("token"),
        timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
    })
    .expect("client");
    let (manifests, diagnostics) = parse_bytes(
        Path::new("c.yaml"),
        b"kind: Campaign\nname: Slow\nassistant_id: 7\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let plan = reconcile::plan(&manifests, &Observed::default());
    let report =
        reconcile::apply(&client, &plan, &manifests, ApplyOptions::default(), |_| {}).await;

    assert_eq!(report.results.len(), 1);
    let outcome = &report.results[0].outcome;
    let CreateOutcome::Unknown { error } = outcome else {
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
