//! Seeds and the persisted state file.

use std::path::Path;

use reqwest::StatusCode;
use serde_json::json;

use super::Emu;
use crate::{start, EmulatorConfig};

fn with_files(seed: Option<&Path>, state: Option<&Path>) -> EmulatorConfig {
    EmulatorConfig {
        seed: seed.map(Path::to_path_buf),
        state: state.map(Path::to_path_buf),
        ..Default::default()
    }
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    let emu = Emu::with(with_files(None, Some(&state))).await;
    assert!(state.exists(), "the state file is written at start");
    let first = emu.campaign_id("Persistent").await;
    emu.add_lead(first, "+14155550101").await;
    let doomed = emu.campaign_id("Deleted later").await;
    emu.call(
        reqwest::Method::DELETE,
        &format!("/user/campaign/{doomed}"),
        None,
    )
    .await;
    emu.server.shutdown().await;

    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read temp dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("state.json")],
        "no temporary files are left behind"
    );

    let emu = Emu::with(with_files(None, Some(&state))).await;
    let list = emu.get("/user/campaigns").await.body;
    let names: Vec<&str> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        vec!["Persistent"],
        "campaigns come back after a restart: {list}"
    );
    assert_eq!(
        emu.get("/user/leads").await.body["total"],
        1,
        "leads come back after a restart"
    );
    let stored = emu.inspect("campaigns").await;
    assert_eq!(
        stored[0]["request_body"],
        json!({"name": "Persistent", "assistant_id": 7}),
        "create bodies persist"
    );
    let next = emu.campaign_id("Next").await;
    assert!(
        next > first,
        "ids continue after the highest stored id: {next} after {first}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn a_seed_replaces_the_demo_account_and_state_wins_over_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = dir.path().join("seed.yaml");
    std::fs::write(
        &seed,
        "account: {timezone: Europe/Berlin, campaign_limit: 5}\n\
         assistants: [{id: 1, name: Solo, type: outbound,\n \
                       post_call_schema: [{name: done, type: bool}]}]\n\
         phone_numbers: [{id: 3, phone_number: '+4930123456', direction: outbound}]\n\
         campaigns: [{id: 40, name: Seeded, assistant_id: 1, allowed_hours_start_time: '08:00'}]\n",
    )
    .expect("write seed");
    let emu = Emu::with(with_files(Some(&seed), None)).await;
    let list = emu.get("/user/campaigns").await.body;
    assert_eq!(
        list[0]["name"], "Seeded",
        "seeded campaigns are listed: {list}"
    );
    assert_eq!(
        list[0]["allowed_hours_start_time"], "08:00:00",
        "seeded times get seconds too: {list}"
    );
    let reply = emu.create_campaign("Demo assistant", json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "the demo account's assistant 7 is gone: {:?}",
        reply.body
    );
    let reply = emu
        .post(
            "/user/campaign",
            json!({"name": "New", "assistant_id": 1, "phone_number_ids": [3]}),
        )
        .await;
    assert_eq!(
        reply.body["data"]["id"], 41,
        "ids continue after the seeded ones: {:?}",
        reply.body
    );
    emu.server.shutdown().await;

    let state = dir.path().join("state.json");
    std::fs::write(
        &state,
        r#"{"account": {"timezone": "UTC", "campaign_limit": 1}}"#,
    )
    .expect("write state");
    let emu = Emu::with(with_files(Some(&seed), Some(&state))).await;
    let list = emu.get("/user/campaigns").await.body;
    assert_eq!(
        list,
        json!([]),
        "an existing state file wins over the seed: {list}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn bad_account_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "unknown-key.yaml",
            "account: {timezone: UTC, campaign_limit: 1}\nsurprise: true\n",
            "surprise",
        ),
        ("broken.json", "{\"account\": ", "broken.json"),
        (
            "bad-tz.yaml",
            "account: {timezone: Nowhere/Land, campaign_limit: 1}\n",
            "Nowhere/Land",
        ),
    ];
    for (file, text, detail) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, text).expect("write seed");
        let err = start(with_files(Some(&path), None))
            .await
            .err()
            .map(|e| format!("{e:#}"));
        let err = err.unwrap_or_else(|| panic!("{file}: a bad seed must be an error"));
        assert!(
            err.contains(&path.display().to_string()),
            "{file}: the error must name the file: {err}"
        );
        assert!(
            err.contains(detail),
            "{file}: the error must say what is wrong ({detail}): {err}"
        );
    }
    let missing = dir.path().join("missing.yaml");
    let err = start(with_files(Some(&missing), None))
        .await
        .err()
        .map(|e| format!("{e:#}"));
    assert!(
        err.is_some_and(|e| e.contains("missing.yaml")),
        "a missing seed is an error naming it"
    );
}
