//! The API token, wrapped so it cannot be printed by accident: `Debug` and `Display` redact it.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

/// What is wrong with a token, said without showing any of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenProblem {
    #[error("is empty")]
    Empty,
    #[error("has {lines} lines; a token is one line")]
    SeveralLines { lines: usize },
    #[error(
        "contains a control character (such as a tab or a carriage return); a token is plain text"
    )]
    ControlCharacter,
    #[error("contains a space inside it; a token has none")]
    Space,
    #[error("contains a non-ASCII character; platform tokens are ASCII")]
    NonAscii,
}

impl ApiToken {
    /// Trims surrounding whitespace (token files usually end in a newline). `None` when the
    /// token is empty or unusable (see [`ApiToken::parse`]).
    pub fn new(raw: &str) -> Option<ApiToken> {
        ApiToken::parse(raw).ok()
    }

    /// Trims surrounding whitespace, then refuses what cannot be a token: the HTTP header that
    /// carries it cannot hold a line break or a control character, so such a token would fail
    /// every request with a misleading transport error (a two-line token file, for example).
    pub fn parse(raw: &str) -> Result<ApiToken, TokenProblem> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(TokenProblem::Empty);
        }
        if t.contains('\n') {
            return Err(TokenProblem::SeveralLines {
                lines: t.lines().count(),
            });
        }
        if t.chars().any(char::is_control) {
            return Err(TokenProblem::ControlCharacter);
        }
        if t.contains(' ') {
            return Err(TokenProblem::Space);
        }
        if !t.is_ascii() {
            return Err(TokenProblem::NonAscii);
        }
        Ok(ApiToken(t.to_owned()))
    }

    /// The only way to read the token: for the `Authorization` header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken([redacted])")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_redacted_in_debug_and_display() {
        let t = ApiToken::new(" s3cr3t-token\n").expect("non-empty token");
        assert_eq!(
            t.expose(),
            "s3cr3t-token",
            "surrounding whitespace is trimmed"
        );
        assert!(
            !format!("{t:?} {t}").contains("s3cr3t"),
            "token leaked through Debug/Display"
        );
        assert!(ApiToken::new("  \n").is_none(), "a blank token is no token");
    }

    #[test]
    fn unusable_tokens_are_refused_without_showing_them() {
        assert!(
            ApiToken::parse("s3cr3t\r\n").is_ok(),
            "one trailing line break (CRLF too) is how files end"
        );
        let cases = [
            ("s3cr3t\nsecond\n", TokenProblem::SeveralLines { lines: 2 }),
            ("s3cr3t\r\nsecond", TokenProblem::SeveralLines { lines: 2 }),
            ("s3c\tr3t", TokenProblem::ControlCharacter),
            ("s3c\u{7}r3t", TokenProblem::ControlCharacter),
            ("s3c r3t", TokenProblem::Space),
            ("s3cr\u{e9}t", TokenProblem::NonAscii),
            (" \n ", TokenProblem::Empty),
        ];
        for (raw, problem) in cases {
            assert_eq!(ApiToken::parse(raw), Err(problem), "{raw:?}");
            let said = problem.to_string();
            assert!(
                !said.contains("s3c") && !said.contains("second"),
                "the problem must not show the token: {said}"
            );
        }
    }
}
