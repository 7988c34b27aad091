//! Whether a campaign that differs from its manifest is replaced (a draft the manifest alone can
//! create again) or stays drift, and the hint on a create that looks like a rename.

use crate::api::types::RemoteCampaign;
use crate::campaign::fields::OBSERVABLE;
use crate::manifest::{CampaignSpec, Diagnostic};

use super::field_diff::diff;

/// Why a campaign whose observable fields differ from its manifest is not replaced, or `None`
/// when it is: a draft (never placed a call) that the manifest alone can create again.
pub fn why_not_replaced(spec: &CampaignSpec, remote: &RemoteCampaign) -> Option<String> {
    let renamed = spec.name != remote.name && spec.id.is_none();
    if remote.status.may_have_run() {
        let status = remote.status.label();
        return Some(if renamed {
            format!(
                "the platform cannot rename a campaign, and {:?} may have run (status {status}), so campaignctl will not replace it: that would delete its leads and call history. To use the new name, remove renamed_from (a new campaign is then created under the new name), then stop or delete the old one with a manifest for {:?} (status: stopped or status: deleted)",
                remote.name, remote.name
            )
        } else {
            format!(
                "this campaign may have run (status {status}), so campaignctl never replaces it: that would delete its leads and call history. To apply these settings, create a new campaign under a new name (a new manifest), then stop this one (status: stopped) or delete it (status: deleted)"
            )
        });
    }
    if spec.id.is_some() {
        return Some(
            "adopted by id: a replacement would get a new id, so this draft is not replaced; change it in the dashboard, or remove `id:` (and set assistant_id) to let campaignctl replace it"
                .to_owned(),
        );
    }
    None
}

/// Why a replace whose create could not be sent now (a reference that does not resolve) is
/// kept as drift instead, so that one drifted draft does not block every plan.
pub fn unreplaceable_note(problems: &[Diagnostic]) -> String {
    let reasons: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
    format!(
        "this draft cannot be replaced, because its manifest could not create it now: {}",
        reasons.join("; ")
    )
}

/// A create next to an undeclared campaign with the same observable settings and a similar
/// name is probably a rename written without `renamed_from`: the note that says so, if one is.
/// `undeclared`: every campaign no manifest means.
pub fn rename_hint(spec: &CampaignSpec, undeclared: &[&RemoteCampaign]) -> Option<String> {
    let compares_something = OBSERVABLE.iter().any(|&f| spec.get(f).is_some());
    if undeclared.is_empty() || spec.renamed_from.is_some() || !compares_something {
        return None;
    }
    let (_, old) = undeclared
        .iter()
        .filter(|c| diff(spec, c).is_empty())
        .map(|c| (name_similarity(&spec.name, &c.name), *c))
        .filter(|(score, _)| *score >= SIMILAR)
        .max_by(|x, y| x.0.total_cmp(&y.0))?;
    Some(format!(
        "did you rename {:?} (id {})? It has the same settings. To replace it under the new name instead of creating a second campaign, add renamed_from: {:?} to this manifest",
        old.name, old.id, old.name
    ))
}

/// How close two names must be to suggest a rename.
const SIMILAR: f64 = 0.8;

fn name_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a.contains(&b) || b.contains(&a) {
        return 1.0;
    }
    strsim::jaro_winkler(&a, &b)
}
