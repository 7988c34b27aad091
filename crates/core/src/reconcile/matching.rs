//! Matching: which platform campaign each manifest means (by adopted `id`, by name, or by the
//! name it was `renamed_from`), and which campaigns no manifest means. Pure, deterministic, and
//! the only step that reads every manifest at once; what becomes of each match is decided per
//! campaign by `disposition`.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::api::types::RemoteCampaign;
use crate::manifest::{Diagnostic, Manifest};
use crate::shown_path::ShownFrom;

use super::observed::Observed;

/// What matching found for one campaign of the plan: the input its disposition is decided from.
#[derive(Debug, Clone, Copy)]
pub enum Candidate<'a> {
    /// A manifest no campaign answers to: created (unless it `renamed_from` one that is gone).
    Create(&'a Manifest),
    /// `status: deleted`, and no campaign holds the name: nothing to do.
    Absent(&'a Manifest),
    /// `status: deleted` for a campaign that exists.
    Tombstone(&'a Manifest, &'a RemoteCampaign),
    /// A manifest and the campaign it manages.
    Matched(&'a Manifest, &'a RemoteCampaign),
    /// A campaign no manifest means: unmanaged, or pruned.
    Undeclared(&'a RemoteCampaign),
}

impl<'a> Candidate<'a> {
    pub fn manifest(&self) -> Option<&'a Manifest> {
        match *self {
            Candidate::Create(m)
            | Candidate::Absent(m)
            | Candidate::Tombstone(m, _)
            | Candidate::Matched(m, _) => Some(m),
            Candidate::Undeclared(_) => None,
        }
    }

    pub fn remote(&self) -> Option<&'a RemoteCampaign> {
        match *self {
            Candidate::Tombstone(_, r) | Candidate::Matched(_, r) | Candidate::Undeclared(r) => {
                Some(r)
            }
            Candidate::Create(_) | Candidate::Absent(_) => None,
        }
    }
}

/// Every campaign of a plan as matched, and the problems that stop a manifest from matching
/// (a missing adopted id, a name several campaigns hold, ...).
#[derive(Debug, Clone)]
pub struct Matching<'a> {
    pub candidates: Vec<Candidate<'a>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Matches every manifest to the platform campaign it means, and lists the campaigns no manifest
