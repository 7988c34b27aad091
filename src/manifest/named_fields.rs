//! The rules of the fields that go beyond the create endpoint's own: references by name
//! (`assistant`, `phone_numbers`), `leads` and the desired `status`. Kept apart from `fields`,
//! which holds the platform's rules for the fields it takes as they are.

use std::collections::BTreeMap;
use std::path::Path;

use super::fields::{DistinctList, FieldChecker};
use super::files::{self, LeadsPathError};
use super::leads::{self, DesiredLead, LeadsSpec, E164_HINT, PHONE_COLUMN};
use super::scalar::ScalarKind;
use super::suggest;
use super::yaml::{quote, Node, Value};
use super::DesiredStatus;
use crate::campaign::fields::NAME_ID_PAIRS;
use crate::diagnostic::Diagnostic;

const LEADS_KEYS: [&str; 2] = ["file", "items"];
const ITEM_KEYS: [&str; 2] = [PHONE_COLUMN, "variables"];

impl FieldChecker<'_> {
    /// `phone_numbers`: distinct E.164 numbers of the account, resolved to ids at plan time.
    pub fn phone_numbers(&mut self, field: &str, node: &Node) -> Option<Vec<String>> {
        let list = DistinctList {
            what: "phone numbers",
            example: "\"+12025550145\"",
            noun: "",
        };
        self.distinct_items(field, node, list, |check, item_field, item| {
            check.phone(item_field, item)
        })
    }

    /// One phone number, normalised to E.164.
    fn phone(&mut self, field: &str, node: &Node) -> Option<String> {
        let text = node.scalar().filter(|s| s.kind != ScalarKind::Null);
        if let Some(number) = text.and_then(|s| leads::normalize_phone(&s.text)) {
            return Some(number);
        }
        let message = format!(
            "{field} must be an E.164 phone number such as \"+14155550101\", got {}",
            node.describe()
        );
        self.error(field, node.mark, message, Some(E164_HINT.to_owned()));
        None
    }

    /// `status: draft | running | stopped`.
    pub fn desired_status(&mut self, node: &Node) -> Option<DesiredStatus> {
        let text = node
            .scalar()
            .filter(|s| s.kind == ScalarKind::Str)
            .map(|s| s.text.as_str());
        if let Some(status) = text.and_then(DesiredStatus::parse) {
            return Some(status);
        }
        let names = DesiredStatus::ALL.map(DesiredStatus::as_str);
        let hint = text
            .and_then(|t| suggest::closest(t, names))
            .map(|s| format!("did you mean \"{s}\"?"))
            .unwrap_or_else(|| {
                "draft (the default) never starts the campaign; running starts it and places calls"
                    .to_owned()
            });
        let message = format!(
            "status must be one of {}, got {}",
            names.join(", "),
            node.describe()
        );
        self.error("status", node.mark, message, Some(hint));
        None
    }

    /// `leads: { file: leads/q4.csv, items: [{phone_number, variables}] }`, either key or both.
    /// The file is read here, relative to the manifest, so `validate` checks every row offline.
    pub fn leads(&mut self, node: &Node) -> Option<LeadsSpec> {
        let Value::Mapping(entries) = &node.value else {
            let message = format!(
                "leads must be a mapping with `file` and/or `items`, got {}",
                node.describe()
            );
            let hint = "write leads: { file: leads/q4.csv } (relative to this manifest)".to_owned();
            self.error("leads", node.mark, message, Some(hint));
            return None;
        };
        let mut all = Vec::new();
        let mut valid = true;
        let mut empty = true;
        for entry in entries {
            let key = key_text(&entry.key);
            let field = format!("leads.{key}");
            self.record(field.as_str(), entry.value.mark);
            let found = match key {
                "file" => self.leads_file(&entry.value),
                "items" => self.lead_items(&entry.value),
                other => {
                    let hint = suggest::closest(other, LEADS_KEYS)
                        .map(|k| format!("did you mean `{k}`?"))
                        .unwrap_or_else(|| "leads takes `file` and `items`".to_owned());
                    let message = format!("unknown field `leads.{}`", super::yaml::excerpt(other));
                    self.error(&field, entry.key.mark, message, Some(hint));
                    Err(Vec::new())
                }
            };
            empty = false;
            // The well-formed leads of a part with problems are still checked for numbers
            // listed twice below, so one run reports every problem.
            match found {
                Ok(leads) => all.extend(leads),
                Err(partial) => {
                    all.extend(partial);
                    valid = false;
                }
            }
        }
        if empty {
            let message =
                "leads must have `file`, `items` or both, got an empty mapping".to_owned();
            self.error("leads", node.mark, message, None);
            return None;
        }
        let mut duplicates = Vec::new();
        let unique = leads::check_unique(&all, &mut duplicates, self.shown_from);
        duplicates.into_iter().for_each(|d| self.push(d));
        if !valid || !unique {
            return None;
        }
        if all.len() > leads::MAX_LEADS {
            let message = format!(
                "a campaign may declare at most {} leads, got {}",
                leads::MAX_LEADS,
                all.len()
            );
            self.error("leads", node.mark, message, None);
            return None;
        }
        Some(LeadsSpec { items: all })
    }

    /// The leads of `leads.file`: `Err` with the well-formed rows when there was a problem.
    fn leads_file(&mut self, node: &Node) -> Result<Vec<DesiredLead>, Vec<DesiredLead>> {
        let text = node
            .scalar()
            .filter(|s| s.kind == ScalarKind::Str && !s.text.trim().is_empty());
        let Some(relative) = text.map(|s| s.text.clone()) else {
            let message = format!(
                "leads.file must be the path of a CSV file, got {}",
                node.describe()
            );
            self.error("leads.file", node.mark, message, None);
            return Err(Vec::new());
        };
        let path = self
            .file()
            .parent()
            .unwrap_or(Path::new(""))
            .join(&relative);
        // Checked before anything is opened: a leads path must stay in the repository.
        let real = match files::resolve_leads(self.file(), &relative) {
            Ok(real) => real,
            Err(refused) => {
                let (message, hint) = leads_path_refused(&relative, &path, refused);
                self.error("leads.file", node.mark, message, Some(hint.to_owned()));
                return Err(Vec::new());
            }
        };
        let mut problems = Vec::new();
        let leads = leads::read_csv_at(&path, &real, &mut problems);
        let clean = problems.is_empty();
        problems.into_iter().for_each(|d| self.push(d));
        match leads {
            Some(leads) if clean => Ok(leads),
            partial => Err(partial.unwrap_or_default()),
        }
    }

    /// The leads of `leads.items`: `Err` with the well-formed items when there was a problem.
    fn lead_items(&mut self, node: &Node) -> Result<Vec<DesiredLead>, Vec<DesiredLead>> {
        let Some(items) = self.list(
            "leads.items",
            node,
            "leads",
            "{ phone_number: \"+14155550101\" }",
        ) else {
            return Err(Vec::new());
        };
        let mut leads = Vec::with_capacity(items.len());
        let mut valid = true;
        for (i, item) in items.iter().enumerate() {
            let field = format!("leads.items.{i}");
            self.record(field.as_str(), item.mark);
            match self.lead_item(&field, item) {
                Some(lead) => leads.push(lead),
                None => valid = false,
            }
        }
        if valid {
            Ok(leads)
        } else {
            Err(leads)
        }
    }

    fn lead_item(&mut self, field: &str, node: &Node) -> Option<DesiredLead> {
        let Value::Mapping(entries) = &node.value else {
            let message = format!(
                "{field} must be a mapping with `phone_number` and `variables`, got {}",
                node.describe()
            );
            self.error(field, node.mark, message, None);
            return None;
        };
        let (mut phone, mut variables, mut valid) = (None, BTreeMap::new(), true);
        for entry in entries {
            let key = key_text(&entry.key);
            let key_field = format!("{field}.{key}");
            match key {
                PHONE_COLUMN => phone = self.phone(&key_field, &entry.value),
                "variables" => match self.variables(&key_field, &entry.value) {
                    Some(v) => variables = v,
                    None => valid = false,
                },
                other => {
                    let hint = suggest::closest(other, ITEM_KEYS)
                        .map(|k| format!("did you mean `{k}`?"))
                        .unwrap_or_else(|| {
                            "a lead takes `phone_number` and `variables`".to_owned()
                        });
                    let message = format!("unknown field `{}`", super::yaml::excerpt(&key_field));
                    self.error(&key_field, entry.key.mark, message, Some(hint));
                    valid = false;
                }
            }
        }
        let Some(phone_number) = phone else {
            if !entries
                .iter()
                .any(|e| e.key.scalar().is_some_and(|s| s.text == PHONE_COLUMN))
            {
                let message = format!("{field}: missing required field phone_number");
                self.error(field, node.mark, message, None);
            }
            return None;
        };
        valid.then(|| DesiredLead {
            phone_number,
            variables,
            source: self.location(node.mark),
        })
    }

    /// A mapping of variable names to scalar values (strings, numbers, booleans).
    fn variables(
        &mut self,
        field: &str,
        node: &Node,
    ) -> Option<BTreeMap<String, serde_json::Value>> {
        let Value::Mapping(entries) = &node.value else {
            let message = format!(
                "{field} must be a mapping of names to values, got {}",
                node.describe()
            );
            self.error(
                field,
                node.mark,
                message,
                Some("write variables: { first_name: Ada }".to_owned()),
            );
            return None;
        };
        let mut out = BTreeMap::new();
        let mut valid = true;
        for entry in entries {
            let name = key_text(&entry.key).to_owned();
            let value = entry.value.scalar().and_then(|s| match s.kind {
                ScalarKind::Str | ScalarKind::OtherInt | ScalarKind::BigInt => {
                    Some(serde_json::Value::String(s.text.clone()))
                }
                ScalarKind::Int(n) => Some(serde_json::Value::from(n)),
                ScalarKind::Float => s
                    .text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(serde_json::Value::Number),
                ScalarKind::Bool(b) => Some(serde_json::Value::Bool(b)),
                ScalarKind::Null => Some(serde_json::Value::Null),
            });
            match value {
                // Trimmed as the platform trims it; a blank string sets nothing.
                Some(v) => {
                    if let Some(v) = super::leads::as_platform_stores(v) {
                        out.insert(name, v);
                    }
                }
                None => {
                    let at = format!("{field}.{name}");
                    let message = format!(
                        "{at} must be a string, number or boolean, got {}",
                        entry.value.describe()
                    );
                    self.error(&at, entry.value.mark, message, None);
                    valid = false;
                }
            }
        }
        valid.then_some(out)
    }

    /// A manifest writes a reference by name or by id, not both: two answers to one question
    /// would leave campaignctl to guess which one was meant.
    /// `renamed_from` names another campaign this manifest takes over; it makes no sense with
    /// `id` (adoption already matches by id), with its own name, or with `status: deleted`.
    pub fn renamed_from_fits(&mut self, spec: &crate::manifest::CampaignSpec) {
        let (Some(old), Some(at)) = (&spec.renamed_from, self.positions.get("renamed_from")) else {
            return;
        };
        let problem = if spec.id.is_some() {
            Some((
                "renamed_from and id are both set; a manifest with id is matched by id, so its name can change without renamed_from",
                "remove renamed_from",
            ))
        } else if *old == spec.name {
            Some((
                "renamed_from is the campaign's own name",
                "set renamed_from to the name the campaign had before, or remove it",
            ))
        } else if spec.is_deleted() {
            Some((
                "renamed_from with status: deleted; a deleted campaign is not renamed",
                "to delete the campaign under its old name, write name: <old name> and status: deleted",
            ))
        } else {
            None
        };
        if let Some((message, hint)) = problem {
            let d = Diagnostic::error(Some(at), message)
                .with_field("renamed_from")
                .with_hint(hint);
            self.push(d);
        }
    }

    pub fn one_of_each_pair(&mut self) {
        for (name_field, id_field) in NAME_ID_PAIRS {
            let (Some(a), Some(b)) = (self.positions.get(name_field), self.positions.get(id_field))
            else {
                continue;
            };
            let later = a.max(b);
            let message = format!("{name_field} and {id_field} are both set; write one of them");
            let hint = format!("keep `{name_field}` (by name, resolved at plan time) or `{id_field}` (by id), not both");
            self.push(
                Diagnostic::error(Some(later), message)
                    .with_field(name_field)
                    .with_hint(hint),
            );
        }
    }
}

