//! Loading an account: the built-in demo account, a `--seed` file, or a `--state` file. All
//! three share one format (YAML or JSON, read by `yaml`), checked strictly so that a typo in a
//! seed is an error naming the file and the key, not a silently different account.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use serde_json::Value;

use super::schedule::is_iana_timezone;

use super::records::AccountData;

/// The built-in demo account; the sample manifests depend on its ids and names.
const DEMO_ACCOUNT: &str = include_str!("demo_seed.yaml");

/// Keys of an assistant entry, checked here (with a path to the offending key) rather than by
/// serde's `deny_unknown_fields` on `AssistantRecord`, whose error names no position.
const ASSISTANT_KEYS: &[&str] = &[
    "id",
    "name",
    "type",
    "mode",
    "status",
    "timezone",
    "post_call_schema",
    "voice_id",
    "language_id",
    "llm_model_id",
    "multimodal_model_id",
    "initial_message",
    "system_prompt",
    "variables",
    "post_call_evaluation",
    "is_webhook_active",
    "webhook_url",
    "max_duration",
    "record",
    "max_silence_duration",
    "reengagement_interval",
    "phone_number_id",
    "settings",
    "request_body",
];
const SCHEMA_KEYS: &[&str] = &["name", "type", "description"];
const ASSISTANT_TYPES: &[&str] = &["inbound", "outbound"];
const VARIABLE_TYPES: &[&str] = &["string", "number", "bool"];

pub(crate) fn demo_account() -> anyhow::Result<AccountData> {
    parse(DEMO_ACCOUNT).context("the built-in demo account is invalid")
}

/// Reads a seed or state file; every error names the file.
pub(crate) fn load_account_file(path: &Path) -> anyhow::Result<AccountData> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read account file {}", path.display()))?;
    parse(&text).with_context(|| format!("invalid account file {}", path.display()))
}

fn parse(text: &str) -> anyhow::Result<AccountData> {
    let raw = read_tree(text)?;
    // Typed first, with the path of the offending key (`campaigns[0].max_retries: ...`).
    let mut data: AccountData = serde_path_to_error::deserialize(&raw)?;
    check_assistant_keys(&raw)?;
    check_consistency(&mut data)?;
    Ok(data)
}

/// A state file is JSON, and may hold thousands of campaigns: serde_json reads it directly (its
/// errors carry line and column); anything else is read as YAML.
fn read_tree(text: &str) -> anyhow::Result<Value> {
    if text.trim_start().starts_with('{') {
        if let Ok(value) = serde_json::from_str(text) {
            return Ok(value);
        }
    }
    crate::yaml::document(text).map_err(|e| anyhow!(e))
}

fn check_assistant_keys(raw: &Value) -> anyhow::Result<()> {
    let Some(assistants) = raw.get("assistants").and_then(Value::as_array) else {
        return Ok(());
    };
    for (i, assistant) in assistants.iter().enumerate() {
        check_keys(assistant, ASSISTANT_KEYS, &format!("assistants[{i}]"))?;
        let schema = assistant.get("post_call_schema").and_then(Value::as_array);
        for (j, variable) in schema.into_iter().flatten().enumerate() {
            check_keys(
                variable,
                SCHEMA_KEYS,
                &format!("assistants[{i}].post_call_schema[{j}]"),
            )?;
        }
    }
    Ok(())
}

fn check_keys(entry: &Value, allowed: &[&str], at: &str) -> anyhow::Result<()> {
    let Some(map) = entry.as_object() else {
        return Ok(());
    };
    for name in map.keys() {
        if !allowed.contains(&name.as_str()) {
            bail!(
                "{at}: unknown field `{name}`, expected one of `{}`",
                allowed.join("`, `")
            );
        }
    }
    Ok(())
}

/// Rules a well-formed account file can still break: references, unique ids, known enums.
/// Also fills in each campaign's timezone from the account when the seed leaves it out.
fn check_consistency(data: &mut AccountData) -> anyhow::Result<()> {
    if !is_iana_timezone(&data.account.timezone) {
        bail!(
            "account.timezone: `{}` is not an IANA timezone",
            data.account.timezone
        );
    }
    unique_ids("assistants", data.assistants.iter().map(|a| a.id))?;
    unique_ids("phone_numbers", data.phone_numbers.iter().map(|p| p.id))?;
    unique_ids("campaigns", data.campaigns.iter().map(|c| c.id))?;
    unique_ids("leads", data.leads.iter().map(|l| l.id))?;
    for (i, assistant) in data.assistants.iter().enumerate() {
        if !ASSISTANT_TYPES.contains(&assistant.kind.as_str()) {
            bail!(
                "assistants[{i}].type: `{}` is not one of `inbound`, `outbound`",
                assistant.kind
            );
        }
        for (j, variable) in assistant.post_call_schema.iter().enumerate() {
            if !VARIABLE_TYPES.contains(&variable.kind.as_str()) {
                bail!(
                    "assistants[{i}].post_call_schema[{j}].type: `{}` is not one of {}",
                    variable.kind,
                    "`string`, `number`, `bool`"
                );
            }
        }
    }
    for (i, campaign) in data.campaigns.iter_mut().enumerate() {
        if campaign.timezone.is_empty() {
            campaign.timezone.clone_from(&data.account.timezone);
        } else if !is_iana_timezone(&campaign.timezone) {
            bail!(
                "campaigns[{i}].timezone: `{}` is not an IANA timezone",
                campaign.timezone
            );
        }
    }
    let campaign_ids: BTreeSet<u64> = data.campaigns.iter().map(|c| c.id).collect();
    for (i, lead) in data.leads.iter().enumerate() {
        if !campaign_ids.contains(&lead.campaign_id) {
            bail!(
                "leads[{i}].campaign_id: no campaign has id {}",
                lead.campaign_id
            );
        }
    }
    Ok(())
}

