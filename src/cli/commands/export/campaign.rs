//! A remote campaign as a manifest that adopts it with `id:`: the observable fields the platform
//! returned, its status where a manifest can say it, and a commented line per write-once field.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use super::HEADER;
use crate::api::types::{CampaignStatus, RemoteCampaign};
use crate::campaign::fields::OBSERVABLE;
use crate::campaign::WRITE_ONCE_FIELDS;

/// Names shared by several campaigns cannot become valid manifests as they are: the name is a
/// manifest's identity. Say so rather than leave the user to find out.
pub fn warn_about_shared_names(campaigns: &[RemoteCampaign]) {
    let mut by_name: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for c in campaigns {
        by_name.entry(c.name.as_str()).or_default().push(c.id);
    }
    for (name, ids) in by_name.iter().filter(|(_, ids)| ids.len() > 1) {
        let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
        anstream::eprintln!(
            "warning: campaigns {} share the name {name:?}; their manifests will not validate until all but one are renamed in the dashboard or deleted",
            ids.join(", ")
        );
    }
}

/// One manifest: a comment header, then `kind`, `id`, `name`, the observable fields the
/// platform returned, normalised (times as H:i, days in week order), and its status where a
/// manifest can say it. What the platform does not return (the write-once fields, a status a
/// manifest cannot ask for) is written as a commented line saying so, where the user fills it
/// in. Values are written as JSON, which is valid YAML: strings are always double-quoted with
/// escapes, so no name or time can be misread (`yes`, `08:30` in YAML 1.1, a leading `*` or
/// `#`).
pub fn manifest_text(c: &RemoteCampaign, api_url: &str) -> String {
    let mut fields: Vec<(&str, serde_json::Value)> = vec![
        ("kind", json!("Campaign")),
        ("id", json!(c.id)),
        ("name", json!(c.name)),
    ];
    fields.extend(
        OBSERVABLE
            .iter()
            .filter_map(|&f| Some((f.name(), c.get(f)?.to_json()))),
    );
    // The status as the manifest says it: the campaign keeps it, and the plan is empty.
    let status = match c.status {
        CampaignStatus::Draft => Ok("draft"),
        CampaignStatus::InProgress => Ok("running"),
        CampaignStatus::Stopped => Ok("stopped"),
        ref other => Err(other),
    };
    if let Ok(status) = status {
        fields.push(("status", json!(status)));
    }

    let mut text = format!(
        "{}{} (campaign id {}).\n\
         # `id` pins the campaign. The platform's campaign list does not return the fields\n\
         # commented out below: fill in each from the dashboard for this manifest to show it.\n",
        HEADER, api_url, c.id,
    );
    for (k, v) in fields {
        let _ = writeln!(text, "{k}: {v}");
    }
    for field in WRITE_ONCE_FIELDS {
        let _ = writeln!(
            text,
            "# {field}:   (not returned by the platform; set when the campaign was created)"
        );
    }
    match status {
        Err(CampaignStatus::NotReturned) => {
            let _ = writeln!(text, "# status:   (not returned by the platform)");
        }
        Err(other) => {
            let _ = writeln!(
                text,
                "# status:   (the platform says {}, which a manifest cannot ask for: left as it is)",
                other.label()
            );
        }
        Ok(_) => {}
    }
    text
}
