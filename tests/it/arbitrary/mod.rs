//! proptest strategies for manifests: valid campaigns (rendered to YAML, with the values they
//! must parse to) for property tests, and hostile, structure-aware YAML for fuzzing the loader.

#![allow(dead_code)] // each test binary uses a different part

use campaignctl::campaign::{ClockTime, Weekday, MANIFEST_FIELDS};
use campaignctl::manifest::CampaignSpec;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

/// Cases per property: `PROPTEST_CASES` when set, else `default` (kept modest for CI).
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The demo account's outbound assistants, each with the bool variables of its post-call schema.
pub const ASSISTANTS: [(u64, &[&str]); 3] = [
    (7, &["meeting_booked", "budget_confirmed"]),
    (8, &["renewed"]),
    (9, &["appointment_confirmed", "reschedule_requested"]),
];
/// The demo account's outbound numbers.
pub const PHONE_NUMBERS: [u64; 4] = [45, 46, 47, 48];
const TIMEZONES: [&str; 5] = [
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
];

fn clock_time() -> impl Strategy<Value = ClockTime> {
    (0u8..24, 0u8..60).prop_map(|(hour, minute)| ClockTime { hour, minute })
}

/// A valid campaign named `name` whose references exist in the demo account: required fields
/// always, every optional field sometimes.
pub fn campaign(name: String) -> impl Strategy<Value = CampaignSpec> {
    let assistant = (0..ASSISTANTS.len()).prop_flat_map(|i| {
        let (id, goals) = ASSISTANTS[i];
        (Just(id), proptest::option::of(select(goals)))
    });
    let schedule = (
        proptest::option::of(clock_time()),
        proptest::option::of(clock_time()),
        proptest::option::of(subsequence(Weekday::ALL.to_vec(), 1..=7).prop_shuffle()),
    );
    let limits = (
        proptest::option::of(1u64..=10),
        proptest::option::of(1u64..=5),
        proptest::option::of(10u64..=4320),
    );
    let flags = (
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    );
    let placement = (
        proptest::option::of(select(TIMEZONES.to_vec())),
        proptest::option::of(subsequence(PHONE_NUMBERS.to_vec(), 1..=2).prop_shuffle()),
    );
    (assistant, schedule, limits, flags, placement).prop_map(
        move |(
            (assistant, goal),
            (start, end, days),
            (parallel, retries, interval),
            (voicemail, goal_incomplete, mark_complete),
            (timezone, numbers),
        )| {
            CampaignSpec {
                name: name.clone(),
                assistant_id: Some(assistant),
                timezone: timezone.map(str::to_owned),
                max_calls_in_parallel: parallel,
                allowed_hours_start_time: start,
                allowed_hours_end_time: end,
                allowed_days: days,
                max_retries: retries,
                retry_interval: interval,
                retry_on_voicemail: voicemail,
                retry_on_goal_incomplete: goal_incomplete,
                goal_completion_variable: goal.map(str::to_owned),
                mark_complete_when_no_leads: mark_complete,
                phone_number_ids: numbers,
                ..CampaignSpec::default()
            }
        },
    )
}

/// `spec` as a manifest document, in one of the spellings users write (flow or block lists,
/// quoted or plain times).
pub fn manifest_yaml(spec: &CampaignSpec, flow_lists: bool, quote_times: bool) -> String {
    let time = |t: ClockTime| {
        if quote_times {
            format!("\"{t}\"")
        } else {
            t.to_string()
        }
    };
    let list = |items: Vec<String>| {
        if flow_lists {
            format!("[{}]", items.join(", "))
        } else {
            items.iter().map(|i| format!("\n  - {i}")).collect()
        }
    };
    let text = |v: Option<&dyn ToString>| v.map(|v| v.to_string());
    let fields: [(&str, Option<String>); 13] = [
        (
            "assistant_id",
            text(spec.assistant_id.as_ref().map(|v| v as _)),
        ),
        ("timezone", spec.timezone.clone()),
        (
            "max_calls_in_parallel",
            text(spec.max_calls_in_parallel.as_ref().map(|v| v as _)),
        ),
        (
            "allowed_hours_start_time",
            spec.allowed_hours_start_time.map(time),
        ),
        (
            "allowed_hours_end_time",
            spec.allowed_hours_end_time.map(time),
        ),
        (
            "allowed_days",
            spec.allowed_days
                .as_ref()
                .map(|days| list(days.iter().map(|d| d.as_str().to_owned()).collect())),
        ),
        (
            "max_retries",
            text(spec.max_retries.as_ref().map(|v| v as _)),
        ),
        (
            "retry_interval",
            text(spec.retry_interval.as_ref().map(|v| v as _)),
        ),
        (
            "retry_on_voicemail",
            text(spec.retry_on_voicemail.as_ref().map(|v| v as _)),
        ),
        (
            "retry_on_goal_incomplete",
            text(spec.retry_on_goal_incomplete.as_ref().map(|v| v as _)),
        ),
        (
            "goal_completion_variable",
            spec.goal_completion_variable.clone(),
        ),
        (
            "mark_complete_when_no_leads",
            text(spec.mark_complete_when_no_leads.as_ref().map(|v| v as _)),
        ),
        (
            "phone_number_ids",
            spec.phone_number_ids
                .as_ref()
                .map(|ids| list(ids.iter().map(u64::to_string).collect())),
        ),
    ];
    let mut out = format!("kind: Campaign\nname: \"{}\"\n", spec.name);
    for (field, value) in fields {
        if let Some(value) = value {
            out.push_str(&format!("{field}: {value}\n"));
        }
    }
    out
}

