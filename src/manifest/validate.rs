//! One YAML document to one campaign: the document's shape (a mapping, `kind: Campaign`, known
//! keys, required keys), with each field's value handed to its rule in `fields`.

use std::path::Path;
use std::sync::Arc;

use crate::campaign::fields::Field;
use crate::campaign::MANIFEST_FIELDS;

use super::fields::FieldChecker;
use super::suggest;
use super::yaml::{excerpt, Document, Value};
use super::{CampaignSpec, Manifest};
use crate::diagnostic::{Diagnostic, Location};
use crate::shown_path::ShownFrom;

/// The outcome of one non-empty campaign document.
// Only ever returned and moved into its file's lists at once: boxing the manifest would cost
// an allocation per campaign to save bytes that are never held.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Checked {
    /// A valid campaign document. Its name is `spec.name`, written where its positions say.
    Campaign(Manifest),
    /// An invalid campaign document whose name is valid, with where the name is written: a
    /// name repeated elsewhere is reported in the same run.
    Named(String, Location),
    /// An invalid document without a valid name: nothing to keep.
    Invalid,
}

/// Validates `document` from `file`, pushing every problem to `out`. `None` for an empty
/// document (null, or only comments), which is skipped. `config` is the repository config
/// that defaults merged into the document came from: their problems point there. A problem
/// that names another place shows its path from `shown_from`.
pub fn check_document(
    file: &Arc<Path>,
    config: Option<&Arc<Path>>,
    document: &Document,
    out: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
) -> Option<Checked> {
    let root = &document.root;
    if root.is_null() {
        return None;
    }
    let mut check = FieldChecker::new(file, config, out, shown_from);
    let Value::Mapping(entries) = &root.value else {
        let message = format!(
            "a campaign document must be a mapping of fields, got {}",
            root.describe()
        );
        check.error(
            "",
            root.mark,
            message,
            Some("start the document with: kind: Campaign".to_owned()),
        );
        return Some(Checked::Invalid);
    };

    let mut spec = CampaignSpec::default();
    // Where a valid name is written (the name itself is `spec.name`).
    let mut name_at = None;
    for entry in entries {
        let (key, value) = (&entry.key, &entry.value);
        let Some(field) = key.scalar().map(|s| s.text.as_str()) else {
            let message = format!("field names must be strings, got {}", key.describe());
            check.error("", key.mark, message, None);
            continue;
        };
        let Some(field) = Field::from_name(field) else {
            let hint = match suggest::closest(field, MANIFEST_FIELDS.iter().copied()) {
                Some(meant) => format!("did you mean `{meant}`?"),
                None => format!("allowed fields: {}", MANIFEST_FIELDS.join(", ")),
            };
            check.error(
                field,
                key.mark,
                format!("unknown field `{}`", excerpt(field)),
                Some(hint),
            );
            continue;
        };
        check.record(field.name(), value.mark);
        if let Some(written) = check.value(field.def(), value) {
            spec.set(field, written);
            if field == Field::Name {
                name_at = Some(check.location(value.mark));
            }
        }
    }

    let has = |field: Field| check.positions.has(field);
    let required = [
        (has(Field::Kind), "kind", "add kind: Campaign"),
        (
            has(Field::Name),
            "name",
            "add a name: it is how campaignctl finds the campaign on the platform",
        ),
        (
            // A manifest that adopts an existing campaign by id never creates one, and one
            // that says the campaign must not exist never does either.
            has(Field::AssistantId) || has(Field::Assistant) || has(Field::Id) || spec.is_deleted(),
            "assistant_id",
            "add the name (assistant: Sales Outbound) or the id (assistant_id: 7) of an outbound assistant",
        ),
    ];
    for (present, field, hint) in required {
        if !present {
            check.error(
                field,
                root.mark,
                format!("missing required field {field}"),
                Some(hint.to_owned()),
            );
        }
    }

    check.one_of_each_pair();
    check.renamed_from_fits(&spec);

    let valid = check.errors == 0 && document.clean;
    if !valid {
        return Some(match name_at {
            Some(at) => Checked::Named(spec.name, at),
            None => Checked::Invalid,
        });
    }
    let location = check.location(root.mark);
    check.positions.shrink_to_fit();
    Some(Checked::Campaign(Manifest {
        spec,
        location,
        positions: check.positions,
    }))
}

#[cfg(test)]
mod tests {
    use crate::campaign::{ClockTime, Weekday, BEYOND_CREATE_FIELDS, MANIFEST_FIELDS};
    use crate::manifest::testing::{assert_hint, assert_reports, parse, valid, BASE};

