//! Synthetic fleets of campaigns for the benchmarks and the scale scripts: manifests as YAML
//! files, the matching remote campaigns as the platform lists them, and an emulator seed.
//! Shared by `benches/` and `examples/fleet.rs` so every measurement uses the same inputs.

#![allow(dead_code)] // each user needs a different part

use std::path::Path;

use campaignctl::api::types::{Assistant, CampaignStatus, PhoneNumber, RemoteCampaign};
use campaignctl::campaign::{ClockTime, Weekday};
use campaignctl::reconcile::Observed;

/// The emulator's demo account: the assistants and numbers the manifests refer to.
const DEMO_SEED: &str = include_str!("../../crates/emulator/src/demo_seed.yaml");

/// Outbound assistants of the demo account, each with a bool variable of its post-call schema.
const ASSISTANTS: [(u64, &str); 3] = [
    (7, "meeting_booked"),
    (8, "renewed"),
    (9, "appointment_confirmed"),
];
const TIMEZONES: [&str; 4] = [
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Asia/Tokyo",
];
const PHONE_NUMBERS: [u64; 4] = [45, 46, 47, 48];

pub fn name(i: usize) -> String {
    format!("Fleet campaign {i:06}")
}

fn start_hour(i: usize) -> u8 {
    8 + (i % 3) as u8
}

fn max_retries(i: usize) -> u64 {
    1 + (i % 5) as u64
}

/// Campaign `i`: every manifest field set, values varying with `i`.
pub fn manifest_yaml(i: usize) -> String {
    let (assistant, goal) = ASSISTANTS[i % ASSISTANTS.len()];
    format!(
        "kind: Campaign\n\
         name: {name}\n\
         assistant_id: {assistant}\n\
         timezone: {tz}\n\
         max_calls_in_parallel: {parallel}\n\
         allowed_hours_start_time: \"{start:02}:00\"\n\
         allowed_hours_end_time: \"17:30\"\n\
         allowed_days: [monday, wednesday, friday]\n\
         max_retries: {retries}\n\
         retry_interval: {interval}\n\
         retry_on_voicemail: {voicemail}\n\
         goal_completion_variable: {goal}\n\
         mark_complete_when_no_leads: true\n\
         phone_number_ids: [{number}]\n",
        name = name(i),
        tz = TIMEZONES[i % TIMEZONES.len()],
        parallel = 1 + i % 10,
        start = start_hour(i),
        retries = max_retries(i),
        interval = 10 + i % 100,
        voicemail = i.is_multiple_of(2),
        number = PHONE_NUMBERS[i % PHONE_NUMBERS.len()],
    )
}

/// Campaigns `0..n` as multi-document YAML files `fleet-NNN.yaml` in `dir`, spread evenly.
pub fn write_manifests(dir: &Path, n: usize, files: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let files = files.max(1);
    for f in 0..files {
        let mut text = String::new();
        for i in (f..n).step_by(files) {
            if !text.is_empty() {
                text.push_str("---\n");
            }
            text.push_str(&manifest_yaml(i));
        }
        std::fs::write(dir.join(format!("fleet-{f:03}.yaml")), text)?;
    }
    Ok(())
}

/// Campaign `i` as `GET /user/campaigns` shows it after creating `manifest_yaml(i)`: times with
/// seconds, days in the platform's order, no write-once fields. Every tenth has drifted
/// (`max_retries` changed in the dashboard) after it ran (`stopped`), so plans show some drift:
/// a drafted campaign that drifted would be replaced instead, and more than `--max-deletes`
/// replacements make the plan an error.
pub fn remote(i: usize) -> RemoteCampaign {
    let drifted = i % 10 == 9;
    let retries = if drifted {
        max_retries(i) % 5 + 1
    } else {
        max_retries(i)
    };
    RemoteCampaign {
        id: i as u64 + 1,
        name: name(i),
        status: if drifted {
            CampaignStatus::Stopped
        } else {
            CampaignStatus::Draft
        },
        max_calls_in_parallel: Some(1 + (i % 10) as u64),
        mark_complete_when_no_leads: Some(true),
        allowed_hours_start_time: Some(ClockTime {
            hour: start_hour(i),
            minute: 0,
        }),
        allowed_hours_end_time: Some(ClockTime {
            hour: 17,
            minute: 30,
        }),
        allowed_days: Some(vec![Weekday::Friday, Weekday::Monday, Weekday::Wednesday]),
        max_retries: Some(retries),
        retry_interval: Some(10 + (i % 100) as u64),
        created_at: Some("2026-11-26T10:00:00.000000Z".into()),
        updated_at: Some("2026-11-26T10:00:00.000000Z".into()),
        unreadable: Default::default(),
    }
}

/// The demo account as JSON, read as the emulator reads its seeds.
fn demo_seed() -> serde_json::Value {
    campaignctl_emulator::yaml::document(DEMO_SEED).expect("the demo seed parses")
}

/// The demo account's assistants and numbers with remote campaigns `0..remote`.
pub fn observed(remote_campaigns: usize) -> Observed {
    #[derive(serde::Deserialize)]
    struct Seed {
        assistants: Vec<Assistant>,
        phone_numbers: Vec<PhoneNumber>,
    }
    let seed: Seed = serde_json::from_value(demo_seed()).expect("the demo seed parses");
    Observed {
        campaigns: (0..remote_campaigns).map(remote).collect(),
        assistants: seed.assistants,
        phone_numbers: seed.phone_numbers,
    }
}

/// An emulator `--seed` account: the demo account holding campaigns `0..remote` (as created
/// from the manifests, drift included) and room for `limit` campaigns.
pub fn seed_json(remote_campaigns: usize, limit: usize) -> serde_json::Value {
    let mut seed = demo_seed();
    seed["account"]["campaign_limit"] = limit.into();
    seed["campaigns"] = (0..remote_campaigns)
        .map(|i| {
            let r = remote(i);
            let (assistant, _) = ASSISTANTS[i % ASSISTANTS.len()];
            serde_json::json!({
                "id": r.id,
                "name": r.name,
                "assistant_id": assistant,
                "timezone": TIMEZONES[i % TIMEZONES.len()],
                "max_calls_in_parallel": r.max_calls_in_parallel,
                "allowed_hours_start_time": r.allowed_hours_start_time,
                "allowed_hours_end_time": r.allowed_hours_end_time,
                "allowed_days": r.allowed_days,
                "max_retries": r.max_retries,
                "retry_interval": r.retry_interval,
                "mark_complete_when_no_leads": true,
                "status": r.status,
            })
        })
        .collect();
    seed
}
