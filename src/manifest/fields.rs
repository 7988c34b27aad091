//! The platform's rule for each campaign field (docs/platform-api.md, "Create a campaign"), applied to one
//! YAML value: the typed value when it is allowed, otherwise a diagnostic naming the field, what
//! is allowed and what was found, at the value's position.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use crate::campaign::fields::{FieldDef, Kind};
use crate::campaign::{is_iana_timezone, ClockTime, Weekday};

use super::scalar::ScalarKind;
use super::suggest;
use super::yaml::{quote, Mark, Node, Origin, Value};
use crate::diagnostic::{Diagnostic, Location};
use crate::shown_path::ShownFrom;
use campaignctl_core::manifest::{Position, Positions, Written};

/// A YAML mark as a manifest position.
fn position(mark: Mark) -> Position {
    Position::new(mark.line, mark.column, mark.origin == Origin::Config)
}

/// Longest value a hint rewrites in full (a hint built from a megabyte value helps no one).
const MAX_ECHOED_BYTES: usize = 200;

/// Checks the fields of one document, collecting diagnostics and where each value was written.
pub struct FieldChecker<'a> {
    out: &'a mut Vec<Diagnostic>,
    /// How a problem that names another place (a lead listed twice) shows its path.
    pub shown_from: &'a ShownFrom,
    pub errors: usize,
    /// Every value's position, by field and list item, in the manifest file or the repository
    /// config (where defaults merged into the document were written); both paths shared.
    pub positions: Positions,
}