/// Scalars that stress the YAML reader and the field rules: every plain-scalar type YAML
/// knows, extremes, odd quoting, tags, aliases to nowhere, and arbitrary text.
fn hostile_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "null",
            "~",
            "",
            "true",
            "no",
            "yes",
            "off",
            "Y",
            ".nan",
            ".inf",
            "-.inf",
            "1e999",
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "+5",
            "-0",
            "007",
            "12:30:45",
            "25:00",
            "9:00",
            "!!binary aGVsbG8=",
            "!!str 5",
            "!!int x",
            "!custom 1",
            "*nowhere",
            "&anchor 5",
            "|",
            ">-",
            "'unterminated",
            "\"unterminated",
            "[",
            "{",
            "]",
            "}",
            "- -",
            "? x",
            "@reserved",
            "`tick",
            "%YAML",
            "...",
            "---",
            "#comment",
            ": colon",
            "a: b",
        ])
        .prop_map(str::to_owned),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("{n}{n}")),
        "[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?",
        "\"[^\"\\\\]{0,12}\"",
        "'[^']{0,12}'",
        "\\PC{0,16}",
    ]
}

fn hostile_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(MANIFEST_FIELDS.to_vec()).prop_map(str::to_owned),
        1 => "[a-z_]{1,12}",
        1 => select(vec!["<<", "? [a, b]", "1", "null", "\"name\"", "kind ", " name"])
            .prop_map(str::to_owned),
    ]
}

/// A YAML value rendered at `indent`: scalars, flow and block sequences, nested mappings,
/// anchors and aliases.
fn hostile_value() -> impl Strategy<Value = String> {
    let leaf = hostile_scalar();
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec(inner.clone(), 1..5).prop_map(|items| {
                items
                    .iter()
                    .map(|i| format!("\n  - {}", i.replace('\n', "\n    ")))
                    .collect()
            }),
            prop::collection::vec((hostile_key(), inner.clone()), 1..5).prop_map(|entries| {
                entries
                    .iter()
                    .map(|(k, v)| format!("\n  {k}: {}", v.replace('\n', "\n  ")))
                    .collect()
            }),
            (inner.clone(), "[a-z]{1,4}").prop_map(|(v, a)| format!("&{a} {v}")),
            "[a-z]{1,4}".prop_map(|a| format!("*{a}")),
        ]
    })
}

/// A document of key/value lines, valid-looking or not.
fn hostile_document() -> impl Strategy<Value = String> {
    prop::collection::vec((hostile_key(), hostile_value()), 0..16)
        .prop_map(|entries| entries.iter().map(|(k, v)| format!("{k}: {v}\n")).collect())
}

/// Whole files: documents, separators and directives, sometimes starting from a valid
/// campaign, and sometimes with a few bytes spliced in anywhere.
pub fn hostile_file() -> impl Strategy<Value = Vec<u8>> {
    let document = prop_oneof![
        3 => hostile_document(),
        1 => campaign("Fuzzed".to_owned()).prop_map(|s| manifest_yaml(&s, true, false)),
    ];
    let separator = select(vec![
        "---\n",
        "...\n---\n",
        "--- \n",
        "---\n%YAML 1.2\n---\n",
    ]);
    let file = prop::collection::vec((document, separator), 1..5).prop_map(|docs| {
        docs.iter()
            .map(|(d, sep)| format!("{d}{sep}"))
            .collect::<String>()
            .into_bytes()
    });
    let splice = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4);
    (file, splice).prop_map(|(mut bytes, splices)| {
        for (at, byte) in splices {
            let i = at.index(bytes.len() + 1);
            bytes.insert(i, byte);
        }
        bytes
    })
}
