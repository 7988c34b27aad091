//! Campaign create, list, start/stop and delete, and the platform quirks clients must survive.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::Emu;
use crate::EmulatorConfig;

const WRITE_ONCE: [&str; 6] = [
    "assistant_id",
    "timezone",
    "phone_number_ids",
    "retry_on_voicemail",
    "retry_on_goal_incomplete",
    "goal_completion_variable",
];

#[tokio::test]
async fn create_echoes_observable_fields_with_seconds() {
    let emu = Emu::start().await;
    let reply = emu
        .create_campaign(
            "Q4 Outreach",
            json!({"allowed_hours_start_time": "09:00", "allowed_hours_end_time": "17:30",
                   "allowed_days": ["tuesday", "monday"], "timezone": "Europe/London",
                   "phone_number_ids": [45, 47], "goal_completion_variable": "meeting_booked",
                   "retry_on_voicemail": true}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "create failed: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["message"], "Campaign created successfully",
        "create message"
    );
    let data = &reply.body["data"];
    assert_eq!(
        data["id"], 1,
        "the first campaign of a fresh account has id 1: {data}"
    );
    assert_eq!(data["status"], "draft", "a new campaign is a draft: {data}");
    assert_eq!(
        data["allowed_hours_start_time"], "09:00:00",
        "times come back with seconds: {data}"
    );
    assert_eq!(
        data["allowed_hours_end_time"], "17:30:00",
        "times come back with seconds: {data}"
    );
    for field in WRITE_ONCE {
        assert!(
            data.get(field).is_none(),
            "the create response must not echo `{field}`: {data}"
        );
    }
    emu.server.shutdown().await;
}

#[tokio::test]
async fn list_applies_defaults_sorts_days_and_hides_write_once_fields() {
    let emu = Emu::start().await;
    emu.create_campaign("Defaults", json!({})).await;
    emu.create_campaign(
        "Weekdays",
        json!({"allowed_days": ["wednesday", "monday", "friday"], "max_retries": 5}),
    )
    .await;
    let reply = emu.get("/user/campaigns").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "list failed: {:?}",
        reply.body
    );
    let list = reply.body.as_array().expect("the list is a bare array");
    assert_eq!(list.len(), 2, "two campaigns: {list:?}");
    let defaults = &list[0];
    assert_eq!(defaults["name"], "Defaults", "id order: {list:?}");
    assert_eq!(
        defaults["max_calls_in_parallel"], 3,
        "default parallelism: {defaults}"
    );
    assert_eq!(
        defaults["allowed_hours_start_time"], "00:00:00",
        "default start: {defaults}"
    );
    assert_eq!(
        defaults["allowed_hours_end_time"], "23:59:00",
        "default end: {defaults}"
    );
    assert_eq!(defaults["max_retries"], 3, "default retries: {defaults}");
    assert_eq!(
        defaults["retry_interval"], 60,
        "default interval: {defaults}"
    );
    assert_eq!(
        defaults["mark_complete_when_no_leads"], true,
        "default completion flag: {defaults}"
    );
    assert_eq!(
        defaults["user_id"], 1,
        "the list carries user_id: {defaults}"
    );
    assert_eq!(
        defaults["allowed_days"],
        json!([
            "friday",
            "monday",
            "saturday",
            "sunday",
            "thursday",
            "tuesday",
            "wednesday"
        ]),
        "all seven days by default, alphabetically: {defaults}"
    );
    assert_eq!(
        list[1]["allowed_days"],
        json!(["friday", "monday", "wednesday"]),
        "days alphabetical: {:?}",
        list[1]
    );
    assert!(
        list[1]["created_at"]
            .as_str()
            .is_some_and(|t| t.len() == 27 && t.ends_with('Z') && t.as_bytes()[10] == b'T'),
        "timestamp like 2026-02-23T10:00:00.000000Z: {:?}",
        list[1]["created_at"]
    );
    for campaign in list {
        for field in WRITE_ONCE {
            assert!(
                campaign.get(field).is_none(),
                "the list must not return `{field}`: {campaign}"
            );
        }
    }
    emu.server.shutdown().await;
}

