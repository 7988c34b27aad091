//! The palette every text rendering uses, and `paint`. Styles are ANSI escapes; the caller
//! writes through `anstream`, which strips them off a terminal or under `NO_COLOR`. A text
//! rendered for a stream that takes no colour is rendered [`without_styles`], so there is
//! nothing to strip (stripping its own escapes was 6 % of the CPU of a plan of 10,000 creates,
//! perf).

use std::cell::Cell;

use anstyle::{AnsiColor, Style};

pub(crate) const GREEN: Style = AnsiColor::Green.on_default();
pub(crate) const YELLOW: Style = AnsiColor::Yellow.on_default();
pub(crate) const RED: Style = AnsiColor::Red.on_default().bold();
pub(crate) const CYAN: Style = AnsiColor::Cyan.on_default();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const BOLD: Style = Style::new().bold();

thread_local! {
    /// Set while this thread renders for a stream that shows no colour.
    static PLAIN: Cell<bool> = const { Cell::new(false) };
}

/// `render`, on this thread, with every [`styled`] and [`paint`] written as its bare text: for
/// a stream that takes no colour (`cli::output` decides, from the stream and the run's colour
/// choice). Whatever else `render` writes is unchanged.
pub(crate) fn without_styles<R>(render: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            PLAIN.set(self.0);
        }
    }
    let _restore = Restore(PLAIN.replace(true));
    render()
}

/// `text` in `style`, reset after it.
pub(crate) fn paint(style: Style, text: impl std::fmt::Display) -> String {
    styled(style, text).to_string()
}

/// [`paint`] written where it is formatted, without a string of its own: for the lines a plan
/// writes once per campaign field (a plan of 10,000 creates paints 100,000 of them).
pub(crate) fn styled<T: std::fmt::Display>(style: Style, text: T) -> Styled<T> {
    Styled { style, text }
}

/// What [`styled`] gives: displays as the styled text.
pub(crate) struct Styled<T> {
    style: Style,
    text: T,
}

impl<T: std::fmt::Display> std::fmt::Display for Styled<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if PLAIN.get() {
            return write!(f, "{}", self.text);
        }
        let style = self.style;
        write!(f, "{style}{}{style:#}", self.text)
    }
}
