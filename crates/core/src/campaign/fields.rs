//! The one table of campaign fields. Each field a manifest may hold is declared once, in
//! [`FIELDS`]: its manifest name, the kind of value and the values allowed, what the platform
//! does with it ([`Access`]: returned by the list endpoint and compared for drift, sent at
//! create and never readable, or beyond the create endpoint) and, from its kind, how two values
//! compare ([`Value::same`]).
//!
//! Everything else derives from the table: the field lists below, validation (which rule reads
//! each value), the JSON Schema's limits, the plan's drift (`reconcile::plan::diff`), the
//! baseline's write-once comparison and `export`. The serde structs (`CampaignSpec`,
//! `CreateCampaign`, `RemoteCampaign`) keep their fields, and their tests check that they hold
//! exactly the table's fields. Pure: data and comparisons only. The emulator keeps its own wire
//! types and does not use this table.

use serde_json::{json, Value as Json};

use super::{limits, normalize_days, ClockTime, Weekday};

/// What the platform does with a field: whether it is sent at create, and whether it can be
/// read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// About the manifest document rather than a campaign setting: `kind`, and `id` (which
    /// adopts an existing campaign instead of creating one).
    Manifest,
    /// `name`: sent at create and returned by the list, but it is how a campaign is matched,
    /// so it differs only for a campaign adopted by id or renamed (`renamed_from`).
    Identity,
    /// Sent at create and returned by `GET /user/campaigns`: compared with the platform (drift).
    Observable,
    /// Sent at create and never returned (there is no update endpoint either): compared only
    /// with a baseline, the manifests at `--base REF` or what `watch` last applied.
    WriteOnce,
    /// Not taken by the create endpoint: names resolved to ids, leads, the desired status and
    /// the previous name.
    BeyondCreate,
}

/// What a field's value is and which values are allowed. The platform's documented limits are
/// in [`limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The constant `Campaign`.
    DocumentKind,
    /// An integer of at least 1.
    PositiveId,
    /// A non-empty string of at most `max_chars` characters without surrounding whitespace;
    /// `trim_hint` says what surrounding whitespace would do.
    Text {
        max_chars: usize,
        trim_hint: &'static str,
    },
    /// An IANA time zone name.
    Timezone,
    /// An integer from `min` to `max`; `unit` (with its leading space) follows the range in
    /// messages.
    Integer {
        min: u64,
        max: u64,
        unit: &'static str,
    },
    /// A time of day, `H:i`; the platform returns `H:i:s`, and both are the same value.
    Time,
    /// Days of the week: a set, compared without order or repeats.
    Days,
    /// `true` or `false`.
    Flag,
    /// Distinct positive ids: a set.
    Ids,
    /// Distinct E.164 phone numbers of the account.
    PhoneNumbers,
    /// A leads file and inline leads.
    Leads,
    /// The desired status.
    Status,
}

/// How two values of a field compare, which follows from its [`Kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalisation {
    /// As written.
    Exact,
    /// A list that is a set: order and repeats do not matter when compared, it is shown
    /// sorted, and a manifest writes each item once.
    Set,
    /// A time of day at minute precision: `09:00` and `09:00:00` are the same, shown as `H:i`.
    ClockTime,
}

