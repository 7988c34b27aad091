//! Assistants (outbound list, paginator) and phone numbers of the demo account.

use reqwest::StatusCode;
use serde_json::json;

use super::Emu;

#[tokio::test]
async fn outbound_assistants_are_a_bare_array() {
    let emu = Emu::start().await;
    let reply = emu.get("/user/assistants/outbound").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "outbound list failed: {:?}",
        reply.body
    );
    let ids: Vec<u64> = reply
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_u64())
        .collect();
    assert_eq!(
        ids,
        vec![7, 8, 9],
        "only outbound assistants: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body[0]["type"], "outbound",
        "type field: {:?}",
        reply.body[0]
    );
    assert_eq!(
        reply.body[0]["name"], "Sales Outbound",
        "demo names: {:?}",
        reply.body[0]
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn all_assistants_come_in_a_laravel_paginator() {
    let emu = Emu::start().await;
    let reply = emu.get("/user/assistants/get?per_page=3&page=1").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "paginated list failed: {:?}",
        reply.body
    );
    let page = &reply.body;
    let host = emu.server.addr.to_string();
    let expected = json!({
        "current_page": 1,
        "first_page_url": format!("http://{host}/api/user/assistants/get?page=1&per_page=3"),
        "from": 1,
        "last_page": 2,
        "last_page_url": format!("http://{host}/api/user/assistants/get?page=2&per_page=3"),
        "next_page_url": format!("http://{host}/api/user/assistants/get?page=2&per_page=3"),
        "path": format!("http://{host}/api/user/assistants/get"),
        "per_page": 3,
        "prev_page_url": null,
        "to": 3,
        "total": 4,
    });
    for (key, value) in expected.as_object().into_iter().flatten() {
        assert_eq!(&page[key], value, "paginator field `{key}`: {page}");
    }
    assert_eq!(
        page["data"].as_array().map(Vec::len),
        Some(3),
        "three per page: {page}"
    );
    assert_eq!(
        page["data"][0]["post_call_schema"][0]["name"], "meeting_booked",
        "schemas included: {page}"
    );
    let last = emu.get("/user/assistants/get?per_page=3&page=2").await.body;
    assert_eq!(
        last["data"][0]["type"], "inbound",
        "inbound assistants are included: {last}"
    );
    assert_eq!(
        last["next_page_url"],
        json!(null),
        "no page after the last: {last}"
    );
    let default = emu.get("/user/assistants/get").await.body;
    assert_eq!(
        default["per_page"], 10,
        "the documented default page size: {default}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn per_page_outside_1_to_100_is_a_422() {
    let emu = Emu::start().await;
    for per_page in ["0", "101", "many"] {
        let reply = emu
            .get(&format!("/user/assistants/get?per_page={per_page}"))
            .await;
        let errors = reply.validation_errors();
        assert!(
            errors.contains_key("per_page"),
            "per_page={per_page} must fail on per_page: {errors:?}"
        );
    }
    emu.server.shutdown().await;
}

#[tokio::test]
async fn phone_numbers_filter_by_direction() {
    let emu = Emu::start().await;
    let ids = |body: &serde_json::Value| -> Vec<u64> {
        body.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["id"].as_u64())
            .collect()
    };
    let all = emu.get("/user/assistants/phone-numbers").await.body;
    assert_eq!(ids(&all), vec![45, 46, 47, 48, 60], "every number: {all}");
    assert_eq!(
        all[0],
        json!({"id": 45, "phone_number": "+12025550145", "country_code": "US",
               "type_label": "Normal", "is_available": true}),
        "the documented fields only, no direction"
    );
    let inbound = emu
        .get("/user/assistants/phone-numbers?type=inbound")
        .await
        .body;
    assert_eq!(ids(&inbound), vec![60], "inbound numbers: {inbound}");
    let outbound = emu
        .get("/user/assistants/phone-numbers?type=outbound")
        .await
        .body;
    assert_eq!(
        ids(&outbound),
        vec![45, 46, 47, 48],
        "outbound numbers: {outbound}"
    );
    let reply = emu
        .get("/user/assistants/phone-numbers?type=sideways")
        .await;
    assert!(
        reply.validation_errors().contains_key("type"),
        "an unknown type is a 422: {:?}",
        reply.body
    );
    emu.server.shutdown().await;
}
