//! Turning a file's bytes into text the YAML reader may see: the size limit, UTF-8, the byte-order
//! mark, and control characters (yaml-rust2 takes a NUL for the end of the input and would
//! silently ignore the rest of the file).

use super::yaml::{Mark, Problem};

/// Manifests are small; anything bigger is a mistake or an attack, refused before parsing.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

const BYTE_ORDER_MARK: char = '\u{feff}';

/// The problem for a file over the limit; `size` is the real size when it is known.
pub fn too_large(size: Option<u64>) -> Problem {
    let found = match size {
        Some(size) => format!("{size} bytes"),
        None => format!("more than {MAX_FILE_BYTES} bytes"),
    };
    Problem {
        mark: Mark::new(1, 1),
        message: format!("file is too large: {found}; the limit is {MAX_FILE_BYTES} bytes (8 MiB)"),
        hint: Some("split the campaigns over several files".to_owned()),
    }
}

/// The text of a manifest file, without a leading byte-order mark.
pub fn decode(bytes: &[u8]) -> Result<&str, Problem> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(Some(bytes.len() as u64)));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(bytes, e.valid_up_to()))?;
    if let Some(at) = text.bytes().position(is_forbidden_control) {
        let character = u32::from(text.as_bytes()[at]);
        return Err(Problem {
            mark: mark_at(text, at),
            message: format!("control character U+{character:04X} is not allowed in YAML"),
            hint: Some(
                "remove it; a manifest is plain text, and this file may be binary or corrupt"
                    .to_owned(),
            ),
        });
    }
    Ok(text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text))
}

/// YAML allows tab, line feed and carriage return among the C0 controls; DEL is not printable.
fn is_forbidden_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f
}

fn not_utf8(bytes: &[u8], valid_up_to: usize) -> Problem {
    // `valid_up_to` is the length of the longest valid prefix, so the slice is valid UTF-8.
    let prefix = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
    let hint = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        "the file looks like UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"
    } else {
        "save the file as UTF-8"
    };
    Problem {
        mark: mark_at(prefix, prefix.len()),
        message: format!(
            "file is not valid UTF-8: invalid byte 0x{:02X}",
            bytes[valid_up_to]
        ),
        hint: Some(hint.to_owned()),
    }
}

/// The line and column (in characters, both from 1) of byte offset `at` in `text`.
fn mark_at(text: &str, at: usize) -> Mark {
    let before = &text.as_bytes()[..at];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    // Count characters, not bytes: continuation bytes (0b10xx_xxxx) do not start one.
    let column = before[line_start..]
        .iter()
        .filter(|&&b| (b & 0xc0) != 0x80)
        .count()
        + 1;
    Mark::new(line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(bytes: &[u8]) -> Problem {
        match decode(bytes) {
            Ok(text) => panic!("{bytes:?} must be refused, got text {text:?}"),
            Err(p) => p,
        }
    }

    #[test]
    fn non_utf8_is_reported_at_the_first_invalid_byte() {
        let p = problem(b"name: ok\nkind: \xc3\xa9t\xff\n");
        assert_eq!(p.mark, Mark::new(2, 9), "é counts as one column");
        assert_eq!(
            p.message, "file is not valid UTF-8: invalid byte 0xFF",
            "the message names the invalid byte"
        );
    }

    #[test]
    fn utf16_gets_its_own_hint() {
        let p = problem(b"\xff\xfek\x00i\x00");
        assert!(
            p.hint.as_deref().is_some_and(|h| h.contains("UTF-16")),
            "hint must name UTF-16: {:?}",
            p.hint
        );
    }

    #[test]
    fn nul_and_other_controls_are_refused_with_position() {
        let p = problem(b"name: a\n\x00kind: x\n");
        assert_eq!(
            p.mark,
            Mark::new(2, 1),
            "the NUL is the first character of line 2"
        );
        assert_eq!(
            p.message, "control character U+0000 is not allowed in YAML",
            "the message names the NUL"
        );
        assert_eq!(
            problem(b"a: \x1b[31m").message,
            "control character U+001B is not allowed in YAML",
            "ESC is refused too"
        );
        assert!(decode(b"a:\tb\r\n").is_ok(), "tab, CR and LF are allowed");
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(
            decode("\u{feff}a: 1".as_bytes()).ok(),
            Some("a: 1"),
            "the BOM is stripped"
        );
    }

    #[test]
    fn oversized_input_is_refused_before_decoding() {
        let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        let p = problem(&big);
        assert_eq!(
            p.message, "file is too large: 8388609 bytes; the limit is 8388608 bytes (8 MiB)",
            "the message gives the size and the limit"
        );
        assert!(decode(&big[1..]).is_ok(), "exactly the limit is allowed");
    }
}