impl Kind {
    pub const fn normalisation(self) -> Normalisation {
        match self {
            Kind::Days | Kind::Ids | Kind::PhoneNumbers => Normalisation::Set,
            Kind::Time => Normalisation::ClockTime,
            _ => Normalisation::Exact,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub field: Field,
    /// The manifest key, which is also the platform API's field name.
    pub name: &'static str,
    pub access: Access,
    pub kind: Kind,
    /// For a reference by name, the id field it stands for (a manifest writes one of the two).
    pub stands_for: Option<Field>,
    /// Why the repository config's defaults may not set this field, if they may not: it
    /// identifies one campaign, holds its own data, or decides on calls and deletion, which
    /// must be written in each manifest.
    pub not_a_default: Option<&'static str>,
}

/// What the platform does to whitespace around a name, and why it matters here.
const NAME_TRIM_HINT: &str =
    "the platform trims strings, so it would store the name without this whitespace; \
    that campaign would never match this manifest, and every apply would create it again";
const ASSISTANT_TRIM_HINT: &str = "assistant names are matched exactly; remove the whitespace";
const GOAL_TRIM_HINT: &str =
    "the platform trims strings, so it would store a different variable name than this one";

const fn text(max_chars: usize, trim_hint: &'static str) -> Kind {
    Kind::Text {
        max_chars,
        trim_hint,
    }
}

const fn integer(range: std::ops::RangeInclusive<u64>, unit: &'static str) -> Kind {
    Kind::Integer {
        min: *range.start(),
        max: *range.end(),
        unit,
    }
}

/// Declares [`Field`], [`FIELDS`] and [`with_observable_fields!`] from one list, so that they
/// cannot disagree. Each row: the `Field` variant, the manifest key (also the Rust field name in
/// the structs that hold it), the access, the kind, and for a reference by name the id field it
/// stands for.
macro_rules! campaign_fields {
    // Keeps the observable rows (a token muncher), then defines the macro that lists them. `$d`
    // is a `$`, for the inner macro's own variables.
    (@observable ($d:tt) [$($done:tt)*] $field:ident $name:ident Observable $($rest:tt)*) => {
        campaign_fields!(@observable ($d) [$($done)* $field $name,] $($rest)*);
    };
    (@observable ($d:tt) [$($done:tt)*] $field:ident $name:ident $access:ident $($rest:tt)*) => {
        campaign_fields!(@observable ($d) [$($done)*] $($rest)*);
    };
    (@observable ($d:tt) [$($done:tt)*]) => {
        /// `with_observable_fields!(then!(ARGS))` expands to
        /// `then!(ARGS; Variant name, ...)` with every observable field in table order: the
        /// `Field` variant and the Rust field name, which the serde structs share. Code that
        /// must name each observable field's Rust field is written once, over this list.
        macro_rules! with_observable_fields {
            ($d then:ident ! ($d ($d args:tt)*)) => {
                $d then!($d ($d args)*; $($done)*)
            };
        }
        pub(crate) use with_observable_fields;
    };
    (@option) => { None };
    (@option $value:expr) => { Some($value) };
    ($($field:ident $name:ident $access:ident $kind:expr
        $(, stands for $id:ident)? $(, not a default: $why:literal)?;)*) => {
        /// A campaign field, as named in [`FIELDS`] (`Field::MaxRetries.def()` is its row). The
        /// structs' accessors match on it; their tests check that they handle every field.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $($field,)*
        }

        /// Every field a campaign manifest may hold, in the order manifests and plans show them.
        pub const FIELDS: &[FieldDef] = &[$(FieldDef {
            field: Field::$field,
            name: stringify!($name),
            access: Access::$access,
            kind: $kind,
            stands_for: campaign_fields!(@option $(Field::$id)?),
            not_a_default: campaign_fields!(@option $($why)?),
        },)*];

        campaign_fields!(@observable ($) [] $($field $name $access)*);
    };
}

campaign_fields! {
    Kind kind Manifest Kind::DocumentKind,
        not a default: "every manifest says kind: Campaign itself";
    Id id Manifest Kind::PositiveId, not a default: "an id identifies one campaign";
    Name name Identity text(limits::NAME_MAX_CHARS, NAME_TRIM_HINT),
        not a default: "a name identifies one campaign";
    AssistantId assistant_id WriteOnce Kind::PositiveId;
    Timezone timezone WriteOnce Kind::Timezone;
    MaxCallsInParallel max_calls_in_parallel Observable integer(limits::MAX_CALLS_IN_PARALLEL, "");
    AllowedHoursStartTime allowed_hours_start_time Observable Kind::Time;
    AllowedHoursEndTime allowed_hours_end_time Observable Kind::Time;
    AllowedDays allowed_days Observable Kind::Days;
    MaxRetries max_retries Observable integer(limits::MAX_RETRIES, "");
    RetryInterval retry_interval Observable integer(limits::RETRY_INTERVAL, " (minutes)");
    RetryOnVoicemail retry_on_voicemail WriteOnce Kind::Flag;
    RetryOnGoalIncomplete retry_on_goal_incomplete WriteOnce Kind::Flag;
    GoalCompletionVariable goal_completion_variable WriteOnce
        text(limits::GOAL_VARIABLE_MAX_CHARS, GOAL_TRIM_HINT);
    MarkCompleteWhenNoLeads mark_complete_when_no_leads Observable Kind::Flag;
    PhoneNumberIds phone_number_ids WriteOnce Kind::Ids;
    Assistant assistant BeyondCreate text(limits::NAME_MAX_CHARS, ASSISTANT_TRIM_HINT),
        stands for AssistantId;
    PhoneNumbers phone_numbers BeyondCreate Kind::PhoneNumbers, stands for PhoneNumberIds;
    Leads leads BeyondCreate Kind::Leads, not a default: "leads belong to one campaign";
    Status status BeyondCreate Kind::Status,
        not a default: "starting, stopping or deleting is decided per campaign, in its manifest";
    RenamedFrom renamed_from BeyondCreate text(limits::NAME_MAX_CHARS, NAME_TRIM_HINT),
        not a default: "a rename concerns one campaign";
}

impl Field {
    pub const fn def(self) -> &'static FieldDef {
        &FIELDS[self as usize]
    }

