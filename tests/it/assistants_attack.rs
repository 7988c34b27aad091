//! Attacks on assistants as code (issue 21): hostile prompt text in every output, an update
//! held for `--allow-start` and the campaign waiting for it, a campaign naming a declared
//! assistant that will not exist (deleted, inbound), a saved plan gone stale by a dashboard
//! edit, and a delete of an assistant a campaign uses by id.

use crate::assistants_applied::{
    ada, apply_allowing_everything, campaign, repository_with, running, ASSISTANT, PROMPT,
};
use crate::support::{campaignctl, commit_all, git, Emulator, Workspace};

fn repository() -> Workspace {
    repository_with(&["Q4 Ada"])
}

/// Ada applied, her prompt shortened and committed, a plan saved as `ada.plan`, and then
/// `edit` made to her on the platform (in the dashboard).
fn saved_then_edited(edit: serde_json::Value) -> (Emulator, Workspace) {
    let emu = Emulator::start();
    let ws = repository();
    apply_all(&ws, &emu);
    ws.write("campaigns/prompts/ada.md", "You are Ada.\n");
    commit_all(&ws, "shorter prompt");
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "ada.plan", "campaigns"])
        .run()
        .assert_code(0);
    let id = ada(&emu)["id"].as_u64().expect("id");
    emu.api("PUT", &format!("user/assistant/{id}"), Some(edit));
    (emu, ws)
}

fn apply_all(ws: &Workspace, emu: &Emulator) {
    campaignctl(ws.path(), Some(emu))
        .args(["apply", "--auto-approve", "--allow-start", "campaigns"])
        .run()
        .assert_code(0);
}

/// A prompt carrying a terminal escape, a carriage return, `</details>` and a line of backticks:
/// no output carries the raw control bytes, and the Markdown comment's `<details>` and fences
/// stay balanced.
#[test]
fn a_hostile_prompt_never_reaches_any_output_raw() {
    let emu = Emulator::start();
    let ws = repository();
    apply_all(&ws, &emu);
    ws.write(
        "campaigns/prompts/ada.md",
        "You are Ada.\n\x1b[2J\x1b]0;owned\x07cleared\nhidden\rover\n</details>\n````````\n# heading\n",
    );
    for format in ["text", "markdown", "github", "json"] {
        let run = campaignctl(ws.path(), Some(&emu))
            .args(["plan", "--format", format, "campaigns"])
            .env("NO_COLOR", "1")
            .run();
        run.assert_code(0);
        for raw in ['\x1b', '\r', '\x07'] {
            assert!(
                !run.stdout.contains(raw) && !run.stderr.contains(raw),
                "{format}: raw {raw:?} in the output:\n{:?}\n{:?}",
                run.stdout,
                run.stderr
            );
        }
        if format == "text" || format == "markdown" {
            // The line holding a lone `\r` is one added line, shown escaped: the `\r` never
            // splits it and moves the next line's `+` mark (which made `over` look unchanged).
            run.assert_stdout("+hidden\\rover\n");
        }
        if format == "markdown" {
            // Outside fenced code, `<details>` and `</details>` pair up, and every fence opened
            // is closed: the prompt's `</details>` and backticks stay inside their fence.
            let (mut open, mut opens, mut closes) = (None::<usize>, 0, 0);
            for line in run.stdout.lines() {
                let ticks = line.len() - line.trim_start_matches('`').len();
                match open {
                    Some(n) if ticks >= n && line[ticks..].trim().is_empty() => open = None,
                    Some(_) => {}
                    None if ticks >= 3 => open = Some(ticks),
                    None => {
                        opens += line.matches("<details>").count();
                        closes += line.matches("</details>").count();
                    }
                }
            }
            assert_eq!(open, None, "a fence left open:\n{}", run.stdout);
            assert_eq!(opens, closes, "unbalanced <details>:\n{}", run.stdout);
        }
    }
}