impl<'a> FieldChecker<'a> {
    pub fn new(
        file: &Arc<Path>,
        config: Option<&Arc<Path>>,
        out: &'a mut Vec<Diagnostic>,
        shown_from: &'a ShownFrom,
    ) -> FieldChecker<'a> {
        FieldChecker {
            out,
            shown_from,
            errors: 0,
            positions: Positions::new(Arc::clone(file), config.cloned()),
        }
    }

    pub fn location(&self, mark: Mark) -> Location {
        self.positions.location(position(mark))
    }

    /// The manifest file being checked (leads files are found relative to it).
    pub fn file(&self) -> &Path {
        self.positions.file()
    }

    /// Reports a diagnostic found elsewhere (in a leads file), counting it if it is an error.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if diagnostic.is_error() {
            self.errors += 1;
        }
        self.out.push(diagnostic);
    }

    /// Records where the value a dotted key names (`allowed_days`, `allowed_days.2`,
    /// `leads.items.3`) was written. A key of no recorded form (an unknown key under
    /// `leads:`) is reported as an error where it is read, so it needs no position.
    pub fn record(&mut self, key: &str, mark: Mark) {
        self.positions.record_key(key, position(mark));
    }

    /// Reports an error about `field` at `mark`.
    pub fn error(&mut self, field: &str, mark: Mark, message: String, hint: Option<String>) {
        let mut diagnostic = Diagnostic::error(Some(self.location(mark)), message);
        if !field.is_empty() {
            diagnostic = diagnostic.with_field(field);
        }
        if let Some(hint) = hint {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.errors += 1;
        self.out.push(diagnostic);
    }

    /// The value of one field, read by the rule its kind in the field table names, with the
    /// table's limits. `None` when it is not allowed (reported), and for `kind`, which holds
    /// nothing.
    pub fn value(&mut self, def: &FieldDef, node: &Node) -> Option<Written> {
        let field = def.name;
        match def.kind {
            Kind::DocumentKind => {
                self.kind(node);
                None
            }
            Kind::PositiveId => self.positive_id(field, node).map(Written::Integer),
            Kind::Text {
                max_chars,
                trim_hint,
            } => self
                .text(field, node, max_chars, trim_hint)
                .map(Written::Text),
            Kind::Timezone => self.timezone(node).map(Written::Text),
            Kind::Integer { min, max, unit } => self
                .integer_in(field, node, min..=max, unit)
                .map(Written::Integer),
            Kind::Time => self.clock_time(field, node).map(Written::Time),
            Kind::Days => self.days(field, node).map(Written::Days),
            Kind::Flag => self.boolean(field, node).map(Written::Flag),
            Kind::Ids => self.ids(field, node).map(Written::Ids),
            Kind::PhoneNumbers => self.phone_numbers(field, node).map(Written::Texts),
            Kind::Leads => self.leads(node).map(Written::Leads),
            Kind::Status => self.desired_status(node).map(Written::Status),
        }
    }

    /// `kind: Campaign`, exactly.
    pub fn kind(&mut self, node: &Node) {
        let text = node
            .scalar()
            .filter(|s| s.kind == ScalarKind::Str)
            .map(|s| s.text.as_str());
        if text == Some("Campaign") {
            return;
        }
        let hint = match text {
            Some(t) if t.trim().eq_ignore_ascii_case("campaign") => {
                "kind is case-sensitive: write kind: Campaign"
            }
            Some(t) if t.trim().eq_ignore_ascii_case("assistant") => {
                "kind is case-sensitive: write kind: Assistant"
            }
            Some(t) if suggest::closest(t, ["Campaign"]).is_some() => {
                "did you mean \"Campaign\"? write kind: Campaign"
            }
            Some(t) if suggest::closest(t, ["Assistant"]).is_some() => {
                "did you mean \"Assistant\"? write kind: Assistant"
            }
            _ => "campaignctl manages campaigns and assistants: write kind: Campaign or kind: Assistant",
        };
        let message = format!("kind must be \"Campaign\", got {}", node.describe());
        self.error("kind", node.mark, message, Some(hint.to_owned()));
    }

    /// A non-empty string of at most `max_chars` characters without surrounding whitespace;
    /// `trim_hint` explains what surrounding whitespace would do to this field.
    pub fn text(
        &mut self,
        field: &str,
        node: &Node,
        max_chars: usize,
        trim_hint: &str,
    ) -> Option<String> {
        let expected =
            format!("{field} must be a non-empty string of at most {max_chars} characters");
        let Some(scalar) = node.scalar().filter(|s| s.kind == ScalarKind::Str) else {
            let hint = node
                .scalar()
                .filter(|s| s.kind != ScalarKind::Null && s.text.len() <= MAX_ECHOED_BYTES)
                .map(|s| format!("quote it to make it a string: {field}: \"{}\"", s.text));
            self.error(
                field,
                node.mark,
                format!("{expected}, got {}", node.describe()),
                hint,
            );
            return None;
        };
        let text = scalar.text.as_str();
        let chars = text.chars().count();
        if chars == 0 || chars > max_chars {
            let found = if chars == 0 {
                "\"\"".to_owned()
            } else {
                format!("one of {chars} characters")
            };
            self.error(field, node.mark, format!("{expected}, got {found}"), None);
            return None;
        }
        if text.starts_with(is_trimmed) || text.ends_with(is_trimmed) {
            let message = format!(
                "{field} must not start or end with whitespace, got {}",
                quote(text)
            );
            self.error(field, node.mark, message, Some(trim_hint.to_owned()));
            return None;
        }
        Some(text.to_owned())
    }

    /// An integer of at least 1 (an id).
    pub fn positive_id(&mut self, field: &str, node: &Node) -> Option<u64> {
        if let Some(ScalarKind::Int(n @ 1..)) = node.scalar().map(|s| s.kind) {
            return u64::try_from(n).ok();
        }
        let message = format!(
            "{field} must be a positive integer, got {}",
            node.describe()
        );
        self.error(field, node.mark, message, number_hint(node));
        None
    }

    /// An integer in `range`; `unit` (with its leading space) follows the range in messages.
    pub fn integer_in(
        &mut self,
        field: &str,
        node: &Node,
        range: RangeInclusive<u64>,
        unit: &str,
    ) -> Option<u64> {
        let (low, high) = (range.start(), range.end());
        match node.scalar().map(|s| s.kind) {
            Some(ScalarKind::Int(n)) if u64::try_from(n).is_ok_and(|n| range.contains(&n)) => {
                u64::try_from(n).ok()
            }
            Some(ScalarKind::Int(_) | ScalarKind::BigInt) => {
                let message = format!(
                    "{field} must be between {low} and {high}{unit}, got {}",
                    node.describe()
                );
                self.error(field, node.mark, message, None);
                None
            }
            _ => {
                let message = format!(
                    "{field} must be an integer between {low} and {high}{unit}, got {}",
                    node.describe()
                );
                self.error(field, node.mark, message, number_hint(node));
                None
            }
        }
    }

    pub fn boolean(&mut self, field: &str, node: &Node) -> Option<bool> {
        let scalar = node.scalar();
        if let Some(ScalarKind::Bool(b)) = scalar.map(|s| s.kind) {
            return Some(b);
        }
        let hint = scalar.and_then(|s| {
            let lower = s.text.trim().to_ascii_lowercase();
            let meant = match lower.as_str() {
                "yes" | "y" | "on" | "true" | "1" => "true",
                "no" | "n" | "off" | "false" | "0" => "false",
                _ => return None,
            };
            Some(if s.quoted {
                format!(
                    "remove the quotes: {} is a string; write {meant}",
                    quote(&s.text)
                )
            } else if s.kind == ScalarKind::Str {
                format!(
                    "YAML 1.2 reads {} as a string, not a boolean; write {meant}",
                    s.text
                )
            } else {
                format!("write {meant}")
            })
        });
        let message = format!("{field} must be true or false, got {}", node.describe());
        self.error(field, node.mark, message, hint);
        None
    }

    /// A time of day in the strict `H:i` form the platform validates: `09:00`.
    pub fn clock_time(&mut self, field: &str, node: &Node) -> Option<ClockTime> {
        if let Some(s) = node.scalar().filter(|s| s.kind == ScalarKind::Str) {
            if let Some(time) = ClockTime::parse_hi(&s.text) {
                return Some(time);
            }
        }
        let message = format!(
            "{field} must be a time of day \"HH:MM\" (24-hour, 00:00 to 23:59), got {}",
            node.describe()
        );
        self.error(field, node.mark, message, time_hint(field, node));
        None
    }

    /// An IANA zone name, as the platform's `timezone` rule checks it.
    pub fn timezone(&mut self, node: &Node) -> Option<String> {
        let text = node
            .scalar()
            .filter(|s| s.kind == ScalarKind::Str)
            .map(|s| s.text.as_str());
        if let Some(text) = text.filter(|t| is_iana_timezone(t)) {
            return Some(text.to_owned());
        }
        let hint = text
            .and_then(|t| {
                suggest::closest(t, chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()))
                    .map(|zone| (t, zone))
            })
            // "case-sensitive" only when case is the whole difference; a typo is a typo.
            .map(|(t, zone)| {
                if zone.eq_ignore_ascii_case(t) {
                    format!("did you mean \"{zone}\"? zone names are case-sensitive")
                } else {
                    format!("did you mean \"{zone}\"?")
                }
            })
            .unwrap_or_else(|| {
                "use a tz database name, for example \"Europe/Berlin\" or \"UTC\"".to_owned()
            });
        let message = format!(
            "timezone must be an IANA time zone name such as \"America/New_York\", got {}",
            node.describe()
        );
        self.error("timezone", node.mark, message, Some(hint));
        None
    }

    /// A non-empty list of distinct day names.
    pub fn days(&mut self, field: &str, node: &Node) -> Option<Vec<Weekday>> {
        let allowed = Weekday::allowed_names();
        let items = self.list(field, node, "day names", "monday")?;
        if items.is_empty() {
            let message = format!(
                "{field} must list at least one day, got an empty list; allowed: {allowed}"
            );
            let hint = format!("remove {field} to use the platform's default (all 7 days)");
            self.error(field, node.mark, message, Some(hint));
            return None;
        }
        let mut days = Vec::with_capacity(items.len());
        let mut first_seen: [Option<(usize, Mark)>; 7] = [None; 7];
        let mut valid = true;
        for (i, item) in items.iter().enumerate() {
            let item_field = format!("{field}.{i}");
            self.record(item_field.as_str(), item.mark);
            let text = item
                .scalar()
                .filter(|s| s.kind == ScalarKind::Str)
                .map(|s| s.text.as_str());
            let Some(text) = text else {
                let message = format!(
                    "{item_field} must be a day name, got {}; allowed: {allowed}",
                    item.describe()
                );
                self.error(&item_field, item.mark, message, None);
                valid = false;
                continue;
            };
            let Ok(day) = Weekday::from_str(text) else {
                let hint =
                    suggest::closest(text, Weekday::ALL.iter().map(|d| d.as_str())).map(|meant| {
                        let case = if meant.eq_ignore_ascii_case(text.trim()) {
                            " day names are lower-case"
                        } else {
                            ""
                        };
                        format!("did you mean \"{meant}\"?{case}")
                    });
                let message = format!(
                    "{item_field}: unknown day {}; allowed: {allowed}",
                    quote(text)
                );
                self.error(&item_field, item.mark, message, hint);
                valid = false;
                continue;
            };
            let slot = &mut first_seen[day as usize];
            match *slot {
                None => *slot = Some((i, item.mark)),
                Some((first, at)) => {
                    let message = format!(
                        "{item_field}: day \"{day}\" is listed twice (also {field}.{first} at line {}, column {})",
                        at.line, at.column
                    );
                    self.error(
                        &item_field,
                        item.mark,
                        message,
                        Some("remove one of them".to_owned()),
                    );
                    valid = false;
                }
            }
            days.push(day);
        }
        valid.then_some(days)
    }

    /// A list of distinct positive ids.
    pub fn ids(&mut self, field: &str, node: &Node) -> Option<Vec<u64>> {
        let list = DistinctList {
            what: "positive integers",
            example: "45",
            noun: "id ",
        };
        self.distinct_items(field, node, list, |check, item_field, item| {
            check.positive_id(item_field, item)
        })
    }

    /// A list whose items `parse` reads, each allowed once; a repeat is reported at the second
    /// place, naming the first.
    pub fn distinct_items<T: Clone + Eq + std::hash::Hash + std::fmt::Display>(
        &mut self,
        field: &str,
        node: &Node,
        list: DistinctList,
        mut parse: impl FnMut(&mut Self, &str, &Node) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items = self.list(field, node, list.what, list.example)?;
        let mut values = Vec::with_capacity(items.len());
        let mut first_seen: HashMap<T, (usize, Mark)> = HashMap::with_capacity(items.len());
        let mut valid = true;
        for (i, item) in items.iter().enumerate() {
            let item_field = format!("{field}.{i}");
            self.record(item_field.as_str(), item.mark);
            let Some(value) = parse(self, &item_field, item) else {
                valid = false;
                continue;
            };
            if let Some(&(first, at)) = first_seen.get(&value) {
                let message = format!(
                    "{item_field}: {}{value} is listed twice (also {field}.{first} at line {}, column {})",
                    list.noun, at.line, at.column
                );
                self.error(
                    &item_field,
                    item.mark,
                    message,
                    Some("remove one of them".to_owned()),
                );
                valid = false;
                continue;
            }
            first_seen.insert(value.clone(), (i, item.mark));
            values.push(value);
        }
        valid.then_some(values)
    }

    /// The items of a list field, or an error saying it must be a list of `what`.
    pub fn list<'n>(
        &mut self,
        field: &str,
        node: &'n Node,
        what: &str,
        example: &str,
    ) -> Option<&'n [Node]> {
        if let Value::Sequence(items) = &node.value {
            return Some(items);
        }
        let hint = match node.scalar() {
            Some(s) if s.kind == ScalarKind::Null || s.text.len() > MAX_ECHOED_BYTES => None,
            Some(s) if s.text.contains(',') => {
                let parts: Vec<&str> = s.text.split(',').map(str::trim).collect();
                Some(format!(
                    "write a YAML list: {field}: [{}]",
                    parts.join(", ")
                ))
            }
            Some(s) => Some(format!("write a YAML list: {field}: [{}]", s.text)),
            None => Some(format!("write a YAML list: {field}: [{example}]")),
        };
        let message = format!("{field} must be a list of {what}, got {}", node.describe());
        self.error(field, node.mark, message, hint);
        None
    }
}

