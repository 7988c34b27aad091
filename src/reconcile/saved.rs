//! Saved plans (`plan --out FILE`, `apply FILE`): a plan frozen together with fingerprints of
//! what it was computed from, so that apply can refuse it once the world has moved on.
//!
//! A plan file is JSON and is recognised by its content (`"kind": "campaignctl/saved-plan"`),
//! never by its extension. One file holds the plans of every account it was made for. It holds
//! no token: only each account's name and API URL, the manifest paths, the plan's actions
//! (create bodies included) and the manifest locations used to map API errors back to lines.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::types::{Assistant, RemoteCampaign};
use crate::manifest::Manifest;

use super::leads_and_status::ObservedLeads;
use super::lifecycle::LifecycleOptions;
use super::operation::Operation;
use super::plan::Plan;
use super::resolve::as_written;

/// The `kind` that marks a saved plan.
pub const KIND: &str = crate::manifest::SAVED_PLAN_KIND;
/// Bumped on any incompatible change of the file's layout (4: operations no longer carry their
/// effects, which are derived from their kind).
pub const FORMAT_VERSION: u32 = 4;
/// Saved plans larger than this are refused unread (50,000 campaigns make about 40 MB).
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Of the loaded manifests (their meaning, not their bytes: comments do not count).
    pub manifests: String,
    /// Of the platform's campaign list (ids, names, observable fields and status).
    pub remote: String,
    /// Of the leads (normalised phone numbers) of `lead_campaigns`, the existing campaigns
    /// whose leads the plan read: adding leads does not change the campaign list.
    pub leads: String,
    /// Of the platform's assistant list: an assistant edited or created in the dashboard makes
    /// the plan stale, said as such (empty in a file from a build before assistants: stale).
    #[serde(default)]
    pub assistants: String,
}

/// A saved plan file: the plan of each account it was made for, and what they share (where
/// `plan` ran, the repository config). `apply FILE` checks every account's plan before it
/// executes any.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlans {
    pub kind: String,
    pub format_version: u32,
    /// The plan is only meaningful to the version that made it: fingerprints and plan
    /// semantics may change between versions.
    pub campaignctl_version: String,
    /// The working directory `plan` ran in (absolute): `apply` resolves `paths` from here, so
    /// a plan applies the same from any directory.
    pub base_dir: PathBuf,
    /// The repository config the accounts are declared in (absolute), if any: `apply` reads
    /// each account's API, token and defaults from it again, and refuses another config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<PathBuf>,
    /// One plan per account, in the order they were planned. Named to sort after `kind`: a
    /// file rewritten with sorted keys is still recognised by its first bytes.
    pub plans: Vec<SavedPlan>,
}

impl SavedPlans {
    pub fn new(base_dir: &Path, config: Option<&Path>, plans: Vec<SavedPlan>) -> SavedPlans {
        SavedPlans {
            kind: KIND.to_owned(),
            format_version: FORMAT_VERSION,
            campaignctl_version: env!("CARGO_PKG_VERSION").to_owned(),
            base_dir: base_dir.to_owned(),
            config: config.map(Path::to_path_buf),
            plans,
        }
    }

    pub fn to_json(&self) -> String {
        // Serialising plain data to a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// The plan of one account, with the fingerprints of what it was computed from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    /// The repository config's account the plan was made for (`None` without a config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The API the plan was made against; applying it elsewhere is refused.
    pub api_url: String,
    /// The manifest paths as given to `plan`, reloaded by `apply` to check the fingerprint.
    pub paths: Vec<PathBuf>,
    /// The `--target` patterns the plan was narrowed to (none: every campaign of `paths`).
    /// `apply` recomputes the plan with the same targets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Whether the plan covered the whole account (and so listed unmanaged campaigns): a path
    /// on the command line narrows an account even when it names the account's directory.
    pub whole_account: bool,
    pub fingerprint: Fingerprint,
    /// The existing campaigns whose leads `fingerprint.leads` covers.
    pub lead_campaigns: Vec<u64>,
    /// `--prune-prefix` and `--max-deletes` as given to `plan`: `apply` plans again with them.
    #[serde(default)]
    pub lifecycle: LifecycleOptions,
    /// The plan as reviewed. `apply` recomputes it and refuses to run unless the two run the
    /// same operations (`first_difference`).
    pub plan: SavedOperations,
}

/// What a saved plan keeps of the plan: its operations, the only part that runs, so each create
/// body and each lead is written once. The explanation is recomputed with the plan and shown
/// from there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedOperations {
    pub operations: Vec<Operation>,
}