/// `apply --auto-approve` without `--allow-start`: an update a running campaign hears is held
/// and reported as held (exit 0, as any held operation); a new campaign waiting for that update is not
/// sent either; with `--allow-start` everything completes.
#[test]
fn an_update_heard_by_calls_is_held_and_what_waits_for_it_is_held_too() {
    let emu = Emulator::start();
    let ws = repository();
    ws.write("campaigns/q4.yaml", running("Q4 Ada"));
    commit_all(&ws, "Q4 runs");
    apply_all(&ws, &emu);
    ws.write("campaigns/prompts/ada.md", "You are Ada.\n");
    ws.write("campaigns/q1.yaml", running("Q1 Ada"));
    let held = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", held.stdout, held.stderr);
    assert_eq!(emu.stats()["assistants_updated"], 0, "held: {out}");
    // Held operations are reported, not failures (exit 0), as for a held campaign start.
    assert_eq!(held.code, 0, "{out}");
    assert!(
        out.contains("waits for the update of assistant \"Ada\", which is held"),
        "the campaign waiting for the held update says why: {out}"
    );
    let q1_started = emu
        .campaigns()
        .iter()
        .any(|c| c["name"] == "Q1 Ada" && c["status"] == "running");
    assert!(
        !q1_started,
        "Q1 does not start calling with the old prompt: {out}"
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "campaigns"])
        .run()
        .assert_code(0);
    assert_eq!(emu.stats()["assistants_updated"], 1);
    assert_eq!(ada(&emu)["system_prompt"], "You are Ada.");
}

/// A campaign naming a declared assistant whose manifest says `status: deleted`: the plan
/// fails at the campaign's line; nothing is created.
#[test]
fn a_campaign_naming_a_deleted_assistant_is_an_error_at_its_line() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(
        "campaigns/ada.yaml",
        format!("{ASSISTANT}status: deleted\n"),
    );
    ws.write("campaigns/prompts/ada.md", PROMPT);
    ws.write("campaigns/q4.yaml", campaign("Q4 Ada"));
    commit_all(&ws, "Ada never was");
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-delete", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(emu.stats()["campaign_create_requests"], 0, "{out}");
    assert_ne!(run.code, 0, "{out}");
    assert!(out.contains("campaigns/q4.yaml:"), "at the campaign: {out}");
}

/// A campaign naming a declared inbound assistant: an outbound campaign cannot use it.
#[test]
fn a_campaign_naming_an_inbound_assistant_is_an_error_at_its_line() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(
        "campaigns/ada.yaml",
        ASSISTANT.replace("type: outbound", "type: inbound"),
    );
    ws.write("campaigns/prompts/ada.md", PROMPT);
    ws.write("campaigns/q4.yaml", campaign("Q4 Ada"));
    commit_all(&ws, "Ada inbound");
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["validate", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_ne!(run.code, 0, "{out}");
    assert!(out.contains("campaigns/q4.yaml:"), "at the campaign: {out}");
}

/// A saved plan, then the assistant edited on the dashboard, then `apply PLANFILE`: the plan
/// is refused as stale (or at least never overwrites what the reviewer did not see).
#[test]
fn a_saved_plan_is_stale_once_the_assistant_is_edited_on_the_platform() {
    let (emu, ws) =
        saved_then_edited(serde_json::json!({"voice_id": 9, "initial_message": "Edited by hand."}));
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "ada.plan"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_ne!(run.code, 0, "a stale plan is refused: {out}");
    assert_eq!(
        ada(&emu)["system_prompt"],
        PROMPT.trim(),
        "nothing applied from a stale plan: {out}"
    );
}

/// `status: deleted` on an assistant that a declared campaign uses through `assistant_id:`.
#[test]
fn an_assistant_used_by_id_is_never_deleted() {
    let emu = Emulator::start();
    let ws = repository();
    apply_all(&ws, &emu);
    let id = ada(&emu)["id"].as_u64().expect("id");
    ws.write(
        "campaigns/q4.yaml",
        campaign("Q4 Ada").replace("assistant: Ada\n", &format!("assistant_id: {id}\n")),
    );
    ws.write(
        "campaigns/ada.yaml",
        format!("{ASSISTANT}status: deleted\n"),
    );
    commit_all(&ws, "Ada goes, Q4 names her by id");
    let run = apply_allowing_everything(&ws, &emu);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(emu.stats()["assistants_deleted"], 0, "{out}");
}