/// How a list of distinct items reads in messages.
pub struct DistinctList {
    /// "a list of {what}".
    pub what: &'static str,
    /// One item, for the hint that turns a scalar into a list.
    pub example: &'static str,
    /// Before the value in "{noun}{value} is listed twice".
    pub noun: &'static str,
}

/// Whitespace the platform would trim: Laravel's `TrimStrings` strips Unicode whitespace plus the
/// byte-order mark and zero-width space.
fn is_trimmed(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{200e}')
}

/// How to turn a value that is not an integer (but looks like one) into one.
fn number_hint(node: &Node) -> Option<String> {
    let s = node.scalar()?;
    match s.kind {
        ScalarKind::Str if s.quoted && ScalarKind::of_plain(s.text.trim()).is_number() => {
            Some(format!("remove the quotes: YAML reads {} as a string", quote(&s.text)))
        }
        ScalarKind::OtherInt if s.text.starts_with('+') => Some("write the number without the plus sign".to_owned()),
        ScalarKind::OtherInt if s.text.starts_with("0x") || s.text.starts_with("0o") => {
            Some("write the number in decimal".to_owned())
        }
        ScalarKind::OtherInt => Some(
            "write the number without leading zeros (YAML 1.1 tools read 010 as octal 8, YAML 1.2 tools as 10)"
                .to_owned(),
        ),
        _ => None,
    }
}

