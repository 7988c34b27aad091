//! The leads a manifest declares, once read: each lead's normalised phone number, its variables
//! and where it was written. Reading leads files is the loader's; this is the data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Location;

/// The leads of one campaign, as the manifest declares them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LeadsSpec {
    /// Every lead, CSV rows first, then inline items; each phone number appears once.
    pub items: Vec<DesiredLead>,
}

/// One lead a campaign must have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredLead {
    /// Normalised E.164 (see [`normalize_phone`]).
    pub phone_number: String,
    pub variables: BTreeMap<String, serde_json::Value>,
    /// Where the lead is written: its CSV row or its inline item.
    pub source: Location,
}

/// A lead variable's value as the platform will store it, or `None` when it sets nothing. The
/// platform (a Laravel app) trims every string and turns a blank one into null; a manifest
/// that kept ` Bob ` would differ from the stored `Bob` on every plan (an update on every
/// apply), and a blank CSV cell would set the variable to null. So a string is trimmed, and a
/// blank one means "not set", never "set to null". Other values are kept as written.
pub fn as_platform_stores(value: serde_json::Value) -> Option<serde_json::Value> {
    match value {
        serde_json::Value::String(s) => {
            let trimmed = s.trim();
            if trimmed.is_empty() {
                None
            } else if trimmed.len() == s.len() {
                Some(serde_json::Value::String(s))
            } else {
                Some(serde_json::Value::String(trimmed.to_owned()))
            }
        }
        other => Some(other),
    }
}

/// A phone number in the one form used for every comparison: E.164 with the readability
/// characters people paste (spaces, dashes, dots, parentheses) removed. `None` when the result is
/// not E.164 (`+`, a non-zero digit, 7 to 15 digits in all).
pub fn normalize_phone(raw: &str) -> Option<String> {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+')?;
    let valid = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    valid.then_some(compact)
}

/// The `hint:` for a phone number that is not E.164.
pub const E164_HINT: &str =
    "write it in E.164: a plus sign, the country code and the number, e.g. +14155550101";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_trimmed_as_the_platform_trims_them_and_blank_is_not_set() {
        assert_eq!(as_platform_stores(json!(" Bob ")), Some(json!("Bob")));
        assert_eq!(as_platform_stores(json!("Ada")), Some(json!("Ada")));
        assert_eq!(as_platform_stores(json!(" ")), None, "blank: not set");
        assert_eq!(as_platform_stores(json!("")), None);
        assert_eq!(as_platform_stores(json!(3)), Some(json!(3)));
        assert_eq!(as_platform_stores(json!(true)), Some(json!(true)));
    }
}
