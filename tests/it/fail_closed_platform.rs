//! Fail closed when the platform answers nonsense, and the smaller holes of issue 18: a status
//! campaignctl does not know is never "as wanted"; no string the platform sends reaches a
//! terminal, a log or a CI runner raw; pagination that never ends is stopped at the first
//! inconsistency; lead values are trimmed as the platform trims them; two manifests cannot
//! rename one campaign; `export` never writes over the config or a file it did not write.
//! The real binary against scripted servers (`platform_misbehaving::Hostile`) or the emulator.

use std::time::{Duration, Instant};

use crate::platform_misbehaving::{lists, Hostile};
use crate::support::{campaignctl, Emulator, Run, Workspace, TOKEN};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

/// The lists a plan reads, the campaign list being `campaigns`; campaign 5 has the lead
/// `running_adopted` declares.
fn platform(path: &str, campaigns: &Value) -> Response {
    match path {
        "/api/user/leads" => Json(json!({
            "current_page": 1,
            "data": [{"id": 1, "campaign_id": 5, "phone_number": "+14155550101"}],
            "last_page": 1, "per_page": 100, "total": 1
        }))
        .into_response(),
        _ => lists(path, campaigns.clone()),
    }
}

/// A workspace whose one manifest adopts campaign 5 and wants it running.
fn running_adopted() -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "c/a.yaml",
        format!("kind: Campaign\nid: 5\nname: Adopted\nstatus: running\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\" }}\n{QUIET}"),
    );
    ws
}

fn against(ws: &Workspace, server: &Hostile, args: &[&str]) -> Run {
    campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", &server.api_url())
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .env("CAMPAIGNCTL_RETRY_BASE_DELAY_MS", "10")
        .args(args)
        .run()
}

/// Neither output holds a raw control character (a line break only ends a line it began) nor a
/// workflow command at the start of a line that the output did not mean to write.
#[track_caller]
fn assert_nothing_raw(run: &Run, injected: &str) {
    for (name, out) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{name} carries a raw escape sequence:\n{out:?}"
        );
        assert!(
            !out.lines().any(|l| l.starts_with(injected)),
            "{name} has a line that the platform started:\n{out}"
        );
    }
}

#[test]
fn an_unknown_status_is_a_warning_in_every_rendering_never_as_wanted_nor_no_changes() {
    let campaigns = json!([{"id": 5, "name": "Adopted", "status": "archived"}]);
    let server = Hostile::start(move |path, _| platform(path, &campaigns));
    let ws = running_adopted();
    // The lead is on the platform already: apply has nothing to write.
    let run = against(&ws, &server, &["plan", "--detailed-exitcode", "c"]);
    run.assert_code(0);
    assert!(!run.stdout.contains("as wanted"), "{}", run.stdout);
    assert!(!run.stdout.contains("No changes"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "! \"Adopted\" (id 5) status archived: campaignctl does not know this status and cannot act on it; left as it is (the manifest wants running)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "Nothing to apply, but 1 campaign(s) need attention: apply cannot act on them."
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "c/a.yaml:4:9: warning: campaign \"Adopted\" (id 5) is in status \"archived\", which campaignctl does not know; apply cannot act on it"
        ),
        "{}",
        run.stderr
    );

    let denied = against(&ws, &server, &["plan", "--deny-warnings", "c"]);
    denied.assert_code(1);
    assert!(
        denied
            .stderr
            .contains("1 warning(s), treated as errors because of --deny-warnings."),
        "{}",
        denied.stderr
    );

    // apply says the same, and does nothing.
    let apply = against(&ws, &server, &["apply", "--auto-approve", "c"]);
    apply.assert_code(0);
    assert!(
        apply
            .stdout
            .contains("Nothing to apply, but 1 campaign(s) need attention")
            && apply
                .stderr
                .contains("warning: campaign \"Adopted\" (id 5) is in status \"archived\""),
        "{}\n{}",
        apply.stdout,
        apply.stderr
    );

    let j = against(&ws, &server, &["plan", "--format", "json", "c"]);
    j.assert_code(0);
    let plan = j.json();
    assert_eq!(plan["summary"]["attention"], 1, "{plan:#}");
    assert_eq!(
        plan["actions"][0]["status"]["cannot_act"], "unknown_status",
        "{plan:#}"
    );
    assert_eq!(
        plan["actions"][0]["cannot_act"], "unknown_status",
        "{plan:#}"
    );
    assert!(
        plan["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["severity"] == "warning"
                && d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("\"archived\"")))),
        "{plan:#}"
    );

    let md = against(&ws, &server, &["plan", "--format", "markdown", "c"]);
    md.assert_code(0);
    assert!(!md.stdout.contains("No changes"), "{}", md.stdout);
    assert!(
        md.stdout.contains(":warning: **Nothing to apply, but 1 campaign(s) need attention: apply cannot act on them.**")
            && md.stdout.contains("| ⚠️ | Adopted | unchanged, **status archived: apply cannot act on it** (wanted: running) | 5 | c/a.yaml:1 |"),
        "{}",
        md.stdout
    );

    let gh = against(&ws, &server, &["plan", "--format", "github", "c"]);
    gh.assert_code(0);
    assert!(
        gh.stdout.contains("::warning file=c/a.yaml,line=4,col=9"),
        "{}",
        gh.stdout
    );
    assert!(gh.stdout.contains("1 need attention"), "{}", gh.stdout);
}