/// The text of a mapping key (empty for a key that is not a scalar, which the reader reports).
fn key_text(key: &Node) -> &str {
    key.scalar().map(|s| s.text.as_str()).unwrap_or_default()
}

/// The message and hint for a leads path that is refused (nothing was opened).
fn leads_path_refused(
    relative: &str,
    path: &Path,
    refused: LeadsPathError,
) -> (String, &'static str) {
    const RELATIVE: &str = "the path is relative to the manifest file's directory";
    let shown = quote(relative);
    match refused {
        LeadsPathError::Absolute => (
            format!("leads.file: {shown} is an absolute path; leads files must be inside the repository"),
            "write the path relative to the manifest file's directory, e.g. leads/q4.csv",
        ),
        LeadsPathError::Outside { root } => (
            format!(
                "leads.file: {shown} leads outside the repository ({}); it was not read",
                root.display()
            ),
            "keep leads files inside the repository: the nearest directory above the manifest with .git or campaignctl.yaml, else the current directory",
        ),
        LeadsPathError::NotRegular(kind) => (
            format!("leads.file: {shown} is {kind}, not a regular file; it was not read"),
            RELATIVE,
        ),
        LeadsPathError::Missing => (
            format!(
                "leads.file: {shown} is not a file (looked for {})",
                path.display()
            ),
            RELATIVE,
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::testing::{assert_hint, assert_reports, parse, valid, BASE};
    use crate::manifest::DesiredStatus;

    fn doc(extra: &str) -> String {
        format!("{BASE}{extra}")
    }

    #[test]
    fn inline_leads_keep_their_variables_and_position() {
        let m = valid(&doc("leads:\n  items:\n    - phone_number: \"+1 415 555 0101\"\n      variables: { name: Ada, score: 3, vip: true }\n"));
        let leads = m.spec.leads.expect("leads").items;
        assert_eq!(leads[0].phone_number, "+14155550101");
        assert_eq!(
            serde_json::json!(leads[0].variables),
            serde_json::json!({"name": "Ada", "score": 3, "vip": true}),
            "scalars keep their YAML types"
        );
        assert_eq!(
            leads[0].source.to_string(),
            "t.yaml:6:7",
            "an item is located at its mapping"
        );
    }

    #[test]
    fn lead_items_are_checked_at_their_lines() {
        assert_hint(
            &doc("leads: { items: [{ phone_number: 4155550101 }] }\n"),
            "t.yaml:4:34: error: leads.items.0.phone_number must be an E.164 phone number such as \"+14155550101\", got 4155550101",
            "E.164",
        );
        assert_reports(
            &doc("leads: { items: [{ variables: {} }] }\n"),
            &["t.yaml:4:18: error: leads.items.0: missing required field phone_number"],
        );
        assert_hint(
            &doc("leads: { flie: x.csv }\n"),
            "t.yaml:4:10: error: unknown field `leads.flie`",
            "did you mean `file`?",
        );
        assert_reports(
            &doc("leads: { file: nope.csv }\n"),
            &["t.yaml:4:16: error: leads.file: \"nope.csv\" is not a file (looked for nope.csv)"],
        );
        assert_reports(
            &doc("leads: { items: [{ phone_number: \"+14155550101\" }, { phone_number: \"+1-415-555-0101\" }] }\n"),
            &["t.yaml:4:52: error: lead +14155550101 is listed twice: at t.yaml:4:18 and at t.yaml:4:52"],
        );
    }

    #[test]
    fn status_is_draft_running_stopped_or_deleted() {
        assert_eq!(
            valid(&doc("status: running\n")).spec.status,
            Some(DesiredStatus::Running)
        );
        assert_eq!(
            valid(BASE).spec.status,
            None,
            "no status: never started or stopped"
        );
        assert_hint(
            &doc("status: runing\n"),
            "t.yaml:4:9: error: status must be one of draft, running, stopped, deleted, got \"runing\"",
            "did you mean \"running\"?",
        );
        assert_eq!(
            valid("kind: Campaign\nname: Gone\nstatus: deleted\n")
                .spec
                .status,
            Some(DesiredStatus::Deleted),
            "a tombstone needs no assistant: it never creates anything"
        );
    }

    #[test]
    fn renamed_from_fits_only_a_manifest_matched_by_name() {
        assert_eq!(
            valid(&doc("renamed_from: Old name\n"))
                .spec
                .renamed_from
                .as_deref(),
            Some("Old name")
        );
        let with_id = "kind: Campaign\nid: 4\nname: New\nrenamed_from: Old\n";
        assert!(
            parse(with_id)
                .1
                .iter()
                .any(|d| d.message.contains("renamed_from and id")),
            "{:?}",
            parse(with_id).1
        );
        let deleted = "kind: Campaign\nname: New\nstatus: deleted\nrenamed_from: Old\n";
        assert!(
            parse(deleted)
                .1
                .iter()
                .any(|d| d.message.contains("renamed_from with status: deleted")),
            "{:?}",
            parse(deleted).1
        );
    }

    #[test]
    fn phone_numbers_are_distinct_e164_and_exclude_phone_number_ids() {
        assert_eq!(
            valid(&doc("phone_numbers: [\"+12025550145\"]\n"))
                .spec
                .phone_numbers,
            Some(vec!["+12025550145".to_owned()])
        );
        assert_reports(
            &doc("phone_numbers: [\"+12025550145\", \"+1 202 555 0145\"]\n"),
            &["t.yaml:4:33: error: phone_numbers.1: +12025550145 is listed twice (also phone_numbers.0 at line 4, column 17)"],
        );
        assert_reports(
            &doc("phone_number_ids: [45]\nphone_numbers: [\"+12025550145\"]\n"),
            &["t.yaml:5:16: error: phone_numbers and phone_number_ids are both set; write one of them"],
        );
        assert_hint(
            "kind: Campaign\nname: Q\n",
            "t.yaml:1:1: error: missing required field assistant_id",
            "assistant: Sales Outbound",
        );
    }
}