    pub const fn name(self) -> &'static str {
        self.def().name
    }

    /// The field a manifest key names, if any.
    pub fn from_name(name: &str) -> Option<Field> {
        FIELDS.iter().find(|d| d.name == name).map(|d| d.field)
    }

    /// The reference by name that stands for this id field (`assistant` for `assistant_id`).
    pub fn named_by(self) -> Option<Field> {
        FIELDS
            .iter()
            .find(|d| d.stands_for == Some(self))
            .map(|d| d.field)
    }
}

const fn count(access: Access) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < FIELDS.len() {
        if FIELDS[i].access as u8 == access as u8 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The fields of one [`Access`], in table order.
const fn with_access<const N: usize>(access: Access) -> [Field; N] {
    let mut out = [Field::Kind; N];
    let (mut i, mut n) = (0, 0);
    while i < FIELDS.len() {
        if FIELDS[i].access as u8 == access as u8 {
            out[n] = FIELDS[i].field;
            n += 1;
        }
        i += 1;
    }
    out
}

const fn names<const N: usize>(fields: [Field; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = fields[i].name();
        i += 1;
    }
    out
}

const fn all_names<const N: usize>() -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = FIELDS[i].name;
        i += 1;
    }
    out
}

/// The observable fields (returned by the list, compared for drift), in table order.
pub const OBSERVABLE: [Field; count(Access::Observable)] = with_access(Access::Observable);
/// The write-once fields (sent at create, never readable), in table order.
pub const WRITE_ONCE: [Field; count(Access::WriteOnce)] = with_access(Access::WriteOnce);

/// Every key a campaign manifest may hold, in the order the plan prints them.
pub const MANIFEST_FIELDS: &[&str] = &all_names::<{ FIELDS.len() }>();
/// Fields that `GET /user/campaigns` returns, so a difference in them can be observed (drift).
/// `name` is returned too, but it is the campaign's identity ([`Access::Identity`]).
pub const OBSERVABLE_FIELDS: &[&str] = &names(OBSERVABLE);
/// Fields that are set at creation and can never be read back: the list does not return them
/// and there is no update endpoint.
pub const WRITE_ONCE_FIELDS: &[&str] = &names(WRITE_ONCE);
/// The manifest fields the create endpoint does not take: names resolved to ids, leads and the
/// desired status (issue 6). A manifest never sets all of them with their id twins.
pub const BEYOND_CREATE_FIELDS: &[&str] = &names(with_access::<{ count(Access::BeyondCreate) }>(
    Access::BeyondCreate,
));

