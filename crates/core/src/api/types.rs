//! Wire types of the platform API (docs/platform-api.md), as the client sends and reads them (the
//! emulator has its own, so a misnamed field here fails a test against it).
//! Unknown response fields are ignored; request bodies send only what is set.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::campaign_status::CampaignStatus;
use crate::campaign::fields::{observable_value, with_observable_fields, Field, Value};
use crate::campaign::{ClockTime, Weekday};

/// One element of `GET /user/campaigns` (and `data` of the create response). The list returns
/// only these fields; everything else about a campaign cannot be observed after creation.
///
/// Decoding is lenient per field, so that one odd campaign (made in the dashboard, say) cannot
/// stop every plan: `id` and `name` are required (without them a campaign cannot be matched,
/// and skipping it could make a plan create it again), but an observable field whose value
/// cannot be read is treated as not returned (`None`: not compared), logged, and kept raw in
/// `unreadable` so that a saved plan's fingerprint still sees it change. Numbers sent as
/// digit strings and booleans sent as `0`/`1` are read as PHP APIs send them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteCampaign {
    pub id: u64,
    pub name: String,
    /// Parsed once here; serialised as the platform's string.
    pub status: CampaignStatus,
    pub max_calls_in_parallel: Option<u64>,
    pub mark_complete_when_no_leads: Option<bool>,
    pub allowed_hours_start_time: Option<ClockTime>,
    pub allowed_hours_end_time: Option<ClockTime>,
    pub allowed_days: Option<Vec<Weekday>>,
    pub max_retries: Option<u64>,
    pub retry_interval: Option<u64>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// Observable fields whose values could not be read, as the platform sent them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unreadable: BTreeMap<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for RemoteCampaign {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        use serde_json::Value;
        let raw = d.deserialize_map(KnownKeys)?;
        let id = raw
            .get("id")
            .and_then(lenient::u64)
            .ok_or_else(|| D::Error::custom("a campaign without a numeric `id`"))?;
        let name = raw
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| D::Error::custom(format!("campaign {id} has no string `name`")))?
            .to_owned();
        let mut unreadable = BTreeMap::new();
        let status: Option<String> = read(&raw, "status", id, &mut unreadable);
        let status = CampaignStatus::parse(status.as_deref());
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
        let (created_at, updated_at) = (text("created_at"), text("updated_at"));
        macro_rules! decode {
            ((); $($variant:ident $field:ident,)*) => {
                RemoteCampaign {
                    id,
                    name,
                    status,
                    $($field: read(&raw, stringify!($field), id, &mut unreadable),)*
                    created_at,
                    updated_at,
                    unreadable,
                }
            };
        }
        Ok(with_observable_fields!(decode!(())))
    }
}

/// The keys of a listed campaign that `RemoteCampaign` reads: `id`, `name`, the timestamps and
/// every observable field.
const KNOWN_KEYS: &[&str] = {
    macro_rules! keys {
        ((); $($variant:ident $field:ident,)*) => {
            &["id", "name", "status", "created_at", "updated_at", $(stringify!($field),)*]
        };
    }
    with_observable_fields!(keys!(()))
};