#[tokio::test]
async fn inspection_shows_every_stored_field_and_the_exact_body() {
    let emu = Emu::start().await;
    let body = json!({"name": "  Padded  ", "assistant_id": 8, "max_retries": 2});
    let reply = emu.post("/user/campaign", body.clone()).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "create failed: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["data"]["name"], "Padded",
        "names are trimmed like Laravel's TrimStrings"
    );
    let stored = emu.inspect("campaigns").await;
    let campaign = &stored[0];
    assert_eq!(
        campaign["request_body"], body,
        "request_body must be the body exactly as sent: {campaign}"
    );
    assert_eq!(campaign["assistant_id"], 8, "stored assistant: {campaign}");
    assert_eq!(
        campaign["timezone"], "America/New_York",
        "timezone defaults to the account's: {campaign}"
    );
    assert_eq!(
        campaign["phone_number_ids"],
        json!([]),
        "no numbers: {campaign}"
    );
    assert_eq!(
        campaign["retry_on_voicemail"], false,
        "retry flags default to false: {campaign}"
    );
    assert_eq!(
        campaign["goal_completion_variable"],
        json!(null),
        "no goal variable: {campaign}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn names_are_not_unique() {
    let emu = Emu::start().await;
    let first = emu.campaign_id("Twin").await;
    let second = emu.campaign_id("Twin").await;
    assert_ne!(
        first, second,
        "two campaigns may share a name and get distinct ids"
    );
    let list = emu.get("/user/campaigns").await.body;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(2),
        "both twins are listed: {list}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn the_campaign_limit_is_a_403_after_validation() {
    let emu = Emu::with(EmulatorConfig {
        campaign_limit: Some(1),
        ..Default::default()
    })
    .await;
    emu.campaign_id("Only one").await;
    let reply = emu.create_campaign("One too many", json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "the limit must give 403: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body,
        json!({"message":
            "You have reached the maximum number of campaigns allowed by your plan."}),
        "403 body"
    );
    let reply = emu.post("/user/campaign", json!({"assistant_id": 7})).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation comes before the limit: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn missing_and_inbound_assistants_are_404s() {
    let emu = Emu::start().await;
    for (case, assistant_id) in [("missing", 999), ("inbound", 12)] {
        let reply = emu
            .post(
                "/user/campaign",
                json!({"name": "x", "assistant_id": assistant_id}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{case} assistant must be a 404: {:?}",
            reply.body
        );
        assert_eq!(
            reply.body,
            json!({"message": "Assistant not found or is not an outbound assistant."}),
            "{case} assistant: 404 body"
        );
    }
    assert_eq!(
        emu.inspect("stats").await["campaigns_created"],
        0,
        "nothing was created"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn the_goal_variable_must_be_a_bool_of_the_assistants_schema() {
    let emu = Emu::start().await;
    for (case, variable) in [
        ("string variable", "customer_interest"),
        ("unknown variable", "nope"),
        ("other assistant's", "renewed"),
    ] {
        let reply = emu
            .create_campaign("Goal", json!({"goal_completion_variable": variable}))
            .await;
        let errors = reply.validation_errors();
        assert!(
            errors.contains_key("goal_completion_variable"),
            "{case}: error on the goal variable: {errors:?}"
        );
    }
    let reply = emu
        .create_campaign(
            "Goal",
            json!({"goal_completion_variable": "meeting_booked"}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "a bool variable of assistant 7 is accepted: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn start_needs_a_lead_and_stop_stops() {
    let emu = Emu::start().await;
    let id = emu.campaign_id("Startable").await;
    let reply = emu
        .post(
            "/user/campaigns/update-status",
            json!({"campaign_id": id, "action": "start"}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "starting without leads must fail: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body,
        json!({"message": "Cannot start a campaign without leads.",
               "errors": {"campaign_id": ["Cannot start a campaign without leads."]}}),
        "no-leads body"
    );
    assert_eq!(
        emu.add_lead(id, "+14155550101").await.status,
        StatusCode::CREATED,
        "lead for the campaign"
    );
    let reply = emu
        .post(
            "/user/campaigns/update-status",
            json!({"campaign_id": id, "action": "start"}),
        )
        .await;
    assert_eq!(
        reply.body,
        json!({"message": "Campaign started successfully.", "success": true,
               "data": {"campaign_id": id, "status": "in-progress"}}),
        "start response"
    );
    assert_eq!(
        emu.get("/user/campaigns").await.body[0]["status"],
        "in-progress",
        "the list shows the new status"
    );
    let reply = emu
        .post(
            "/user/campaigns/update-status",
            json!({"campaign_id": id, "action": "stop"}),
        )
        .await;
    assert_eq!(
        reply.body["message"], "Campaign stopped successfully.",
        "stop message: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["data"]["status"], "stopped",
        "stop status: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn update_status_rejects_bad_actions_and_unknown_campaigns() {
    let emu = Emu::start().await;
    let id = emu.campaign_id("Target").await;
    let reply = emu
        .post(
            "/user/campaigns/update-status",
            json!({"campaign_id": id, "action": "pause"}),
        )
        .await;
    assert_eq!(
        reply.validation_errors()["action"],
        json!(["The selected action is invalid."]),
        "bad action"
    );
    let reply = emu
        .post(
            "/user/campaigns/update-status",
            json!({"campaign_id": 999, "action": "stop"}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "unknown campaign: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn delete_removes_the_campaign_and_its_leads() {
    let emu = Emu::start().await;
    let id = emu.campaign_id("Doomed").await;
    let keep = emu.campaign_id("Kept").await;
    emu.add_lead(id, "+14155550101").await;
    emu.add_lead(keep, "+14155550102").await;
    let reply = emu
        .call(Method::DELETE, &format!("/user/campaign/{id}"), None)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "delete failed: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body,
        json!({"message": "Campaign deleted successfully"}),
        "delete body"
    );
    let names: Vec<String> = emu
        .get("/user/campaigns")
        .await
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(names, vec!["Kept"], "only the other campaign is left");
    let leads = emu.get("/user/leads").await.body;
    assert_eq!(
        leads["total"], 1,
        "the deleted campaign's leads are gone: {leads}"
    );
    for path in [
        format!("/user/campaign/{id}"),
        "/user/campaign/abc".to_string(),
    ] {
        let reply = emu.call(Method::DELETE, &path, None).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: unknown id must be a 404"
        );
        assert_eq!(
            reply.body,
            json!({"message": "Campaign not found."}),
            "{path}: 404 body"
        );
    }
    let next = emu.campaign_id("After").await;
    assert!(next > keep, "ids are never reused: got {next} after {keep}");
    emu.server.shutdown().await;
}