/// An assistant create the platform refuses with a 422 (a phone number it does not have): the
/// run fails, the error says which field, and the campaigns waiting for the assistant are
/// skipped naming why; no campaign is created without its assistant.
#[test]
fn an_assistant_create_refused_with_a_422_creates_no_campaign() {
    let emu = Emulator::start();
    let ws = repository();
    ws.write(
        "campaigns/ada.yaml",
        format!("{ASSISTANT}phone_number_id: 999\n"),
    );
    ws.write("campaigns/q1.yaml", running("Q1 Ada"));
    commit_all(&ws, "Ada on a number the account lacks");
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 1, "the run failed: {out}");
    assert_eq!(emu.stats()["campaign_create_requests"], 0, "{out}");
    assert!(out.contains("phone_number_id"), "names the field: {out}");
    // At the field's own line (the 13th of ada.yaml), not the document's first.
    assert!(
        out.contains("campaigns/ada.yaml:13:18: error: the platform rejected assistant field phone_number_id"),
        "points at the field: {out}"
    );
    assert!(
        out.contains("\"Ada\": could not create: the platform rejected the request (422)"),
        "the failed create is called a create, never a stop: {out}"
    );
    for name in ["Q1 Ada", "Q4 Ada"] {
        assert!(
            out.contains(&format!(
                "\"{name}\": create skipped: the create of assistant \"Ada\" failed"
            )),
            "{name} is skipped, naming why: {out}"
        );
    }
}

/// The same 422 on an update: a campaign start waiting for the update is not sent.
#[test]
fn an_assistant_update_refused_with_a_422_starts_nothing_that_waits_for_it() {
    let emu = Emulator::start();
    let ws = repository();
    apply_all(&ws, &emu);
    ws.write(
        "campaigns/ada.yaml",
        format!("{ASSISTANT}phone_number_id: 999\n"),
    );
    ws.write("campaigns/q4.yaml", running("Q4 Ada"));
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 1, "the run failed: {out}");
    let q4 = emu
        .campaigns()
        .into_iter()
        .find(|c| c["name"] == "Q4 Ada")
        .expect("Q4");
    assert_ne!(
        q4["status"], "running",
        "Q4 not started with the old assistant: {out}"
    );
    assert!(
        out.contains("\"Q4 Ada\": start skipped: the update of assistant \"Ada\" failed"),
        "Q4's start is skipped, naming why: {out}"
    );
    assert!(
        out.contains("\"Ada\": could not update: the platform rejected the request (422)"),
        "the failed update is called an update, never a stop: {out}"
    );
}

/// A running campaign that uses the assistant through `assistant_id:` (not by name) hears an
/// update as much as one naming it: the update needs `--allow-start`.
#[test]
fn an_update_heard_by_a_campaign_using_the_assistant_by_id_needs_allow_start() {
    let emu = Emulator::start();
    let ws = repository();
    apply_all(&ws, &emu);
    let id = ada(&emu)["id"].as_u64().expect("id");
    ws.write(
        "campaigns/q1.yaml",
        running("Q1 Ada").replace("assistant: Ada\n", &format!("assistant_id: {id}\n")),
    );
    commit_all(&ws, "Q1 runs, naming Ada by id");
    apply_all(&ws, &emu);
    ws.write("campaigns/prompts/ada.md", "You are Ada.\n");
    let held = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", held.stdout, held.stderr);
    assert_eq!(
        emu.stats()["assistants_updated"],
        0,
        "a running campaign using Ada by id hears the update: held: {out}"
    );
    held.assert_stdout("--allow-start");
}