/// The values of a listed campaign's known keys (a later duplicate key wins, as in a JSON
/// object read whole). Every other key and its value are skipped without being kept: a list
/// of 10,000 campaigns was decoded into a map of every key first, a third of its decoding.
struct Known(Vec<(&'static str, serde_json::Value)>);

impl Known {
    fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// Reads a campaign object into [`Known`].
struct KnownKeys;

impl<'de> serde::de::Visitor<'de> for KnownKeys {
    type Value = Known;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a campaign object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Known, A::Error> {
        let mut known = Known(Vec::with_capacity(KNOWN_KEYS.len()));
        while let Some(key) = map.next_key_seed(KeyOf)? {
            match key {
                Some(key) => {
                    let value: serde_json::Value = map.next_value()?;
                    match known.0.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => known.0.push((key, value)),
                    }
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(known)
    }
}

/// A key as one of [`KNOWN_KEYS`] (`None`: one `RemoteCampaign` does not read), compared
/// where it lies in the input, not copied.
struct KeyOf;

impl<'de> serde::de::DeserializeSeed<'de> for KeyOf {
    type Value = Option<&'static str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyOf {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(KNOWN_KEYS.iter().copied().find(|k| *k == key))
    }
}

/// The value of `key` in campaign `id`, read leniently. A value that cannot be read is treated
/// as not returned (`None`), logged, and kept raw in `unreadable`.
fn read<T: lenient::Lenient>(
    raw: &Known,
    key: &str,
    id: u64,
    unreadable: &mut BTreeMap<String, serde_json::Value>,
) -> Option<T> {
    let v = raw.get(key).filter(|v| !v.is_null())?;
    let read = T::read(v);
    if read.is_none() {
        tracing::warn!(
            campaign = id,
            field = key,
            value = %lenient::excerpt(v),
            "the platform returned a value campaignctl cannot read; the field is not compared"
        );
        unreadable.insert(key.to_owned(), v.clone());
    }
    read
}

impl RemoteCampaign {
    /// The value the platform returned for `field`: `None` for a field the list does not
    /// return (see `campaign::fields::Access`), or did not return for this campaign.
    pub fn get(&self, field: Field) -> Option<Value<'_>> {
        match field {
            Field::Name => Some(Value::Text(&self.name)),
            other => with_observable_fields!(observable_value!((self, other))),
        }
    }
}

/// Readers for values as a PHP API may send them.
mod lenient {
    use serde_json::Value;

    use crate::campaign::{ClockTime, Weekday};

    /// A type read leniently from the list, by the reader for its kind below.
    pub trait Lenient: Sized {
        fn read(v: &Value) -> Option<Self>;
    }

    impl Lenient for u64 {
        fn read(v: &Value) -> Option<u64> {
            u64(v)
        }
    }

    impl Lenient for bool {
        fn read(v: &Value) -> Option<bool> {
            bool(v)
        }
    }

    impl Lenient for ClockTime {
        fn read(v: &Value) -> Option<ClockTime> {
            time(v)
        }
    }

    impl Lenient for Vec<Weekday> {
        fn read(v: &Value) -> Option<Vec<Weekday>> {
            days(v)
        }
    }

    /// A status: any string.
    impl Lenient for String {
        fn read(v: &Value) -> Option<String> {
            v.as_str().map(str::to_owned)
        }
    }

    pub fn u64(v: &Value) -> Option<u64> {
        match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        }
    }

    pub fn bool(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_u64() {
                Some(0) => Some(false),
                Some(1) => Some(true),
                _ => None,
            },
            Value::String(s) => match s.as_str() {
                "0" | "false" => Some(false),
                "1" | "true" => Some(true),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn time(v: &Value) -> Option<ClockTime> {
        v.as_str().and_then(ClockTime::parse_api)
    }

    pub fn days(v: &Value) -> Option<Vec<Weekday>> {
        v.as_array()?
            .iter()
            .map(|d| {
                let d = d.as_str()?.to_ascii_lowercase();
                Weekday::ALL.into_iter().find(|w| w.as_str() == d)
            })
            .collect()
    }

    /// A value for a log line: at most 80 characters.
    pub fn excerpt(v: &Value) -> String {
        let s = v.to_string();
        match s.char_indices().nth(80) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s,
        }
    }
}

/// Body of `POST /user/campaign`. Only the fields a manifest sets are sent (field ownership).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateCampaign {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assistant_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_calls_in_parallel: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_hours_start_time: Option<ClockTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_hours_end_time: Option<ClockTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_days: Option<Vec<Weekday>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_on_voicemail: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_on_goal_incomplete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_completion_variable: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark_complete_when_no_leads: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_ids: Option<Vec<u64>>,
}

/// `{"message": ..., "data": ...}` envelope of create responses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    #[serde(default)]
    pub message: Option<String>,
    pub data: T,
}

/// Laravel's error body: `{"message": ..., "errors": {"field.0": ["..."]}}` (errors only on 422).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: String,
    /// Read in any shape the platform may use (the assistant endpoints' 422 is undocumented):
    /// a map of lists, a map of single messages, or a list of messages (kept under `""`).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "lenient_errors"
    )]
    pub errors: BTreeMap<String, Vec<String>>,
}