/// means, in plan order (manifests in load order, then undeclared campaigns by id).
///
/// A manifest with `id` adopts that campaign: it is matched by id, never created, and its name
/// is compared like any other observable field. Every other manifest is matched by name among
/// the campaigns no manifest adopts.
///
/// Matching reads every manifest (their adopted ids and names claim campaigns), but only the
/// manifests `in_scope` get a candidate and their problems reported: `--target` narrows what is
/// decided, never what claims a campaign, so a targeted manifest never takes a campaign an
/// untargeted one adopts, and a campaign an untargeted manifest matches is not undeclared.
/// A problem that names another manifest's place names it as `shown_from` shows paths.
pub fn match_campaigns<'a>(
    desired: &'a [Manifest],
    observed: &'a Observed,
    in_scope: &dyn Fn(&Manifest) -> bool,
    shown_from: &ShownFrom,
) -> Matching<'a> {
    let by_id: HashMap<u64, &RemoteCampaign> =
        observed.campaigns.iter().map(|c| (c.id, c)).collect();
    let adopted: HashMap<u64, &Manifest> = desired
        .iter()
        .filter_map(|m| m.spec.id.map(|id| (id, m)))
        .collect();
    let mut by_name: BTreeMap<&str, Vec<&RemoteCampaign>> = BTreeMap::new();
    for c in &observed.campaigns {
        by_name.entry(c.name.as_str()).or_default().push(c);
    }
    let declared_names: HashSet<&str> = desired.iter().map(|m| m.spec.name.as_str()).collect();

    let mut candidates = Vec::with_capacity(desired.len() + observed.campaigns.len());
    let mut diagnostics = Vec::new();
    let mut matched: HashSet<u64> = HashSet::new();
    for m in desired {
        let spec = &m.spec;
        // What this manifest adds is dropped below when it is out of scope; its claim stays.
        let reported = (candidates.len(), diagnostics.len());
        if let Some(id) = spec.id {
            match by_id.get(&id) {
                // A tombstone deletes only the campaign it names: an id alone (a typo, a copy,
                // a file cut off so that `id: 41` reads `id: 4`) must never delete another
                // campaign's history. Refused, so that nothing is applied while it stands.
                Some(remote)
                    if spec.is_deleted()
                        && remote.name != spec.name
                        && spec.renamed_from.as_deref() != Some(remote.name.as_str()) =>
                {
                    matched.insert(id);
                    diagnostics.push(
                        Diagnostic::error(
                            Some(m.locate("id")),
                            format!(
                                "campaign id {id} is {:?} on the platform, not {:?}; status: deleted deletes only the campaign its manifest names, so nothing is deleted",
                                remote.name, spec.name
                            ),
                        )
                        .with_field("id")
                        .with_hint(format!(
                            "check the id; to delete campaign {id}, write its current name: name: {:?}",
                            remote.name
                        )),
                    );
                }
                Some(remote) if spec.is_deleted() => {
                    matched.insert(id);
                    candidates.push(Candidate::Tombstone(m, remote));
                }
                Some(remote) => {
                    matched.insert(id);
                    candidates.push(Candidate::Matched(m, remote));
                }
                None if spec.is_deleted() => candidates.push(Candidate::Absent(m)),
                None => diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("id")),
                        format!(
                            "campaign id {id} ({:?}) does not exist on the platform; campaignctl will not create a different campaign in its place",
                            spec.name
                        ),
                    )
                    .with_field("id")
                    .with_hint("if it was deleted on purpose, delete this manifest (or set status: deleted); to create it anew, remove `id:` and set assistant_id"),
                ),
            }
            keep_in_scope(m, reported, &mut candidates, &mut diagnostics, in_scope);
            continue;
        }
        let free_holders = |name: &str| -> (Vec<&RemoteCampaign>, Vec<&RemoteCampaign>) {
            by_name
                .get(name)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .partition(|c| adopted.contains_key(&c.id))
        };
        let (held, free) = free_holders(&spec.name);
        match free.as_slice() {
            [] if !held.is_empty() => {
                let holder = held[0];
                let adopter = adopted[&holder.id];
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("name")),
                        format!(
                            "campaign name {:?} is held by campaign id {}, which {} adopts by id; creating it would make two campaigns of one name",
                            spec.name,
                            holder.id,
                            adopter.locate("id").shown(shown_from)
                        ),
                    )
                    .with_field("name")
                    .with_hint("rename one of the two manifests"),
                );
            }
            [] if spec.is_deleted() => candidates.push(Candidate::Absent(m)),
            [] => {
                // Renamed in git: the campaign may still be on the platform under its old name.
                let old = spec
                    .renamed_from
                    .as_deref()
                    .map(|old| (old, free_holders(old).1));
                match old {
                    Some((old, _)) if declared_names.contains(old) => diagnostics.push(
                        Diagnostic::error(
                            Some(m.locate("renamed_from")),
                            format!(
                                "renamed_from {old:?} is the name of another manifest; one campaign cannot be both"
                            ),
                        )
                        .with_field("renamed_from")
                        .with_hint("remove renamed_from, or rename the other manifest"),
                    ),
                    Some((_, olds)) if olds.len() == 1 => {
                        let remote = olds[0];
                        matched.insert(remote.id);
                        candidates.push(Candidate::Matched(m, remote));
                    }
                    Some((old, olds)) if olds.len() > 1 => {
                        matched.extend(olds.iter().map(|c| c.id));
                        diagnostics.push(
                            Diagnostic::error(
                                Some(m.locate("renamed_from")),
                                format!(
                                    "renamed_from {old:?} is held by {} campaigns on the platform (ids {}); campaignctl will not guess which one was renamed",
                                    olds.len(),
                                    ids_text(&olds)
                                ),
                            )
                            .with_field("renamed_from")
                            .with_hint("delete or rename the extra campaigns in the dashboard, or remove renamed_from"),
                        );
                    }
                    _ => candidates.push(Candidate::Create(m)),
                }
            }
            [remote] if spec.is_deleted() => {
                matched.insert(remote.id);
                candidates.push(Candidate::Tombstone(m, remote));
            }
            // A rename onto a name another campaign holds, while the campaign to rename is
            // still there: taking over either would be a guess (and replacing the old one
            // would leave two campaigns of one name). Once the old name is gone, the rename
            // is done and `renamed_from` is inert.
            [remote]
                if spec
                    .renamed_from
                    .as_deref()
                    .is_some_and(|old| !free_holders(old).1.is_empty()) =>
            {
                matched.insert(remote.id);
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("renamed_from")),
                        format!(
                            "renamed_from: {:?} onto {:?}, a name campaign {} already holds; the platform would have two campaigns of one name",
                            spec.renamed_from.as_deref().unwrap_or_default(),
                            spec.name,
                            remote.id
                        ),
                    )
                    .with_field("renamed_from")
                    .with_hint("choose a name no campaign holds, or delete the campaign holding it first (status: deleted in its manifest), or remove renamed_from to manage that campaign instead"),
                );
            }
            [remote] => {
                matched.insert(remote.id);
                candidates.push(Candidate::Matched(m, remote));
            }
            many => {
                matched.extend(many.iter().map(|c| c.id));
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("name")),
                        format!(
                            "campaign name {:?} is held by {} campaigns on the platform (ids {}); campaignctl will not guess which one this manifest means",
                            spec.name,
                            many.len(),
                            ids_text(many)
                        ),
                    )
                    .with_field("name")
                    .with_hint("delete or rename the extra campaigns in the dashboard so that one campaign holds the name, or pin this manifest to one of them with `id:`"),
                );
            }
        }
        keep_in_scope(m, reported, &mut candidates, &mut diagnostics, in_scope);
    }

    let mut undeclared: Vec<&RemoteCampaign> = observed
        .campaigns
        .iter()
        .filter(|c| !matched.contains(&c.id))
        .collect();
    undeclared.sort_by_key(|c| c.id);
    candidates.extend(undeclared.into_iter().map(Candidate::Undeclared));
    Matching {
        candidates,
        diagnostics,
    }
}

/// Drops what an out-of-scope manifest added (`reported`: the lengths before it), keeping its
/// claim on the campaign it matched.
fn keep_in_scope(
    m: &Manifest,
    reported: (usize, usize),
    candidates: &mut Vec<Candidate<'_>>,
    diagnostics: &mut Vec<Diagnostic>,
    in_scope: &dyn Fn(&Manifest) -> bool,
) {
    if !in_scope(m) {
        candidates.truncate(reported.0);
        diagnostics.truncate(reported.1);
    }
}

fn ids_text(campaigns: &[&RemoteCampaign]) -> String {
    let ids: Vec<String> = campaigns.iter().map(|c| c.id.to_string()).collect();
    ids.join(", ")
}
