//! An error the user can fix, with the `hint:` line that says how.

use std::fmt;

#[derive(Debug)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> UserError {
        UserError {
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> UserError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

impl From<crate::api::ApiError> for UserError {
    fn from(e: crate::api::ApiError) -> UserError {
        let hint = e.hint().map(str::to_owned);
        UserError {
            message: e.to_string(),
            hint,
        }
    }
}
