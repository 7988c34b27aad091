//! The API token, wrapped so it cannot be printed by accident: `Debug` and `Display` redact it.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Trims surrounding whitespace (token files usually end in a newline). `None` when empty.
    pub fn new(raw: &str) -> Option<ApiToken> {
        let t = raw.trim();
        (!t.is_empty()).then(|| ApiToken(t.to_owned()))
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
}
