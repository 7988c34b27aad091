//! Assistants as code, offline (issue 21): `kind: Assistant` documents checked by `validate`
//! at their lines, prompts kept in files inside the repository, and a campaign's
//! `goal_completion_variable` checked against the declared assistant's post-call schema.

use crate::support::{campaignctl, commit_all, git, Emulator, Workspace};

const ASSISTANT: &str = "\
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
  - { name: interest, type: string }
";

fn campaign(goal: &str) -> String {
    format!("kind: Campaign\nname: Q4\nassistant: Ada\ngoal_completion_variable: {goal}\n")
}

fn repository(goal: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write("campaigns/ada.yaml", ASSISTANT);
    ws.write("campaigns/prompts/ada.md", "You are Ada.\nBe brief.\n");
    ws.write("campaigns/q4.yaml", campaign(goal));
    ws
}

#[test]
fn an_assistant_with_its_prompt_in_a_file_validates_without_a_word() {
    let ws = repository("meeting_booked");
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(0);
    assert!(
        !run.stderr.contains("ada.yaml"),
        "nothing to say about the assistant: {}",
        run.stderr
    );
}

#[test]
fn a_goal_variable_missing_from_the_declared_schema_fails_validate_at_its_line() {
    let ws = repository("booked");
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(1);
    assert!(
        run.stderr.contains("campaigns/q4.yaml:4:27: error: goal_completion_variable \"booked\" is not in the post-call schema of assistant \"Ada\""),
        "the error is at the variable's line: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("hint: the assistant's bool variables: meeting_booked"),
        "the hint names the bool variables: {}",
        run.stderr
    );
}

#[test]
fn a_goal_variable_that_is_not_bool_fails_validate_at_its_line() {
    let ws = repository("interest");
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(1);
    assert!(
        run.stderr.contains("campaigns/q4.yaml:4:27: error: goal_completion_variable \"interest\" is a string in the post-call schema of assistant \"Ada\"; it must be a bool"),
        "the error says the type: {}",
        run.stderr
    );
}

#[test]
fn every_documented_rule_is_checked_offline_at_its_line() {
    let ws = Workspace::new();
    ws.write(
        "campaigns/bad.yaml",
        "\
kind: Assistant
name: Bad
type: sideways
mode: dualplex
voice_id: 0
language_id: 1
llm_model_id: 5
timezone: Mars/Base
initial_message: \"too long\"
system_prompt: { file: ../../outside.md }
is_webhook_active: true
speech_speed: 1.5
max_duration: -1
post_call_schema:
  - { name: has space, type: date }
colour: red
",
    );
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(1);
    for expected in [
        "bad.yaml:3:7: error: type must be one of inbound, outbound, got \"sideways\"",
        "bad.yaml:5:11: error: voice_id must be a positive integer, got 0",
        "bad.yaml:7:15: error: llm_model_id does not apply to mode dualplex",
        "bad.yaml:8:11: error: timezone must be an IANA time zone name",
        "bad.yaml:10:24: error: system_prompt.file: ",
        "bad.yaml:11:20: error: webhook_url is required when is_webhook_active is true",
        "bad.yaml:12:15: error: speech_speed must be a number from 0.7 to 1.2, got 1.5",
        "bad.yaml:13:15: error: max_duration must be between 0 and 86400 seconds, got -1",
        "bad.yaml:15:13: error: post_call_schema.0.name may hold only letters, digits and underscores",
        "bad.yaml:15:30: error: post_call_schema.0.type must be one of string, number, bool, got \"date\"",
        "bad.yaml:16:1: error: unknown field `colour` in an assistant",
        "error: mode dualplex requires multimodal_model_id",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?} in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_prompt_file_outside_the_repository_is_never_read() {
    let ws = Workspace::new();
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret.md");
    std::fs::write(&secret, "TOP SECRET PROMPT").expect("write");
    let link = ws.path().join("campaigns/prompts");
    std::fs::create_dir_all(&link).expect("mkdir");
    std::os::unix::fs::symlink(&secret, link.join("ada.md")).expect("symlink");
    ws.write("campaigns/ada.yaml", ASSISTANT);
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(1);
    assert!(
        run.stderr.contains("system_prompt.file:")
            && run
                .stderr
                .contains("resolves outside the repository; it was not read"),
        "the symlink out is refused: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("TOP SECRET"),
        "the file's text must never be shown: {}",
        run.stderr
    );
}

#[test]
fn an_assistant_name_declared_twice_is_an_error_at_both() {
    let ws = Workspace::new();
    ws.write(
        "campaigns/a.yaml",
        ASSISTANT.replace("{ file: prompts/ada.md }", "Be brief."),
    );
    ws.write(
        "campaigns/b.yaml",
        ASSISTANT.replace("{ file: prompts/ada.md }", "Be kind."),
    );
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("b.yaml:2:7: error: assistant name Ada is also declared at"),
        "{}",
        run.stderr
    );
}