fn lenient_errors<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    fn messages(v: serde_json::Value) -> Vec<String> {
        match v {
            serde_json::Value::String(s) => vec![s],
            serde_json::Value::Array(items) => items.into_iter().flat_map(messages).collect(),
            serde_json::Value::Null => Vec::new(),
            other => vec![other.to_string()],
        }
    }
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Object(map) => map.into_iter().map(|(k, v)| (k, messages(v))).collect(),
        serde_json::Value::Null => BTreeMap::new(),
        other => {
            let all = messages(other);
            if all.is_empty() {
                BTreeMap::new()
            } else {
                BTreeMap::from([(String::new(), all)])
            }
        }
    })
}

/// One variable of an assistant's post-call schema; `type` is `string`, `number` or `bool`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostCallVariable {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// An assistant from `GET /user/assistants/get` (all types) or `/user/assistants/outbound`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Assistant {
    pub id: u64,
    pub name: String,
    /// `inbound` or `outbound`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default)]
    pub post_call_schema: Vec<PostCallVariable>,
    /// The rest of what the list returns, compared when an assistant is declared.
    #[serde(flatten)]
    pub listed: super::assistant::ListedAssistantFields,
}

impl Assistant {
    pub fn is_outbound(&self) -> bool {
        self.kind == "outbound"
    }
}

/// A phone number of the account, from `GET /user/assistants/phone-numbers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    pub id: u64,
    pub phone_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_available: Option<bool>,
}

/// Laravel's length-aware paginator, as `/user/assistants/get` and `/user/leads` return it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub current_page: u64,
    pub data: Vec<T>,
    pub last_page: u64,
    #[serde(default)]
    pub next_page_url: Option<String>,
    pub per_page: u64,
    pub total: u64,
    #[serde(default)]
    pub from: Option<u64>,
    #[serde(default)]
    pub to: Option<u64>,
}

/// A secondary contact of a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondaryContact {
    pub phone_number: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, serde_json::Value>,
}

/// Body of `POST /user/lead`. `allow_dupplicate` is spelled as the API spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateLead {
    pub phone_number: String,
    pub campaign_id: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub allow_dupplicate: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_contacts: Vec<SecondaryContact>,
}

