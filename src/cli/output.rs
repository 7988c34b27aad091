//! Large text (a plan, a Markdown comment) written to stdout or stderr through one buffered
//! writer: the stream locked once, the text passed whole to anstream (which strips the colours
//! unless the stream is a terminal and neither `--color never` nor `NO_COLOR` says otherwise),
//! and flushed before returning, so whatever comes next (a question on the terminal, progress
//! bars) follows it. Through `anstream::print!` the stream's line buffering wrote each line
//! on its own: 120,011 `write` calls for the 140,000 lines of a plan of 10,000 campaigns.

use std::io::{self, BufWriter, Write};

use anstream::AutoStream;

/// Bytes handed to the operating system at once.
const CHUNK: usize = 64 * 1024;

/// Writes `text` to stdout, colours as `choice` says (the `Printer` decides), and flushes it.
pub fn print(text: &str, choice: anstream::ColorChoice) -> io::Result<()> {
    write_through(
        BufWriter::with_capacity(CHUNK, io::stdout().lock()),
        choice,
        text,
    )
}

/// Writes `text` to stderr, colours as `choice` says (the `Printer` decides), and flushes it.
pub fn eprint(text: &str, choice: anstream::ColorChoice) -> io::Result<()> {
    write_through(
        BufWriter::with_capacity(CHUNK, io::stderr().lock()),
        choice,
        text,
    )
}

/// `text` through anstream's colour handling for `choice` (decided on the real stream: a
/// buffer is never a terminal) into `raw`, then flushed.
fn write_through(
    raw: impl Write + 'static,
    choice: anstream::ColorChoice,
    text: &str,
) -> io::Result<()> {
    let raw: Box<dyn Write> = Box::new(raw);
    let mut out = AutoStream::new(raw, choice);
    out.write_all(text.as_bytes())?;
    out.flush()
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
        write_through(BufWriter::new(written.clone()), choice, text).expect("written");
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