#[test]
fn a_status_and_an_error_message_from_the_platform_are_escaped_in_stdout_and_the_log() {
    let campaigns =
        json!([{"id": 5, "name": "Adopted", "status": "weird\n::error::S\u{1b}]0;pwned\u{7}"}]);
    let server = Hostile::start(move |path, _| platform(path, &campaigns));
    let ws = running_adopted();
    for format in ["text", "markdown", "github"] {
        let run = against(&ws, &server, &["plan", "--format", format, "c"]);
        run.assert_code(0);
        assert_nothing_raw(&run, "::error::S");
        // The status is shown escaped in the plan (Markdown escapes the backslash once more,
        // so that it renders as one), and in the warning: on stderr, or with `--format github`
        // as an annotation on stdout instead.
        let shown = if format == "markdown" {
            "weird\\\\n::error::S"
        } else {
            "weird\\n::error::S"
        };
        run.assert_stdout(shown);
        if format != "github" {
            run.assert_stderr("weird\\n::error::S");
        }
    }

    // A 403 on the create, whose message tries to start a workflow command and set the
    // terminal's title.
    let server = Hostile::start(|path, _| match path {
        "/api/user/campaign" => (
            StatusCode::FORBIDDEN,
            Json(json!({"message": "limit\n::error::pwned\u{1b}]0;pwned\u{7}"})),
        )
            .into_response(),
        "/api/user/assistants/get" => Json(json!({
            "current_page": 1, "data": [{"id": 7, "name": "Sales", "type": "outbound"}],
            "last_page": 1, "per_page": 100, "total": 1
        }))
        .into_response(),
        _ => platform(path, &json!([])),
    });
    let ws = Workspace::new();
    ws.write(
        "c/n.yaml",
        format!("kind: Campaign\nname: New\nassistant_id: 7\n{QUIET}"),
    );
    let run = against(&ws, &server, &["apply", "--auto-approve", "c"]);
    run.assert_code(1);
    assert_nothing_raw(&run, "::error::pwned");
    assert!(
        run.stdout.contains(
            "the platform refused the request (403): limit\\n::error::pwned\\u{1b}]0;pwned\\u{7}"
        ),
        "{}",
        run.stdout
    );
    let logged = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", &server.api_url())
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .env("RUST_LOG", "debug")
        .args(["apply", "--auto-approve", "c"])
        .run();
    assert_nothing_raw(&logged, "::error::pwned");
}