/// `[(name, second); N]` for every row whose optional `$column` is set, `second` made from its
/// value, computed at compile time; `@count` is N.
macro_rules! rows_with {
    (@count $column:ident) => {{
        let (mut i, mut n) = (0, 0);
        while i < FIELDS.len() {
            if FIELDS[i].$column.is_some() {
                n += 1;
            }
            i += 1;
        }
        n
    }};
    ($column:ident, |$value:ident| $second:expr) => {{
        let mut out = [("", ""); rows_with!(@count $column)];
        let (mut i, mut n) = (0, 0);
        while i < FIELDS.len() {
            if let Some($value) = FIELDS[i].$column {
                out[n] = (FIELDS[i].name, $second);
                n += 1;
            }
            i += 1;
        }
        out
    }};
}

/// Each reference by name and the id field it stands for: a manifest writes one of each pair.
pub const NAME_ID_PAIRS: [(&str, &str); rows_with!(@count stands_for)] =
    rows_with!(stands_for, |id| id.name());

/// The fields the repository config's defaults may not set, each with the reason.
pub const NOT_DEFAULTABLE: [(&str, &str); rows_with!(@count not_a_default)] =
    rows_with!(not_a_default, |why| why);

/// `with_observable_fields!(observable_value!((campaign, field)))`: the value of an observable
/// field of `campaign`, a manifest's spec or a campaign the list returned, which both hold the
/// observable fields under their manifest names. `None` for a field that is not set, and for
/// every field that is not observable.
macro_rules! observable_value {
    (($campaign:expr, $field:expr); $($variant:ident $name:ident,)*) => {
        match $field {
            $($crate::campaign::fields::Field::$variant => {
                $campaign.$name.as_ref().map($crate::campaign::fields::AsValue::as_value)
            })*
            _ => None,
        }
    };
}
pub(crate) use observable_value;

/// A Rust value as a field [`Value`].
pub trait AsValue {
    fn as_value(&self) -> Value<'_>;
}

impl AsValue for u64 {
    fn as_value(&self) -> Value<'_> {
        Value::Integer(*self)
    }
}

impl AsValue for bool {
    fn as_value(&self) -> Value<'_> {
        Value::Flag(*self)
    }
}

impl AsValue for ClockTime {
    fn as_value(&self) -> Value<'_> {
        Value::Time(*self)
    }
}

impl AsValue for Vec<Weekday> {
    fn as_value(&self) -> Value<'_> {
        Value::Days(self)
    }
}

/// A field's value, borrowed from a manifest's spec or a campaign the platform returned, for
/// comparing and showing without building anything for a value that is equal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Integer(u64),
    Flag(bool),
    Time(ClockTime),
    Days(&'a [Weekday]),
    Text(&'a str),
    Ids(&'a [u64]),
    Texts(&'a [String]),
    /// Set, but neither compared nor shown through the table (leads).
    Other,
}

impl Value<'_> {
    /// Whether two values are the same once normalised (the lists of `Normalisation::Set`
    /// kinds, days, ids and phone numbers, are sets; clock times are already minute-precision
    /// values). Allocates nothing.
    pub fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Days(a), Value::Days(b)) => day_set(a) == day_set(b),
            (Value::Ids(a), Value::Ids(b)) => same_set(a, b),
            (Value::Texts(a), Value::Texts(b)) => same_set(a, b),
            _ => self == other,
        }
    }

    /// The normalised value as plans show it: sets sorted without repeats, times as `H:i`.
    pub fn to_json(&self) -> Json {
        match *self {
            Value::Integer(n) => json!(n),
            Value::Flag(b) => json!(b),
            Value::Time(t) => json!(t),
            Value::Days(days) => json!(normalize_days(days)),
            Value::Text(s) => json!(s),
            Value::Ids(ids) => {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids.dedup();
                json!(ids)
            }
            Value::Texts(texts) => {
                let mut texts = texts.to_vec();
                texts.sort_unstable();
                texts.dedup();
                json!(texts)
            }
            Value::Other => Json::Null,
        }
    }
}

/// Whether two lists hold the same items, order and repeats aside (lists are short: a
/// campaign has a few phone numbers).
fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

