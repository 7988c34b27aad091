//! Assistants as code against the emulator (issue 21): an assistant declared beside the
//! campaigns that use it is created first and the campaigns take its new id, in one plan and
//! one apply; a prompt edit is an update in place carrying only that field, shown as a diff;
//! a field the platform's list leaves out (`mode`) is compared with the git baseline; an
//! assistant in use is never deleted; an update heard by running calls needs `--allow-start`.

use crate::support::{campaignctl, commit_all, git, Emulator, Run, Workspace};

/// Ada, an outbound assistant whose prompt is in `prompts/ada.md` (shared with
/// `assistants_attack`).
pub(crate) const ASSISTANT: &str = "\
kind: Assistant
name: Ada
type: outbound
mode: pipeline
voice_id: 3
language_id: 1
llm_model_id: 5
timezone: Europe/Berlin
initial_message: Hello, this is Ada from Acme.
system_prompt: { file: prompts/ada.md }
post_call_schema:
  - { name: meeting_booked, type: bool, description: A meeting was booked }
";

pub(crate) const PROMPT: &str =
    "You are Ada, calling for Acme.\nBe brief.\nNever promise a discount.\n";

/// A campaign naming Ada, with a window inside the quiet hours.
pub(crate) fn campaign(name: &str) -> String {
    format!(
        "kind: Campaign\nname: {name}\nassistant: Ada\ntimezone: Europe/Berlin\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\nallowed_days: [monday, tuesday]\ngoal_completion_variable: meeting_booked\n"
    )
}

/// A git repository with Ada (her prompt in a file) and two campaigns naming her.
fn repository() -> Workspace {
    repository_with(&["Q4 Ada", "Q1 Ada"])
}

/// A git repository with Ada (her prompt in a file) and a campaign naming her for each of
/// `names` (`Q4 Ada` in `campaigns/q4.yaml`: the file is named by the name's first word).
pub(crate) fn repository_with(names: &[&str]) -> Workspace {
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write("campaigns/ada.yaml", ASSISTANT);
    ws.write("campaigns/prompts/ada.md", PROMPT);
    for name in names {
        let file = name.split(' ').next().unwrap_or(name).to_lowercase();
        ws.write(&format!("campaigns/{file}.yaml"), campaign(name));
    }
    commit_all(&ws, "Ada and her campaigns");
    ws
}

/// `apply --auto-approve` of `campaigns` with the other approvals too (`--allow-delete`,
/// `--allow-start`), colour off: what runs then is what the plan alone allows.
pub(crate) fn apply_allowing_everything(ws: &Workspace, emu: &Emulator) -> Run {
    campaignctl(ws.path(), Some(emu))
        .args([
            "apply",
            "--auto-approve",
            "--allow-delete",
            "--allow-start",
            "campaigns",
        ])
        .env("NO_COLOR", "1")
        .run()
}

/// [`campaign`], declared running with one lead.
pub(crate) fn running(name: &str) -> String {
    format!(
        "{}status: running\nleads:\n  items:\n    - phone_number: \"+14155550101\"\n",
        campaign(name)
    )
}

/// Q4 Ada declared running with one lead, committed.
fn q4_runs(ws: &Workspace) {
    ws.write("campaigns/q4.yaml", running("Q4 Ada"));
    commit_all(ws, "Q4 runs");
}

/// Ada as the emulator stores her.
pub(crate) fn ada(emu: &Emulator) -> serde_json::Value {
    let all = emu.inspect("/_emulator/assistants");
    all.as_array()
        .expect("assistant list")
        .iter()
        .find(|a| a["name"] == "Ada")
        .cloned()
        .unwrap_or_else(|| panic!("no assistant Ada on the emulator: {all}"))
}

