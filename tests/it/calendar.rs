//! `campaignctl calendar` (issue 22, item 1): campaigns in New York, London and Tokyo with
//! known windows, placed on a week in London time. The cells are asserted exactly from the
//! JSON document, in a week when New York changes its clocks and in one when London does (the
//! display zone's own skipped hour); the quiet-hours marks agree with `validate`'s lint; the
//! text and Markdown grids are pinned by snapshot.

use serde_json::Value;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::debian::ensure_debian_tool;
use crate::support::{campaignctl, Run, Workspace};

const MANIFESTS: &[(&str, &str)] = &[
    (
        "campaigns/ny.yaml",
        "kind: Campaign\nname: New York Renewals\nassistant_id: 7\nstatus: running\ntimezone: America/New_York\nmax_calls_in_parallel: 4\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\nallowed_days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]\nleads: { file: ny.csv }\n",
    ),
    (
        "campaigns/london.yaml",
        "kind: Campaign\nname: London Reminders\nassistant_id: 7\nstatus: running\ntimezone: Europe/London\nmax_calls_in_parallel: 2\nallowed_hours_start_time: \"08:30\"\nallowed_hours_end_time: \"20:00\"\nallowed_days: [monday, tuesday, wednesday, thursday, friday]\nleads: { file: ny.csv }\n",
    ),
    // No max_calls_in_parallel: the platform's default (3) counts.
    (
        "campaigns/tokyo.yaml",
        "kind: Campaign\nname: Tokyo Followups\nassistant_id: 7\nstatus: running\ntimezone: Asia/Tokyo\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\nleads: { file: ny.csv }\n",
    ),
    // Calls until 22:00 in Tokyo: the lint warns, and the calendar marks 21:00-22:00 Tokyo
    // time (12:00-13:00 in London in winter).
    (
        "campaigns/tokyo-late.yaml",
        "kind: Campaign\nname: Tokyo Late\nassistant_id: 7\nstatus: running\ntimezone: Asia/Tokyo\nmax_calls_in_parallel: 1\nallowed_hours_start_time: \"18:00\"\nallowed_hours_end_time: \"22:00\"\nallowed_days: [monday]\nleads: { file: ny.csv }\n",
    ),
    // A draft: only with --all.
    (
        "campaigns/draft.yaml",
        "kind: Campaign\nname: Paris Pilot\nassistant_id: 7\ntimezone: Europe/Paris\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n",
    ),
];

fn fixture() -> Workspace {
    let ws = Workspace::new();
    for (path, text) in MANIFESTS {
        ws.write(path, text);
    }
    ws.write("campaigns/ny.csv", "phone_number\n+14155550100\n");
    ws
}

fn calendar(ws: &Workspace, args: &[&str]) -> Run {
    campaignctl(ws.path(), None)
        .args(["calendar", "--tz", "Europe/London"])
        .args(args)
        .run()
}

/// The JSON document's one calendar.
fn grid(ws: &Workspace, week: &str) -> Value {
    let run = calendar(ws, &["--week", week, "--format", "json"]);
    run.assert_code(0);
    let doc = run.json();
    assert_eq!(doc["format_version"], 1, "{doc:#}");
    doc["accounts"][0].clone()
}

/// The hours of `day` (0 = Monday) in which `name` may call.
fn hours(cal: &Value, day: usize, name: &str) -> Vec<u64> {
    cal["days"][day]["hours"]
        .as_array()
        .expect("hours")
        .iter()
        .filter(|h| {
            h["calling"]
                .as_array()
                .expect("calling")
                .iter()
                .any(|c| c == name)
        })
        .map(|h| h["hour"].as_u64().expect("hour"))
        .collect()
}

fn cell(cal: &Value, day: usize, hour: usize) -> &Value {
    &cal["days"][day]["hours"][hour]
}