/// `watch`: an assistant update that was held, or failed, is planned again by the next pass,
/// never taken for an edit made outside git (the manifest is unchanged since the pass that
/// tried it, but the platform never took it). A new `phone_number_id` is heard by inbound
/// calls (held without `--allow-start`); the number is one the account lacks (a 422 with it).
#[test]
fn watch_never_takes_its_own_held_or_failed_assistant_update_for_a_dashboard_edit() {
    use crate::watch::Daemon;
    const ADA: &str = "kind: Assistant\nname: Ada\ntype: outbound\nmode: pipeline\nvoice_id: 3\nlanguage_id: 1\nllm_model_id: 5\ntimezone: Europe/Berlin\ninitial_message: Hello.\nsystem_prompt: You are Ada.\n";
    for allow_start in [false, true] {
        let emu = Emulator::start();
        let ws = Workspace::new();
        ws.write("m/ada.yaml", ADA);
        let extra: &[&str] = if allow_start { &["--allow-start"] } else { &[] };
        let daemon = Daemon::start(&ws, &emu, &["m"], extra);
        daemon.wait_for_passes("success", 1.0);
        ws.write("m/ada.yaml", format!("{ADA}phone_number_id: 999\n"));
        if allow_start {
            // Failed passes are retried (backoff 100ms..500ms): each retry plans the PUT again.
            daemon.wait_for("the failed update tried three times", || {
                if daemon.log().contains("assistant edited outside git") {
                    return Ok(());
                }
                let n = daemon.passes("failed");
                (n >= 3.0).then_some(()).ok_or(format!("{n} failed passes"))
            });
        } else {
            daemon.wait_for("the update held", || {
                let log = daemon.log();
                log.contains("op=\"update_assistant\"")
                    .then_some(())
                    .ok_or(log)
            });
            // Another file: a pass that reads the platform again.
            ws.write(
                "m/other.yaml",
                "kind: Campaign\nname: Other\nassistant_id: 9\ntimezone: Europe/London\n",
            );
            daemon.wait_for("the next pass to create Other", || {
                emu.campaign_names()
                    .iter()
                    .any(|n| n == "Other")
                    .then_some(())
                    .ok_or_else(|| "not yet".to_owned())
            });
            daemon.wait_for_passes("success", 3.0);
        }
        let log = daemon.log();
        assert!(
            !log.contains("assistant edited outside git"),
            "allow_start={allow_start}: the update this daemon did not make is no dashboard edit: {log}"
        );
        if !allow_start {
            assert!(
                log.contains(
                    "held: this assistant change is not applied by watch without --allow-start"
                ),
                "the held line speaks of the assistant, not of leads: {log}"
            );
            assert!(!log.contains("held went"), "still held: {log}");
        }
    }
}

/// An assistant adopted by `id:` under a new name (the platform still has the old one): a
/// campaign naming the new name takes the adopted id, in the same apply as the rename.
#[test]
fn a_campaign_naming_an_adopted_assistant_renamed_in_the_same_apply_takes_its_id() {
    let emu = Emulator::start();
    let created = emu.api(
        "POST",
        "user/assistant",
        Some(serde_json::json!({
            "name": "Ada old", "voice_id": 3, "language_id": 1, "type": "outbound",
            "mode": "pipeline", "llm_model_id": 5, "timezone": "Europe/Berlin",
            "initial_message": "Hello.", "system_prompt": "You are Ada."
        })),
    );
    let id = created["data"]["id"].as_u64().expect("id");
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(
        "campaigns/ada.yaml",
        format!("kind: Assistant\nid: {id}\nname: Ada\npost_call_schema:\n  - {{ name: meeting_booked, type: bool, description: A meeting was booked }}\n"),
    );
    ws.write("campaigns/q4.yaml", campaign("Q4 Ada"));
    commit_all(&ws, "Ada adopted under a new name");
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    run.assert_code(0);
    assert_eq!(ada(&emu)["id"], id, "renamed in place: {out}");
    let q4 = emu
        .campaigns()
        .into_iter()
        .find(|c| c["name"] == "Q4 Ada")
        .unwrap_or_else(|| panic!("Q4 created: {out}"));
    assert_eq!(q4["assistant_id"], id, "{out}");
}

/// An assistant adopted by `id:` without `type:` (a field left out is not managed) that the
/// platform lists as inbound: a campaign naming it is refused, as a campaign naming an inbound
/// assistant the repository does not declare is, never created with the inbound assistant.
#[test]
fn a_campaign_naming_an_adopted_assistant_the_platform_lists_inbound_is_refused() {
    let emu = Emulator::start();
    let front_desk = emu
        .inspect("/_emulator/assistants")
        .as_array()
        .expect("assistants")
        .iter()
        .find(|a| a["type"] == "inbound")
        .cloned()
        .expect("the demo account has an inbound assistant");
    let id = front_desk["id"].as_u64().expect("id");
    let name = front_desk["name"].as_str().expect("name").to_owned();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(
        "campaigns/desk.yaml",
        format!("kind: Assistant\nid: {id}\nname: {name}\n"),
    );
    ws.write(
        "campaigns/q4.yaml",
        format!("kind: Campaign\nname: Q4 Desk\nassistant: {name}\ntimezone: Europe/Berlin\n"),
    );
    commit_all(&ws, "the front desk adopted");
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(
        emu.stats()["campaign_create_requests"],
        0,
        "no campaign created with inbound assistant {id}: {out}"
    );
    assert_ne!(run.code, 0, "{out}");
    assert!(out.contains("campaigns/q4.yaml:"), "at the campaign: {out}");
}