/// The lists a plan reads, `endless` (a path) answering every page with item 1, `last_page`
/// and `total` as given, and the page number `current` gives for the page asked; the other
/// lists are healthy.
fn endless(path: &str, endless: &str, script: Endless, asked: u64) -> Response {
    let (last_page, total, current, _) = script;
    if path != endless {
        return platform(
            path,
            &json!([{"id": 5, "name": "Adopted", "status": "draft"}]),
        );
    }
    // Full pages where the count allows it (one item a page), so that the problem named is
    // the script's and not a page short of its size.
    let per_page = if total >= last_page {
        total / last_page
    } else {
        100
    };
    Json(json!({
        "current_page": current(asked),
        "data": [{"id": 1, "campaign_id": 5, "phone_number": "+14155550101", "name": "A", "type": "outbound"}],
        "last_page": last_page, "per_page": per_page, "total": total
    }))
    .into_response()
}

/// A scripted paginator: `last_page`, `total`, the page answered for the page asked, and the
/// problem the error must name.
type Endless = (u64, u64, fn(u64) -> u64, &'static str);

#[test]
fn pagination_that_never_ends_stops_at_the_first_inconsistency_within_a_few_requests() {
    let cases: [Endless; 4] = [
        // 10^12 pages of one item, always page 1 (the server).
        (
            1_000_000_000_000,
            1,
            |_| 1,
            "the first page says 1000000000000 page(s), but 1 item(s) at 100 a page make 1",
        ),
        // 10^12 pages that agree with their total, each answered as asked.
        (
            1_000_000_000_000,
            100_000_000_000_000,
            |asked| asked,
            "it has 1000000000000 pages, more than the 10000 campaignctl reads",
        ),
        // 3 pages, always page 1.
        (
            3,
            3,
            |_| 1,
            "asked for page 2, the platform answered page 1",
        ),
        // 3 pages, each answered as asked, always with the same item.
        (3, 3, |asked| asked, "appears on page 1 and again on page 2"),
    ];
    for path in ["/api/user/leads", "/api/user/assistants/get"] {
        for script in cases {
            let server =
                Hostile::start(move |p, before| endless(p, path, script, u64::from(before) + 1));
            let ws = running_adopted();
            let started = Instant::now();
            let run = against(&ws, &server, &["plan", "c"]);
            run.assert_code(1);
            let expected = format!(
                "error: the platform's pages are inconsistent: cannot read {} whole: ",
                path.trim_start_matches("/api/")
            );
            assert!(
                run.stderr.contains(&expected)
                    && run.stderr.contains(script.3)
                    && run.stderr.contains("refusing to plan from part of it"),
                "{path}: {}",
                run.stderr
            );
            assert!(
                !run.stdout.contains("Plan:"),
                "no plan from a cut-off read:\n{}",
                run.stdout
            );
            assert!(
                server.requests() <= 6,
                "{path}: a few requests, not thousands: {}",
                server.requests()
            );
            assert!(started.elapsed() < Duration::from_secs(30));
        }
    }
}

#[test]
fn a_page_that_repeats_an_id_is_refused() {
    // Two pages, the second answering the first's lead again.
    let campaigns = json!([{"id": 5, "name": "Adopted", "status": "draft"}]);
    let server = Hostile::start(move |path, before| match path {
        "/api/user/leads" => Json(json!({
            "current_page": before + 1,
            "data": [{"id": 1, "campaign_id": 5, "phone_number": "+14155550101"}],
            "last_page": 2, "per_page": 1, "total": 2
        }))
        .into_response(),
        _ => lists(path, campaigns.clone()),
    });
    let ws = running_adopted();
    let run = against(&ws, &server, &["plan", "c"]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("lead 1 appears on page 1 and again on page 2"),
        "{}",
        run.stderr
    );
    assert!(server.requests() <= 6, "{}", server.requests());
}

#[test]
fn lead_values_are_trimmed_as_the_platform_trims_them_and_a_blank_cell_is_not_set() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/q.yaml",
        format!("kind: Campaign\nname: Q\nassistant_id: 7\nleads: {{ file: leads.csv }}\n{QUIET}"),
    );
    ws.write(
        "c/leads.csv",
        "phone_number,first_name,company\n+14155550101, Bob ,Acme\n+14155550102,Robert,Beta\n",
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--detailed-exitcode", "c"])
        .run()
        .assert_code(0)
        .assert_nothing_to_apply();

    // A cell of one space: not set, so Robert stays Robert.
    ws.write(
        "c/leads.csv",
        "phone_number,first_name,company\n+14155550101,Bob,Acme\n+14155550102, ,Beta\n",
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--detailed-exitcode", "c"])
        .run()
        .assert_code(0);
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    let id = emu
        .campaigns()
        .iter()
        .find(|c| c["name"] == "Q")
        .and_then(|c| c["id"].as_u64())
        .expect("Q exists");
    let page = emu.api(
        "GET",
        &format!("user/leads?campaign_id={id}&per_page=100"),
        None,
    );
    let robert = page["data"]
        .as_array()
        .and_then(|d| d.iter().find(|l| l["phone_number"] == "+14155550102"))
        .map(|l| l["variables"]["first_name"].clone());
    assert_eq!(robert, Some(json!("Robert")));
}

#[test]
fn two_manifests_renaming_one_campaign_and_a_rename_onto_a_held_name_are_errors() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let doc = |name: &str, extra: &str| {
        format!("kind: Campaign\nname: {name}\nassistant_id: 7\n{extra}{QUIET}")
    };
    ws.write("c/old.yaml", doc("Old", ""));
    ws.write("c/taken.yaml", doc("Taken", ""));
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);

    std::fs::remove_file(ws.path().join("c/old.yaml")).expect("rm");
    ws.write("c/a.yaml", doc("A", "renamed_from: Old\n"));
    ws.write("c/b.yaml", doc("B", "renamed_from: Old\n"));
    let run = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    run.assert_code(1);
    // Each of the two names the other, at its line and column.
    assert!(
        run.stderr.contains("c/a.yaml:4:15: error: renamed_from: \"Old\" is also claimed by c/b.yaml:4:15; one campaign can be renamed once")
            && run.stderr.contains("c/b.yaml:4:15: error: renamed_from: \"Old\" is also claimed by c/a.yaml:4:15; one campaign can be renamed once"),
        "{}",
        run.stderr
    );
    campaignctl(ws.path(), None)
        .args(["validate", "c"])
        .run()
        .assert_code(1)
        .assert_stderr("is also claimed by");
    assert!(!run.stdout.contains("to replace"), "{}", run.stdout);

    ws.write("c/b.yaml", doc("Taken", "renamed_from: Old\n"));
    std::fs::remove_file(ws.path().join("c/taken.yaml")).expect("rm");
    std::fs::remove_file(ws.path().join("c/a.yaml")).expect("rm");
    let run = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    run.assert_code(1);
    let taken = emu
        .campaigns()
        .iter()
        .find(|c| c["name"] == "Taken")
        .and_then(|c| c["id"].as_u64())
        .expect("Taken exists");
    assert!(
        run.stderr.contains(&format!("c/b.yaml:4:15: error: renamed_from: \"Old\" onto \"Taken\", a name campaign {taken} already holds")),
        "{}",
        run.stderr
    );
    let names = emu.campaign_names();
    assert_eq!(names, ["Old", "Taken"], "nothing deleted or created");
}

