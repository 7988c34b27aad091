//! References by name: `assistant: Sales Outbound` and `phone_numbers: ["+12025550145"]` are
//! turned into the ids the create endpoint takes, from the lists the plan already fetched. A name
//! that matches nothing, or more than one thing, is an error naming the candidates: campaignctl
//! never guesses. Pure: no I/O.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::types::{Assistant, PhoneNumber};
use crate::campaign::fields::Field;
use crate::manifest::{
    normalize_phone, suggest_closest, CampaignSpec, Diagnostic, Location, Manifest, Part,
};

use super::observed::Observed;

/// An account resource a manifest refers to, by both its name and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    /// The assistant's name, or the phone number itself.
    pub name: String,
    pub id: u64,
}

/// What one campaign's references resolved to, for the plan to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct References {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistant: Option<NamedRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<NamedRef>,
}

impl References {
    pub fn is_empty(&self) -> bool {
        self.assistant.is_none() && self.phone_numbers.is_empty()
    }
}

/// The outbound assistants the repository declares (not `status: deleted`), by name, with the
/// id each adopts: a campaign may name one that the platform does not have yet (this plan
/// creates it) or has under another name (this plan renames it).
pub type DeclaredAssistants = BTreeMap<String, Option<u64>>;

/// The manifests with every name replaced by its id (resolved in place: no second copy of
/// them is made), and what each resolved to.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub manifests: Vec<Manifest>,
    /// Campaigns naming a declared assistant the platform does not have yet, by campaign
    /// name: the assistant's name (its id is known once this plan has created it).
    pub pending_assistant: BTreeMap<String, String>,
    /// By campaign name.
    pub references: BTreeMap<String, References>,
    /// Names that did not resolve, by the location of the manifest that holds them.
    pub problems: BTreeMap<Location, Vec<Diagnostic>>,
}

/// Resolves the names of every manifest. Whether a problem is an error depends on the plan:
/// only for a campaign about to be created (see `planning`), since for one that exists the
/// references are write-once and no longer matter (an assistant renamed in the dashboard must
/// not break the plan of every campaign using it).
pub fn resolve_names(manifests: Vec<Manifest>, observed: &Observed) -> Resolved {
    resolve_names_declaring(manifests, observed, &DeclaredAssistants::new())
}

/// [`resolve_names`], with the assistants the repository declares: a name the platform does
/// not list resolves to the declared assistant (its adopted id, or pending its create).
pub fn resolve_names_declaring(
    mut manifests: Vec<Manifest>,
    observed: &Observed,
    declared: &DeclaredAssistants,
) -> Resolved {
    let resolver = Resolver::new(observed, declared);
    let mut resolved = Resolved::default();
    for m in &mut manifests {
        let mut problems = Vec::new();
        let refs = resolver.resolve(m, &mut problems);
        if let Some(name) = m.spec.assistant.as_ref().filter(|name| {
            declared.contains_key(*name) && m.spec.assistant_id.is_none() && problems.is_empty()
        }) {
            resolved
                .pending_assistant
                .insert(m.spec.name.clone(), name.clone());
        }
        if !problems.is_empty() {
            resolved.problems.insert(m.location.clone(), problems);
        }
        if !refs.is_empty() {
            resolved.references.insert(m.spec.name.clone(), refs);
        }
    }
    resolved.manifests = manifests;
    resolved
}

/// Resolves one manifest's names at a time against one observed account.
pub struct Resolver<'o> {
    observed: &'o Observed,
    /// The outbound assistants, listed once for all manifests, not once for each.
    outbound: Vec<&'o Assistant>,
    declared: &'o DeclaredAssistants,
}

