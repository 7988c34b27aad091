//! The create endpoint's 422s: Laravel's shapes, keys and wording, rule by rule.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::Emu;

/// Creates with `extra` on top of a valid body and returns the `errors` object of the 422.
async fn errors_for(emu: &Emu, extra: Value) -> serde_json::Map<String, Value> {
    let reply = emu.create_campaign("Validated", extra.clone()).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{extra} must be rejected: {:?}",
        reply.body
    );
    reply.validation_errors().clone()
}

#[tokio::test]
async fn each_rule_has_laravels_message() {
    let emu = Emu::start().await;
    let long = "x".repeat(256);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"name": long}),
            "name",
            "The name field must not be greater than 255 characters.",
        ),
        (
            json!({"name": 123}),
            "name",
            "The name field must be a string.",
        ),
        (
            json!({"name": "   "}),
            "name",
            "The name field is required.",
        ),
        (
            json!({"assistant_id": "seven"}),
            "assistant_id",
            "The assistant id field must be an integer.",
        ),
        (
            json!({"timezone": "Mars/Olympus"}),
            "timezone",
            "The timezone field must be a valid timezone.",
        ),
        (
            json!({"timezone": 5}),
            "timezone",
            "The timezone field must be a valid timezone.",
        ),
        (
            json!({"max_calls_in_parallel": 0}),
            "max_calls_in_parallel",
            "The max calls in parallel field must be at least 1.",
        ),
        (
            json!({"max_calls_in_parallel": 11}),
            "max_calls_in_parallel",
            "The max calls in parallel field must not be greater than 10.",
        ),
        (
            json!({"max_calls_in_parallel": 2.5}),
            "max_calls_in_parallel",
            "The max calls in parallel field must be an integer.",
        ),
        (
            json!({"allowed_hours_start_time": "9:00"}),
            "allowed_hours_start_time",
            "The allowed hours start time field must match the format H:i.",
        ),
        (
            json!({"allowed_hours_start_time": "09:00:00"}),
            "allowed_hours_start_time",
            "The allowed hours start time field must match the format H:i.",
        ),
        (
            json!({"allowed_hours_end_time": "24:00"}),
            "allowed_hours_end_time",
            "The allowed hours end time field must match the format H:i.",
        ),
        (
            json!({"allowed_days": "monday"}),
            "allowed_days",
            "The allowed days field must be an array.",
        ),
        (
            json!({"allowed_days": ["monday", "Funday"]}),
            "allowed_days.1",
            "The selected allowed_days.1 is invalid.",
        ),
        (
            json!({"allowed_days": ["Monday"]}),
            "allowed_days.0",
            "The selected allowed_days.0 is invalid.",
        ),
        (
            json!({"max_retries": 9}),
            "max_retries",
            "The max retries field must be between 1 and 5.",
        ),
        (
            json!({"max_retries": true}),
            "max_retries",
            "The max retries field must be an integer.",
        ),
        (
            json!({"retry_interval": 5}),
            "retry_interval",
            "The retry interval field must be between 10 and 4320.",
        ),
        (
            json!({"retry_interval": 4321}),
            "retry_interval",
            "The retry interval field must be between 10 and 4320.",
        ),
        (
            json!({"retry_on_voicemail": "yes"}),
            "retry_on_voicemail",
            "The retry on voicemail field must be true or false.",
        ),
        (
            json!({"retry_on_goal_incomplete": 2}),
            "retry_on_goal_incomplete",
            "The retry on goal incomplete field must be true or false.",
        ),
        (
            json!({"mark_complete_when_no_leads": "true"}),
            "mark_complete_when_no_leads",
            "The mark complete when no leads field must be true or false.",
        ),
        (
            json!({"goal_completion_variable": "g".repeat(256)}),
            "goal_completion_variable",
            "The goal completion variable field must not be greater than 255 characters.",
        ),
        (
            json!({"goal_completion_variable": false}),
            "goal_completion_variable",
            "The goal completion variable field must be a string.",
        ),
        (
            json!({"phone_number_ids": 45}),
            "phone_number_ids",
            "The phone number ids field must be an array.",
        ),
        (
            json!({"phone_number_ids": [999]}),
            "phone_number_ids.0",
            "The selected phone_number_ids.0 is invalid.",
        ),
        (
            json!({"phone_number_ids": [45, "x"]}),
            "phone_number_ids.1",
            "The phone_number_ids.1 field must be an integer.",
        ),
    ];
    for (extra, key, message) in cases {
        let errors = errors_for(&emu, extra.clone()).await;
        assert_eq!(
            errors.get(key),
            Some(&json!([message])),
            "{extra}: wrong errors {errors:?}"
        );
        assert_eq!(
            errors.len(),
            1,
            "{extra}: only `{key}` should fail, got {errors:?}"
        );
    }
    assert_eq!(
        emu.inspect("stats").await["campaigns_created"],
        0,
        "no invalid request may create a campaign"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn duplicates_flag_every_copy() {
    let emu = Emu::start().await;
    let errors = errors_for(&emu, json!({"phone_number_ids": [45, 46, 45]})).await;
    for key in ["phone_number_ids.0", "phone_number_ids.2"] {
        assert_eq!(
            errors.get(key),
            Some(&json!([format!("The {key} field has a duplicate value.")])),
            "every copy of a repeated id fails `distinct`: {errors:?}"
        );
    }
    assert!(
        !errors.contains_key("phone_number_ids.1"),
        "a distinct id passes: {errors:?}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn the_message_summarises_the_other_errors() {
    let emu = Emu::start().await;
    let reply = emu.post("/user/campaign", json!({})).await;
    assert_eq!(
        reply.body["message"], "The name field is required. (and 1 more error)",
        "singular: {:?}",
        reply.body
    );
    assert_eq!(
        reply.validation_errors().len(),
        2,
        "name and assistant_id: {:?}",
        reply.body
    );
    let reply = emu
        .post(
            "/user/campaign",
            json!({"max_retries": 0, "allowed_days": ["x", "y"]}),
        )
        .await;
    assert_eq!(
        reply.body["message"], "The name field is required. (and 4 more errors)",
        "first message in rule order plus a count of the rest: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn unparseable_bodies_are_422s_like_empty_input() {
    let emu = Emu::start().await;
    let response = emu
        .client
        .post(emu.url("/user/campaign"))
        .bearer_auth(crate::DEFAULT_TOKEN)
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("the emulator must answer");
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "malformed JSON is read as empty input"
    );
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(
        body["message"], "The name field is required. (and 1 more error)",
        "malformed JSON: {body}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn laravel_leniencies_are_imitated() {
    let emu = Emu::start().await;
    let reply = emu
        .create_campaign(
            "Lenient",
            json!({"max_calls_in_parallel": "5", "retry_on_voicemail": 1, "timezone": "",
                   "allowed_hours_end_time": " 18:00 "}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "numeric strings, 0/1 booleans and blank optionals pass: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["data"]["max_calls_in_parallel"], 5,
        "numeric string stored as a number: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["data"]["allowed_hours_end_time"], "18:00:00",
        "trimmed before the format check"
    );
    let stored = emu.inspect("campaigns").await;
    assert_eq!(
        stored[0]["timezone"], "America/New_York",
        "a blank timezone is null, so the default applies"
    );
    assert_eq!(stored[0]["retry_on_voicemail"], true, "1 is true");
    emu.server.shutdown().await;
}