/// What the user probably meant by a time that is not strict `H:i`.
fn time_hint(field: &str, node: &Node) -> Option<String> {
    let s = node.scalar()?;
    if s.kind == ScalarKind::Null {
        return None;
    }
    let text = s.text.trim();
    if s.kind.is_number() {
        // `900` or `0930`: a time written without its colon (or read as a number).
        let digits = text.trim_start_matches('0');
        if text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()) {
            let n: u32 = digits.parse().unwrap_or(0);
            let (hour, minute) = (n / 100, n % 100);
            if hour < 24 && minute < 60 {
                return Some(format!(
                    "YAML reads {text} as a number; write \"{hour:02}:{minute:02}\""
                ));
            }
        }
        return Some(format!(
            "write the time as a quoted string: {field}: \"09:00\""
        ));
    }
    let parts: Vec<&str> = text.splitn(4, ':').collect();
    let number = |p: &str, max_len: usize| {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let (hour, minute, seconds) = match parts.as_slice() {
        [h, m] => (number(h, 2)?, number(m, 2)?, None),
        [h, m, sec] => (number(h, 2)?, number(m, 2)?, Some(number(sec, 2)?)),
        _ => return None,
    };
    if hour > 23 || minute > 59 {
        return Some(
            "hours run from 00 to 23 and minutes from 00 to 59; use 23:59 for the end of the day"
                .to_owned(),
        );
    }
    let fixed = format!("\"{hour:02}:{minute:02}\"");
    Some(match seconds {
        None => format!("write it as {fixed}"),
        Some(0) => format!("leave out the seconds: write {fixed}"),
        Some(_) => format!("the platform keeps minutes only: write {fixed}"),
    })
}

