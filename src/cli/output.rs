//! Large text (a plan, a Markdown comment) written to stdout or stderr through one buffered
//! writer: the stream locked once, the text passed whole to anstream (which strips the colours
//! unless the stream is a terminal and neither `--color never` nor `NO_COLOR` says otherwise),
//! and flushed before returning, so whatever comes next (a question on the terminal, progress
//! bars) follows it. Through `anstream::print!` the stream's line buffering wrote each line
//! on its own: 120,011 `write` calls for the 140,000 lines of a plan of 10,000 campaigns.
//! A plan is rendered straight into the writer (`print_with`), never built whole first: its
//! text is megabytes at 10,000 campaigns.

use std::fmt;
use std::io::{self, BufWriter, Write};

use anstream::AutoStream;

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
/// stream: a buffer is never a terminal) into `raw`, then flushed.
fn write_through(
    raw: impl Write + 'static,
    choice: anstream::ColorChoice,
    render: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result,
) -> io::Result<()> {
    let raw: Box<dyn Write> = Box::new(raw);
    let mut out = Text {
        stream: AutoStream::new(raw, choice),
        error: None,
    };
    if render(&mut out).is_err() {
        // The renderer only fails when the stream did; a renderer's own `fmt::Error` (none
        // today) would still be reported, not lost.
        return Err(out
            .error
            .unwrap_or_else(|| io::Error::other("the text could not be rendered")));
    }
    out.stream.flush()
}

/// The stream as a `fmt::Write`, keeping the first I/O error (a closed pipe) for the caller.
struct Text {
    stream: AutoStream<Box<dyn Write>>,
    error: Option<io::Error>,
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.stream.write_all(s.as_bytes()).map_err(|e| {
            self.error.get_or_insert(e);
            fmt::Error
        })
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
        let written = Written::default();
        write_through(BufWriter::new(written.clone()), choice, |out| {
            out.write_str(text)
        })
        .expect("written");
        let bytes = written.0.borrow();
        String::from_utf8_lossy(&bytes).into_owned()
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
