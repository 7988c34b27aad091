//! Leads: create, duplicates, filtered pagination, update.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::Emu;

#[tokio::test]
async fn create_returns_the_lead() {
    let emu = Emu::start().await;
    let campaign = emu.campaign_id("Leads").await;
    let reply = emu
        .post(
            "/user/lead",
            json!({"campaign_id": campaign, "phone_number": "+14155550101",
                   "variables": {"customer_name": "Ada"},
                   "secondary_contacts": [{"phone_number": "+14155550199"}]}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "lead create failed: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["message"], "Lead created successfully",
        "message: {:?}",
        reply.body
    );
    let lead = &reply.body["data"];
    assert_eq!(lead["campaign_id"], campaign, "campaign: {lead}");
    assert_eq!(lead["status"], "created", "status: {lead}");
    assert_eq!(
        lead["variables"],
        json!({"customer_name": "Ada"}),
        "variables: {lead}"
    );
    let created_at = lead["created_at"].as_str().unwrap_or_default();
    assert!(
        created_at.len() == 19 && created_at.as_bytes()[10] == b' ',
        "lead timestamps like 2025-06-30 11:53:20: {created_at:?}"
    );
    assert_eq!(
        emu.inspect("stats").await["leads_created"],
        1,
        "one lead counted"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn lead_validation() {
    let emu = Emu::start().await;
    let campaign = emu.campaign_id("Leads").await;
    let cases = [
        (
            json!({"campaign_id": campaign}),
            "phone_number",
            "The phone number field is required.",
        ),
        (
            json!({"campaign_id": campaign, "phone_number": "4155550101"}),
            "phone_number",
            "The phone number field format is invalid.",
        ),
        (
            json!({"campaign_id": 999, "phone_number": "+14155550101"}),
            "campaign_id",
            "The selected campaign id is invalid.",
        ),
        (
            json!({"phone_number": "+14155550101"}),
            "campaign_id",
            "The campaign id field is required.",
        ),
        (
            json!({"campaign_id": campaign, "phone_number": "+14155550101", "variables": "x"}),
            "variables",
            "The variables field must be an array.",
        ),
        (
            json!({"campaign_id": campaign, "phone_number": "+14155550101",
                   "allow_dupplicate": "maybe"}),
            "allow_dupplicate",
            "The allow dupplicate field must be true or false.",
        ),
        (
            json!({"campaign_id": campaign, "phone_number": "+14155550101",
                   "secondary_contacts": [{"variables": {}}]}),
            "secondary_contacts.0.phone_number",
            "The secondary_contacts.0.phone_number field is required.",
        ),
    ];
    for (body, key, message) in cases {
        let reply = emu.post("/user/lead", body.clone()).await;
        let errors = reply.validation_errors();
        assert_eq!(
            errors.get(key),
            Some(&json!([message])),
            "{body}: wrong errors {errors:?}"
        );
    }
    emu.server.shutdown().await;
}

#[tokio::test]
async fn duplicates_need_allow_dupplicate() {
    let emu = Emu::start().await;
    let campaign = emu.campaign_id("Leads").await;
    let other = emu.campaign_id("Other").await;
    assert_eq!(
        emu.add_lead(campaign, "+14155550101").await.status,
        StatusCode::CREATED,
        "first lead"
    );
    let reply = emu.add_lead(campaign, "+14155550101").await;
    assert_eq!(
        reply.validation_errors().get("phone_number"),
        Some(&json!(["The phone number has already been taken."])),
        "same number in the same campaign: {:?}",
        reply.body
    );
    assert_eq!(
        emu.add_lead(other, "+14155550101").await.status,
        StatusCode::CREATED,
        "same number, other campaign"
    );
    let reply = emu
        .post(
            "/user/lead",
            json!({"campaign_id": campaign, "phone_number": "+14155550101",
                   "allow_dupplicate": true}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "allow_dupplicate permits a duplicate: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn leads_list_filters_and_paginates() {
    let emu = Emu::start().await;
    let campaign = emu.campaign_id("Leads").await;
    let other = emu.campaign_id("Other").await;
    for i in 0..5 {
        emu.add_lead(campaign, &format!("+1415555010{i}")).await;
    }
    emu.add_lead(other, "+14155550109").await;
    let page = emu
        .get(&format!(
            "/user/leads?campaign_id={campaign}&per_page=2&page=2"
        ))
        .await
        .body;
    assert_eq!(page["total"], 5, "only the campaign's leads: {page}");
    assert_eq!(
        (page["current_page"].clone(), page["last_page"].clone()),
        (json!(2), json!(3)),
        "page 2 of 3: {page}"
    );
    let phones: Vec<&str> = page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["phone_number"].as_str())
        .collect();
    assert_eq!(
        phones,
        vec!["+14155550102", "+14155550103"],
        "id order: {page}"
    );
    let next = page["next_page_url"].as_str().unwrap_or_default();
    assert!(
        next.contains("page=3") && next.contains(&format!("campaign_id={campaign}")),
        "next URL keeps the filter: {next}"
    );
    let by_phone = emu
        .get("/user/leads?phone_number=%2B14155550109")
        .await
        .body;
    assert_eq!(by_phone["total"], 1, "phone filter: {by_phone}");
    let by_status = emu.get("/user/leads?status=completed").await.body;
    assert_eq!(by_status["total"], 0, "status filter: {by_status}");
    let reply = emu.get("/user/leads?per_page=500").await;
    assert!(
        reply.validation_errors().contains_key("per_page"),
        "per_page over 100: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn update_merges_variables() {
    let emu = Emu::start().await;
    let campaign = emu.campaign_id("Leads").await;
    let created = emu
        .post(
            "/user/lead",
            json!({"campaign_id": campaign, "phone_number": "+14155550101",
                   "variables": {"a": 1, "b": 2}}),
        )
        .await;
    let id = created.body["data"]["id"].as_u64().expect("lead id");
    let reply = emu
        .call(
            Method::PUT,
            &format!("/user/leads/{id}"),
            Some(json!({"status": "completed", "variables": {"b": 3, "c": 4}})),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "update failed: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["data"]["status"], "completed",
        "status changed: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["data"]["variables"],
        json!({"a": 1, "b": 3, "c": 4}),
        "variables merged: {:?}",
        reply.body
    );
    let reply = emu
        .call(
            Method::PUT,
            &format!("/user/leads/{id}"),
            Some(json!({"status": "gone"})),
        )
        .await;
    assert!(
        reply.validation_errors().contains_key("status"),
        "unknown status: {:?}",
        reply.body
    );
    let reply = emu
        .call(
            Method::PUT,
            "/user/leads/999",
            Some(json!({"status": "completed"})),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "unknown lead: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}