#[cfg(test)]
mod tests {
    use crate::campaign::{ClockTime, Weekday};
    use crate::manifest::testing::{assert_hint, assert_reports, valid, BASE};

    /// The base document with `extra` from line 4 on.
    fn doc(extra: &str) -> String {
        format!("{BASE}{extra}")
    }

    #[test]
    fn name_must_be_a_non_empty_string() {
        assert_reports(
            "kind: Campaign\nname: \"\"\nassistant_id: 1\n",
            &["t.yaml:2:7: error: name must be a non-empty string of at most 255 characters, got \"\""],
        );
        assert_hint(
            "kind: Campaign\nname: 2024\nassistant_id: 1\n",
            "t.yaml:2:7: error: name must be a non-empty string of at most 255 characters, got 2024",
            "name: \"2024\"",
        );
        assert_reports(
            "kind: Campaign\nname:\nassistant_id: 1\n",
            &["t.yaml:2:1: error: name must be a non-empty string of at most 255 characters, got null"],
        );
    }

    #[test]
    fn name_length_counts_characters_not_bytes() {
        let ok = format!(
            "kind: Campaign\nname: {}\nassistant_id: 1\n",
            "é".repeat(255)
        );
        assert_eq!(
            valid(&ok).spec.name.chars().count(),
            255,
            "255 two-byte characters are allowed"
        );
        let long = format!(
            "kind: Campaign\nname: {}\nassistant_id: 1\n",
            "é".repeat(256)
        );
        assert_reports(
            &long,
            &["t.yaml:2:7: error: name must be a non-empty string of at most 255 characters, got one of 256 characters"],
        );
    }

