//! `export` writes the account's assistants too (issue 21): each as a `kind: Assistant` manifest
//! adopting it with `id:`, its system prompt (and a multi-line opening line) in a file of its own
//! under `--out`, inline on stdout; the export validates, plans no change, and `--force`
//! overwrites only prompt files an earlier export wrote.

use serde_json::json;

use crate::support::{campaignctl, Emulator, Workspace};

/// A system prompt of several lines, with quotes, colons, a `#`, a list marker, indentation,
/// unicode, and a trailing line break with spaces (the real platform trims it; the emulator's
/// seed keeps it, so the export must write exactly what the list returned).
const PROMPT: &str = "You are Ava: a \"friendly\" agent from 'Acme'.\n\n  - be brief: one question at a time\n# this line is not a comment\nÜnïcödé ✓ — 日本語\n  \n";

/// An account with two assistants (one with every listed field, one inbound with a two-line
/// opening line) and no campaigns; the seed file lives beside the emulator.
fn account() -> (Emulator, tempfile::TempDir) {
    account_with(|_| {})
}

fn account_with(edit: impl FnOnce(&mut serde_json::Value)) -> (Emulator, tempfile::TempDir) {
    let mut seed = json!({
        "account": {"timezone": "America/New_York", "campaign_limit": 50},
        "assistants": [
            {"id": 7, "name": "Sales: \"Outbound\" ünï", "type": "outbound", "mode": "pipeline",
             "status": "active", "timezone": "America/New_York", "voice_id": 3,
             "phone_number_id": 45, "initial_message": "Hi: it's Ava from Acme.",
             "system_prompt": PROMPT, "variables": {"company": "Acme: Inc", "seats": 3},
             "post_call_evaluation": true, "is_webhook_active": true,
             "webhook_url": "https://example.com/hooks/calls", "max_duration": 600,
             "record": true, "max_silence_duration": 30, "reengagement_interval": 20,
             "post_call_schema": [
                 {"name": "meeting_booked", "type": "bool", "description": "A meeting: booked"},
                 {"name": "interest", "type": "string"}]},
            {"id": 12, "name": "yes", "type": "inbound", "mode": "multimodal",
             "status": "active", "timezone": "UTC",
             "initial_message": "Line one: hello\nline \"two\"",
             "system_prompt": "Answer the phone."}
        ],
        "phone_numbers": [
            {"id": 45, "phone_number": "+12025550145", "country_code": "US",
             "type_label": "Normal", "is_available": true, "direction": "outbound"}],
        "campaigns": [],
        "leads": []
    });
    edit(&mut seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("seed.json");
    std::fs::write(&file, seed.to_string()).expect("write the seed");
    (
        Emulator::start_with(&["--seed", &file.to_string_lossy()]),
        dir,
    )
}

/// The assistant `id` as the platform's list returns it.
fn listed(emu: &Emulator, id: u64) -> serde_json::Value {
    let page = emu.api("GET", "user/assistants/get?per_page=100", None);
    page["data"]
        .as_array()
        .and_then(|all| all.iter().find(|a| a["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("assistant {id} is not listed: {page}"))
}

fn read(ws: &Workspace, rel: &str) -> String {
    std::fs::read_to_string(ws.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn export_writes_assistants_with_prompts_in_files_that_validate_and_plan_no_change() {
    let (emu, _seed) = account();
    emu.api(
        "POST",
        "user/campaign",
        Some(json!({"name": "Q4: \"East\"", "assistant_id": 7})),
    );
    let ws = Workspace::new();
    campaignctl(ws.path(), Some(&emu))
        .args(["export", "--out", "imported"])
        .run()
        .assert_code(0)
        .assert_stderr("Exported 1 campaign(s) to imported, 2 assistant(s) to imported/assistants");

    let sales = read(&ws, "imported/assistants/sales-outbound-n.yaml");
    for line in [
        "\nkind: \"Assistant\"\n",
        "\nid: 7\n",
        "\nname: \"Sales: \\\"Outbound\\\" ünï\"\n",
        "\nsystem_prompt: { file: \"prompts/sales-outbound-n-7.md\" }\n",
        "\ninitial_message: \"Hi: it's Ava from Acme.\"\n",
        "\n# mode:   (not returned by the platform's assistant list",
        "\n# llm_model_id:   (not returned",
        "\n# speech_speed:   (not returned",
    ] {
        assert!(sales.contains(line), "expected {line:?} in:\n{sales}");
    }
    let platform = listed(&emu, 7);
    assert_eq!(
        read(&ws, "imported/assistants/prompts/sales-outbound-n-7.md"),
        platform["system_prompt"].as_str().unwrap_or_default(),
        "the prompt file holds exactly what the platform returned"
    );
    let inbound = read(&ws, "imported/assistants/yes.yaml");
    assert!(
        inbound.contains("\nname: \"yes\"\n")
            && inbound
                .contains("\ninitial_message: { file: \"prompts/yes-12-initial-message.md\" }\n"),
        "a multi-line opening line has its own file:\n{inbound}"
    );
    assert_eq!(
        read(&ws, "imported/assistants/prompts/yes-12-initial-message.md"),
        "Line one: hello\nline \"two\""
    );

    let run = campaignctl(ws.path(), None)
        .args(["validate", "imported"])
        .run();
    run.assert_code(0);
    assert!(
        !run.stderr.contains("error"),
        "the export validates: {}",
        run.stderr
    );
    let plan = campaignctl(ws.path(), Some(&emu))
        .args([
            "plan",
            "imported",
            "--detailed-exitcode",
            "--format",
            "json",
        ])
        .run();
    plan.assert_code(0);
    assert_eq!(
        plan.json()["summary"],
        json!({"create": 0, "drift": 0, "unchanged": 1, "unmanaged": 0, "replace": 0, "delete": 0, "attention": 0, "errors": 0}),
        "{}",
        plan.stdout
    );
    // The notice that assistants are not applied yet is not a file that could not be read:
    // it holds no deletion of the exported account.
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "imported"])
        .run()
        .assert_code(0)
        .assert_only_stdout("No changes.")
        .assert_nowhere("Deletions held");
}

#[test]
fn export_to_stdout_keeps_prompts_inline_as_block_scalars_and_reads_back() {
    let (emu, _seed) = account();
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), Some(&emu)).args(["export"]).run();
    run.assert_code(0)
        .assert_stderr("Exported 0 campaign(s) and 2 assistant(s).");
    assert!(
        run.stdout
            .contains("\nsystem_prompt: |\n  You are Ava: a \"friendly\" agent from 'Acme'.\n  \n    - be brief: one question at a time\n  # this line is not a comment\n"),
        "a multi-line prompt is a literal block, its final line break kept:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\ninitial_message: |-\n  Line one: hello\n  line \"two\"\n"),
        "{}",
        run.stdout
    );
    assert!(
        !ws.path().join("prompts").exists() && !ws.path().join("assistants").exists(),
        "nothing is written without --out"
    );
    // What stdout holds is a repository of its own: it validates, prompts included.
    ws.write("all/exported.yaml", &run.stdout);
    campaignctl(ws.path(), None)
        .args(["validate", "all"])
        .run()
        .assert_code(0)
        .assert_only_stdout("0 campaign(s) and 2 assistant(s) in 1 file(s) are valid.");
}

#[test]
fn force_overwrites_only_prompt_files_an_earlier_export_wrote() {
    let (emu, _seed) = account();
    let ws = Workspace::new();
    let export = |force: bool| {
        let mut args = vec!["export", "--out", "imported"];
        if force {
            args.push("--force");
        }
        campaignctl(ws.path(), Some(&emu)).args(args).run()
    };
    export(false).assert_code(0);
    let prompt = "imported/assistants/prompts/yes-12.md";

    // Without --force, an existing prompt file stops the export.
    export(false)
        .assert_code(1)
        .assert_stderr("already exists")
        .assert_stderr("nothing was written");

    // The platform's prompt changes; --force rewrites the prompt file export wrote.
    emu.api(
        "PUT",
        "user/assistant/12",
        Some(json!({"system_prompt": "Answer the phone: kindly."})),
    );
    export(true).assert_code(0);
    assert_eq!(read(&ws, prompt), "Answer the phone: kindly.");

    // Once no exported manifest names it, the prompt file is the person's own: refused.
    std::fs::remove_file(ws.path().join("imported/assistants/yes.yaml")).expect("rm");
    std::fs::write(ws.path().join(prompt), "my own notes\n").expect("write");
    let run = export(true);
    run.assert_code(1).assert_stderr(
        "yes-12-initial-message.md exists and was not written by campaignctl export for this account (and 1 more)",
    );
    assert_eq!(read(&ws, prompt), "my own notes\n", "nothing was written");
    assert!(
        !ws.path().join("imported/assistants/yes.yaml").exists(),
        "nothing was written"
    );

    // A manifest a person wrote that names it does not make it export's either.
    ws.write(
        "imported/assistants/yes.yaml",
        "kind: Assistant\nid: 12\nname: \"yes\"\nsystem_prompt: { file: \"prompts/yes-12.md\" }\n",
    );
    export(true)
        .assert_code(1)
        .assert_stderr("was not written by campaignctl export for this account");
    assert_eq!(read(&ws, prompt), "my own notes\n");
}

#[test]
fn an_assistant_the_loader_would_refuse_stops_the_export_before_anything_is_written() {
    // A timer beyond what a manifest may declare: campaignctl would refuse the manifest.
    let (emu, _seed) = account_with(|seed| seed["assistants"][0]["max_duration"] = json!(90000));
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["export", "--out", "imported"])
        .run();
    run.assert_code(1).assert_stderr(
        "cannot export assistant 7: the platform returned a value campaignctl cannot represent (max_duration)",
    );
    assert!(!ws.path().join("imported").exists(), "nothing was written");
}