/// A set of days as a bit mask.
fn day_set(days: &[Weekday]) -> u8 {
    days.iter().fold(0, |set, d| set | 1 << *d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_indexed_by_field() {
        for (i, d) in FIELDS.iter().enumerate() {
            assert_eq!(d.field as usize, i, "{} is out of place", d.name);
            assert_eq!(Field::from_name(d.name), Some(d.field));
        }
        assert_eq!(Field::from_name("nope"), None);
    }

    #[test]
    fn the_lists_follow_the_table() {
        let with = |access: Access| -> Vec<&str> {
            FIELDS
                .iter()
                .filter(|d| d.access == access)
                .map(|d| d.name)
                .collect()
        };
        assert_eq!(MANIFEST_FIELDS.len(), FIELDS.len());
        assert_eq!(OBSERVABLE_FIELDS, with(Access::Observable));
        assert_eq!(WRITE_ONCE_FIELDS, with(Access::WriteOnce));
        assert_eq!(BEYOND_CREATE_FIELDS, with(Access::BeyondCreate));
        assert!(
            OBSERVABLE_FIELDS.contains(&"max_retries") && WRITE_ONCE_FIELDS.contains(&"timezone")
        );
        macro_rules! variants {
            ((); $($variant:ident $name:ident,)*) => {
                [$(Field::$variant),*]
            };
        }
        assert_eq!(with_observable_fields!(variants!(())), OBSERVABLE);
        for (name, id) in NAME_ID_PAIRS {
            let stands_for = Field::from_name(name).and_then(|f| f.def().stands_for);
            assert_eq!(stands_for, Field::from_name(id), "{name}");
        }
        assert_eq!(Field::AssistantId.named_by(), Some(Field::Assistant));
        assert_eq!(Field::PhoneNumberIds.named_by(), Some(Field::PhoneNumbers));
        assert_eq!(Field::Timezone.named_by(), None);
    }

    #[test]
    fn sets_compare_without_order_or_repeats() {
        use Weekday::*;
        assert!(Value::Days(&[Friday, Monday, Friday]).same(&Value::Days(&[Monday, Friday])));
        assert!(!Value::Days(&[Monday]).same(&Value::Days(&[Monday, Friday])));
        assert!(Value::Ids(&[2, 1, 2]).same(&Value::Ids(&[1, 2])));
        assert!(!Value::Ids(&[1]).same(&Value::Ids(&[1, 2])));
        assert_eq!(
            Value::Days(&[Friday, Monday, Friday]).to_json(),
            json!(["monday", "friday"])
        );
        assert_eq!(Value::Ids(&[3, 1, 3]).to_json(), json!([1, 3]));
        let (a, b) = (["+2".to_owned(), "+1".to_owned()], ["+1".to_owned()]);
        assert!(Value::Texts(&a).same(&Value::Texts(&[a[1].clone(), a[0].clone(), a[0].clone()])));
        assert!(!Value::Texts(&a).same(&Value::Texts(&b)));
        assert_eq!(Value::Texts(&a).to_json(), json!(["+1", "+2"]));
        assert!(!Value::Integer(1).same(&Value::Flag(true)));
    }

    /// What the table says a kind's normalisation is, `Value` does: every kind whose lists are
    /// sets compares them as sets.
    #[test]
    fn every_set_kind_compares_as_a_set() {
        use Weekday::*;
        let texts = ["+2".to_owned(), "+1".to_owned()];
        let shuffled = [texts[1].clone(), texts[0].clone(), texts[1].clone()];
        for row in FIELDS {
            let (a, b) = match row.kind {
                Kind::Days => (
                    Value::Days(&[Friday, Monday]),
                    Value::Days(&[Monday, Friday, Monday]),
                ),
                Kind::Ids => (Value::Ids(&[2, 1]), Value::Ids(&[1, 2, 1])),
                Kind::PhoneNumbers => (Value::Texts(&texts), Value::Texts(&shuffled)),
                _ => continue,
            };
            assert_eq!(row.kind.normalisation(), Normalisation::Set, "{}", row.name);
            assert!(
                a.same(&b),
                "{}: a shuffled, repeated list is the same set",
                row.name
            );
            assert_eq!(a.to_json(), b.to_json(), "{}", row.name);
        }
    }
}