    #[test]
    fn name_must_not_carry_whitespace_the_platform_would_trim() {
        assert_hint(
            "kind: Campaign\nname: \" Q4\"\nassistant_id: 1\n",
            "t.yaml:2:7: error: name must not start or end with whitespace, got \" Q4\"",
            "create it again",
        );
        assert_reports(
            "kind: Campaign\nname: |\n  Q4\nassistant_id: 1\n",
            // A block scalar is located at its content, where the trailing line break belongs.
            &["t.yaml:3:3: error: name must not start or end with whitespace, got \"Q4\\n\""],
        );
    }

    #[test]
    fn assistant_id_must_be_a_positive_integer() {
        for (value, found) in [
            ("0", "0"),
            ("-3", "-3"),
            ("1.5", "1.5"),
            ("abc", "\"abc\""),
            ("[1]", "a list"),
        ] {
            assert_reports(
                &format!("kind: Campaign\nname: x\nassistant_id: {value}\n"),
                &[&format!(
                    "t.yaml:3:15: error: assistant_id must be a positive integer, got {found}"
                )],
            );
        }
        assert_hint(
            "kind: Campaign\nname: x\nassistant_id: \"12\"\n",
            "t.yaml:3:15: error: assistant_id must be a positive integer, got \"12\"",
            "remove the quotes",
        );
        assert_hint(
            "kind: Campaign\nname: x\nassistant_id: 0x10\n",
            "t.yaml:3:15: error: assistant_id must be a positive integer, got 0x10",
            "decimal",
        );
        assert_hint(
            "kind: Campaign\nname: x\nassistant_id: 012\n",
            "t.yaml:3:15: error: assistant_id must be a positive integer, got 012",
            "leading zeros",
        );
        assert_hint(
            "kind: Campaign\nname: x\nassistant_id: +12\n",
            "t.yaml:3:15: error: assistant_id must be a positive integer, got +12",
            "plus sign",
        );
        assert_reports(
            "kind: Campaign\nname: x\nassistant_id: 99999999999999999999\n",
            &["t.yaml:3:15: error: assistant_id must be a positive integer, got 99999999999999999999"],
        );
    }

    #[test]
    fn timezone_must_be_an_iana_zone() {
        assert_eq!(
            valid(&doc("timezone: America/New_York\n"))
                .spec
                .timezone
                .as_deref(),
            Some("America/New_York"),
            "a valid zone is kept as written"
        );
        let message = "t.yaml:4:11: error: timezone must be an IANA time zone name such as \"America/New_York\"";
        assert_hint(
            &doc("timezone: america/new_york\n"),
            &format!("{message}, got \"america/new_york\""),
            "did you mean \"America/New_York\"?",
        );
        assert_hint(
            &doc("timezone: America/NewYork\n"),
            &format!("{message}, got \"America/NewYork\""),
            "did you mean \"America/New_York\"?",
        );
        assert_hint(
            &doc("timezone: Mars/Olympus\n"),
            &format!("{message}, got \"Mars/Olympus\""),
            "for example \"Europe/Berlin\"",
        );
        assert_reports(&doc("timezone: 5\n"), &[&format!("{message}, got 5")]);
    }

    #[test]
    fn max_calls_in_parallel_is_1_to_10() {
        assert_eq!(
            valid(&doc("max_calls_in_parallel: 10\n"))
                .spec
                .max_calls_in_parallel,
            Some(10),
            "10 is the upper bound and allowed"
        );
        for value in ["0", "11", "-1"] {
            assert_reports(
                &doc(&format!("max_calls_in_parallel: {value}\n")),
                &[&format!("t.yaml:4:24: error: max_calls_in_parallel must be between 1 and 10, got {value}")],
            );
        }
        assert_reports(
            &doc("max_calls_in_parallel: 2.5\n"),
            &["t.yaml:4:24: error: max_calls_in_parallel must be an integer between 1 and 10, got 2.5"],
        );
    }

