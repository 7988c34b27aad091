//! Fault injection: server errors, rate limiting, dropped connections, determinism.

use reqwest::StatusCode;
use serde_json::json;

use super::Emu;
use crate::{EmulatorConfig, FaultConfig, DEFAULT_TOKEN};

fn faulty(faults: FaultConfig) -> EmulatorConfig {
    EmulatorConfig {
        faults,
        ..Default::default()
    }
}

#[tokio::test]
async fn error_rate_one_fails_everything_before_any_write() {
    let emu = Emu::with(faulty(FaultConfig {
        error_rate: 1.0,
        ..Default::default()
    }))
    .await;
    let reply = emu.create_campaign("Never", json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "error_rate 1.0 must fail: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body,
        json!({"message": "Server Error."}),
        "Laravel's 500 body"
    );
    let stats = emu.inspect("stats").await;
    assert_eq!(
        stats["campaigns_created"], 0,
        "a 500 fault happens before the write: {stats}"
    );
    assert_eq!(
        stats["faults"]["errors"], 1,
        "the fault is counted: {stats}"
    );
    let stored = emu.inspect("campaigns").await;
    assert_eq!(
        stored,
        json!([]),
        "inspection is not faulted and shows no campaign"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn faults_come_before_auth() {
    let emu = Emu::with(faulty(FaultConfig {
        error_rate: 1.0,
        ..Default::default()
    }))
    .await;
    let response = emu
        .client
        .get(emu.url("/user/campaigns"))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        response.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "an unauthenticated request is faulted too"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn an_empty_bucket_is_a_429_with_retry_after() {
    let emu = Emu::with(faulty(FaultConfig {
        rate_limit_per_sec: Some(0.5),
        ..Default::default()
    }))
    .await;
    assert_eq!(
        emu.get("/user/campaigns").await.status,
        StatusCode::OK,
        "the first request fits the burst of 1"
    );
    let reply = emu.get("/user/campaigns").await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the second request is throttled: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body,
        json!({"message": "Too Many Attempts."}),
        "Laravel's 429 body"
    );
    let retry_after = reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(
        retry_after.is_some_and(|s| (1..=2).contains(&s)),
        "Retry-After in whole seconds, at 0.5/s 1–2: {retry_after:?}"
    );
    assert_eq!(
        emu.inspect("stats").await["faults"]["rate_limited"],
        1,
        "the 429 is counted"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn a_dropped_create_still_happened() {
    let emu = Emu::with(faulty(FaultConfig {
        drop_rate: 1.0,
        ..Default::default()
    }))
    .await;
    // A fresh connection per request, so nothing about pooling can hide or retry the drop.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let sent = client
        .post(emu.url("/user/campaign"))
        .bearer_auth(DEFAULT_TOKEN)
        .json(&json!({"name": "Ambiguous", "assistant_id": 7}))
        .send()
        .await;
    assert!(
        sent.is_err(),
        "the client must see a connection error, got {sent:?}"
    );
    let list = emu.get("/user/campaigns").await;
    assert_eq!(
        list.status,
        StatusCode::OK,
        "reads are never dropped: {:?}",
        list.body
    );
    assert_eq!(
        list.body[0]["name"], "Ambiguous",
        "the write happened before the drop: {:?}",
        list.body
    );
    let stats = emu.inspect("stats").await;
    assert_eq!(stats["faults"]["drops"], 1, "the drop is counted: {stats}");
    assert_eq!(
        stats["in_flight"], 0,
        "the dropped request is no longer in flight: {stats}"
    );
    emu.server.shutdown().await;
}

/// Status codes of a fixed sequence of requests against a fresh emulator.
async fn outcomes(seed: u64) -> Vec<u16> {
    let faults = FaultConfig {
        error_rate: 0.5,
        seed: Some(seed),
        ..Default::default()
    };
    let emu = Emu::with(faulty(faults)).await;
    let mut statuses = Vec::new();
    for _ in 0..24 {
        statuses.push(emu.get("/user/campaigns").await.status.as_u16());
    }
    emu.server.shutdown().await;
    statuses
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let first = outcomes(42).await;
    assert!(
        first.contains(&200) && first.contains(&500),
        "error_rate 0.5 must mix outcomes: {first:?}"
    );
    assert_eq!(
        outcomes(42).await,
        first,
        "the same seed must give the same sequence"
    );
    assert_ne!(
        outcomes(7).await,
        first,
        "another seed should give another sequence"
    );
}
