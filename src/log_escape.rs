//! The log's writer: every event the logger writes to stderr passes through here, and any
//! control character inside it is escaped (`escape::text`), so a field that carries the
//! platform's words (an error message, a status) or a file name cannot start a new line that a
//! CI runner would read as `::error::`, nor drive the terminal. The one line break that ends an
//! event stays, and so do the logger's own colour codes when colour is on.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

use crate::escape;

/// Makes an escaping writer over stderr; `colour` keeps the logger's SGR codes (`ESC[...m`);
/// `json` escapes the JSON way (`escape::json`), so each line stays a valid document.
#[derive(Debug, Clone, Copy)]
pub struct EscapingStderr {
    pub colour: bool,
    pub json: bool,
}

impl<'a> MakeWriter<'a> for EscapingStderr {
    type Writer = Escaping<io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        Escaping {
            inner: io::stderr(),
            colour: self.colour,
            json: self.json,
        }
    }
}

/// Escapes each write (the logger writes one whole event at a time) before passing it on.
pub struct Escaping<W> {
    inner: W,
    colour: bool,
    json: bool,
}

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = if self.json {
            escape::json(&String::from_utf8_lossy(buf)).into_owned()
        } else {
            escaped(buf, self.colour)
        };
        self.inner.write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `event` with every unsafe character escaped but its final line break and, with `colour`,
/// the SGR sequences the logger writes.
pub fn escaped(event: &[u8], colour: bool) -> String {
    let text = String::from_utf8_lossy(event);
    let (body, end) = match text.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (&*text, ""),
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' && colour {
            if let Some(len) = sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        let mut one = [0u8; 4];
        out.push_str(&escape::text(c.encode_utf8(&mut one)));
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(end);
    out
}

/// The length of the `ESC [ digits and ; m` sequence at the start of `s`, if it is one.
fn sgr_len(s: &str) -> Option<usize> {
    let params = s.strip_prefix("\u{1b}[")?;
    let n = params
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (params.as_bytes().get(n) == Some(&b'm')).then_some(2 + n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stays_one_line_and_drives_no_terminal() {
        let line = "WARN create failed error=limit\n::error::pwned\u{1b}]0;pwned\u{7}\n";
        assert_eq!(
            escaped(line.as_bytes(), false),
            "WARN create failed error=limit\\n::error::pwned\\u{1b}]0;pwned\\u{7}\n"
        );
    }

    #[test]
    fn the_loggers_own_colours_are_kept_only_when_colour_is_on() {
        let line = "\u{1b}[33mWARN\u{1b}[0m x\u{1b}[2J\n";
        assert_eq!(
            escaped(line.as_bytes(), true),
            "\u{1b}[33mWARN\u{1b}[0m x\\u{1b}[2J\n",
            "SGR kept, a screen clear (not SGR) escaped"
        );
        assert_eq!(
            escaped(line.as_bytes(), false),
            "\\u{1b}[33mWARN\\u{1b}[0m x\\u{1b}[2J\n"
        );
    }
}
