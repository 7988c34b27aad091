//! Large text (a plan, a Markdown comment) written to stdout or stderr through one buffered
//! writer: the stream locked once, the text passed whole to anstream when the stream shows
//! colour (a terminal, and neither `--color never` nor `NO_COLOR`), rendered without styles
//! otherwise (`write_through`), and flushed before returning, so whatever comes next (a
//! question on the terminal, progress bars) follows it. Through `anstream::print!` the stream's line buffering wrote each line
//! on its own: 120,011 `write` calls for the 140,000 lines of a plan of 10,000 campaigns.
//! A plan is rendered straight into the writer (`print_with`), never built whole first: its
//! text is megabytes at 10,000 campaigns.

use std::fmt;
use std::io::{self, BufWriter, Write};

use anstream::AutoStream;

use crate::render::without_styles;

/// Bytes handed to the operating system at once.
const CHUNK: usize = 64 * 1024;

/// Writes `text` to stdout, colours as `choice` says (the `Printer` decides), and flushes it.
pub fn print(text: &str, choice: anstream::ColorChoice) -> io::Result<()> {
    print_with(choice, |out| out.write_str(text))
}

/// Writes to stdout what `render` writes, as it writes it, colours as `choice` says, and
/// flushes it.
pub fn print_with(
    choice: anstream::ColorChoice,
    render: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result,
) -> io::Result<()> {
    write_through(
        BufWriter::with_capacity(CHUNK, io::stdout().lock()),
        choice,
        render,
    )
}

/// Writes to stderr what `render` writes, as it writes it, colours as `choice` says, and
/// flushes it.
pub fn eprint_with(
    choice: anstream::ColorChoice,
    render: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result,
) -> io::Result<()> {
    write_through(
        BufWriter::with_capacity(CHUNK, io::stderr().lock()),
        choice,
        render,
    )
}

/// What `render` writes, through anstream's colour handling for `choice` (decided on the real
/// stream: a buffer is never a terminal) into `raw`, then flushed. Without colour, `render`
/// runs [`without_styles`] and writes through [`Plain`]: a stray escape in a value is still
/// never written, and the common case skips a byte-by-byte pass over megabytes of plan.
fn write_through(
    raw: impl Write + 'static,
    choice: anstream::ColorChoice,
    render: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result,
) -> io::Result<()> {
    let raw: Box<dyn Write> = Box::new(raw);
    if choice == anstream::ColorChoice::Never {
        let mut out = Text {
            stream: Plain { raw, strip: None },
            error: None,
        };
        let rendered = without_styles(|| render(&mut out));
        return finish(rendered, out);
    }
    let mut out = Text {
        stream: AutoStream::new(raw, choice),
        error: None,
    };
    let rendered = render(&mut out);
    finish(rendered, out)
}

fn finish<W: Write>(rendered: fmt::Result, mut out: Text<W>) -> io::Result<()> {
    if rendered.is_err() {
        // The renderer only fails when the stream did; a renderer's own `fmt::Error` (none
        // today) would still be reported, not lost.
        return Err(out
            .error
            .unwrap_or_else(|| io::Error::other("the text could not be rendered")));
    }
    out.stream.flush()
}

/// The stream as a `fmt::Write`, keeping the first I/O error (a closed pipe) for the caller.
struct Text<W> {
    stream: W,
    error: Option<io::Error>,
}

impl<W: Write> fmt::Write for Text<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.stream.write_all(s.as_bytes()).map_err(|e| {
            self.error.get_or_insert(e);
            fmt::Error
        })
    }
}

/// A stream without colour: text passes as it is until a piece holds something anstream would
/// change (an escape, another control character); from there on every piece goes through one
/// anstream stripper, whose state carries across pieces as it did when every piece went
/// through it (an escape cut between two pieces is still stripped whole).
struct Plain {
    raw: Box<dyn Write>,
    strip: Option<anstream::adapter::StripBytes>,
}

impl Write for Plain {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        // What anstream keeps as it is from its first state: printable ASCII and UTF-8, tabs
        // and line ends.
        let as_is = |b: &u8| (*b >= 0x20 && *b != 0x7f) || *b == b'\n' || *b == b'\t';
        if self.strip.is_none() && buf.iter().all(as_is) {
            return self.raw.write_all(buf);
        }
        let strip = self.strip.get_or_insert_with(Default::default);
        for piece in strip.strip_next(buf) {
            self.raw.write_all(piece)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.raw.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// A writer whose bytes the test reads afterwards, behind a buffer like stdout's.
    #[derive(Clone, Default)]
    struct Written(Rc<RefCell<Vec<u8>>>);

    impl Write for Written {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn through(choice: anstream::ColorChoice, text: &str) -> String {
        rendered(choice, |out| out.write_str(text))
    }

    fn rendered(
        choice: anstream::ColorChoice,
        render: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result,
    ) -> String {
        let written = Written::default();
        write_through(BufWriter::new(written.clone()), choice, render).expect("written");
        let bytes = written.0.borrow();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn without_colour_styles_are_not_written_and_stray_escapes_are_still_stripped() {
        use crate::render::style::{styled, GREEN};
        let render = |out: &mut dyn fmt::Write| {
            write!(out, "{} campaign ", styled(GREEN, "+"))?;
            // A value that slipped an escape and a bell past its renderer.
            out.write_str("\"Q4\x1b]0;owned\x07\x1b[31m\" \u{e9}\t\n")
        };
        assert_eq!(
            rendered(anstream::ColorChoice::Never, render),
            "+ campaign \"Q4\" \u{e9}\t\n",
            "anstream strips what a piece holds; the styles were never written"
        );
        // An unterminated escape, and escapes cut between two pieces.
        let pieces = [
            "+ a \"x\x1b]0;t\"\n",
            "+ b x\x1b",
            "[2J visible\n",
            "v\x1b[3",
            "1mred\n",
        ];
        let cut = |out: &mut dyn fmt::Write| pieces.iter().try_for_each(|p| out.write_str(p));
        let mut before = Vec::new();
        let mut old = AutoStream::new(&mut before, anstream::ColorChoice::Never);
        for piece in pieces {
            old.write_all(piece.as_bytes()).expect("written");
        }
        assert_eq!(
            rendered(anstream::ColorChoice::Never, cut),
            String::from_utf8_lossy(&before),
            "escapes cut between pieces are stripped as anstream strips them in one stream"
        );
        let coloured = rendered(anstream::ColorChoice::AlwaysAnsi, render);
        assert!(
            coloured.starts_with("\x1b[32m+\x1b[0m campaign "),
            "with colour the style is written: {coloured:?}"
        );
        assert_eq!(
            rendered(anstream::ColorChoice::AlwaysAnsi, |out| write!(
                out,
                "{}",
                styled(GREEN, "+")
            )),
            "\x1b[32m+\x1b[0m",
            "a plain rendering earlier on this thread leaves no trace"
        );
    }

    #[test]
    fn colours_are_stripped_unless_asked_for_and_everything_is_flushed() {
        let text = "\x1b[32m+ create\x1b[0m Q4\n  name: \"Q4\"\n";
        assert_eq!(
            through(anstream::ColorChoice::Never, text),
            "+ create Q4\n  name: \"Q4\"\n",
            "without colour the escapes go and the whole text arrives"
        );
        assert_eq!(
            through(anstream::ColorChoice::AlwaysAnsi, text),
            text,
            "with colour the text passes unchanged"
        );
    }
}