impl SavedPlan {
    /// `manifests` as loaded (fingerprinted).
    pub fn new(
        api_url: &str,
        paths: &[PathBuf],
        manifests: &[Manifest],
        remote: &[RemoteCampaign],
        leads: &ObservedLeads,
        plan: &Plan,
    ) -> SavedPlan {
        SavedPlan {
            account: None,
            api_url: api_url.to_owned(),
            paths: paths.to_vec(),
            targets: Vec::new(),
            whole_account: false,
            fingerprint: Fingerprint {
                manifests: manifests_fingerprint(manifests),
                remote: remote_fingerprint(remote),
                leads: leads_fingerprint(leads),
                assistants: assistants_fingerprint(&[]),
            },
            lead_campaigns: leads.keys().copied().collect(),
            lifecycle: LifecycleOptions::default(),
            plan: SavedOperations {
                operations: plan.operations.clone(),
            },
        }
    }

    /// Records the assistant list the plan was made from.
    pub fn with_assistants(mut self, assistants: &[Assistant]) -> SavedPlan {
        self.fingerprint.assistants = assistants_fingerprint(assistants);
        self
    }

    /// Records the lifecycle options the plan was made with.
    pub fn with_lifecycle(mut self, lifecycle: &LifecycleOptions) -> SavedPlan {
        self.lifecycle = lifecycle.clone();
        self
    }

    /// The plan is for this account of the repository config.
    pub fn with_account(mut self, account: Option<&str>) -> SavedPlan {
        self.account = account.map(str::to_owned);
        self
    }

    /// The plan was narrowed to these `--target` patterns, and covered the whole account or
    /// not.
    pub fn with_scope(mut self, targets: &[String], whole_account: bool) -> SavedPlan {
        self.targets = targets.to_vec();
        self.whole_account = whole_account;
        self
    }
}

/// Where `saved` and `now` first differ in what they would do, in the words of campaigns and
/// fields, with both values (`None` when they run the same operations). Saved plans are checked
/// by recomputing them: a file that was edited, even with matching fingerprints, never executes
/// anything but what campaignctl computes now. Only the operations are compared: they are all
/// that runs, and the per-campaign view only explains them.
pub fn first_difference(saved: &[Operation], now: &[Operation]) -> Option<String> {
    let operations = |ops: &[Operation]| serde_json::json!({ "operations": ops });
    let (a, b) = (operations(saved), operations(now));
    let mut path = Vec::new();
    let (x, y) = first_difference_at(&mut path, &a, &b)?;
    Some(describe(&path, &a, &b, x, y))
}

/// One step into a JSON document.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The first place (depth first, keys in order) where `a` and `b` differ: `path` is left
/// pointing there, and the two values are returned.
fn first_difference_at<'a>(
    path: &mut Vec<Step<'a>>,
    a: &'a serde_json::Value,
    b: &'a serde_json::Value,
) -> Option<(&'a serde_json::Value, &'a serde_json::Value)> {
    use serde_json::Value;
    const NULL: &Value = &Value::Null;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                path.push(Step::Key(k));
                let found =
                    first_difference_at(path, x.get(k).unwrap_or(NULL), y.get(k).unwrap_or(NULL));
                if found.is_none() {
                    path.pop();
                }
                found
            })
        }
        (Value::Array(x), Value::Array(y)) => (0..x.len().max(y.len())).find_map(|i| {
            path.push(Step::Index(i));
            let found =
                first_difference_at(path, x.get(i).unwrap_or(NULL), y.get(i).unwrap_or(NULL));
            if found.is_none() {
                path.pop();
            }
            found
        }),
        _ if a == b => None,
        _ => Some((a, b)),
    }
}

