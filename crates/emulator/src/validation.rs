//! Laravel-style validation: per-field rules with Laravel's wording, collected in rule order,
//! summarised as "<first message> (and N more errors)". Wildcard keys (`allowed_days.1`) are
//! shown raw, other keys with spaces for underscores, as Laravel's `getDisplayableAttribute`.
//!
//! Simplification: once a field fails its type rule, its size rules are not checked (Laravel
//! would sometimes add a second, confusing message; no client should depend on that).

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use super::schedule::{is_iana_timezone, TimeOfDay};
use super::wire::ErrorJson;

use super::error_response::ErrorResponse;
use super::input::Input;

/// Failed rules, per field, in the order they failed.
#[derive(Debug, Default)]
pub(crate) struct FieldErrors {
    fields: Vec<(String, Vec<String>)>,
}

impl FieldErrors {
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.fields.iter_mut().find(|(f, _)| f == field) {
            Some((_, messages)) => messages.push(message),
            None => self.fields.push((field.to_string(), vec![message])),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// `Ok` when nothing failed, else the 422.
    pub(crate) fn into_result(self) -> Result<(), ErrorResponse> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ErrorResponse::Validation(self))
        }
    }

    /// Laravel's `ValidationException::summarize`: the first message, plus how many others.
    fn summary(&self) -> String {
        let mut all = self.fields.iter().flat_map(|(_, messages)| messages);
        let first = all
            .next()
            .cloned()
            .unwrap_or_else(|| "The given data was invalid.".to_string());
        match all.count() {
            0 => first,
            1 => format!("{first} (and 1 more error)"),
            n => format!("{first} (and {n} more errors)"),
        }
    }

    pub(crate) fn into_body(self) -> ErrorJson {
        let message = self.summary();
        let errors: BTreeMap<String, Vec<String>> = self.fields.into_iter().collect();
        ErrorJson { message, errors }
    }
}

/// How a field is named in messages.
pub(crate) fn label(key: &str) -> String {
    if key.contains('.') {
        key.to_string()
    } else {
        key.replace('_', " ")
    }
}

/// Runs rules against one input and collects what fails.
pub(crate) struct Validator<'a> {
    input: &'a Input,
    errors: FieldErrors,
}

impl<'a> Validator<'a> {
    pub(crate) fn new(input: &'a Input) -> Validator<'a> {
        Validator {
            input,
            errors: FieldErrors::default(),
        }
    }

    /// The field's value if given (not absent, not null).
    pub(crate) fn optional(&self, key: &str) -> Option<&'a Value> {
        self.input.get(key)
    }