/// A plan compared with a git revision reads the revision's assistants for the fields the
/// platform's list leaves out, but never a prompt file from the working tree as if it were the
/// revision's: no problem is reported about it, and the plan goes on.
#[test]
fn a_plan_with_a_base_revision_reads_the_revisions_assistants_but_not_their_prompt_files() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write("campaigns/ada.yaml", ASSISTANT);
    ws.write("campaigns/prompts/ada.md", "You are Ada.\n");
    ws.write(
        "campaigns/q4.yaml",
        "kind: Campaign\nname: Q4\nassistant: Sales Outbound\ngoal_completion_variable: meeting_booked\n",
    );
    commit_all(&ws, "an assistant and a campaign");
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--base", "HEAD"])
        .env("NO_COLOR", "1")
        .run();
    run.assert_code(0);
    run.assert_stdout("assistant \"Ada\" will be created");
    run.assert_stdout("Q4");
    assert!(
        !run.stderr.contains("ada.md"),
        "the prompt file is not read at the revision: {}",
        run.stderr
    );
}

#[test]
fn a_misspelt_assistant_kind_is_pointed_at_the_right_spelling() {
    let ws = Workspace::new();
    ws.write("campaigns/a.yaml", "kind: assistant\nname: Ada\n");
    ws.write("campaigns/b.yaml", "kind: Asistant\nname: Bea\n");
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(1);
    for expected in [
        "hint: kind is case-sensitive: write kind: Assistant",
        "hint: did you mean \"Assistant\"? write kind: Assistant",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn an_assistant_adopted_by_id_needs_only_its_name_and_one_without_id_needs_what_a_create_needs() {
    let ws = Workspace::new();
    ws.write(
        "campaigns/adopted.yaml",
        "kind: Assistant\nid: 7\nname: Sales Outbound\ntype: outbound\ntimezone: America/New_York\n",
    );
    campaignctl(ws.path(), None)
        .args(["validate", "campaigns/adopted.yaml"])
        .run()
        .assert_code(0)
        .assert_nowhere("missing required field");
    ws.write(
        "campaigns/adopted.yaml",
        "kind: Assistant\nname: Sales Outbound\ntype: outbound\ntimezone: America/New_York\n",
    );
    let run = campaignctl(ws.path(), None)
        .args(["validate", "campaigns/adopted.yaml"])
        .run();
    run.assert_code(1);
    for field in [
        "mode",
        "voice_id",
        "language_id",
        "initial_message",
        "system_prompt",
    ] {
        run.assert_stderr(&format!(
            "campaigns/adopted.yaml:1:1: error: missing required field {field}"
        ));
    }
    // A declared mode still needs its model, adopted or not: a change of mode carries it.
    ws.write(
        "campaigns/adopted.yaml",
        "kind: Assistant\nid: 7\nname: Sales Outbound\nmode: pipeline\n",
    );
    campaignctl(ws.path(), None)
        .args(["validate", "campaigns/adopted.yaml"])
        .run()
        .assert_code(1)
        .assert_stderr("campaigns/adopted.yaml:4:7: error: mode pipeline requires llm_model_id");
}

/// The calling-hours lint knows the declared assistant's zone: a campaign that sets none is
/// offered it.
#[test]
fn a_campaign_without_a_zone_is_offered_its_declared_assistants_zone() {
    let ws = repository("meeting_booked");
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(0);
    run.assert_stderr(
        "hint: set timezone: to the zone of the people called; its assistant \"Ada\" is declared in Europe/Berlin: timezone: Europe/Berlin",
    );
}