    const EVERY_FIELD: &str = "\
kind: Campaign
id: 77
name: Q4 promo
assistant_id: 12
timezone: Europe/Berlin
max_calls_in_parallel: 3
allowed_hours_start_time: 09:00
allowed_hours_end_time: \"17:30\"
allowed_days: [monday, friday]
max_retries: 2
retry_interval: 90
retry_on_voicemail: false
retry_on_goal_incomplete: true
goal_completion_variable: meeting_booked
mark_complete_when_no_leads: true
phone_number_ids:
  - 45
  - 46
";

    #[test]
    fn a_document_with_every_field_becomes_a_manifest() {
        let m = valid(EVERY_FIELD);
        let s = &m.spec;
        assert_eq!(s.name, "Q4 promo", "name must be read as written");
        assert_eq!(
            s.assistant_id,
            Some(12),
            "assistant_id must be read as written"
        );
        assert_eq!(
            s.timezone.as_deref(),
            Some("Europe/Berlin"),
            "timezone must be read as written"
        );
        assert_eq!(
            s.max_calls_in_parallel,
            Some(3),
            "max_calls_in_parallel must be read as written"
        );
        assert_eq!(
            s.allowed_hours_start_time,
            Some(ClockTime { hour: 9, minute: 0 }),
            "unquoted 09:00 is nine o'clock"
        );
        assert_eq!(
            s.allowed_hours_end_time,
            Some(ClockTime {
                hour: 17,
                minute: 30
            }),
            "quoted 17:30 is half past five"
        );
        assert_eq!(
            s.allowed_days,
            Some(vec![Weekday::Monday, Weekday::Friday]),
            "allowed_days in written order must be read as written"
        );
        assert_eq!(
            (s.max_retries, s.retry_interval),
            (Some(2), Some(90)),
            "max_retries and retry_interval must be read as written"
        );
        assert_eq!(
            (s.retry_on_voicemail, s.retry_on_goal_incomplete),
            (Some(false), Some(true)),
            "retry_on_voicemail and retry_on_goal_incomplete must be read as written"
        );
        assert_eq!(
            s.goal_completion_variable.as_deref(),
            Some("meeting_booked"),
            "goal_completion_variable must be read as written"
        );
        assert_eq!(
            s.mark_complete_when_no_leads,
            Some(true),
            "mark_complete_when_no_leads must be read as written"
        );
        assert_eq!(
            s.phone_number_ids,
            Some(vec![45, 46]),
            "phone_number_ids from a block list must be read as written"
        );
        let mut every: Vec<&str> = vec!["kind"];
        every.extend(s.set_fields());
        let create_fields: Vec<&str> = MANIFEST_FIELDS
            .iter()
            .copied()
            .filter(|f| !BEYOND_CREATE_FIELDS.contains(f))
            .collect();
        assert_eq!(
            every, create_fields,
            "every manifest field must be read into the spec"
        );
    }

    #[test]
    fn field_locations_point_at_values_and_list_items() {
        let m = valid(EVERY_FIELD);
        assert_eq!(
            m.location.to_string(),
            "t.yaml:1:1",
            "the manifest is located at its mapping"
        );
        let at = |field: &str| m.positions.get(field).map(|l| l.to_string());
        assert_eq!(
            at("name").as_deref(),
            Some("t.yaml:3:7"),
            "name's value is at 3:7"
        );
        assert_eq!(
            at("allowed_days").as_deref(),
            Some("t.yaml:9:15"),
            "the days list starts at its '['"
        );
        assert_eq!(
            at("allowed_days.1").as_deref(),
            Some("t.yaml:9:24"),
            "the second day is at 9:24"
        );
        assert_eq!(
            at("phone_number_ids.1").as_deref(),
            Some("t.yaml:18:5"),
            "the second phone id is at 18:5"
        );
        assert_eq!(
            m.positions.len(),
            MANIFEST_FIELDS.len() - BEYOND_CREATE_FIELDS.len() + 4,
            "every key plus one entry per list item"
        );
        assert_eq!(
            m.locate("phone_number_ids.7").to_string(),
            "t.yaml:17:3",
            "unknown items fall back to the list"
        );
    }

    #[test]
    fn required_fields_are_reported_at_the_document_start() {
        assert_reports(
            "---\ntimezone: UTC\n",
            &[
                "t.yaml:2:1: error: missing required field assistant_id",
                "t.yaml:2:1: error: missing required field kind",
                "t.yaml:2:1: error: missing required field name",
            ],
        );
    }

    #[test]
    fn an_adopting_manifest_needs_no_assistant_and_its_id_is_checked() {
        let m = valid("kind: Campaign\nid: 12\nname: x\n");
        assert_eq!(m.spec.id, Some(12));
        assert_reports(
            "kind: Campaign\nid: twelve\nname: x\n",
            &["t.yaml:2:5: error: id must be a positive integer, got \"twelve\""],
        );
    }