/// A lead as `GET /user/leads` and the create response return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: u64,
    pub campaign_id: u64,
    pub phone_number: String,
    #[serde(default)]
    pub variables: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Body of `POST /user/campaigns/update-status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateStatus {
    pub campaign_id: u64,
    /// `start` or `stop`.
    pub action: String,
}

/// Response of `POST /user/campaigns/update-status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateStatusResponse {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub success: bool,
    pub data: UpdateStatusData,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateStatusData {
    pub campaign_id: u64,
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode(v: serde_json::Value) -> Result<Vec<RemoteCampaign>, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn a_remote_campaign_holds_exactly_the_fields_the_list_returns() {
        use crate::campaign::fields::{Access, FIELDS};
        // Written out without `..`, so that a field added to the struct must be added here.
        let campaign = RemoteCampaign {
            id: 5,
            name: "Q4".into(),
            status: CampaignStatus::Draft,
            max_calls_in_parallel: Some(3),
            mark_complete_when_no_leads: Some(true),
            allowed_hours_start_time: ClockTime::parse_hi("09:00"),
            allowed_hours_end_time: ClockTime::parse_hi("17:30"),
            allowed_days: Some(vec![Weekday::Monday, Weekday::Friday]),
            max_retries: Some(2),
            retry_interval: Some(90),
            created_at: Some("2025-01-01T00:00:00Z".into()),
            updated_at: Some("2025-01-01T00:00:00Z".into()),
            unreadable: BTreeMap::new(),
        };
        let json = serde_json::to_value(&campaign).expect("serialises");
        let not_fields = ["id", "status", "created_at", "updated_at"];
        let mut returned: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .filter(|k| !not_fields.contains(k))
            .collect();
        let mut table: Vec<&str> = FIELDS
            .iter()
            .filter(|d| matches!(d.access, Access::Identity | Access::Observable))
            .map(|d| d.name)
            .collect();
        returned.sort_unstable();
        table.sort_unstable();
        assert_eq!(
            returned, table,
            "RemoteCampaign's fields and the table's observable fields (campaign::fields) differ"
        );
        for d in FIELDS {
            let returned = matches!(d.access, Access::Identity | Access::Observable);
            assert_eq!(
                campaign.get(d.field).map(|v| v.to_json()).as_ref(),
                json.get(d.name).filter(|_| returned),
                "RemoteCampaign::get and the struct disagree about `{}`",
                d.name
            );
        }
        assert_eq!(
            decode(json!([json])).expect("decodes"),
            [campaign],
            "the list's decoder reads every observable field"
        );
    }

    #[test]
    fn one_odd_campaign_does_not_stop_the_list() {
        let list = decode(json!([
            {"id": 1, "name": "Fine", "max_retries": 3, "allowed_days": ["monday"]},
            {"id": 2, "name": "Odd", "max_retries": "three", "allowed_hours_start_time": "09:00:30",
             "allowed_hours_end_time": "abcd\u{e9}xy", "allowed_days": ["Monday", "Funday"],
             "max_calls_in_parallel": -1, "mark_complete_when_no_leads": "maybe", "status": 7},
        ]))
        .expect("the list decodes");
        assert_eq!(list[0].max_retries, Some(3));
        let odd = &list[1];
        assert_eq!(
            (
                odd.max_retries,
                odd.allowed_hours_start_time,
                odd.allowed_hours_end_time
            ),
            (None, None, None),
            "unreadable values are not observed"
        );
        assert_eq!(odd.allowed_days, None);
        assert_eq!(odd.status, CampaignStatus::NotReturned);
        assert_eq!(
            odd.unreadable
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            [
                "allowed_days",
                "allowed_hours_end_time",
                "allowed_hours_start_time",
                "mark_complete_when_no_leads",
                "max_calls_in_parallel",
                "max_retries",
                "status"
            ],
            "and kept raw, so a fingerprint still sees them change"
        );
    }

    #[test]
    fn php_style_numbers_and_booleans_are_read() {
        let list = decode(
            json!([{"id": "4", "name": "P", "max_retries": "2", "retry_interval": 60,
            "mark_complete_when_no_leads": 1, "allowed_days": ["Friday", "monday"]}]),
        )
        .expect("decodes");
        let c = &list[0];
        assert_eq!(
            (c.id, c.max_retries, c.retry_interval),
            (4, Some(2), Some(60))
        );
        assert_eq!(c.mark_complete_when_no_leads, Some(true));
        assert_eq!(c.allowed_days, Some(vec![Weekday::Friday, Weekday::Monday]));
        assert!(c.unreadable.is_empty());
    }

    /// As the client decodes a list: from the bytes. Keys the decoder does not read are
    /// skipped whatever they hold; a key written with escapes is the key; of a key written
    /// twice, the last value counts, as when the object is read whole.
    #[test]
    fn unknown_keys_are_skipped_and_the_last_of_a_duplicate_counts() {
        let body =
            br#"[{"id": 5, "user_id": 1, "assistant": {"id": 7, "name": "x", "deep": [[{}]]},
            "name": "Escaped", "max_retries": 1, "notes": [1, "two", null], "max_retries": 4,
            "status": "in-progress"}]"#;
        let list: Vec<RemoteCampaign> = serde_json::from_slice(body).expect("decodes");
        let c = &list[0];
        assert_eq!((c.id, c.name.as_str()), (5, "Escaped"));
        assert_eq!(c.max_retries, Some(4), "the later duplicate wins");
        assert_eq!(c.status, CampaignStatus::InProgress);
        assert!(c.unreadable.is_empty(), "{:?}", c.unreadable);
        let err = serde_json::from_slice::<Vec<RemoteCampaign>>(br#"[[1, 2]]"#)
            .expect_err("not an object");
        assert!(err.to_string().contains("a campaign object"), "{err}");
    }

    #[test]
    fn a_campaign_without_id_or_name_fails_the_list_loudly() {
        let err = decode(json!([{"name": "no id"}])).expect_err("no id");
        assert!(err.to_string().contains("without a numeric `id`"), "{err}");
        let err = decode(json!([{"id": 3, "name": null}])).expect_err("no name");
        assert!(
            err.to_string().contains("campaign 3 has no string `name`"),
            "{err}"
        );
    }
}
