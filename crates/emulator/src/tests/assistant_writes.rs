//! Creating, updating and deleting assistants: the documented rules, the list leaving out the
//! engine fields, trimmed strings, and an update changing only what it sends.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::Emu;

fn pipeline_body(name: &str) -> Value {
    json!({
        "name": name, "voice_id": 3, "language_id": 1, "type": "outbound", "mode": "pipeline",
        "llm_model_id": 5, "timezone": "Europe/Berlin",
        "initial_message": "Hello, this is Ada.", "system_prompt": "You are Ada.\n",
        "post_call_schema": [{"name": "meeting_booked", "type": "bool", "description": "booked"}],
    })
}

async fn create(emu: &Emu, body: Value) -> u64 {
    let reply = emu.post("/user/assistant", body).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "create failed: {:?}",
        reply.body
    );
    assert_eq!(
        reply.body["data"]["mode"], "pipeline",
        "the answer carries mode: {:?}",
        reply.body
    );
    reply.body["data"]["id"]
        .as_u64()
        .expect("a created assistant has an id")
}

async fn listed(emu: &Emu, id: u64) -> Value {
    let page = emu.get("/user/assistants/get?per_page=100").await.body;
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("assistant {id} is not listed: {page}"))
}

#[tokio::test]
async fn a_created_assistant_is_listed_trimmed_without_its_engine_fields() {
    let emu = Emu::start().await;
    let id = create(&emu, pipeline_body("  Ada  ")).await;
    let a = listed(&emu, id).await;
    assert_eq!(a["name"], "Ada", "strings are trimmed on input: {a}");
    assert_eq!(
        a["system_prompt"], "You are Ada.",
        "the final newline is trimmed: {a}"
    );
    assert_eq!(
        a["post_call_schema"][0]["name"], "meeting_booked",
        "schema listed: {a}"
    );
    for hidden in ["mode", "language_id", "llm_model_id", "multimodal_model_id"] {
        assert!(
            a.get(hidden).is_none(),
            "the list must not return `{hidden}`: {a}"
        );
    }
    let outbound = emu.get("/user/assistants/outbound").await.body;
    let mine = outbound
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["id"] == id);
    assert_eq!(
        mine.map(|a| &a["mode"]),
        Some(&json!("pipeline")),
        "outbound list carries mode: {outbound}"
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn a_create_breaking_the_rules_is_a_422_per_field() {
    let emu = Emu::start().await;
    let missing = emu.post("/user/assistant", json!({})).await;
    let errors = missing.validation_errors();
    for key in [
        "name",
        "voice_id",
        "language_id",
        "type",
        "mode",
        "timezone",
        "initial_message",
        "system_prompt",
    ] {
        assert!(errors.contains_key(key), "`{key}` is required: {errors:?}");
    }
    let mut body = pipeline_body("Bad");
    let fields = body.as_object_mut().expect("an object");
    fields.remove("llm_model_id");
    fields.insert("initial_message".into(), json!("x".repeat(201)));
    fields.insert("timezone".into(), json!("Mars/Base"));
    fields.insert("is_webhook_active".into(), json!(true));
    fields.insert("llm_temperature".into(), json!(1.5));
    fields.insert("speech_speed".into(), json!(0.5));
    fields.insert("endpoint_type".into(), json!("loud"));
    fields.insert(
        "post_call_schema".into(),
        json!([{"name": "has space", "type": "bool"}, {"name": "ok", "type": "date"}]),
    );
    let reply = emu.post("/user/assistant", body).await;
    let errors = reply.validation_errors();
    for key in [
        "llm_model_id",
        "initial_message",
        "timezone",
        "webhook_url",
        "llm_temperature",
        "speech_speed",
        "endpoint_type",
        "post_call_schema.0.name",
        "post_call_schema.1.type",
    ] {
        assert!(errors.contains_key(key), "`{key}` must fail: {errors:?}");
    }
    let multimodal = json!({
        "name": "M", "voice_id": 3, "language_id": 1, "type": "outbound", "mode": "dualplex",
        "timezone": "UTC", "initial_message": "Hi", "system_prompt": "p",
    });
    let reply = emu.post("/user/assistant", multimodal).await;
    assert!(
        reply
            .validation_errors()
            .contains_key("multimodal_model_id"),
        "dualplex needs a multimodal model: {:?}",
        reply.body
    );
    let created = emu.inspect("stats").await["assistants_created"].clone();
    assert_eq!(created, 0, "nothing refused is stored");
    emu.server.shutdown().await;
}

#[tokio::test]
async fn an_update_changes_only_the_fields_it_sends() {
    let emu = Emu::start().await;
    let id = create(&emu, pipeline_body("Ada")).await;
    let path = format!("/user/assistant/{id}");
    let reply = emu
        .call(
            Method::PUT,
            &path,
            Some(json!({"system_prompt": "You are Ada, briefly. "})),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "update failed: {:?}",
        reply.body
    );
    let a = listed(&emu, id).await;
    assert_eq!(
        a["system_prompt"], "You are Ada, briefly.",
        "prompt updated, trimmed: {a}"
    );
    assert_eq!(
        a["initial_message"], "Hello, this is Ada.",
        "other fields kept: {a}"
    );
    assert_eq!(
        a["post_call_schema"][0]["name"], "meeting_booked",
        "schema kept: {a}"
    );

    // A change of mode resets the mode-specific settings, so it must carry the new ones.
    let reply = emu
        .call(Method::PUT, &path, Some(json!({"mode": "multimodal"})))
        .await;
    assert!(
        reply
            .validation_errors()
            .contains_key("multimodal_model_id"),
        "a mode change without its model id is refused: {:?}",
        reply.body
    );
    let reply = emu
        .call(
            Method::PUT,
            &path,
            Some(json!({"mode": "multimodal", "multimodal_model_id": 2})),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "mode change failed: {:?}",
        reply.body
    );
    let stored = emu.inspect("assistants").await;
    let mine = stored
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["id"] == id)
        .cloned();
    let mine = mine.expect("the assistant is stored");
    assert_eq!(mine["mode"], "multimodal", "mode changed: {mine}");
    assert_eq!(
        mine["llm_model_id"],
        Value::Null,
        "the pipeline model is reset: {mine}"
    );
    assert_eq!(
        mine["request_body"],
        json!({"mode": "multimodal", "multimodal_model_id": 2}),
        "last body kept: {mine}"
    );
    assert_eq!(
        emu.inspect("stats").await["assistants_updated"],
        2,
        "two updates accepted"
    );

    let missing = emu
        .call(
            Method::PUT,
            "/user/assistant/999",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(
        missing.status,
        StatusCode::NOT_FOUND,
        "unknown id: {:?}",
        missing.body
    );
    emu.server.shutdown().await;
}

#[tokio::test]
async fn a_deleted_assistant_is_gone_and_a_second_delete_is_a_404() {
    let emu = Emu::start().await;
    let id = create(&emu, pipeline_body("Ada")).await;
    let path = format!("/user/assistant/{id}");
    let reply = emu.call(Method::DELETE, &path, None).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "delete failed: {:?}",
        reply.body
    );
    let again = emu.call(Method::DELETE, &path, None).await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "second delete: {:?}",
        again.body
    );
    let page = emu.get("/user/assistants/get?per_page=100").await.body;
    assert!(
        page["data"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|a| a["id"] != id),
        "deleted assistant still listed: {page}"
    );
    emu.server.shutdown().await;
}