    #[test]
    fn a_timezone_hint_blames_case_only_when_case_is_the_difference() {
        assert_hint(
            "kind: Campaign\nname: x\nassistant_id: 1\ntimezone: europe/london\n",
            "t.yaml:4:11: error: timezone must be an IANA time zone name such as \"America/New_York\", got \"europe/london\"",
            "did you mean \"Europe/London\"? zone names are case-sensitive",
        );
        assert_hint(
            "kind: Campaign\nname: x\nassistant_id: 1\ntimezone: Europe/Londn\n",
            "t.yaml:4:11: error: timezone must be an IANA time zone name such as \"America/New_York\", got \"Europe/Londn\"",
            "did you mean \"Europe/London\"?",
        );
        let (_, problems) = crate::manifest::parse_bytes(
            std::path::Path::new("t.yaml"),
            b"kind: Campaign\nname: x\nassistant_id: 1\ntimezone: Europe/Londn\n",
        );
        assert!(
            problems
                .iter()
                .all(|d| !d.hint.as_deref().unwrap_or("").contains("case-sensitive")),
            "a typo is not a case problem: {problems:?}"
        );
    }

    #[test]
    fn kind_must_be_campaign_exactly() {
        assert_hint(
            "kind: campaign\nname: x\nassistant_id: 1\n",
            "t.yaml:1:7: error: kind must be \"Campaign\", got \"campaign\"",
            "case-sensitive",
        );
        assert_hint(
            "kind: Campain\nname: x\nassistant_id: 1\n",
            "t.yaml:1:7: error: kind must be \"Campaign\", got \"Campain\"",
            "did you mean \"Campaign\"?",
        );
        assert_hint(
            "kind: Lead\nname: x\nassistant_id: 1\n",
            "t.yaml:1:7: error: kind must be \"Campaign\", got \"Lead\"",
            "campaignctl manages campaigns",
        );
    }

    #[test]
    fn unknown_fields_get_a_did_you_mean() {
        for (typo, meant) in [
            ("max_retry: 3", "max_retries"),
            ("assistant_ids: 3", "assistant_id"),
        ] {
            let key = typo.split(':').next().unwrap_or_default();
            assert_hint(
                &format!("{BASE}{typo}\n"),
                &format!("t.yaml:4:1: error: unknown field `{key}`"),
                &format!("did you mean `{meant}`?"),
            );
        }
        assert_hint(
            &format!("{BASE}foo: 1\n"),
            "t.yaml:4:1: error: unknown field `foo`",
            "allowed fields: kind, id, name,",
        );
    }

    #[test]
    fn a_document_must_be_a_mapping() {
        assert_reports(
            "- a\n- b\n",
            &["t.yaml:1:1: error: a campaign document must be a mapping of fields, got a list"],
        );
        assert_reports(
            "hello\n",
            &["t.yaml:1:1: error: a campaign document must be a mapping of fields, got \"hello\""],
        );
        assert_reports(
            &format!("{BASE}? [a]\n: 1\n"),
            &["t.yaml:4:3: error: field names must be strings, got a list"],
        );
    }

    #[test]
    fn every_mistake_is_reported_in_one_run() {
        let yaml = "kind: Campaign\nname: \" Q4\"\nassistant_id: \"12\"\nmax_retries: 9\nallowed_days: [Funday]\nretry_on_voicemail: yes\n";
        let (manifests, diagnostics) = parse(yaml);
        assert_eq!(
            diagnostics.len(),
            5,
            "five mistakes, five diagnostics: {diagnostics:#?}"
        );
        assert!(
            manifests.is_empty(),
            "an invalid document must not become a manifest"
        );
        let fields: Vec<_> = diagnostics
            .iter()
            .map(|d| d.field.as_deref().unwrap_or_default())
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "assistant_id",
                "max_retries",
                "allowed_days.0",
                "retry_on_voicemail"
            ],
            "one diagnostic per wrong field, in line order"
        );
    }

    #[test]
    fn a_document_with_a_yaml_problem_is_not_a_manifest() {
        let (manifests, diagnostics) = parse(&format!("{BASE}max_retries: 2\nmax_retries: 3\n"));
        assert_eq!(
            diagnostics.len(),
            1,
            "only the duplicate key is wrong: {diagnostics:#?}"
        );
        assert_eq!(diagnostics[0].to_string().lines().next(), Some("t.yaml:5:1: error: duplicate key `max_retries`: already defined at line 4, column 1"), "the repeat is reported at its key, naming the first");
        assert!(
            manifests.is_empty(),
            "a document with a duplicate key must not become a manifest"
        );
    }
}