fn apply(ws: &Workspace, emu: &Emulator) {
    campaignctl(ws.path(), Some(emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .run()
        .assert_code(0);
}

#[test]
fn one_apply_creates_the_assistant_first_and_its_campaigns_with_its_new_id() {
    let emu = Emulator::start();
    let ws = repository();
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "campaigns"])
        .run();
    plan.assert_code(0);
    let doc = plan.json();
    let ops: Vec<(String, String, Vec<u64>)> = doc["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|o| {
            (
                o["op"].as_str().unwrap_or_default().to_owned(),
                o["campaign"]
                    .as_str()
                    .or(o["assistant"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
                o["depends_on"]
                    .as_array()
                    .map(|d| d.iter().filter_map(|v| v.as_u64()).collect())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("create_assistant".to_owned(), "Ada".to_owned(), vec![]),
            ("create".to_owned(), "Q1 Ada".to_owned(), vec![0]),
            ("create".to_owned(), "Q4 Ada".to_owned(), vec![0]),
        ],
        "the assistant first, each campaign waiting for it: {doc}"
    );
    assert_eq!(doc["assistants"][0]["kind"], "create", "{doc}");

    apply(&ws, &emu);
    let ada = ada(&emu);
    let id = ada["id"].as_u64().expect("Ada's id");
    assert_eq!(
        ada["system_prompt"],
        PROMPT.trim(),
        "the prompt file's text, as the platform stores it"
    );
    for c in emu.campaigns() {
        if c["name"].as_str().is_some_and(|n| n.ends_with("Ada")) {
            assert_eq!(
                c["assistant_id"], id,
                "{} uses the new assistant: {c}",
                c["name"]
            );
        }
    }
    assert_eq!(emu.stats()["assistants_created"], 1);

    let again = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--detailed-exitcode", "campaigns"])
        .run();
    again.assert_code(0);
    again.assert_stdout("No changes.");
}

#[test]
fn a_prompt_edit_plans_a_diff_and_applies_as_one_update_carrying_only_the_prompt() {
    let emu = Emulator::start();
    let ws = repository();
    apply(&ws, &emu);
    ws.write(
        "campaigns/prompts/ada.md",
        "You are Ada, calling for Acme.\nBe brief and kind.\nNever promise a discount.\n",
    );
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    plan.assert_code(0);
    for line in [
        "~ assistant \"Ada\" {",
        "~ system_prompt:",
        "--- platform",
        "+++ manifest",
        "-Be brief.",
        "+Be brief and kind.",
        " Never promise a discount.",
    ] {
        assert!(
            plan.stdout.contains(line),
            "the plan shows {line:?}:\n{}",
            plan.stdout
        );
    }
    plan.assert_stdout("assistants: 0 to create, 1 to update in place");
    let json = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "campaigns"])
        .run()
        .json();
    let update = &json["operations"][0];
    assert_eq!(update["op"], "update_assistant", "{json}");
    assert_eq!(
        update["fields"],
        serde_json::json!(["system_prompt"]),
        "the PUT carries the prompt only: {json}"
    );

    let applied = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    applied.assert_code(0);
    applied.assert_stdout("  ~ assistant \"Ada\": updated in place (id ");
    applied.assert_stdout("Assistants: 0 created, 1 updated in place, 0 deleted.");
    assert_eq!(emu.stats()["assistants_updated"], 1, "one PUT");
    assert_eq!(
        ada(&emu)["request_body"],
        serde_json::json!({
            "system_prompt": "You are Ada, calling for Acme.\nBe brief and kind.\nNever promise a discount."
        }),
        "the PUT carried the prompt and nothing else"
    );
    assert_eq!(
        ada(&emu)["system_prompt"],
        "You are Ada, calling for Acme.\nBe brief and kind.\nNever promise a discount."
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "campaigns"])
        .run()
        .assert_code(0)
        .assert_stdout("No changes.");
}

#[test]
fn a_prompt_files_final_newline_and_trailing_spaces_never_plan_a_change() {
    let emu = Emulator::start();
    let ws = repository();
    apply(&ws, &emu);
    ws.write(
        "campaigns/prompts/ada.md",
        format!("\n{}   \n\n", PROMPT.trim()),
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--detailed-exitcode", "campaigns"])
        .run()
        .assert_code(0)
        .assert_stdout("No changes.");
}

#[test]
fn a_mode_edit_the_list_cannot_show_is_caught_through_the_baseline() {
    let emu = Emulator::start();
    let ws = repository();
    apply(&ws, &emu);
    ws.write(
        "campaigns/ada.yaml",
        ASSISTANT
            .replace("mode: pipeline\n", "mode: multimodal\n")
            .replace("llm_model_id: 5\n", "multimodal_model_id: 2\n"),
    );
    // The baseline is what was applied (the record's commit): the working tree differs.
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "campaigns"])
        .run();
    plan.assert_code(0);
    let doc = plan.json();
    let changes: Vec<&str> = doc["assistants"][0]["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("changes: {doc}"))
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert!(
        changes.contains(&"mode"),
        "mode compared with the baseline: {doc}"
    );
    let fields = &doc["operations"][0]["fields"];
    assert!(
        fields.as_array().is_some_and(
            |f| f.contains(&"mode".into()) && f.contains(&"multimodal_model_id".into())
        ),
        "a mode change carries the mode's model id: {doc}"
    );
}