/// A difference said as a person reads a plan: which campaign, which operation or part of the
/// plan, which field; never the plan's internal layout (`actions[1].kind.Create.request`).
fn describe(
    path: &[Step<'_>],
    a: &serde_json::Value,
    b: &serde_json::Value,
    x: &serde_json::Value,
    y: &serde_json::Value,
) -> String {
    let (section, index) = match path {
        [Step::Key(section), Step::Index(i), ..] => (*section, Some(*i)),
        [Step::Key(section), ..] => (*section, None),
        _ => ("", None),
    };
    let element = index.map(|i| {
        let in_file = &a[section][i];
        if in_file.is_null() {
            &b[section][i]
        } else {
            in_file
        }
    });
    let op = element
        .and_then(|e| e["op"].as_str())
        .unwrap_or("operation");
    // An assistant's operation is named as the assistant's (`operation_words` says so).
    let kind = if op.ends_with("_assistant") {
        ""
    } else {
        "campaign "
    };
    let campaign = element
        .and_then(|e| e.get("campaign").or_else(|| e.get("name")))
        .and_then(serde_json::Value::as_str)
        .map(|name| format!("{kind}{}", short(&serde_json::json!(name))));
    let what = match (section, campaign) {
        ("operations", Some(campaign)) => super::executor::operation_words(op, &campaign),
        (_, Some(campaign)) => campaign,
        _ => "the plan".to_owned(),
    };
    // The field: the keys below the campaign's entry, without the plan's own wrappers (the
    // kind of entry, its request body, enum variants, which are capitalised).
    let mut field = String::new();
    for step in path.iter().skip(2) {
        match step {
            Step::Key(k) if matches!(*k, "kind" | "request" | "op") => {}
            Step::Key(k) if k.starts_with(|c: char| c.is_ascii_uppercase()) => {}
            Step::Key(k) => {
                if !field.is_empty() {
                    field.push(' ');
                }
                field.push_str(k);
            }
            Step::Index(i) => field.push_str(&format!(" (item {})", i + 1)),
        }
    }
    let field = field.trim_start();
    if field.is_empty() {
        return match (x.is_null(), y.is_null()) {
            (true, false) => format!("{what} is in the plan now but not in the file"),
            (false, true) => format!("{what} is in the file but not in the plan now"),
            _ => format!("{what} is {} in the file but {} now", short(x), short(y)),
        };
    }
    format!(
        "{what}: {field} is {} in the file but {} now",
        short(x),
        short(y)
    )
}

/// A value for a message: compact JSON, cut to a readable length.
fn short(v: &serde_json::Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(80) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// Why a file could not be used as a saved plan.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes, more than a saved plan can be ({MAX_BYTES} bytes)")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{path} is not a campaignctl saved plan: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("{path} was saved by campaignctl {found} (plan format {format}); this is campaignctl {ours}")]
    Version {
        path: PathBuf,
        found: String,
        format: u32,
        ours: &'static str,
    },
}

/// Reads and checks a saved plan file.
pub fn read(path: &Path) -> Result<SavedPlans, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_BYTES {
        return Err(ReadError::TooLarge {
            path: path.to_owned(),
            size,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let invalid = |reason: String| ReadError::Invalid {
        path: path.to_owned(),
        reason,
    };
    let header: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
    if header.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
        return Err(invalid(format!("it has no \"kind\": \"{KIND}\"")));
    }
    let found = header
        .get("campaignctl_version")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown");
    let format = header
        .get("format_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0) as u32;
    if format != FORMAT_VERSION || found != env!("CARGO_PKG_VERSION") {
        return Err(ReadError::Version {
            path: path.to_owned(),
            found: found.to_owned(),
            format,
            ours: env!("CARGO_PKG_VERSION"),
        });
    }
    let plans: SavedPlans = serde_json::from_value(header).map_err(|e| invalid(e.to_string()))?;
    if plans.plans.is_empty() {
        return Err(invalid("it holds no account's plan".to_owned()));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(twice) = plans.plans.iter().find(|a| !seen.insert(&a.account)) {
        return Err(invalid(format!(
            "it holds two plans for {}",
            twice
                .account
                .as_deref()
                .map_or("the same account".to_owned(), |a| format!("account {a}"))
        )));
    }
    Ok(plans)
}

/// Writes `plan` to `path` atomically (see [`write_atomically`]).
pub fn write(path: &Path, plan: &SavedPlans) -> std::io::Result<()> {
    write_atomically(path, plan.to_json().as_bytes())
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename: a
/// reader never sees half a file, and a failed write leaves any previous file in place.
/// Only a regular file is replaced, or a new one created: a symlink, device, FIFO or directory
/// at `path` is an error and nothing is written (the rename would replace a symlink or a device
/// node with a file).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let replaces = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => true,
        Ok(meta) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "it is {}; only a regular file is replaced, nothing was written",
                    crate::manifest::file_kind(meta.file_type())
                ),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    if replaces {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        // Something created at `path` since it was checked is not replaced either.
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Hash of the manifests' meaning, in load order: each spec serialised as JSON (fields in
/// declaration order, leads with their rows), as the remote fingerprint hashes the campaigns.
/// Not the `Debug` form, which is for people and may change with any dependency's release.
/// Each spec as written (`resolve::as_written`): a plan's manifests have their names resolved,
/// a later load's not yet.
pub fn manifests_fingerprint(manifests: &[Manifest]) -> String {
    let mut hasher = Sha256::new();
    for m in manifests {
        // A spec is plain data (strings, numbers, maps with string keys): serialising it
        // cannot fail, and a failure would only make the plan look stale.
        hasher.update(serde_json::to_vec(&as_written(&m.spec)).unwrap_or_default());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// Hash of the remote campaign list, order-independent, without the timestamps (which move
/// when nothing that matters to a plan has changed). An empty list has a fingerprint too.
pub fn remote_fingerprint(campaigns: &[RemoteCampaign]) -> String {
    let mut sorted: Vec<&RemoteCampaign> = campaigns.iter().collect();
    sorted.sort_by_key(|c| c.id);
    let mut hasher = Sha256::new();
    for c in sorted {
        let c = RemoteCampaign {
            created_at: None,
            updated_at: None,
            ..c.clone()
        };
        hasher.update(serde_json::to_vec(&c).unwrap_or_default());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// Hash of the platform's assistant list, order-independent: every field the list returns
/// (prompts included) may be compared by the plan.
pub fn assistants_fingerprint(assistants: &[Assistant]) -> String {
    let mut sorted: Vec<&Assistant> = assistants.iter().collect();
    sorted.sort_by_key(|a| a.id);
    let mut hasher = Sha256::new();
    for a in sorted {
        hasher.update(serde_json::to_vec(a).unwrap_or_default());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// Hash of each campaign's lead numbers, order-independent within a campaign.
pub fn leads_fingerprint(leads: &ObservedLeads) -> String {
    let mut hasher = Sha256::new();
    for (id, leads) in leads {
        // Numbers, lead ids and variables: an update planned from them is stale once they change.
        let mut lines: Vec<String> = leads
            .iter()
            .map(|l| {
                let variables = serde_json::to_string(&l.variables).unwrap_or_default();
                format!("{}#{}={variables}", l.phone_number, l.id)
            })
            .collect();
        lines.sort_unstable();
        hasher.update(format!("{id}:{}\n", lines.join(",")).as_bytes());
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::from("sha256:");
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CreateCampaign;
    use crate::manifest::Location;
    use crate::reconcile::operation::OperationKind;
    use crate::reconcile::plan::{Disposition, Explanation};

    fn remote(id: u64, name: &str) -> RemoteCampaign {
        serde_json::from_value(
            serde_json::json!({"id": id, "name": name, "status": "draft",
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}),
        )
        .expect("remote campaign")
    }

    #[test]
    fn remote_fingerprint_ignores_order_and_timestamps_but_not_content() {
        let a = remote(1, "A");
        let b = remote(2, "B");
        let mut b_touched = b.clone();
        b_touched.updated_at = Some("2026-02-02T00:00:00Z".into());
        assert_eq!(
            remote_fingerprint(&[a.clone(), b.clone()]),
            remote_fingerprint(&[b_touched, a.clone()])
        );
        assert_ne!(
            remote_fingerprint(std::slice::from_ref(&a)),
            remote_fingerprint(&[a.clone(), b])
        );
        assert_ne!(remote_fingerprint(&[]), remote_fingerprint(&[a]));
        assert!(remote_fingerprint(&[]).starts_with("sha256:"));
    }

    #[test]
    fn a_saved_plan_round_trips_and_is_recognised_by_content() {
        let plan = Plan {
            assistants: Vec::new(),
            actions: vec![Explanation {
                name: "A".into(),
                manifest: Some(Location::new("c.yaml", 2, 1)),
                remote_id: None,
                kind: Disposition::Create {
                    request: CreateCampaign {
                        name: "A".into(),
                        assistant_id: Some(7),
                        ..CreateCampaign::default()
                    }
                    .into(),
                },
                note: None,
            }],
            diagnostics: vec![],
            leads_and_status: vec![],
            operations: vec![],
            deletions: Default::default(),
            write_once_baseline: None,
        };
        let plan = Plan {
            operations: crate::reconcile::derive::derive(&plan.actions, &[]),
            ..plan
        };
        let saved = SavedPlan::new(
            "http://127.0.0.1:1/api",
            &["c".into()],
            &[],
            &[],
            &ObservedLeads::new(),
            &plan,
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plan.yaml");
        write(
            &path,
            &SavedPlans::new(Path::new("/work"), None, vec![saved.clone()]),
        )
        .expect("write");
        assert!(
            crate::manifest::is_saved_plan(&path),
            "recognised whatever the extension"
        );
        let file = read(&path).expect("read back");
        let [back] = file.plans.as_slice() else {
            panic!("one account's plan, got {}", file.plans.len())
        };
        assert_eq!(back.fingerprint, saved.fingerprint);
        assert_eq!(back.plan.operations.len(), 1, "the create");
        assert_eq!(
            first_difference(&back.plan.operations, &plan.operations),
            None
        );
        let mut edited = plan.operations.clone();
        if let OperationKind::CreateCampaign { request, .. } = &mut edited[0].kind {
            std::sync::Arc::make_mut(request).max_calls_in_parallel = Some(10);
        }
        let difference =
            first_difference(&edited, &plan.operations).expect("an edit is a difference");
        assert!(
            difference.starts_with(
                "the create of campaign \"A\": max_calls_in_parallel is 10 in the file but "
            ),
            "in the words of campaigns and fields: {difference}"
        );

        let manifest = dir.path().join("m.yaml");
        std::fs::write(&manifest, "kind: Campaign\nname: x\nassistant_id: 1\n").expect("write");
        assert!(!crate::manifest::is_saved_plan(&manifest));
        std::fs::write(&manifest, "{\"kind\": \"Campaign\"}").expect("write");
        assert!(!crate::manifest::is_saved_plan(&manifest));
    }

    /// A difference in an assistant's operation names the assistant as such, never as a
    /// campaign.
    #[test]
    fn a_difference_in_an_assistants_update_names_the_assistant() {
        use crate::reconcile::operation::{Operation, Target};
        let update = |prompt: &str| Operation {
            id: 0,
            campaign: "Ada".into(),
            target: Target::Existing { id: 13 },
            manifest: None,
            kind: OperationKind::UpdateAssistant {
                request: std::sync::Arc::new(crate::api::assistant::AssistantWrite {
                    system_prompt: Some(prompt.into()),
                    ..Default::default()
                }),
                live_calls: Default::default(),
            },
            depends_on: vec![],
        };
        let difference =
            first_difference(&[update("You are Ada.")], &[update("Hi.")]).expect("a difference");
        assert!(
            difference.starts_with("the update of assistant \"Ada\": system_prompt is "),
            "{difference}"
        );
    }

    #[test]
    fn a_plan_from_another_version_or_a_broken_file_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.json");
        std::fs::write(
            &path,
            format!("{{\"kind\": \"{KIND}\", \"format_version\": 2, \"campaignctl_version\": \"0.0.0-old\"}}"),
        )
        .expect("write");
        let err = read(&path).expect_err("old version refused").to_string();
        assert!(err.contains("saved by campaignctl 0.0.0-old"), "{err}");
        std::fs::write(&path, "{\"kind\": \"campaignctl/saved-plan\", ").expect("write");
        let err = read(&path).expect_err("truncated file refused").to_string();
        assert!(err.contains("is not a campaignctl saved plan"), "{err}");
    }
}
