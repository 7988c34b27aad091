//! `watch`'s per-campaign gauges (issue 22, item 3): leads by status, platform status, sync
//! status and window of each campaign of a watched fixture, labels escaped, and the series of
//! a campaign deleted on the platform removed at the next pass.

use crate::status::emulator_with;
use crate::support::{Emulator, Workspace};
use crate::watch::Daemon;

/// Two managed campaigns (one in line, one drifted) and one no manifest names, whose name
/// holds a quote and a backslash (label escaping).
const ACCOUNT: &str = r#"campaigns:
  - { id: 1, name: "NY Renewals", status: in-progress, assistant_id: 7, timezone: America/New_York, allowed_hours_start_time: "09:00", allowed_hours_end_time: "17:00" }
  - { id: 2, name: "London Winback", status: stopped, assistant_id: 7, timezone: Europe/London, max_calls_in_parallel: 3 }
  - { id: 4, name: "Legacy \"old\" \\ one", status: completed, assistant_id: 7 }
leads:
  - { id: 100, campaign_id: 1, phone_number: "+14155550100", status: created }
  - { id: 101, campaign_id: 1, phone_number: "+14155550101", status: created }
  - { id: 102, campaign_id: 1, phone_number: "+14155550102", status: created }
  - { id: 103, campaign_id: 1, phone_number: "+14155550103", status: completed }
  - { id: 104, campaign_id: 4, phone_number: "+14155550104", status: blacklisted }
"#;

pub(crate) fn watched_fixture() -> (Emulator, tempfile::TempDir, Workspace) {
    let (emu, seed) = emulator_with(ACCOUNT);
    let ws = Workspace::new();
    ws.write(
        "campaigns/ny.yaml",
        "kind: Campaign\nname: NY Renewals\nassistant_id: 7\ntimezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n",
    );
    ws.write(
        "campaigns/london.yaml",
        "kind: Campaign\nname: London Winback\nassistant_id: 7\ntimezone: Europe/London\nmax_calls_in_parallel: 5\n",
    );
    (emu, seed, ws)
}

const LEGACY: &str = r#"campaign="Legacy \"old\" \\ one""#;

#[test]
fn metrics_show_each_campaign_and_drop_a_deleted_one() {
    let (emu, _seed, ws) = watched_fixture();
    let daemon = Daemon::start(&ws, &emu, &["campaigns"], &["--bench-interval", "200ms"]);
    daemon.wait_for_passes("success", 1.0);
    let text = daemon.metrics();
    for series in [
        "campaignctl_campaign_leads{campaign=\"NY Renewals\",status=\"created\"} 3",
        "campaignctl_campaign_leads{campaign=\"NY Renewals\",status=\"completed\"} 1",
        "campaignctl_campaign_leads{campaign=\"NY Renewals\",status=\"scheduled\"} 0",
        "campaignctl_campaign_leads{campaign=\"London Winback\",status=\"created\"} 0",
        "campaignctl_campaign_status{campaign=\"NY Renewals\",status=\"in-progress\"} 1",
        "campaignctl_campaign_status{campaign=\"NY Renewals\",status=\"draft\"} 0",
        "campaignctl_campaign_status{campaign=\"London Winback\",status=\"stopped\"} 1",
        "campaignctl_campaign_sync{campaign=\"NY Renewals\",sync=\"synced\"} 1",
        "campaignctl_campaign_sync{campaign=\"London Winback\",sync=\"out_of_sync\"} 1",
        "campaignctl_campaign_sync{campaign=\"London Winback\",sync=\"synced\"} 0",
        "campaignctl_campaign_window_open{campaign=\"NY Renewals\"} ",
        "campaignctl_campaign_window_open{campaign=\"London Winback\"} ",
        // Escaped by the client: a quote and a backslash cannot end the label.
        &format!("campaignctl_campaign_leads{{{LEGACY},status=\"blacklisted\"}} 1"),
        &format!("campaignctl_campaign_status{{{LEGACY},status=\"completed\"}} 1"),
        &format!("campaignctl_campaign_sync{{{LEGACY},sync=\"unmanaged\"}} 1"),
    ] {
        assert!(
            text.contains(series),
            "expected {series:?} in /metrics:\n{text}"
        );
    }
    assert!(
        !text.contains(&format!("campaignctl_campaign_window_open{{{LEGACY}}}")),
        "no window for a campaign whose zone is not known:\n{text}"
    );
    assert!(
        !text.contains("campaignctl_campaign_leads_read_timestamp_seconds 0\n"),
        "the first pass reads the leads:\n{text}"
    );

    emu.api("DELETE", "user/campaign/4", None);
    daemon.wait_for("the deleted campaign's series to go", || {
        let text = daemon.metrics();
        match text.lines().find(|l| l.contains(LEGACY)) {
            None => Ok(()),
            Some(line) => Err(line.to_owned()),
        }
    });
    let text = daemon.metrics();
    assert!(
        text.contains(
            "campaignctl_campaign_status{campaign=\"NY Renewals\",status=\"in-progress\"} 1"
        ),
        "the others stay:\n{text}"
    );
}

#[test]
fn without_a_listener_no_pass_reads_every_lead() {
    // The lead gauges are read only when /metrics is served: `watch` without --listen keeps
    // the requests of a pass as they were. One pass, then the requests it made are counted.
    let (emu, _seed, ws) = watched_fixture();
    let before = emu.stats()["requests"].as_u64().expect("requests");
    let mut child = crate::support::campaignctl(ws.path(), Some(&emu))
        .args(["watch", "--interval", "1h", "campaigns"])
        .spawn();
    let log = crate::support::collect_stderr(&mut child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains("outcome")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no pass line within 15 s:\n{}",
            log.lock().unwrap_or_else(|e| e.into_inner())
        );
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    let requests = emu.stats()["requests"].as_u64().expect("requests") - before;
    assert_eq!(
        requests,
        3,
        "the three lists only (no manifest declares leads):\n{}",
        log.lock().unwrap_or_else(|e| e.into_inner())
    );
}
