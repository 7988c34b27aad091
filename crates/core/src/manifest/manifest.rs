//! A loaded, validated campaign manifest: the typed spec plus where each field was written.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::api::types::CreateCampaign;
use crate::campaign::fields::{
    observable_value, with_observable_fields, Access, Field, Value, FIELDS,
};
use crate::campaign::{ClockTime, Weekday};

use super::desired_status::DesiredStatus;
use super::leads::LeadsSpec;
use super::positions::{Part, Positions};
use crate::diagnostic::Location;

/// The desired state of one campaign, as a manifest declares it. `None` means "not set": the
/// manifest does not manage that field, so it is neither sent nor compared. Serialised only to
/// fingerprint a saved plan's manifests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CampaignSpec {
    /// Adopts an existing campaign: matched by this id instead of by name, never created.
    pub id: Option<u64>,
    pub name: String,
    pub assistant_id: Option<u64>,
    pub timezone: Option<String>,
    pub max_calls_in_parallel: Option<u64>,
    pub allowed_hours_start_time: Option<ClockTime>,
    pub allowed_hours_end_time: Option<ClockTime>,
    /// As written (order kept for display); compare with `campaign::normalize_days`.
    pub allowed_days: Option<Vec<Weekday>>,
    pub max_retries: Option<u64>,
    pub retry_interval: Option<u64>,
    pub retry_on_voicemail: Option<bool>,
    pub retry_on_goal_incomplete: Option<bool>,
    pub goal_completion_variable: Option<String>,
    pub mark_complete_when_no_leads: Option<bool>,
    pub phone_number_ids: Option<Vec<u64>>,
    /// The assistant by name, instead of `assistant_id`; resolved to an id at plan time.
    pub assistant: Option<String>,
    /// Phone numbers (E.164), instead of `phone_number_ids`; resolved to ids at plan time.
    pub phone_numbers: Option<Vec<String>>,
    /// The leads the campaign must have; never sent with the create, never removed.
    pub leads: Option<LeadsSpec>,
    /// The status the campaign should be in; `None` is `draft`: never started or stopped.
    pub status: Option<DesiredStatus>,
    /// The name the campaign had before this manifest renamed it. The platform cannot rename:
    /// a draft under the old name is replaced under the new one; one that has run is not.
    pub renamed_from: Option<String>,
}

impl CampaignSpec {
    /// `status: deleted`: the campaign must not exist.
    pub fn is_deleted(&self) -> bool {
        self.status == Some(DesiredStatus::Deleted)
    }
}

impl CampaignSpec {
    /// The create request: exactly the fields the manifest sets.
    pub fn create_request(&self) -> CreateCampaign {
        macro_rules! request {
            ((); $($variant:ident $name:ident,)*) => {
                CreateCampaign {
                    name: self.name.clone(),
                    assistant_id: self.assistant_id,
                    timezone: self.timezone.clone(),
                    retry_on_voicemail: self.retry_on_voicemail,
                    retry_on_goal_incomplete: self.retry_on_goal_incomplete,
                    goal_completion_variable: self.goal_completion_variable.clone(),
                    phone_number_ids: self.phone_number_ids.clone(),
                    $($name: self.$name.clone(),)*
                }
            };
        }
        with_observable_fields!(request!(()))
    }

    /// The manifest fields this spec sets that the create endpoint takes (and `id`), in
    /// `campaign::MANIFEST_FIELDS` order.
    pub fn set_fields(&self) -> Vec<&'static str> {
        FIELDS
            .iter()
            .filter(|d| d.access != Access::BeyondCreate && self.get(d.field).is_some())
            .map(|d| d.name)
            .collect()
    }

    /// The value of `field` as written, `None` when the manifest leaves it out.
    pub fn get(&self, field: Field) -> Option<Value<'_>> {
        use Value as V;
        match field {
            Field::Kind => None,
            Field::Id => self.id.map(V::Integer),
            Field::Name => Some(V::Text(&self.name)),
            Field::AssistantId => self.assistant_id.map(V::Integer),
            Field::Timezone => self.timezone.as_deref().map(V::Text),
            Field::RetryOnVoicemail => self.retry_on_voicemail.map(V::Flag),
            Field::RetryOnGoalIncomplete => self.retry_on_goal_incomplete.map(V::Flag),
            Field::GoalCompletionVariable => self.goal_completion_variable.as_deref().map(V::Text),
            Field::PhoneNumberIds => self.phone_number_ids.as_deref().map(V::Ids),
            Field::Assistant => self.assistant.as_deref().map(V::Text),
            Field::PhoneNumbers => self.phone_numbers.as_deref().map(V::Texts),
            Field::Leads => self.leads.as_ref().map(|_| V::Other),
            Field::Status => self.status.map(|s| V::Text(s.as_str())),
            Field::RenamedFrom => self.renamed_from.as_deref().map(V::Text),
            observable => with_observable_fields!(observable_value!((self, observable))),
        }
    }
}