#[test]
fn export_never_writes_the_config_and_force_overwrites_only_its_own_files() {
    let emu = Emulator::start();
    emu.api(
        "POST",
        "user/campaign",
        Some(json!({"name": "campaignctl", "assistant_id": 7})),
    );
    emu.api(
        "POST",
        "user/campaign",
        Some(json!({"name": "Notes", "assistant_id": 7})),
    );
    let ws = Workspace::new();
    let config = "# my config\naccounts: {}\n";
    ws.write("repo/campaignctl.yaml", config);
    ws.write("repo/notes.yaml", "my own notes\n");
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["export", "--out", "repo", "--force"])
        .run();
    run.assert_code(1);
    assert!(
        run.stderr.contains("notes.yaml exists and was not written by campaignctl export for this account; nothing was written"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(ws.path().join("repo/campaignctl.yaml"))
            .ok()
            .as_deref(),
        Some(config)
    );
    assert_eq!(
        std::fs::read_to_string(ws.path().join("repo/notes.yaml"))
            .ok()
            .as_deref(),
        Some("my own notes\n")
    );

    std::fs::remove_file(ws.path().join("repo/notes.yaml")).expect("rm");
    campaignctl(ws.path(), Some(&emu))
        .args(["export", "--out", "repo"])
        .run()
        .assert_code(0);
    assert_eq!(
        std::fs::read_to_string(ws.path().join("repo/campaignctl.yaml"))
            .ok()
            .as_deref(),
        Some(config),
        "the config is never written"
    );
    assert!(ws.path().join("repo/campaignctl-1.yaml").exists());
    // Export's own files can be exported over; the config still is not.
    campaignctl(ws.path(), Some(&emu))
        .args(["export", "--out", "repo", "--force"])
        .run()
        .assert_code(0);
    assert_eq!(
        std::fs::read_to_string(ws.path().join("repo/campaignctl.yaml"))
            .ok()
            .as_deref(),
        Some(config)
    );
}