/// An assistant and the running campaign that uses it, both `status: deleted` in one commit:
/// the assistant is never deleted while the campaign may still be calling with it (assistants
/// run first), so it is kept this run; the next run, the campaign's manifest is only a
/// tombstone, which uses nothing, and the assistant goes (it was kept forever).
#[test]
fn an_assistant_deleted_with_its_campaign_is_kept_until_the_campaign_is_gone_then_deleted() {
    let emu = Emulator::start();
    let ws = repository();
    ws.write("campaigns/q4.yaml", running("Q4 Ada"));
    commit_all(&ws, "Q4 runs");
    apply_all(&ws, &emu);
    ws.write(
        "campaigns/q4.yaml",
        format!("{}status: deleted\n", campaign("Q4 Ada")),
    );
    ws.write(
        "campaigns/ada.yaml",
        format!("{ASSISTANT}status: deleted\n"),
    );
    commit_all(&ws, "Q4 and Ada go");
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "campaigns"])
        .run();
    let doc = plan.json();
    let ops = doc["operations"].as_array().cloned().unwrap_or_default();
    let index = |op: &str| ops.iter().position(|o| o["op"] == op);
    if let Some(del_a) = index("delete_assistant") {
        let del_c = index("delete").unwrap_or_else(|| panic!("the campaign's delete: {doc}"));
        let waits = ops[del_a]["depends_on"]
            .as_array()
            .is_some_and(|d| d.iter().any(|v| v.as_u64() == Some(del_c as u64)));
        assert!(
            waits,
            "the assistant's delete waits for the delete of the campaign using it: {doc}"
        );
    }
    let run = apply_allowing_everything(&ws, &emu);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(
        emu.stats()["assistants_deleted"],
        0,
        "Ada kept while Q4 is being deleted in the same run: {out}"
    );
    assert!(
        !emu.campaigns().into_iter().any(|c| c["name"] == "Q4 Ada"),
        "Q4 deleted: {out}"
    );
    // The next apply: Q4 is gone, its manifest only a tombstone, which uses nothing.
    let again = apply_allowing_everything(&ws, &emu);
    let out = format!("{}{}", again.stdout, again.stderr);
    again.assert_code(0);
    assert_eq!(
        emu.stats()["assistants_deleted"],
        1,
        "a deleted campaign's tombstone does not keep Ada forever: {out}"
    );
}

/// A saved plan that creates Ada, then an Ada made in the dashboard before it is applied: the
/// plan is refused as stale, never a second Ada with campaigns on one of them.
#[test]
fn a_saved_plan_creating_an_assistant_is_stale_once_the_name_is_taken() {
    let emu = Emulator::start();
    let ws = repository();
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "ada.plan", "campaigns"])
        .run()
        .assert_code(0);
    emu.api(
        "POST",
        "user/assistant",
        Some(serde_json::json!({
            "name": "Ada", "voice_id": 3, "language_id": 1, "type": "outbound",
            "mode": "pipeline", "llm_model_id": 5, "timezone": "Europe/Berlin",
            "initial_message": "Hello.", "system_prompt": "Made by hand."
        })),
    );
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "ada.plan"])
        .env("NO_COLOR", "1")
        .run();
    let out = format!("{}{}", run.stdout, run.stderr);
    assert_ne!(run.code, 0, "a stale plan is refused: {out}");
    assert_eq!(
        emu.stats()["assistants_created"],
        1,
        "only the dashboard's Ada: {out}"
    );
    assert_eq!(emu.stats()["campaign_create_requests"], 0, "{out}");
}

/// A saved plan made stale by an assistant edited on the platform is refused saying so (the
/// saved plan fingerprinted the campaign list only, and the refusal, from recomputing, blamed
/// the file: "the file was edited, or made by a different build", and named a campaign "Ada").
#[test]
fn a_plan_stale_by_an_assistant_edit_says_the_platform_changed() {
    let (emu, ws) = saved_then_edited(serde_json::json!({"voice_id": 9}));
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "ada.plan"])
        .env("NO_COLOR", "1")
        .run();
    run.assert_code(1);
    run.assert_stderr("is stale: the assistants on the platform changed since it was made");
    run.assert_nowhere("campaign \"Ada\"");
}