#[test]
fn an_assistant_in_use_is_never_deleted() {
    let emu = Emulator::start();
    let ws = repository();
    apply(&ws, &emu);
    ws.write(
        "campaigns/ada.yaml",
        format!("{ASSISTANT}status: deleted\n"),
    );
    commit_all(&ws, "Ada goes");
    let run = apply_allowing_everything(&ws, &emu);
    run.assert_code(0);
    run.assert_stdout("assistant \"Ada\" (id");
    run.assert_stdout("is not deleted: campaigns declared here use it: Q1 Ada, Q4 Ada");
    assert_eq!(emu.stats()["assistants_deleted"], 0);
    let _ = ada(&emu);
}

/// The plan deletes an assistant only when every campaign of the account is declared and none
/// names it, since the campaign list does not say which assistant a campaign uses. A campaign
/// made in the dashboard while the question waited may use it: the plan made again after the
/// answer holds the delete, and nothing is deleted. (Made after that plan, right before the
/// DELETE, it stops the delete too: the executor reads the account again,
/// `executor::assistants::tests`.) Once that campaign is gone, the delete runs.
#[test]
fn an_assistant_is_not_deleted_when_a_campaign_no_manifest_declares_appears_while_the_question_waits(
) {
    let emu = Emulator::start();
    let ws = repository_with(&[]);
    apply(&ws, &emu);
    let id = ada(&emu)["id"].as_u64().expect("Ada's id");
    ws.write(
        "campaigns/ada.yaml",
        format!("{ASSISTANT}status: deleted\n"),
    );
    commit_all(&ws, "Ada goes");
    let mut made = None;
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "campaigns"])
        .env("NO_COLOR", "1")
        .run_on_terminal_then(&["yes"], |_| {
            let body = serde_json::json!({"name": "Made by hand", "assistant_id": id});
            made = emu.api("POST", "user/campaign", Some(body))["data"]["id"].as_u64();
        });
    let made = made.expect("the campaign made while the question waited has an id");
    run.assert_code(0)
        .assert_stderr("WILL DELETE: do you want to delete assistant \"Ada\"")
        .assert_stderr("The plan changed while waiting for your answer (the platform changed meanwhile); nothing was applied.")
        .assert_stdout("is not deleted: the account has 1 campaign(s) no manifest declares");
    assert_eq!(emu.stats()["assistants_deleted"], 0, "{run}");
    assert_eq!(ada(&emu)["id"], id, "Ada is still there: {run}");

    emu.api("DELETE", &format!("user/campaign/{made}"), None);
    let run = apply_allowing_everything(&ws, &emu);
    run.assert_code(0);
    assert_eq!(emu.stats()["assistants_deleted"], 1, "{run}");
}

#[test]
fn an_update_heard_by_a_running_campaign_needs_allow_start() {
    let emu = Emulator::start();
    let ws = repository();
    q4_runs(&ws);
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "campaigns"])
        .run()
        .assert_code(0);
    ws.write("campaigns/prompts/ada.md", "You are Ada.\n");
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    plan.assert_stdout(
        "! this changes what live calls say (running campaigns Q4 Ada): it needs --allow-start",
    );
    let held = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .run();
    assert_eq!(
        emu.stats()["assistants_updated"],
        0,
        "held without --allow-start: {}{}",
        held.stdout,
        held.stderr
    );
    held.assert_stdout("--allow-start");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "campaigns"])
        .run()
        .assert_code(0);
    assert_eq!(emu.stats()["assistants_updated"], 1);
}