    #[test]
    fn max_retries_is_1_to_5_and_quoted_numbers_are_strings() {
        assert_eq!(
            valid(&doc("max_retries: 5\n")).spec.max_retries,
            Some(5),
            "5 is the upper bound and allowed"
        );
        assert_reports(
            &doc("max_retries: 9\n"),
            &["t.yaml:4:14: error: max_retries must be between 1 and 5, got 9"],
        );
        assert_reports(
            &doc("max_retries: 0\n"),
            &["t.yaml:4:14: error: max_retries must be between 1 and 5, got 0"],
        );
        assert_hint(
            &doc("max_retries: \"3\"\n"),
            "t.yaml:4:14: error: max_retries must be an integer between 1 and 5, got \"3\"",
            "remove the quotes: YAML reads \"3\" as a string",
        );
        assert_reports(
            &doc("max_retries: '3'\n"),
            &["t.yaml:4:14: error: max_retries must be an integer between 1 and 5, got \"3\""],
        );
    }

    #[test]
    fn retry_interval_is_10_to_4320_minutes() {
        assert_eq!(
            valid(&doc("retry_interval: 4320\n")).spec.retry_interval,
            Some(4320),
            "4320 minutes (3 days) is the upper bound and allowed"
        );
        assert_reports(
            &doc("retry_interval: 5\n"),
            &["t.yaml:4:17: error: retry_interval must be between 10 and 4320 (minutes), got 5"],
        );
        assert_reports(
            &doc("retry_interval: 4321\n"),
            &["t.yaml:4:17: error: retry_interval must be between 10 and 4320 (minutes), got 4321"],
        );
    }

    #[test]
    fn times_are_strict_h_i_and_unquoted_0900_is_a_string() {
        let m = valid(&doc(
            "allowed_hours_start_time: 09:00\nallowed_hours_end_time: \"17:30\"\n",
        ));
        assert_eq!(
            m.spec.allowed_hours_start_time,
            Some(ClockTime { hour: 9, minute: 0 }),
            "unquoted 09:00 is 9 o'clock, not 540"
        );
        assert_eq!(
            m.spec.allowed_hours_end_time,
            Some(ClockTime {
                hour: 17,
                minute: 30
            }),
            "a quoted 17:30 is half past five"
        );
        let message = "t.yaml:4:27: error: allowed_hours_start_time must be a time of day \"HH:MM\" (24-hour, 00:00 to 23:59)";
        for (value, found, hint) in [
            ("9:00", "\"9:00\"", "write it as \"09:00\""),
            (
                "\"09:00:00\"",
                "\"09:00:00\"",
                "leave out the seconds: write \"09:00\"",
            ),
            ("09:00:30", "\"09:00:30\"", "minutes only"),
            ("900", "900", "YAML reads 900 as a number; write \"09:00\""),
            ("0930", "0930", "write \"09:30\""),
            ("24:00", "\"24:00\"", "hours run from 00 to 23"),
            ("9am", "\"9am\"", ""),
        ] {
            assert_hint(
                &doc(&format!("allowed_hours_start_time: {value}\n")),
                &format!("{message}, got {found}"),
                hint,
            );
        }
        assert_reports(
            &doc("allowed_hours_end_time: 1730\n"),
            &["t.yaml:4:25: error: allowed_hours_end_time must be a time of day \"HH:MM\" (24-hour, 00:00 to 23:59), got 1730"],
        );
    }

    #[test]
    fn allowed_days_are_known_lower_case_names() {
        let m = valid(&doc("allowed_days: [friday, monday]\n"));
        assert_eq!(
            m.spec.allowed_days,
            Some(vec![Weekday::Friday, Weekday::Monday]),
            "order as written"
        );
        let allowed = "allowed: monday, tuesday, wednesday, thursday, friday, saturday, sunday";
        assert_reports(
            &doc("allowed_days: [monday, friday, Funday]\n"),
            &[&format!(
                "t.yaml:4:32: error: allowed_days.2: unknown day \"Funday\"; {allowed}"
            )],
        );
        assert_hint(
            &doc("allowed_days:\n  - Monday\n"),
            &format!("t.yaml:5:5: error: allowed_days.0: unknown day \"Monday\"; {allowed}"),
            "did you mean \"monday\"? day names are lower-case",
        );
        assert_hint(
            &doc("allowed_days: [tues]\n"),
            &format!("t.yaml:4:16: error: allowed_days.0: unknown day \"tues\"; {allowed}"),
            "did you mean \"tuesday\"?",
        );
        assert_reports(
            &doc("allowed_days: [monday, 3]\n"),
            &[&format!(
                "t.yaml:4:24: error: allowed_days.1 must be a day name, got 3; {allowed}"
            )],
        );
    }

