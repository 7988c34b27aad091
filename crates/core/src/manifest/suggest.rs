//! "Did you mean ...?": the known word closest to a mistyped one, when one is clearly closest.

/// Jaro-Winkler similarity from which a candidate counts as close (`max_retry` → `max_retries`
/// scores 0.92, `foo` against any field below 0.6).
const CLOSE: f64 = 0.85;
/// The best candidate must beat the runner-up by this much, or the suggestion is a guess
/// (`retry` is as close to `retry_interval` as to `retry_on_voicemail`).
const MARGIN: f64 = 0.02;

/// The candidate the user most likely meant by `input`, if any: the same word in other case or
/// with `-` for `_`; else the only candidate containing it (`days` → `allowed_days`); else the
/// clearly closest by spelling.
pub fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    let wanted: String = input
        .trim()
        .chars()
        .map(|c| {
            if c == '-' || c == ' ' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if wanted.is_empty() {
        return None;
    }
    if let Some(exact) = candidates
        .clone()
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(&wanted))
    {
        return Some(exact);
    }
    if wanted.len() >= 4 {
        let mut containing = candidates
            .clone()
            .into_iter()
            .filter(|c| c.to_ascii_lowercase().contains(wanted.as_str()));
        if let (Some(only), None) = (containing.next(), containing.next()) {
            return Some(only);
        }
    }
    let mut best: Option<(f64, &str)> = None;
    let mut runner_up = 0.0_f64;
    for candidate in candidates {
        let score = strsim::jaro_winkler(&wanted, &candidate.to_ascii_lowercase());
        match best {
            Some((top, _)) if score <= top => runner_up = runner_up.max(score),
            _ => {
                runner_up = best.map_or(runner_up, |(top, _)| top);
                best = Some((score, candidate));
            }
        }
    }
    best.filter(|&(score, _)| score >= CLOSE && score - runner_up >= MARGIN)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;
    use crate::campaign::{Weekday, MANIFEST_FIELDS};

    fn field(input: &str) -> Option<&'static str> {
        closest(input, MANIFEST_FIELDS.iter().copied())
    }

    fn day(input: &str) -> Option<&'static str> {
        closest(input, Weekday::ALL.iter().map(|d| d.as_str()))
    }

    #[test]
    fn field_typos() {
        for (typo, meant) in [
            ("max_retry", "max_retries"),
            ("assistant_ids", "assistant_id"),
            ("Name", "name"),
            ("max-retries", "max_retries"),
            ("timezon", "timezone"),
            ("days", "allowed_days"),
            ("voicemail", "retry_on_voicemail"),
            ("max_parallel_calls", "max_calls_in_parallel"),
        ] {
            assert_eq!(field(typo), Some(meant), "{typo} should suggest {meant}");
        }
    }

    #[test]
    fn no_suggestion_when_nothing_is_close_or_it_is_a_toss_up() {
        for input in ["foo", "description", "retry", "", "   "] {
            assert_eq!(field(input), None, "{input:?} has no clear match");
        }
    }

    #[test]
    fn day_typos() {
        for (typo, meant) in [
            ("Monday", "monday"),
            ("tues", "tuesday"),
            ("thurs", "thursday"),
            ("SAT", "saturday"),
        ] {
            assert_eq!(day(typo), Some(meant), "{typo} should suggest {meant}");
        }
        assert_eq!(day("xyz"), None, "nothing is close to xyz");
    }
}