/// A platform still on the older assistant body refuses the newer one with a 422 naming one of
/// its own fields: the run stops there, and no campaign is created with an assistant that does
/// not exist.
#[test]
fn a_platform_on_the_older_assistant_body_stops_the_run_before_any_campaign() {
    let emu = Emulator::start_with(&["--older-assistant-api"]);
    let ws = repository();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    assert_ne!(run.code, 0, "the run failed: {}{}", run.stdout, run.stderr);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(
        out.contains("a field of the older assistant API")
            && out.contains("the run stopped before any campaign was touched"),
        "the error says why and what was not done: {out}"
    );
    assert!(
        out.contains("not sent: the platform rejected the assistant"),
        "the campaigns are skipped, naming why: {out}"
    );
    assert_eq!(emu.stats()["campaign_create_requests"], 0, "{out}");
}

/// Every write's answer lost after it landed: the assistant's create is settled by listing,
/// never sent twice, and the campaigns still take its id.
#[test]
fn an_assistant_create_whose_answer_was_lost_is_listed_not_sent_again() {
    let emu = Emulator::start_with(&["--drop-rate", "1"]);
    let ws = repository();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .run();
    run.assert_code(0);
    let all = emu.inspect("/_emulator/assistants");
    let adas: Vec<u64> = all
        .as_array()
        .expect("assistants")
        .iter()
        .filter(|a| a["name"] == "Ada")
        .filter_map(|a| a["id"].as_u64())
        .collect();
    assert_eq!(adas.len(), 1, "exactly one Ada: {all}");
    for c in emu.campaigns() {
        if c["name"].as_str().is_some_and(|n| n.ends_with("Ada")) {
            assert_eq!(c["assistant_id"], adas[0], "{c}");
        }
    }
}

/// The text and Markdown plans of an assistant update, pinned: the changed field, the prompt's
/// diff (folded into `<details>` in Markdown) and who hears the change.
#[test]
fn the_plans_of_a_prompt_change_are_pinned() {
    let emu = Emulator::start();
    let ws = repository();
    q4_runs(&ws);
    campaignctl(ws.path(), Some(&emu))
        .args([
            "apply",
            "--auto-approve",
            "--allow-start",
            "--parallelism",
            "1",
            "campaigns",
        ])
        .run()
        .assert_code(0);
    ws.write(
        "campaigns/prompts/ada.md",
        "You are Ada, calling for Acme.\nBe brief and kind.\nNever promise a discount.\n",
    );
    ws.write(
        "campaigns/ada.yaml",
        ASSISTANT.replace("voice_id: 3", "voice_id: 4"),
    );
    let text = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    text.assert_code(0);
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"commit [0-9a-f]{12}", "commit [COMMIT]");
    let _bound = settings.bind_to_scope();
    insta::assert_snapshot!("assistant_update_text", text.stdout);
    let markdown = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "markdown", "campaigns"])
        .run();
    markdown.assert_code(0);
    insta::assert_snapshot!("assistant_update_markdown", markdown.stdout);
}

/// API cost: a re-plan of 300 declared assistants and 300 campaigns using them, all in sync,
/// reads the three lists whole (assistants 100 a page) and nothing else: 2 + ⌈assistants /
/// 100⌉ requests (6 with the demo account's own 12 assistants).
#[test]
fn a_replan_of_300_assistants_and_300_campaigns_reads_three_lists_only() {
    let emu = Emulator::start_with(&["--campaign-limit", "1000"]);
    let ws = Workspace::new();
    let mut all = String::new();
    for i in 0..300 {
        all.push_str(&format!(
            "kind: Assistant\nname: Fleet assistant {i:03}\ntype: outbound\nmode: pipeline\nvoice_id: 3\nlanguage_id: 1\nllm_model_id: 5\ntimezone: Europe/Berlin\ninitial_message: Hello.\nsystem_prompt: You are assistant {i}.\n---\nkind: Campaign\nname: Fleet campaign {i:03}\nassistant: Fleet assistant {i:03}\ntimezone: Europe/Berlin\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n---\n"
        ));
    }
    ws.write("fleet/all.yaml", all.trim_end_matches("---\n"));
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "fleet"])
        .run()
        .assert_code(0);
    let before = emu.stats()["requests"].as_u64().expect("requests");
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--detailed-exitcode", "fleet"])
        .run();
    plan.assert_code(0);
    let after = emu.stats()["requests"].as_u64().expect("requests");
    let assistants = emu
        .inspect("/_emulator/assistants")
        .as_array()
        .map_or(0, Vec::len) as u64;
    assert!(assistants >= 300, "{assistants} assistants");
    assert_eq!(
        after - before,
        2 + assistants.div_ceil(100),
        "campaigns (1), assistants ({assistants}, 100 a page), phone numbers (1): {}",
        plan.stdout
    );
}