/// 2027-W10: New York moves its clocks on Sunday 14 March, London not until the 28th.
#[test]
fn windows_land_in_london_time_and_follow_new_yorks_clock_change() {
    let ws = fixture();
    let cal = grid(&ws, "2027-W10");
    assert_eq!(cal["zone"], "Europe/London");
    assert_eq!(cal["monday"], "2027-03-08");
    // 09:00-17:00 in New York: 14:00-22:00 in London on Saturday (EST, UTC-5), and an hour
    // earlier on Sunday (EDT, UTC-4).
    assert_eq!(
        hours(&cal, 5, "New York Renewals"),
        (14..22).collect::<Vec<_>>()
    );
    assert_eq!(
        hours(&cal, 6, "New York Renewals"),
        (13..21).collect::<Vec<_>>()
    );
    // 08:30-20:00 in London, weekdays: the 08:00 hour counts (half of it), 20:00 does not.
    assert_eq!(
        hours(&cal, 0, "London Reminders"),
        (8..20).collect::<Vec<_>>()
    );
    assert!(hours(&cal, 5, "London Reminders").is_empty());
    // 09:00-17:00 in Tokyo (UTC+9, no daylight saving): 00:00-08:00 in London, every day.
    assert_eq!(
        hours(&cal, 2, "Tokyo Followups"),
        (0..8).collect::<Vec<_>>()
    );
    // The lines add up: Monday 14:00 has New York (4) and London (2).
    assert_eq!(cell(&cal, 0, 14)["lines"], 6);
    // Tokyo's default lines (3) count, and say so.
    assert_eq!(cell(&cal, 0, 3)["lines"], 3);
    let tokyo = cal["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .find(|c| c["name"] == "Tokyo Followups")
        .expect("Tokyo is listed");
    assert_eq!(tokyo["lines"], 3);
    assert_eq!(tokyo["default_lines"], true);
    assert_eq!(cal["default_lines"], 3);
    // The peak: 6 lines, first on Monday at 14:00.
    assert_eq!(cal["peak"]["lines"], 6, "{:#}", cal["peak"]);
    assert_eq!(cal["peak"]["date"], "2027-03-08");
    assert_eq!(cal["peak"]["hour"], 14);
    // The draft is not on the calendar without --all.
    assert!(cal["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .all(|c| c["name"] != "Paris Pilot"));
}

/// 2027-W12: London's clocks go forward on Sunday 28 March at 01:00, so the display zone has
/// no 01:00 that day, and Tokyo's window (00:00-08:00 UTC) shows at 00:00 and 02:00-08:00.
#[test]
fn the_display_zones_skipped_hour_is_marked_and_holds_no_calls() {
    let ws = fixture();
    let cal = grid(&ws, "2027-03-24");
    assert_eq!(cal["monday"], "2027-03-22");
    assert_eq!(cell(&cal, 6, 1)["skipped"], true, "{:#}", cell(&cal, 6, 1));
    assert_eq!(
        hours(&cal, 6, "Tokyo Followups"),
        vec![0, 2, 3, 4, 5, 6, 7, 8]
    );
    assert_eq!(
        hours(&cal, 5, "Tokyo Followups"),
        (0..8).collect::<Vec<_>>()
    );
}

/// The calendar marks the same windows the calling-hours lint warns about.
#[test]
fn quiet_hours_marked_are_the_ones_validate_warns_about() {
    let ws = fixture();
    let cal = grid(&ws, "2027-W10");
    // 18:00-22:00 in Tokyo is 09:00-13:00 in London: 12:00 is 21:00-22:00 in Tokyo.
    assert_eq!(hours(&cal, 0, "Tokyo Late"), vec![9, 10, 11, 12]);
    let quiet: Vec<(usize, u64)> = (0..7)
        .flat_map(|d| {
            cal["days"][d]["hours"]
                .as_array()
                .expect("hours")
                .iter()
                .filter(|h| !h["quiet"].as_array().expect("quiet").is_empty())
                .map(move |h| (d, h["hour"].as_u64().expect("hour")))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(quiet, vec![(0, 12)], "only Monday 12:00 is in quiet hours");
    assert_eq!(cell(&cal, 0, 12)["quiet"][0], "Tokyo Late");
    let validate = campaignctl(ws.path(), None).args(["validate"]).run();
    validate.assert_code(0);
    validate.assert_stderr("tokyo-late.yaml");
    assert!(
        !validate.stderr.contains("tokyo.yaml:"),
        "the lint warns about Tokyo Late only:\n{}",
        validate.stderr
    );
}

#[test]
fn all_adds_the_campaigns_not_declared_to_run() {
    let ws = fixture();
    let run = calendar(&ws, &["--week", "2027-W10", "--all", "--format", "json"]);
    run.assert_code(0);
    let doc = run.json();
    let paris = doc["accounts"][0]["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .find(|c| c["name"] == "Paris Pilot")
        .cloned()
        .expect("the draft is listed with --all");
    assert_eq!(paris["state"], "draft");
    // 09:00-17:00 in Paris (CET, UTC+1) is 08:00-16:00 in London.
    assert_eq!(
        hours(&doc["accounts"][0], 0, "Paris Pilot"),
        (8..16).collect::<Vec<_>>()
    );
}

#[test]
fn manifests_that_do_not_load_fail_as_validate_does() {
    let ws = fixture();
    ws.write(
        "campaigns/broken.yaml",
        "kind: Campaign\nname: Broken\nassistant_id: 7\nallowed_hours_start_time: \"25:00\"\n",
    );
    let run = calendar(&ws, &["--week", "2027-W10"]);
    run.assert_code(1);
    run.assert_stderr("broken.yaml:4");
    assert!(run.stdout.is_empty(), "no grid: {}", run.stdout);
}

#[test]
fn a_week_that_is_not_one_is_refused_with_the_forms_allowed() {
    let ws = fixture();
    let run = calendar(&ws, &["--week", "2027-W54"]);
    run.assert_code(1);
    run.assert_stderr("2027 has no week 54");
}

#[test]
fn text_grid() {
    let ws = fixture();
    let run = calendar(&ws, &["--week", "2027-W10"]);
    run.assert_code(0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn markdown_grid() {
    let ws = fixture();
    let run = calendar(&ws, &["--week", "2027-W10", "--format", "markdown"]);
    run.assert_code(0);
    insta::assert_snapshot!(run.stdout);
}

const NAMES: [&str; 4] = [
    "London Reminders",
    "New York Renewals",
    "Tokyo Late",
    "Tokyo Followups",
];

/// The SVG is well-formed XML that names every campaign, and a real browser (headless
/// Chromium, from Debian's packages) renders it: the screenshot is not blank and the page's
/// DOM holds the campaign names.
#[test]
fn the_svg_is_xml_and_renders_in_a_real_browser() {
    let ws = fixture();
    let run = calendar(&ws, &["--week", "2027-W10", "--format", "svg"]);
    run.assert_code(0);
    let doc = roxmltree::Document::parse(&run.stdout)
        .unwrap_or_else(|e| panic!("the SVG is not XML: {e}\n{}", run.stdout));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let text: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    for name in NAMES {
        assert!(text.contains(name), "the legend names {name:?}:\n{text}");
    }
    assert!(text.contains("Peak: 6 line(s)"), "{text}");

    let chromium = ensure_debian_tool("chromium", "chromium");
    let dir = tempfile::tempdir().expect("temp dir");
    let svg = dir.path().join("calendar.svg");
    std::fs::write(&svg, &run.stdout).expect("written");
    let url = format!("file://{}", svg.display());
    let shot = dir.path().join("calendar.png");
    let profile = dir.path().join("profile");
    let screenshot = browser(
        &chromium,
        &profile,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=980,720",
            &url,
        ],
    );
    assert!(shot.is_file(), "no screenshot: {screenshot}");
    let colours = distinct_colours(&shot);
    assert!(
        colours > 4,
        "the screenshot is blank or nearly ({colours} colours): {screenshot}"
    );
    let dom = browser(&chromium, &profile, &["--dump-dom", &url]);
    for name in NAMES {
        assert!(
            dom.contains(name),
            "the rendered page holds {name:?}:\n{dom}"
        );
    }
}

/// Runs headless Chromium with the flags a closed machine needs (no background networking,
/// a fresh profile) and `args`; its standard output. Killed after two minutes: a test never
/// hangs on a browser.
fn browser(chromium: &Path, profile: &Path, args: &[&str]) -> String {
    let child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    // Read on another thread, so a large DOM cannot fill the pipe while this one waits.
    let pid = child.id();
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sent.send(child.wait_with_output());
    });
    let out = match received.recv_timeout(Duration::from_secs(120)) {
        Ok(out) => out.expect("chromium's output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("chromium did not finish within two minutes: {args:?}");
        }
    };
    assert!(
        out.status.success(),
        "chromium {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// How many different colours a PNG holds (a blank page holds one).
fn distinct_colours(png_file: &Path) -> usize {
    let file = std::fs::File::open(png_file).expect("the screenshot");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    let channels = info.color_type.samples();
    let mut seen = std::collections::HashSet::new();
    for pixel in pixels[..info.buffer_size()].chunks(channels) {
        seen.insert(pixel.to_vec());
    }
    seen.len()
}

/// A plan that moves a window shows the week before and after it in the Markdown comment; a
/// plan that moves none does not.
#[test]
fn a_markdown_plan_that_moves_a_window_shows_the_week_before_and_after() {
    let (emu, _seed) = crate::status::emulator_with(
        r#"campaigns:
  - { id: 1, name: "NY Renewals", status: in-progress, assistant_id: 7, timezone: America/New_York, allowed_hours_start_time: "09:00", allowed_hours_end_time: "17:00", allowed_days: [monday, tuesday, wednesday, thursday, friday] }
leads:
  - { id: 100, campaign_id: 1, phone_number: "+14155550100", status: created }
"#,
    );
    let ws = Workspace::new();
    let manifest = |start: &str| {
        format!("kind: Campaign\nname: NY Renewals\nassistant_id: 7\nstatus: running\ntimezone: America/New_York\nallowed_hours_start_time: \"{start}\"\nallowed_hours_end_time: \"17:00\"\nallowed_days: [monday, tuesday, wednesday, thursday, friday]\n")
    };
    let plan = |ws: &Workspace| {
        campaignctl(ws.path(), Some(&emu))
            .args(["plan", "--format", "markdown"])
            .env("TZ", "America/New_York")
            .env("CAMPAIGNCTL_NOW", "2027-03-10T12:00:00Z")
            .run()
    };
    ws.write("campaigns/ny.yaml", manifest("09:00"));
    let same = plan(&ws);
    same.assert_code(0);
    assert!(
        !same.stdout.contains("before and after this plan"),
        "no window moves: {}",
        same.stdout
    );
    ws.write("campaigns/ny.yaml", manifest("08:00"));
    let moved = plan(&ws);
    moved.assert_code(0);
    moved.assert_stdout(
        "<details><summary>When the campaigns call, before and after this plan</summary>",
    );
    let (before, after) = moved
        .stdout
        .split_once("**After**")
        .expect("a before and an after");
    let before = &before[before.find("**Before**").expect("before")..];
    assert!(
        !before.contains("| 08:00 |") && before.contains("| 09:00 | A · **3** |"),
        "before: 09:00-17:00 in New York:\n{before}"
    );
    assert!(
        after.contains("| 08:00 | A · **3** |"),
        "after: from 08:00:\n{after}"
    );
    assert!(after.contains("week 2027-W10"), "{after}");
}

/// `--include-remote` reads the platform: a campaign running there is shown though its
/// manifest does not say `status: running`, and the running campaigns no manifest declares are
/// listed (not placed: the platform does not list a campaign's zone).
#[test]
fn include_remote_shows_what_runs_on_the_platform() {
    let (emu, _seed) = crate::status::emulator_with(
        r#"campaigns:
  - { id: 1, name: "NY Renewals", status: in-progress, assistant_id: 7, timezone: America/New_York, allowed_hours_start_time: "09:00", allowed_hours_end_time: "17:00" }
  - { id: 2, name: "Legacy Dialer", status: in-progress, assistant_id: 7 }
  - { id: 3, name: "Old Stopped", status: stopped, assistant_id: 7 }
leads: []
"#,
    );
    let ws = Workspace::new();
    ws.write(
        "campaigns/ny.yaml",
        "kind: Campaign\nname: NY Renewals\nassistant_id: 7\ntimezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n",
    );
    let offline = calendar(&ws, &["--week", "2027-W10", "--format", "json"]);
    offline.assert_code(0);
    assert_eq!(
        offline.json()["accounts"][0]["campaigns"],
        serde_json::json!([]),
        "offline, a manifest without `status: running` is not on the calendar"
    );
    let run = campaignctl(ws.path(), Some(&emu))
        .args([
            "calendar",
            "--tz",
            "Europe/London",
            "--week",
            "2027-W10",
            "--include-remote",
            "--format",
            "json",
        ])
        .run();
    run.assert_code(0);
    let cal = run.json()["accounts"][0].clone();
    assert_eq!(cal["campaigns"][0]["name"], "NY Renewals");
    assert_eq!(cal["campaigns"][0]["state"], "running");
    assert_eq!(hours(&cal, 0, "NY Renewals"), (14..22).collect::<Vec<_>>());
    assert_eq!(
        cal["on_platform_only"],
        serde_json::json!(["Legacy Dialer"])
    );
    let text = campaignctl(ws.path(), Some(&emu))
        .args(["calendar", "--week", "2027-W10", "--include-remote"])
        .run();
    text.assert_code(0);
    text.assert_stdout("[running on the platform]");
    text.assert_stdout("Legacy Dialer (on the platform, in no manifest");
}