    #[test]
    fn allowed_days_must_be_a_non_empty_list_without_repeats() {
        assert_reports(
            &doc("allowed_days: [monday, friday, monday]\n"),
            &["t.yaml:4:32: error: allowed_days.2: day \"monday\" is listed twice (also allowed_days.0 at line 4, column 16)"],
        );
        assert_hint(
            &doc("allowed_days: []\n"),
            "t.yaml:4:15: error: allowed_days must list at least one day, got an empty list; allowed: monday, tuesday, wednesday, thursday, friday, saturday, sunday",
            "all 7 days",
        );
        assert_hint(
            &doc("allowed_days: monday, friday\n"),
            "t.yaml:4:15: error: allowed_days must be a list of day names, got \"monday, friday\"",
            "allowed_days: [monday, friday]",
        );
    }

    #[test]
    fn booleans_are_true_or_false_only() {
        let m = valid(&doc("retry_on_voicemail: true\nretry_on_goal_incomplete: false\nmark_complete_when_no_leads: True\n"));
        assert_eq!(
            (
                m.spec.retry_on_voicemail,
                m.spec.retry_on_goal_incomplete,
                m.spec.mark_complete_when_no_leads
            ),
            (Some(true), Some(false), Some(true)),
            "true, false and True are the booleans written"
        );
        assert_hint(
            &doc("retry_on_voicemail: yes\n"),
            "t.yaml:4:21: error: retry_on_voicemail must be true or false, got \"yes\"",
            "YAML 1.2 reads yes as a string, not a boolean; write true",
        );
        assert_hint(
            &doc("retry_on_goal_incomplete: off\n"),
            "t.yaml:4:27: error: retry_on_goal_incomplete must be true or false, got \"off\"",
            "write false",
        );
        assert_hint(
            &doc("mark_complete_when_no_leads: \"true\"\n"),
            "t.yaml:4:30: error: mark_complete_when_no_leads must be true or false, got \"true\"",
            "remove the quotes",
        );
        assert_hint(
            &doc("retry_on_voicemail: 1\n"),
            "t.yaml:4:21: error: retry_on_voicemail must be true or false, got 1",
            "write true",
        );
    }

    #[test]
    fn goal_completion_variable_is_a_trimmed_string_of_at_most_255() {
        assert_eq!(
            valid(&doc("goal_completion_variable: meeting_booked\n"))
                .spec
                .goal_completion_variable
                .as_deref(),
            Some("meeting_booked"),
            "a plain variable name is kept"
        );
        let expected =
            "goal_completion_variable must be a non-empty string of at most 255 characters";
        assert_reports(
            &doc("goal_completion_variable: ''\n"),
            &[&format!("t.yaml:4:27: error: {expected}, got \"\"")],
        );
        assert_reports(
            &doc(&format!("goal_completion_variable: {}\n", "v".repeat(256))),
            &[&format!(
                "t.yaml:4:27: error: {expected}, got one of 256 characters"
            )],
        );
        assert_reports(
            &doc("goal_completion_variable: 'booked '\n"),
            &["t.yaml:4:27: error: goal_completion_variable must not start or end with whitespace, got \"booked \""],
        );
    }

    #[test]
    fn phone_number_ids_are_distinct_positive_integers() {
        assert_eq!(
            valid(&doc("phone_number_ids: [45, 46]\n"))
                .spec
                .phone_number_ids,
            Some(vec![45, 46]),
            "distinct positive ids are kept in order"
        );
        assert_reports(
            &doc("phone_number_ids:\n  - 45\n  - 46\n  - 45\n"),
            &["t.yaml:7:5: error: phone_number_ids.2: id 45 is listed twice (also phone_number_ids.0 at line 5, column 5)"],
        );
        assert_hint(
            &doc("phone_number_ids: [45, \"46\"]\n"),
            "t.yaml:4:24: error: phone_number_ids.1 must be a positive integer, got \"46\"",
            "remove the quotes",
        );
        assert_hint(
            &doc("phone_number_ids: 45\n"),
            "t.yaml:4:19: error: phone_number_ids must be a list of positive integers, got 45",
            "phone_number_ids: [45]",
        );
    }
}
