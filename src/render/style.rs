//! The palette every text rendering uses, and `paint`. Styles are ANSI escapes; the caller
//! writes through `anstream`, which strips them off a terminal or under `NO_COLOR`.

use anstyle::{AnsiColor, Style};

pub(crate) const GREEN: Style = AnsiColor::Green.on_default();
pub(crate) const YELLOW: Style = AnsiColor::Yellow.on_default();
pub(crate) const RED: Style = AnsiColor::Red.on_default().bold();
pub(crate) const CYAN: Style = AnsiColor::Cyan.on_default();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const BOLD: Style = Style::new().bold();

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
        let style = self.style;
        write!(f, "{style}{}{style:#}", self.text)
    }
}