fn unique_ids(what: &str, ids: impl Iterator<Item = u64>) -> anyhow::Result<()> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            bail!("{what}: id {id} appears twice");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_account_has_the_ids_the_sample_manifests_use() {
        let data = demo_account().expect("the built-in demo account must parse");
        let assistants: Vec<(u64, &str, &str)> = data
            .assistants
            .iter()
            .map(|a| (a.id, a.name.as_str(), a.kind.as_str()))
            .collect();
        assert_eq!(
            assistants,
            vec![
                (7, "Sales Outbound", "outbound"),
                (8, "Renewals Outbound", "outbound"),
                (9, "Appointment Reminders", "outbound"),
                (12, "Front Desk", "inbound"),
            ],
            "demo assistants changed"
        );
        let numbers: Vec<u64> = data.phone_numbers.iter().map(|p| p.id).collect();
        assert_eq!(
            numbers,
            vec![45, 46, 47, 48, 60],
            "demo phone numbers changed"
        );
        assert_eq!(
            data.account.timezone, "America/New_York",
            "demo account timezone changed"
        );
        assert_eq!(
            data.account.campaign_limit, 50,
            "demo campaign limit changed"
        );
    }

    #[test]
    fn the_example_seed_is_the_demo_account() {
        assert_eq!(
            include_str!("../../../examples/emulator-seed.yaml"),
            DEMO_ACCOUNT,
            "examples/emulator-seed.yaml must stay a copy of crates/emulator/src/demo_seed.yaml"
        );
    }

    /// A valid account section; the cases below add what they test.
    const ACCOUNT: &str = "account: {timezone: UTC, campaign_limit: 1}\n";

    fn error_of(text: &str) -> Option<String> {
        parse(text).err().map(|e| format!("{e:#}"))
    }

    #[test]
    fn unknown_keys_are_rejected_everywhere() {
        let cases = [
            ("extra: 1\n", "extra"),
            (
                "assistants: [{id: 1, name: a, type: outbound, colour: red}]\n",
                "colour",
            ),
            (
                "assistants: [{id: 1, name: a, type: outbound,\n \
                 post_call_schema: [{name: x, type: bool, kind: y}]}]\n",
                "kind",
            ),
            (
                "phone_numbers: [{id: 1, phone_number: '+1', direction: outbound, label: x}]\n",
                "label",
            ),
        ];
        for (rest, key) in cases {
            let err = error_of(&format!("{ACCOUNT}{rest}"));
            assert!(
                err.as_deref().is_some_and(|e| e.contains(key)),
                "unknown key `{key}` must be rejected with its name, got {err:?}"
            );
        }
        let err = error_of("account: {timezone: UTC, campaign_limit: 1, plan: pro}\n");
        assert!(
            err.as_deref().is_some_and(|e| e.contains("plan")),
            "unknown account key must be rejected with its name, got {err:?}"
        );
    }

    #[test]
    fn inconsistent_accounts_are_rejected() {
        let cases = [
            (
                "leads: [{id: 1, campaign_id: 9, phone_number: '+15550000001'}]\n",
                "no campaign has id 9",
            ),
            (
                "campaigns: [{id: 1, name: a, assistant_id: 1},\n \
                 {id: 1, name: b, assistant_id: 1}]\n",
                "id 1 appears twice",
            ),
            (
                "assistants: [{id: 1, name: a, type: sideways}]\n",
                "sideways",
            ),
        ];
        for (rest, expected) in cases {
            let err = error_of(&format!("{ACCOUNT}{rest}"));
            assert!(
                err.as_deref().is_some_and(|e| e.contains(expected)),
                "expected an error containing {expected:?}, got {err:?}"
            );
        }
        let err = error_of("account: {timezone: Mars/Olympus, campaign_limit: 1}\n");
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("account.timezone")),
            "an unknown account timezone must be rejected, got {err:?}"
        );
    }

    #[test]
    fn an_empty_section_is_an_empty_list() {
        let text = "account: {timezone: UTC, campaign_limit: 1}\nassistants:\ncampaigns:\nleads:\n";
        let data = parse(text).unwrap_or_else(|e| panic!("empty sections must parse: {e:#}"));
        assert!(
            data.assistants.is_empty() && data.campaigns.is_empty() && data.leads.is_empty(),
            "a section with nothing under it holds nothing"
        );
    }

    #[test]
    fn seeded_campaigns_take_defaults_and_the_account_timezone() {
        let text = "account: {timezone: Europe/Paris, campaign_limit: 3}\n\
                    campaigns: [{id: 4, name: a, assistant_id: 7}]\n";
        let data = parse(text).expect("a minimal seeded campaign must parse");
        let campaign = &data.campaigns[0];
        assert_eq!(
            campaign.timezone, "Europe/Paris",
            "an unset timezone must default to the account's"
        );
        assert_eq!(
            campaign.status, "draft",
            "an unset status must default to draft"
        );
        assert_eq!(
            campaign.allowed_days.len(),
            7,
            "unset days must default to all seven"
        );
    }
}
