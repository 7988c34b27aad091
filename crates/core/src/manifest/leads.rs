//! The leads a manifest declares, once read: each lead's normalised phone number, its variables
//! and where it was written. Reading leads files is the loader's; this is the data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Location;

/// The leads of one campaign, as the manifest declares them.
#[derive(Debug, Clone, Default, PartialEq)]
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