#[test]
fn drift_on_a_campaign_that_has_run_is_a_warning_not_a_change() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let doc = |retries: u32| {
        format!("kind: Campaign\nname: R\nassistant_id: 7\nmax_retries: {retries}\nstatus: running\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\" }}\n{QUIET}")
    };
    ws.write("c/r.yaml", doc(3));
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "c"])
        .run()
        .assert_code(0);
    ws.write("c/r.yaml", doc(5));
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--detailed-exitcode", "c"])
        .run();
    // Before issue 18 this was 2, though apply could do nothing about it.
    run.assert_code(0);
    assert!(!run.stdout.contains("No changes"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Plan: 0 to create, 1 drifted, 0 unchanged, 0 unmanaged; 1 need attention (apply cannot act on them)."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Nothing to apply, but 1 campaign(s) need attention"),
        "{}",
        run.stdout
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--deny-warnings", "c"])
        .run()
        .assert_code(1)
        .assert_stderr("1 warning(s), treated as errors because of --deny-warnings.");
    let md = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "markdown", "c"])
        .run();
    md.assert_code(0);
    assert!(!md.stdout.contains("No changes"), "{}", md.stdout);
    let j = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "c"])
        .run();
    assert_eq!(j.json()["summary"]["attention"], 1);
    assert_eq!(j.json()["actions"][0]["cannot_act"], "drift");
}

#[test]
fn hostile_names_and_field_values_from_the_platform_reach_no_output_raw() {
    let campaigns = json!([
        {"id": 5, "name": "Adopted", "status": "archived", "allowed_hours_start_time": "09:00\n::error::v\u{202e}"},
        {"id": 6, "name": "evil\n::error::name\u{1b}]0;t\u{7}\u{202e}", "status": "weird\u{2028}::error::s"},
    ]);
    let server = Hostile::start(move |path, _| platform(path, &campaigns));
    // The adopted campaign's name drifted too: its value is shown beside the manifest's.
    let renamed = json!([
        {"id": 5, "name": "Adopted\u{202e}\n::error::n\u{85}", "status": "draft"},
    ]);
    let drifted = Hostile::start(move |path, _| platform(path, &renamed));
    let ws = running_adopted();
    for (format, server) in ["text", "markdown", "github", "json"]
        .into_iter()
        .flat_map(|f| [(f, &server), (f, &drifted)])
    {
        let run = against(&ws, server, &["plan", "--verbose", "--format", format, "c"]);
        for (name, out) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(
                !out.contains(['\u{1b}', '\u{7}', '\u{202e}', '\u{2028}']),
                "{format} {name} carries a raw control character:\n{out:?}"
            );
            assert!(
                !out.lines().any(|l| l.starts_with("::error::")),
                "{format} {name} has a line the platform started:\n{out}"
            );
        }
    }
}