/// A field's value as validation read it, before it is stored in the spec.
#[derive(Debug)]
pub enum Written {
    Integer(u64),
    Flag(bool),
    Time(ClockTime),
    Days(Vec<Weekday>),
    Text(String),
    Ids(Vec<u64>),
    Texts(Vec<String>),
    Leads(LeadsSpec),
    Status(DesiredStatus),
}

impl CampaignSpec {
    /// Stores the value validation read for `field`, of the kind the field table gives it.
    pub fn set(&mut self, field: Field, value: Written) {
        use Written as W;
        match (field, value) {
            (Field::Id, W::Integer(v)) => self.id = Some(v),
            (Field::Name, W::Text(v)) => self.name = v,
            (Field::AssistantId, W::Integer(v)) => self.assistant_id = Some(v),
            (Field::Timezone, W::Text(v)) => self.timezone = Some(v),
            (Field::RetryOnVoicemail, W::Flag(v)) => self.retry_on_voicemail = Some(v),
            (Field::RetryOnGoalIncomplete, W::Flag(v)) => self.retry_on_goal_incomplete = Some(v),
            (Field::GoalCompletionVariable, W::Text(v)) => self.goal_completion_variable = Some(v),
            (Field::PhoneNumberIds, W::Ids(v)) => self.phone_number_ids = Some(v),
            (Field::Assistant, W::Text(v)) => self.assistant = Some(v),
            (Field::PhoneNumbers, W::Texts(v)) => self.phone_numbers = Some(v),
            (Field::Leads, W::Leads(v)) => self.leads = Some(v),
            (Field::Status, W::Status(v)) => self.status = Some(v),
            (Field::RenamedFrom, W::Text(v)) => self.renamed_from = Some(v),
            (field, value) => {
                macro_rules! set_observable {
                    ((); $($variant:ident $name:ident,)*) => {
                        match field {
                            $(Field::$variant => {
                                let v = FromWritten::from_written(value);
                                self.$name = Some(v.unwrap_or_else(|v| mismatch(field, v)));
                            })*
                            _ => mismatch(field, value),
                        }
                    };
                }
                with_observable_fields!(set_observable!(()))
            }
        }
    }
}

/// A table kind that does not fit the spec's field: a programming error, which
/// `every_field_of_the_table_has_a_place_in_the_spec` finds first.
fn mismatch(field: Field, value: Written) -> ! {
    unreachable!(
        "CampaignSpec::set has no place for {value:?} as `{}`: \
         the field table (campaign::fields) and CampaignSpec disagree",
        field.name()
    )
}

/// The Rust value of a [`Written`], for the observable fields, whose types say which it is.
trait FromWritten: Sized {
    fn from_written(value: Written) -> Result<Self, Written>;
}

macro_rules! from_written {
    ($($type:ty: $variant:ident),*) => {
        $(impl FromWritten for $type {
            fn from_written(value: Written) -> Result<Self, Written> {
                match value {
                    Written::$variant(v) => Ok(v),
                    other => Err(other),
                }
            }
        })*
    };
}
from_written!(u64: Integer, bool: Flag, ClockTime: Time, Vec<Weekday>: Days);

/// One campaign document from a manifest file.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub spec: CampaignSpec,
    /// Where the document's mapping starts.
    pub location: Location,
    /// Where each key's value was written, and each array element (Laravel's dotted form
    /// `phone_number_ids.1` names them). Used to point API errors (422 field errors, missing
    /// references) back at the manifest.
    pub positions: Positions,
}

impl Manifest {
    /// This manifest as a write-once baseline keeps it when a git revision holds the same
    /// document in `file`: its values without `leads`, and without field positions (a baseline
    /// is compared by value, never pointed at: 2.9 MB of a baseline of 10,000 campaigns).
    pub fn values_elsewhere(&self, file: &Arc<Path>) -> Manifest {
        Manifest {
            spec: CampaignSpec {
                leads: None,
                ..self.spec.clone()
            },
            location: Location::shared(Arc::clone(file), self.location.line, self.location.column),
            positions: Positions::new(Arc::clone(file), None),
        }
    }

    /// Drops the field positions, keeping the values: what a write-once baseline keeps of a
    /// manifest it parsed (see [`Manifest::values_elsewhere`]).
    pub fn forget_positions(&mut self) {
        self.positions.forget();
    }

    /// The location of `field` (dotted form allowed), falling back to the parent field and then
    /// to the document itself.
    pub fn locate(&self, field: &str) -> Location {
        field_and_parents(field)
            .find_map(|key| self.positions.get(key))
            .unwrap_or_else(|| self.location.clone())
    }

