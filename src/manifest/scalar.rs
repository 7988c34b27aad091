//! What an unquoted YAML scalar means, by the YAML 1.2 core schema (not YAML 1.1): `09:00` is a
//! string, `yes` is a string, `010` is refused rather than guessed at. Quoted scalars are always
//! strings, so `"3"` stays text and a field that wants a number can say so.

/// The type a scalar resolves to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarKind {
    /// `~`, `null`, `Null`, `NULL`, or nothing at all.
    Null,
    /// `true`/`True`/`TRUE`, `false`/`False`/`FALSE`.
    Bool(bool),
    /// A canonical decimal integer, `-?(0|[1-9][0-9]*)`, that fits in 64 bits.
    Int(i64),
    /// A canonical decimal integer too large for 64 bits.
    BigInt,
    /// An integer the core schema accepts but we refuse to interpret: `+5`, `007`, `0x1F`,
    /// `0o17`. YAML 1.1 readers (PyYAML, older tools in the same repository) read `010` as 8 and
    /// 1.2 readers as 10; refusing keeps the manifest meaning one thing everywhere.
    OtherInt,
    /// A core-schema float: `1.5`, `1e3`, `.inf`, `.nan`.
    Float,
    /// Everything else, and every quoted or block scalar.
    Str,
}

impl ScalarKind {
    /// Resolves the text of a plain (unquoted) scalar.
    pub fn of_plain(text: &str) -> ScalarKind {
        match text {
            "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
            "true" | "True" | "TRUE" => return ScalarKind::Bool(true),
            "false" | "False" | "FALSE" => return ScalarKind::Bool(false),
            _ => {}
        }
        let b = text.as_bytes();
        // Cheap reject: every number starts with a digit, a sign or a dot. Most plain scalars in a
        // manifest are words, so this keeps resolution off the profile.
        if !matches!(b.first(), Some(b'0'..=b'9' | b'-' | b'+' | b'.')) {
            return ScalarKind::Str;
        }
        if let Some(kind) = integer(b) {
            return kind;
        }
        if is_float(b) {
            return ScalarKind::Float;
        }
        ScalarKind::Str
    }

    pub fn is_number(self) -> bool {
        matches!(
            self,
            ScalarKind::Int(_) | ScalarKind::BigInt | ScalarKind::OtherInt | ScalarKind::Float
        )
    }
}

fn all_digits(b: &[u8], radix: u32) -> bool {
    !b.is_empty() && b.iter().all(|&c| char::from(c).is_digit(radix))
}

/// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+` (the core schema's integers), classified.
fn integer(b: &[u8]) -> Option<ScalarKind> {
    if let Some(rest) = b.strip_prefix(b"0x") {
        return all_digits(rest, 16).then_some(ScalarKind::OtherInt);
    }
    if let Some(rest) = b.strip_prefix(b"0o") {
        return all_digits(rest, 8).then_some(ScalarKind::OtherInt);
    }
    let (plus, digits) = match b[0] {
        b'+' => (true, &b[1..]),
        b'-' => (false, &b[1..]),
        _ => (false, b),
    };
    if !all_digits(digits, 10) {
        return None;
    }
    if plus || (digits.len() > 1 && digits[0] == b'0') {
        return Some(ScalarKind::OtherInt);
    }
    // The text is ASCII digits with an optional '-', so parsing can only fail on overflow.
    let text = std::str::from_utf8(b).ok()?;
    Some(
        text.parse::<i64>()
            .map_or(ScalarKind::BigInt, ScalarKind::Int),
    )
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.inf` or `\.nan` (any case form
/// the core schema lists).
fn is_float(b: &[u8]) -> bool {
    let unsigned = match b[0] {
        b'-' | b'+' => &b[1..],
        _ => b,
    };
    if matches!(unsigned, b".inf" | b".Inf" | b".INF") || matches!(b, b".nan" | b".NaN" | b".NAN") {
        return true;
    }
    let mantissa_end = unsigned
        .iter()
        .position(|&c| c == b'e' || c == b'E')
        .unwrap_or(unsigned.len());
    let (mantissa, exponent) = unsigned.split_at(mantissa_end);
    let mantissa_ok = match mantissa.iter().position(|&c| c == b'.') {
        None => all_digits(mantissa, 10),
        Some(0) => all_digits(&mantissa[1..], 10),
        Some(dot) => {
            all_digits(&mantissa[..dot], 10) && mantissa[dot + 1..].iter().all(u8::is_ascii_digit)
        }
    };
    let exponent_ok = match exponent {
        [] => true,
        [_, b'-' | b'+', digits @ ..] => all_digits(digits, 10),
        [_, digits @ ..] => all_digits(digits, 10),
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::ScalarKind::{self, *};

    fn kind(text: &str) -> ScalarKind {
        ScalarKind::of_plain(text)
    }

    #[test]
    fn clock_times_are_strings_not_sexagesimal_numbers() {
        for text in ["09:00", "9:00", "1:30", "23:59:00"] {
            assert_eq!(
                kind(text),
                Str,
                "{text} must stay a string (YAML 1.1 would read base-60 numbers)"
            );
        }
    }

    #[test]
    fn yaml_1_1_booleans_are_strings() {
        for text in ["yes", "no", "on", "off", "y", "n", "Yes", "ON"] {
            assert_eq!(kind(text), Str, "{text} is a string in YAML 1.2");
        }
        for (text, value) in [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("false", false),
            ("FALSE", false),
        ] {
            assert_eq!(kind(text), Bool(value), "{text} is a core-schema boolean");
        }
    }

    #[test]
    fn nulls() {
        for text in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(kind(text), Null, "{text:?} is null");
        }
        assert_eq!(kind("nil"), Str, "nil is not a YAML null");
    }

    #[test]
    fn canonical_decimal_integers_only() {
        assert_eq!(kind("0"), Int(0), "0 is an integer");
        assert_eq!(kind("42"), Int(42), "42 is an integer");
        assert_eq!(
            kind("-7"),
            Int(-7),
            "-7 is an integer (rejected later by range checks)"
        );
        assert_eq!(
            kind("9223372036854775807"),
            Int(i64::MAX),
            "i64::MAX is still an integer"
        );
        assert_eq!(
            kind("9223372036854775808"),
            BigInt,
            "one past i64::MAX must not wrap"
        );
        for text in ["+5", "010", "007", "0x1F", "0o17"] {
            assert_eq!(
                kind(text),
                OtherInt,
                "{text} is an integer form we refuse to interpret"
            );
        }
        for text in ["0x", "0xZZ", "0o8", "1_000", "0b101", "12abc", "-", "+"] {
            assert_eq!(kind(text), Str, "{text} is not a core-schema number");
        }
    }

    #[test]
    fn floats() {
        for text in [
            "1.5", "-1.5", "+.5", "1.", "1e3", "1E-3", "2.5e+10", ".inf", "-.Inf", ".nan", ".NaN",
        ] {
            assert_eq!(kind(text), Float, "{text} is a core-schema float");
        }
        for text in ["1.2.3", "e3", "1e", ".", "-.nan", "1.5x"] {
            assert_eq!(kind(text), Str, "{text} is not a float");
        }
    }
}