/// A saved plan carries the assistant's operations: `apply PLANFILE` creates the assistant and
/// the campaigns with its id, exactly as planned; the GitHub annotations name it at its line.
#[test]
fn a_saved_plan_applies_the_assistant_and_its_campaigns_and_github_annotates_it() {
    let emu = Emulator::start();
    let ws = repository();
    let github = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "github", "campaigns"])
        .run();
    github.assert_code(0);
    github.assert_stdout(
        "::notice file=campaigns/ada.yaml,line=1,col=1,title=campaignctl%3A create assistant::assistant \"Ada\" will be created",
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "ada.plan", "campaigns"])
        .run()
        .assert_code(0);
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "ada.plan"])
        .run()
        .assert_code(0);
    let id = ada(&emu)["id"].clone();
    let using: Vec<serde_json::Value> = emu
        .campaigns()
        .into_iter()
        .filter(|c| c["assistant_id"] == id)
        .collect();
    assert_eq!(using.len(), 2, "both campaigns use the new Ada: {using:?}");
}

/// Three runs on three machines (no shared lock) apply the same assistant and campaign at once.
/// The platform has no conditional create, so each may create the assistant: each run checks
/// the name after its create and keeps the lowest id, deleting its own newer copy, so the
/// account ends with one assistant, which the campaign uses.
#[test]
fn racing_applies_leave_one_assistant_and_the_campaign_uses_it() {
    let emu = Emulator::start_with(&["--latency", "40"]);
    let workspaces: Vec<Workspace> = (0..3)
        .map(|_| {
            let ws = Workspace::new();
            ws.write("campaigns/ada.yaml", ASSISTANT);
            ws.write("campaigns/prompts/ada.md", PROMPT);
            ws.write("campaigns/q4.yaml", campaign("Q4 Ada"));
            ws
        })
        .collect();
    let runs: Vec<_> = workspaces
        .iter()
        .map(|ws| {
            let cmd =
                campaignctl(ws.path(), Some(&emu)).args(["apply", "--auto-approve", "campaigns"]);
            std::thread::spawn(move || cmd.run())
        })
        .collect();
    let runs: Vec<_> = runs.into_iter().map(|t| t.join().expect("run")).collect();
    let context = || {
        runs.iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("\n---\n")
    };
    let adas: Vec<u64> = emu
        .inspect("/_emulator/assistants")
        .as_array()
        .expect("assistants")
        .iter()
        .filter(|a| a["name"] == "Ada")
        .filter_map(|a| a["id"].as_u64())
        .collect();
    assert_eq!(adas.len(), 1, "one Ada: {adas:?}\n{}", context());
    let using: Vec<serde_json::Value> = emu
        .campaigns()
        .into_iter()
        .filter(|c| c["name"] == "Q4 Ada")
        .collect();
    assert!(
        using.iter().all(|c| c["assistant_id"] == adas[0]),
        "every copy of the campaign uses the one Ada: {using:?}\n{}",
        context()
    );
}

/// The example in `examples/assistants` (docs/assistants.md points at it) applies in one run
/// against the demo account, the assistant before its campaign, and plans clean after.
#[test]
fn the_assistants_example_applies_against_the_demo_account() {
    let ws = Workspace::new();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/assistants");
    let run = campaignctl(ws.path(), None)
        .args(["demo".as_ref(), example.as_os_str()])
        .env("NO_COLOR", "1")
        .run();
    run.assert_code(0)
        .assert_stdout("  + assistant \"Ava Spring Outreach\": created (id ")
        .assert_stdout("+ \"Spring Outreach\": created (id ")
        .assert_stdout("Assistants: 1 created, 0 updated in place, 0 deleted.")
        .assert_nothing_to_apply();
}

/// `--target` may name an assistant: only it is planned (and applied).
#[test]
fn a_target_naming_an_assistant_plans_it_alone() {
    let emu = Emulator::start();
    let ws = repository();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "--target", "Ada", "campaigns"])
        .run();
    run.assert_code(0);
    let doc = run.json();
    let ops: Vec<&str> = doc["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .filter_map(|o| o["op"].as_str())
        .collect();
    assert_eq!(ops, ["create_assistant"], "{doc}");
}