    /// Makes `field`'s `part` point where `key` does (as [`Manifest::locate`] finds it): a
    /// name resolved to an id is reported at the line that wrote the name.
    pub fn locate_as(&mut self, field: Field, part: Part, key: &str) {
        let at = field_and_parents(key).find_map(|from| self.positions.find(from));
        // Nothing recorded for `key` cannot happen for a validated manifest (every key and
        // list item is recorded); `field` then falls back to the document, as `key` does.
        if let Some(at) = at {
            self.positions.record(field, part, at);
        }
    }
}

/// `field` and each field it is part of, innermost first (`a.0.b`, `a.0`, `a`): a field named
/// in dotted form (a 422 from the platform, `phone_number_ids.1`) is found at its own place when
/// it was written, else at its parent's.
pub fn field_and_parents(field: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(field), |key| key.rfind('.').map(|dot| &key[..dot]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::fields::{Access, Kind};

    /// Every field set, written out without `..Default::default()` so that a field added to
    /// the struct must be added here too.
    fn every_field() -> CampaignSpec {
        CampaignSpec {
            id: Some(77),
            name: "Q4".into(),
            assistant_id: Some(12),
            timezone: Some("Europe/Berlin".into()),
            max_calls_in_parallel: Some(3),
            allowed_hours_start_time: ClockTime::parse_hi("09:00"),
            allowed_hours_end_time: ClockTime::parse_hi("17:30"),
            allowed_days: Some(vec![Weekday::Monday, Weekday::Friday]),
            max_retries: Some(2),
            retry_interval: Some(90),
            retry_on_voicemail: Some(false),
            retry_on_goal_incomplete: Some(true),
            goal_completion_variable: Some("booked".into()),
            mark_complete_when_no_leads: Some(true),
            phone_number_ids: Some(vec![45, 46]),
            assistant: Some("Sales".into()),
            phone_numbers: Some(vec!["+12025550145".into()]),
            leads: Some(LeadsSpec { items: Vec::new() }),
            status: Some(DesiredStatus::Running),
            renamed_from: Some("Q3".into()),
        }
    }

    #[test]
    fn the_spec_holds_every_field_of_the_table() {
        let spec = every_field();
        for d in FIELDS {
            assert_eq!(
                spec.get(d.field).is_some(),
                d.field != Field::Kind,
                "CampaignSpec::get does not return `{}` although every field is set",
                d.name
            );
        }
    }

    #[test]
    fn every_field_of_the_table_has_a_place_in_the_spec() {
        for d in FIELDS.iter().filter(|d| d.field != Field::Kind) {
            // A value of the kind the table gives the field, as validation would read it.
            let value = match d.kind {
                Kind::PositiveId | Kind::Integer { .. } => Written::Integer(3),
                Kind::Text { .. } | Kind::Timezone => Written::Text("UTC".into()),
                Kind::Time => Written::Time(ClockTime { hour: 9, minute: 0 }),
                Kind::Days => Written::Days(vec![Weekday::Monday]),
                Kind::Flag => Written::Flag(true),
                Kind::Ids => Written::Ids(vec![1]),
                Kind::PhoneNumbers => Written::Texts(vec!["+12025550145".into()]),
                Kind::Leads => Written::Leads(LeadsSpec { items: Vec::new() }),
                Kind::Status => Written::Status(DesiredStatus::Running),
                Kind::DocumentKind => unreachable!("only kind is of this kind"),
            };
            let mut spec = CampaignSpec::default();
            spec.set(d.field, value);
            assert!(
                spec.get(d.field).is_some(),
                "CampaignSpec::set stores `{}` where CampaignSpec::get does not read it",
                d.name
            );
        }
    }

    #[test]
    fn the_create_body_holds_exactly_the_fields_the_create_endpoint_takes() {
        let spec = every_field();
        let body = serde_json::to_value(spec.create_request()).expect("serialises");
        let body = body.as_object().expect("an object");
        let mut sent: Vec<&str> = body.keys().map(String::as_str).collect();
        let mut table: Vec<&str> = FIELDS
            .iter()
            .filter(|d| !matches!(d.access, Access::Manifest | Access::BeyondCreate))
            .map(|d| d.name)
            .collect();
        sent.sort_unstable();
        table.sort_unstable();
        assert_eq!(
            sent, table,
            "CreateCampaign's fields and the table's created fields (campaign::fields) differ"
        );
        for d in FIELDS.iter().filter(|d| body.contains_key(d.name)) {
            let value = spec.get(d.field).map(|v| v.to_json());
            assert_eq!(
                Some(&body[d.name]),
                value.as_ref(),
                "create_request sends another value as `{}` than the spec holds",
                d.name
            );
        }
    }
}