impl<'o> Resolver<'o> {
    pub fn new(observed: &'o Observed, declared: &'o DeclaredAssistants) -> Resolver<'o> {
        Resolver {
            observed,
            outbound: observed
                .assistants
                .iter()
                .filter(|a| a.is_outbound())
                .collect(),
            declared,
        }
    }

    /// Sets `m`'s ids from its names, in place, and says what they resolved to; a name that
    /// resolves to nothing (or to several) is a problem in `out` and leaves its id unset.
    /// Idempotent: a manifest writes a reference by name or by id, never both (validation),
    /// so the ids a name set are taken back first and a manifest resolved before resolves
    /// again as it would have the first time (`watch` keeps its load between passes, and the
    /// account may have changed since).
    pub fn resolve(&self, m: &mut Manifest, out: &mut Vec<Diagnostic>) -> References {
        unresolve(&mut m.spec);
        resolve_one(m, self.observed, &self.outbound, self.declared, out)
    }

    /// Resolves a baseline's manifest over the ids it may already hold: a name that resolves
    /// sets its id as [`Resolver::resolve`] does, but a name that no longer resolves keeps the
    /// id set when it was applied (`watch` remembers what it applied resolved), so an assistant
    /// renamed in the dashboard since still compares with what the campaign was created with.
    /// A manifest read from a commit holds no such id, and resolves as it would fresh.
    pub fn resolve_over(&self, m: &mut Manifest, out: &mut Vec<Diagnostic>) -> References {
        resolve_one(m, self.observed, &self.outbound, self.declared, out)
    }
}

/// Takes back the ids that names set (`Resolver::resolve`): what the manifest itself wrote.
fn unresolve(spec: &mut CampaignSpec) {
    if spec.assistant.is_some() {
        spec.assistant_id = None;
    }
    if spec.phone_numbers.is_some() {
        spec.phone_number_ids = None;
    }
}

/// `spec` as its manifest wrote it, whether or not its names were resolved since: what a
/// saved plan fingerprints (the plan resolved the manifests it was made from in place, a
/// later load has not). Copied only when it names something.
pub fn as_written(spec: &CampaignSpec) -> Cow<'_, CampaignSpec> {
    if spec.assistant.is_none() && spec.phone_numbers.is_none() {
        return Cow::Borrowed(spec);
    }
    let mut copy = spec.clone();
    unresolve(&mut copy);
    Cow::Owned(copy)
}

fn resolve_one(
    m: &mut Manifest,
    observed: &Observed,
    outbound: &[&Assistant],
    declared: &DeclaredAssistants,
    out: &mut Vec<Diagnostic>,
) -> References {
    let mut refs = References::default();
    if let Some(name) = m.spec.assistant.clone() {
        // An assistant declared here is the one meant: by the id it adopts, or (not listed
        // under that name) the one this plan creates.
        let adopted = declared
            .get(&name)
            .map(|id| id.and_then(|id| observed.assistants.iter().find(|a| a.id == id)));
        let listed = || outbound.iter().any(|a| a.name == name);
        let found = match adopted {
            Some(Some(a)) => Some(a),
            Some(None) if !listed() => None,
            _ => assistant_by_name(m, &name, observed, outbound, out),
        };
        if let Some(a) = found {
            m.spec.assistant_id = Some(a.id);
            // A 422 or 404 about assistant_id must point at the line that names it.
            m.locate_as(Field::AssistantId, Part::Whole, "assistant");
            refs.assistant = Some(NamedRef { name, id: a.id });
        }
    } else if let Some(a) = m
        .spec
        .assistant_id
        .and_then(|id| observed.assistants.iter().find(|a| a.id == id))
    {
        refs.assistant = Some(NamedRef {
            name: a.name.clone(),
            id: a.id,
        });
    }

    if let Some(numbers) = m.spec.phone_numbers.clone() {
        let mut ids = Vec::with_capacity(numbers.len());
        for (i, number) in numbers.iter().enumerate() {
            if let Some(p) = phone_by_number(m, i, number, &observed.phone_numbers, out) {
                ids.push(p.id);
                refs.phone_numbers.push(NamedRef {
                    name: number.clone(),
                    id: p.id,
                });
                let item = Part::Item(u32::try_from(i).unwrap_or(u32::MAX));
                m.locate_as(Field::PhoneNumberIds, item, &format!("phone_numbers.{i}"));
            }
        }
        if ids.len() == numbers.len() {
            m.locate_as(Field::PhoneNumberIds, Part::Whole, "phone_numbers");
            m.spec.phone_number_ids = Some(ids);
        }
    } else if let Some(ids) = &m.spec.phone_number_ids {
        refs.phone_numbers = ids
            .iter()
            .filter_map(|id| observed.phone_numbers.iter().find(|p| p.id == *id))
            .map(|p| NamedRef {
                name: p.phone_number.clone(),
                id: p.id,
            })
            .collect();
    }
    refs
}

