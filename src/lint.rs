//! Calling-hours lint: warnings (never errors, unless `--deny-warnings`) about when a campaign
//! may call. The common legal quiet hours forbid calls before 08:00 and after 21:00 local time;
//! the platform's default window is the whole day (00:00–23:59), so a manifest that leaves the
//! window out calls at night. A zone named by a legacy alias or a fixed offset is warned about
//! too: `EST` keeps no daylight saving, so a 09:00 window is an hour off all summer.

use crate::campaign::ClockTime;
use crate::manifest::{Diagnostic, Manifest};
use crate::timezone_names::ZoneNameIssue;
use campaignctl_core::manifest::AssistantManifest;
// The platform's window when a manifest leaves it out: the whole day.
use crate::window_state::{DEFAULT_END, DEFAULT_START};

/// The window outside which calls are commonly forbidden (TCPA, and many national rules).
pub(crate) const EARLIEST: ClockTime = ClockTime { hour: 8, minute: 0 };
pub(crate) const LATEST: ClockTime = ClockTime {
    hour: 21,
    minute: 0,
};

/// Every calling-hours warning of `manifests`, each at the line of the field it is about (the
/// document's first line when the field is left out).
pub fn calling_hours(manifests: &[Manifest], assistants: &[AssistantManifest]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // A campaign that must not exist (`status: deleted`) places no calls: nothing to lint.
    for m in manifests.iter().filter(|m| !m.spec.is_deleted()) {
        // The zone of the declared assistant it names: where its voice lives, the likeliest
        // zone of the people it calls, offered when the campaign sets none.
        let assistant_zone = m
            .spec
            .assistant
            .as_deref()
            .and_then(|name| assistants.iter().find(|a| a.name == name))
            .and_then(|a| a.timezone().map(|tz| (a.name.as_str(), tz)));
        lint_one(m, assistant_zone, &mut out);
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

fn lint_one(m: &Manifest, assistant_zone: Option<(&str, &str)>, out: &mut Vec<Diagnostic>) {
    let spec = &m.spec;
    let zone = match &spec.timezone {
        Some(tz) => {
            if let Some(d) = zone_name_warning(m, tz) {
                out.push(d);
            }
            format!("in {tz}")
        }
        // A manifest that adopts an existing campaign by `id:` (as `export` writes them) is
        // not warned: the campaign's zone was fixed when it was created, the platform does not
        // return it, and no manifest can change it; export marks the field to fill in.
        None if spec.id.is_some() => "in the campaign's timezone".to_owned(),
        None => {
            out.push(
                Diagnostic::warning(
                    Some(m.locate("timezone")),
                    format!(
                        "campaign {:?} sets no timezone: its calling hours are read in the account's timezone, which this manifest does not show",
                        spec.name
                    ),
                )
                .with_field("timezone")
                .with_hint(match assistant_zone {
                    Some((name, tz)) => format!("set timezone: to the zone of the people called; its assistant {name:?} is declared in {tz}: timezone: {tz}"),
                    None => "set timezone: to the zone of the people called, e.g. timezone: America/New_York".to_owned(),
                }),
            );
            "in the account's timezone".to_owned()
        }
    };
    let start = spec.allowed_hours_start_time.unwrap_or(DEFAULT_START);
    let end = spec.allowed_hours_end_time.unwrap_or(DEFAULT_END);
    let shown = |field: &str, t: ClockTime, set: bool| {
        if set {
            format!("{field} {t}")
        } else {
            format!("{field} (not set, the platform's default {t})")
        }
    };
    let start_set = spec.allowed_hours_start_time.is_some();
    let end_set = spec.allowed_hours_end_time.is_some();
    if end <= start {
        let what = if end == start { "empty" } else { "inverted" };
        out.push(
            Diagnostic::warning(
                Some(m.locate("allowed_hours_end_time")),
                format!(
                    "the calling window of {:?} is {what}: {} is not after {}",
                    spec.name,
                    shown("allowed_hours_end_time", end, end_set),
                    shown("allowed_hours_start_time", start, start_set)
                ),
            )
            .with_field("allowed_hours_end_time")
            .with_hint(
                "the window runs from the start to the end on the same day, e.g. 09:00 to 17:00",
            ),
        );
        return;
    }
    if start < EARLIEST {
        out.push(outside(
            m,
            "allowed_hours_start_time",
            format!(
                "{} is before {EARLIEST} {zone}",
                shown("allowed_hours_start_time", start, start_set)
            ),
        ));
    }
    if end > LATEST {
        out.push(outside(
            m,
            "allowed_hours_end_time",
            format!(
                "{} is after {LATEST} {zone}",
                shown("allowed_hours_end_time", end, end_set)
            ),
        ));
    }
}

/// A warning for a legacy or fixed-offset zone name, at the `timezone` line.
fn zone_name_warning(m: &Manifest, tz: &str) -> Option<Diagnostic> {
    let (message, hint) = match crate::timezone_names::issue(tz)? {
        ZoneNameIssue::Legacy { canonical } => (
            format!("timezone {tz:?} is a legacy name for {canonical}: the same clock, under a name kept only for old systems"),
            format!("write timezone: {canonical}"),
        ),
        ZoneNameIssue::FixedOffset { offset, suggestion } => {
            let meant = suggestion.map_or_else(
                || "name the place called instead".to_owned(),
                |zone| format!("did you mean {zone}?"),
            );
            (
                format!("timezone {tz:?} is a fixed offset ({offset}), no daylight saving: {meant}"),
                "use the zone of the place called (Area/City, e.g. America/New_York): it follows that place's daylight saving; keep a fixed offset only where clocks never change".to_owned(),
            )
        }
    };
    Some(
        Diagnostic::warning(Some(m.locate("timezone")), message)
            .with_field("timezone")
            .with_hint(hint),
    )
}

fn outside(m: &Manifest, field: &'static str, detail: String) -> Diagnostic {
    Diagnostic::warning(
        Some(m.locate(field)),
        format!(
            "the calling window of {:?} reaches into the common legal quiet hours: {detail}",
            m.spec.name
        ),
    )
    .with_field(field)
    .with_hint(format!(
        "calls are commonly allowed from {EARLIEST} to {LATEST} local time; set {field} inside that window"
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manifest::parse_bytes;

    fn lint(yaml: &str) -> Vec<String> {
        let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        calling_hours(&manifests, &[])
            .iter()
            .map(|d| d.to_string().lines().next().unwrap_or_default().to_owned())
            .collect()
    }

    const HEAD: &str = "kind: Campaign\nname: Q\nassistant_id: 1\ntimezone: Europe/Berlin\n";

    #[test]
    fn a_window_inside_8_to_21_is_quiet() {
        assert_eq!(
            lint(&format!(
                "{HEAD}allowed_hours_start_time: \"08:00\"\nallowed_hours_end_time: \"21:00\"\n"
            )),
            Vec::<String>::new(),
            "08:00 to 21:00 exactly is allowed"
        );
    }

    #[test]
    fn edges_outside_the_window_warn_at_their_line() {
        assert_eq!(
            lint(&format!("{HEAD}allowed_hours_start_time: \"07:59\"\nallowed_hours_end_time: \"21:01\"\n")),
            [
                "t.yaml:5:27: warning: the calling window of \"Q\" reaches into the common legal quiet hours: allowed_hours_start_time 07:59 is before 08:00 in Europe/Berlin",
                "t.yaml:6:25: warning: the calling window of \"Q\" reaches into the common legal quiet hours: allowed_hours_end_time 21:01 is after 21:00 in Europe/Berlin",
            ]
        );
    }

    #[test]
    fn a_window_left_out_is_the_whole_day() {
        let got = lint(&format!("{HEAD}allowed_hours_start_time: \"09:00\"\n"));
        assert_eq!(
            got,
            ["t.yaml:1:1: warning: the calling window of \"Q\" reaches into the common legal quiet hours: allowed_hours_end_time (not set, the platform's default 23:59) is after 21:00 in Europe/Berlin"],
            "an unset end is the platform's 23:59"
        );
    }

    #[test]
    fn empty_and_inverted_windows_warn() {
        assert_eq!(
            lint(&format!("{HEAD}allowed_hours_start_time: \"10:00\"\nallowed_hours_end_time: \"10:00\"\n")),
            ["t.yaml:6:25: warning: the calling window of \"Q\" is empty: allowed_hours_end_time 10:00 is not after allowed_hours_start_time 10:00"]
        );
        assert_eq!(
            lint(&format!("{HEAD}allowed_hours_start_time: \"20:00\"\nallowed_hours_end_time: \"09:00\"\n")),
            ["t.yaml:6:25: warning: the calling window of \"Q\" is inverted: allowed_hours_end_time 09:00 is not after allowed_hours_start_time 20:00"]
        );
    }

    #[test]
    fn no_timezone_warns() {
        let got = lint("kind: Campaign\nname: Q\nassistant_id: 1\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n");
        assert_eq!(
            got,
            ["t.yaml:1:1: warning: campaign \"Q\" sets no timezone: its calling hours are read in the account's timezone, which this manifest does not show"]
        );
    }

    #[test]
    fn legacy_and_fixed_offset_zones_warn_at_the_timezone_line() {
        let window = "allowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";
        let doc = |tz: &str| {
            format!("kind: Campaign\nname: Q\nassistant_id: 1\ntimezone: {tz}\n{window}")
        };
        assert_eq!(
            lint(&doc("US/Eastern")),
            ["t.yaml:4:11: warning: timezone \"US/Eastern\" is a legacy name for America/New_York: the same clock, under a name kept only for old systems"]
        );
        assert_eq!(
            lint(&doc("EST")),
            ["t.yaml:4:11: warning: timezone \"EST\" is a fixed offset (UTC-05:00), no daylight saving: did you mean America/New_York?"]
        );
        assert_eq!(
            lint(&doc("Etc/GMT+5")),
            ["t.yaml:4:11: warning: timezone \"Etc/GMT+5\" is a fixed offset (UTC-05:00), no daylight saving: did you mean America/New_York?"]
        );
        assert_eq!(lint(&doc("America/New_York")), Vec::<String>::new());
    }
}
