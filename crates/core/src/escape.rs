//! Escaping text that comes from outside (manifest keys and values, file names, CSV headers, API
//! answers) before it is printed, so that no control character from input reaches a terminal, a
//! log or a CI runner raw: an ESC sequence must not drive the terminal, and a newline must not
//! start a line that GitHub Actions would run as a workflow command (`::error::...`).
//!
//! Text output escapes with [`text`] (and [`bounded`] to keep one message short); GitHub
//! workflow commands with [`github_data`] and [`github_property`]. JSON written by serde has
//! its C0 controls escaped already; [`json`] escapes the rest (DEL, C1, line separators, bidi
//! overrides) the JSON way, so a document stays valid and shows nothing raw.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The most characters of one message (or hint) that a diagnostic shows; the rest is cut and
/// counted, so a 30 MB value makes a short error.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// Whether `c` must not be printed as it is: C0 and C1 control characters and DEL, the line and
/// paragraph separators, and the bidirectional overrides that can make text read differently
/// from what it is ("Trojan Source").
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every unsafe character written as a visible escape: `\n`, `\r`, `\t`, and `\u{1b}`
/// for the others (the way Rust writes them). Borrowed when there is nothing to escape.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// [`text`], cut after `max_chars` characters of input with the full length said:
/// `abc… (30000000 characters)`.
pub fn bounded(s: &str, max_chars: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max_chars) {
        None => text(s),
        Some((cut, _)) => {
            let mut out = text(&s[..cut]).into_owned();
            let _ = write!(out, "… ({} characters)", s.chars().count());
            Cow::Owned(out)
        }
    }
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// JSON that serde_json wrote, with every unsafe character but the line break written as a
/// JSON `\uXXXX` escape (each of them is in the Basic Multilingual Plane). In such text an
/// unsafe character can only be inside a string (a raw line break is the pretty printer's),
/// so the document means the same and stays valid. Borrowed when there is nothing to escape.
pub fn json(serialised: &str) -> Cow<'_, str> {
    let unsafe_here = |c: char| c != '\n' && is_unsafe(c);
    if !serialised.chars().any(unsafe_here) {
        return Cow::Borrowed(serialised);
    }
    let mut out = String::with_capacity(serialised.len() + 8);
    for c in serialised.chars() {
        if unsafe_here(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The data (message) of a GitHub workflow command, escaped per GitHub's rules (`%` → `%25`,
/// CR → `%0D`, LF → `%0A`, which the runner turns back into a line break inside the
/// annotation), and every other unsafe character as in [`text`], so nothing in it can end the
/// command's line.
pub fn github_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => push_escaped(&mut out, c),
        }
    }
    out
}

/// A property value of a GitHub workflow command (`file=...`, `title=...`): [`github_data`],
/// and also `:` → `%3A` and `,` → `%2C`, which would end the property.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged_and_borrowed() {
        let s = "campaigns/q4.yaml: name \"Q4 Outreach\" — café, 100%";
        assert!(
            matches!(text(s), Cow::Borrowed(t) if t == s),
            "text without control characters must pass through untouched"
        );
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(
            text("a\nb\r\tc\u{1b}[31md\u{7}\u{0}e\u{7f}\u{85}"),
            "a\\nb\\r\\tc\\u{1b}[31md\\u{7}\\u{0}e\\u{7f}\\u{85}",
            "C0, DEL and C1 controls must all be escaped"
        );
        assert_eq!(
            text("x\u{202e}y\u{2066}z\u{2028}"),
            "x\\u{202e}y\\u{2066}z\\u{2028}",
            "bidi overrides and line separators must be escaped"
        );
        let escaped = text("key\n::error::pwned");
        assert!(
            !escaped.contains('\n'),
            "no line break may survive: {escaped}"
        );
    }

    #[test]
    fn bounded_cuts_long_text_and_says_how_long_it_was() {
        let long = "é".repeat(30_000);
        let shown = bounded(&long, 100);
        assert_eq!(
            shown,
            format!("{}… (30000 characters)", "é".repeat(100)),
            "cut at 100 characters, not bytes, with the full length"
        );
        assert_eq!(
            bounded("short\n", 100),
            "short\\n",
            "short text is only escaped"
        );
        assert_eq!(
            bounded("\u{1b}\u{1b}\u{1b}", 2),
            "\\u{1b}\\u{1b}… (3 characters)",
            "the cut part is escaped too"
        );
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw_and_stays_the_same_document() {
        let value = serde_json::json!({"name": "a\u{202e}b\u{7f}c\u{85}d\u{2028}e\n\u{1b}"});
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        let escaped = json(&pretty);
        assert!(
            !escaped.chars().any(|c| c != '\n' && is_unsafe(c)),
            "{escaped:?}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&escaped).ok(),
            Some(value),
            "the same document"
        );
    }

    #[test]
    fn github_data_follows_githubs_rules_and_escapes_other_controls() {
        assert_eq!(
            github_data("100%\r\nnext\u{1b}[2J"),
            "100%25%0D%0Anext\\u{1b}[2J",
            "% CR LF are percent-encoded, ESC is escaped"
        );
        assert_eq!(
            github_property("a:b,c\n::error::x"),
            "a%3Ab%2Cc%0A%3A%3Aerror%3A%3Ax",
            "properties also encode : and ,"
        );
        for s in ["x\n::error::y", "x\r::warning::y", "x\u{2028}::error::y"] {
            let out = github_data(s);
            assert!(
                !out.contains(['\n', '\r', '\u{2028}']),
                "{s:?} must stay on one line: {out:?}"
            );
        }
    }
}