fn assistant_by_name<'a>(
    m: &Manifest,
    name: &str,
    observed: &'a Observed,
    outbound: &[&'a Assistant],
    out: &mut Vec<Diagnostic>,
) -> Option<&'a Assistant> {
    let matching: Vec<&Assistant> = outbound
        .iter()
        .copied()
        .filter(|a| a.name == name)
        .collect();
    let candidates = || {
        let listed: Vec<String> = outbound
            .iter()
            .map(|a| format!("{:?} (id {})", a.name, a.id))
            .collect();
        format!("outbound assistants: {}", none_if_empty(&listed))
    };
    let error = |message: String, hint: String| {
        Diagnostic::error(Some(m.locate("assistant")), message)
            .with_field("assistant")
            .with_hint(hint)
    };
    match matching.as_slice() {
        [one] => return Some(one),
        [] => {
            let inbound = observed
                .assistants
                .iter()
                .find(|a| a.name == name && !a.is_outbound());
            let message = match inbound {
                Some(a) => format!(
                    "assistant {name:?} (id {}) is an {} assistant; a campaign needs an outbound assistant",
                    a.id, a.kind
                ),
                None => format!("no outbound assistant is named {name:?}"),
            };
            let meant = suggest_closest(name, outbound.iter().map(|a| a.name.as_str()))
                .map(|n| format!("did you mean {n:?}? "))
                .unwrap_or_default();
            out.push(error(message, format!("{meant}{}", candidates())));
        }
        many => {
            let ids: Vec<String> = many.iter().map(|a| a.id.to_string()).collect();
            out.push(error(
                format!(
                    "{} outbound assistants are named {name:?} (ids {}); campaignctl will not guess which one",
                    many.len(),
                    ids.join(", ")
                ),
                "write assistant_id: with one of the ids instead of assistant:, or rename the others in the dashboard".to_owned(),
            ));
        }
    }
    None
}

fn phone_by_number<'a>(
    m: &Manifest,
    i: usize,
    number: &str,
    numbers: &'a [PhoneNumber],
    out: &mut Vec<Diagnostic>,
) -> Option<&'a PhoneNumber> {
    let field = format!("phone_numbers.{i}");
    let matching: Vec<&PhoneNumber> = numbers
        .iter()
        .filter(|p| normalize_phone(&p.phone_number).as_deref() == Some(number))
        .collect();
    let error = |message: String, hint: String| {
        Diagnostic::error(Some(m.locate(&field)), message)
            .with_field(field.clone())
            .with_hint(hint)
    };
    match matching.as_slice() {
        [one] => return Some(one),
        [] => {
            let listed: Vec<String> = numbers
                .iter()
                .map(|p| format!("{} (id {})", p.phone_number, p.id))
                .collect();
            let meant = suggest_closest(number, numbers.iter().map(|p| p.phone_number.as_str()))
                .map(|n| format!("did you mean {n}? "))
                .unwrap_or_default();
            out.push(error(
                format!("{field}: {number} is not a phone number of this account"),
                format!("{meant}phone numbers: {}", none_if_empty(&listed)),
            ));
        }
        many => {
            let ids: Vec<String> = many.iter().map(|p| p.id.to_string()).collect();
            out.push(error(
                format!(
                    "{field}: {number} is held by {} phone number records (ids {}); campaignctl will not guess which one",
                    many.len(),
                    ids.join(", ")
                ),
                "write phone_number_ids: with the ids instead of phone_numbers:".to_owned(),
            ));
        }
    }
    None
}

fn none_if_empty(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}