    /// `required`: absent, null, blank and `[]` all fail.
    pub(crate) fn required(&mut self, key: &str) -> Option<&'a Value> {
        let value = self
            .input
            .get(key)
            .filter(|v| v.as_array().is_none_or(|items| !items.is_empty()));
        if value.is_none() {
            self.fail(key, format!("The {} field is required.", label(key)));
        }
        value
    }

    pub(crate) fn fail(&mut self, key: &str, message: impl Into<String>) {
        self.errors.add(key, message);
    }

    /// `string|max:N` (N in characters).
    pub(crate) fn string(&mut self, key: &str, value: &Value, max_chars: usize) -> Option<String> {
        let Some(s) = value.as_str() else {
            self.fail(key, format!("The {} field must be a string.", label(key)));
            return None;
        };
        if s.chars().count() > max_chars {
            self.fail(
                key,
                format!(
                    "The {} field must not be greater than {max_chars} characters.",
                    label(key)
                ),
            );
            return None;
        }
        Some(s.to_string())
    }

    /// `integer`: PHP's `FILTER_VALIDATE_INT` accepts integral numbers and numeric strings.
    pub(crate) fn integer(&mut self, key: &str, value: &Value) -> Option<i64> {
        let n = as_integer(value);
        if n.is_none() {
            self.fail(key, format!("The {} field must be an integer.", label(key)));
        }
        n
    }

    /// `min:A|max:B` on a number, with one message per bound.
    pub(crate) fn min_max(
        &mut self,
        key: &str,
        n: i64,
        range: &RangeInclusive<u64>,
    ) -> Option<u64> {
        let value = u64::try_from(n).ok().filter(|v| range.contains(v));
        if value.is_none() {
            let message = if n < i64::try_from(*range.start()).unwrap_or(i64::MAX) {
                format!(
                    "The {} field must be at least {}.",
                    label(key),
                    range.start()
                )
            } else {
                format!(
                    "The {} field must not be greater than {}.",
                    label(key),
                    range.end()
                )
            };
            self.fail(key, message);
        }
        value
    }

    /// `between:A,B` on a number.
    pub(crate) fn between(
        &mut self,
        key: &str,
        n: i64,
        range: &RangeInclusive<u64>,
    ) -> Option<u64> {
        let value = u64::try_from(n).ok().filter(|v| range.contains(v));
        if value.is_none() {
            self.fail(
                key,
                format!(
                    "The {} field must be between {} and {}.",
                    label(key),
                    range.start(),
                    range.end()
                ),
            );
        }
        value
    }

    /// `numeric|between:A,B` on a number that may have a fraction (`llm_temperature`: 0–1).
    pub(crate) fn number_between(
        &mut self,
        key: &str,
        value: &Value,
        lo: f64,
        hi: f64,
    ) -> Option<f64> {
        let n = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        };
        let Some(n) = n else {
            self.fail(key, format!("The {} field must be a number.", label(key)));
            return None;
        };
        if !(lo..=hi).contains(&n) {
            self.fail(
                key,
                format!("The {} field must be between {lo} and {hi}.", label(key)),
            );
            return None;
        }
        Some(n)
    }

    /// `boolean`: true, false, 1, 0, "1", "0".
    pub(crate) fn boolean(&mut self, key: &str, value: &Value) -> Option<bool> {
        let b = match value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Value::String(s) if s == "1" => Some(true),
            Value::String(s) if s == "0" => Some(false),
            _ => None,
        };
        if b.is_none() {
            self.fail(
                key,
                format!("The {} field must be true or false.", label(key)),
            );
        }
        b
    }

    /// `array` used as a list.
    pub(crate) fn list(&mut self, key: &str, value: &'a Value) -> Option<&'a Vec<Value>> {
        let items = value.as_array();
        if items.is_none() {
            self.fail(key, format!("The {} field must be an array.", label(key)));
        }
        items
    }

    /// `array` used as a map (a JSON object; `[]` is PHP's empty array, so it counts as `{}`).
    pub(crate) fn map(&mut self, key: &str, value: &Value) -> Option<Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map.clone()),
            Value::Array(items) if items.is_empty() => Some(Map::new()),
            _ => {
                self.fail(key, format!("The {} field must be an array.", label(key)));
                None
            }
        }
    }

    /// `timezone`: a name in the IANA database (non-strings fail the same way).
    pub(crate) fn timezone(&mut self, key: &str, value: &Value) -> Option<String> {
        let tz = value
            .as_str()
            .filter(|tz| is_iana_timezone(tz))
            .map(str::to_string);
        if tz.is_none() {
            self.fail(
                key,
                format!("The {} field must be a valid timezone.", label(key)),
            );
        }
        tz
    }

    /// `date_format:H:i`, strictly: `09:00`, not `9:00` nor `09:00:00`.
    pub(crate) fn time_hi(&mut self, key: &str, value: &Value) -> Option<TimeOfDay> {
        let time = value.as_str().and_then(TimeOfDay::parse_hi);
        if time.is_none() {
            self.fail(
                key,
                format!("The {} field must match the format H:i.", label(key)),
            );
        }
        time
    }

    /// `in:...`: the value as `parse` reads it, which is `None` for anything not in the list.
    pub(crate) fn one_of<T>(
        &mut self,
        key: &str,
        value: &Value,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let parsed = value.as_str().and_then(parse);
        if parsed.is_none() {
            self.fail_selected(key);
        }
        parsed
    }

    /// `in:...` and `exists:...` share this message.
    pub(crate) fn fail_selected(&mut self, key: &str) {
        self.fail(key, format!("The selected {} is invalid.", label(key)));
    }

    /// Ends validation: the 422 when anything failed.
    pub(crate) fn finish(self) -> Result<(), ErrorResponse> {
        self.errors.into_result()
    }

    /// Ends validation and unwraps the required fields (`a.zip(b)`): when nothing failed they
    /// are present, so `None` here would be a bug in the rules, answered with a 500.
    pub(crate) fn finish_with<T>(self, required: Option<T>) -> Result<T, ErrorResponse> {
        self.errors.into_result()?;
        required.ok_or(ErrorResponse::ServerError)
    }
}

/// An integer the way PHP's `FILTER_VALIDATE_INT` sees JSON input: `5`, `5.0`, `"5"`, `" +5"`.
pub(crate) fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                // Integral and well inside i64 (checked just above), so the cast is exact.
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// E.164 as the lead endpoint checks it: `^\+[1-9]\d{6,14}$`.
pub(crate) fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summary_counts_the_other_messages() {
        let mut errors = FieldErrors::default();
        errors.add("name", "The name field is required.");
        assert_eq!(
            errors.summary(),
            "The name field is required.",
            "one error has no suffix"
        );
        errors.add("allowed_days.1", "The selected allowed_days.1 is invalid.");
        assert_eq!(
            errors.summary(),
            "The name field is required. (and 1 more error)",
            "singular suffix"
        );
        errors.add("name", "another");
        assert_eq!(
            errors.summary(),
            "The name field is required. (and 2 more errors)",
            "plural suffix counts messages"
        );
        let body = errors.into_body();
        assert_eq!(body.errors.len(), 2, "two fields failed: {:?}", body.errors);
        assert_eq!(
            body.errors["name"].len(),
            2,
            "messages of one field stay together"
        );
    }

    #[test]
    fn labels_follow_laravel() {
        assert_eq!(label("max_retries"), "max retries", "plain keys get spaces");
        assert_eq!(
            label("phone_number_ids.0"),
            "phone_number_ids.0",
            "wildcard keys stay raw"
        );
    }

    #[test]
    fn integers_as_php_sees_them() {
        assert_eq!(as_integer(&json!(5)), Some(5), "JSON integer");
        assert_eq!(as_integer(&json!(5.0)), Some(5), "integral float");
        assert_eq!(as_integer(&json!("7")), Some(7), "numeric string");
        for bad in [
            json!(5.5),
            json!("five"),
            json!(true),
            json!([1]),
            json!(null),
        ] {
            assert_eq!(as_integer(&bad), None, "{bad} is not an integer");
        }
    }

    #[test]
    fn e164_is_strict() {
        for good in ["+14155550101", "+4420794601", "+1234567"] {
            assert!(is_e164(good), "{good} is E.164");
        }
        for bad in [
            "14155550101",
            "+04155550101",
            "+123456",
            "+1234567890123456",
            "+1415-555-0101",
            "",
        ] {
            assert!(!is_e164(bad), "{bad:?} is not E.164");
        }
    }
}
