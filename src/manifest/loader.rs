//! Loading manifests: the files under the given paths, each document of each file validated, then
//! the one check that spans documents and files (one campaign name, one manifest), with every
//! diagnostic sorted by position.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::blob_id::BlobId;
use super::defaults::Defaults;
use super::in_order::for_each_in_order;
use super::text::{self, MAX_FILE_BYTES};
use super::validate::{check_document, Checked};
use super::yaml::{Problem, Value};
use super::yaml_reader::{self, MAX_PROBLEMS};
use super::{LoadOutcome, LoadedFile, Manifest};
use crate::diagnostic::{Diagnostic, Location};
use crate::shown_path::ShownFrom;
use campaignctl_core::manifest::AssistantManifest;

/// Loads every manifest under `paths` (files, or directories walked for `*.yaml`/`*.yml`).
/// Only fully valid documents whose name appears once across all files become manifests.
/// Problems that name another place show its path as it is (see [`load_roots`]).
pub fn load(paths: &[PathBuf]) -> LoadOutcome {
    let roots: Vec<Root> = paths
        .iter()
        .map(|p| Root {
            path: p.clone(),
            defaults: None,
            others: Arc::from(Vec::new()),
            within: None,
        })
        .collect();
    load_roots(&roots, &ShownFrom::as_is())
}

/// A path to load manifests from, with the defaults (from the repository config) that fill the
/// fields its manifests leave out.
#[derive(Debug, Clone, PartialEq)]
pub struct Root {
    pub path: PathBuf,
    pub defaults: Option<Arc<Defaults>>,
    /// The real paths of other accounts' manifests: a file found here that is really one of
    /// theirs (through a symlink) is not loaded, and is an error.
    pub others: Arc<[PathBuf]>,
    /// Where the path came from, which decides what it may reach: `None` for a path a person
    /// typed on the command line that lies outside the working directory's repository (their
    /// own choice, followed wherever it leads); otherwise the directory whose repository
    /// (`files::marked_repository`, else that directory) it and every file under it must
    /// resolve inside: the config's directory for the config's `paths`, the working directory
    /// for the default `campaigns` and for paths named inside its repository
    /// (`cli::accounts::roots_without_config`). A symlink the repository brings in must not
    /// make campaignctl read, and quote back, a file from elsewhere.
    pub within: Option<PathBuf>,
}

/// [`load`], each root with its defaults. A file reached under several roots is loaded once,
/// with the defaults of the most specific root that holds it (a path inside another path has
/// its own defaults, whatever the order they are listed in). A problem that names another place
/// (a name defined twice, a lead listed twice) shows that place's path from `shown_from`, as
/// the run shows every path.
pub fn load_roots(roots: &[Root], shown_from: &ShownFrom) -> LoadOutcome {
    load_roots_with(roots, shown_from, BlobIds::Skip)
}

/// Whether a load notes the git blob id of each file it reads ([`LoadedFile::blob_id`]): the
/// commands that compare write-once fields with a commit do, to reuse what a commit holds
/// unchanged; `validate` has no use for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobIds {
    Note,
    Skip,
}

/// [`load_roots`], noting each file's blob id when `blob_ids` says so.
pub fn load_roots_with(roots: &[Root], shown_from: &ShownFrom, blob_ids: BlobIds) -> LoadOutcome {
    let mut diagnostics = Vec::new();
    // Every file, once, in first-found order, with the root that holds it most specifically.
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut best: HashMap<PathBuf, (usize, usize)> = HashMap::new();
    for (index, root) in roots.iter().enumerate() {
        let found = super::discover::discover_root(root);
        super::read_log::note_discovered(&found);
        diagnostics.extend(found.diagnostics);
        let real_root = std::fs::canonicalize(&root.path).unwrap_or_else(|_| root.path.clone());
        let depth = real_root.components().count();
        for file in found.files {
            let identity = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            match best.get_mut(&identity) {
                Some(held) => {
                    if depth > held.1 {
                        *held = (index, depth);
                    }
                }
                None => {
                    best.insert(identity.clone(), (index, depth));
                    files.push((file, identity));
                }
            }
        }
    }
    let mut readable = Vec::new();
    for (file, identity) in &files {
        let root = &roots[best[identity].0];
        if let Some(other) = root.others.iter().find(|o| identity.starts_with(o)) {
            diagnostics.push(
                Diagnostic::error(
                    Some(Location::new(file, 1, 1)),
                    format!(
                        "this file is really {}, under another account's path {}; it was not loaded",
                        identity.display(),
                        other.display()
                    ),
                )
                .with_hint("each manifest belongs to one account: remove the symlink, or move the file"),
            );
            continue;
        }
        readable.push((file.as_path(), identity.as_path(), &root.defaults));
    }
    // Each file is read and checked on its own (names repeated across files are found below),
    // so the files are spread over the cores; the results come back in file order.
    // What a worker reads (the file, the leads files it names) is noted in the worker's own
    // log when this load is being recorded (`read_log`, which is per thread), and the logs
    // are appended here in file order: a read on another core must count as one of this
    // load's, or `watch` would reuse a load after that file changed.
    let recording = super::read_log::is_recording();
    // Each file's documents join the whole list as soon as the files before it are done, and
    // its own list is freed for the next file: held per file until the last one is read, the
    // load's peak would be every manifest twice over (4 MB of 10,000 campaigns).
    let mut documents = Documents::default();
    let mut loaded = Vec::with_capacity(readable.len());
    for_each_in_order(
        &readable,
        |&(file, real, defaults)| {
            let work = || {
                let bytes = read_file(file)?;
                let mut documents = Documents::default();
                let mut diagnostics = Vec::new();
                check_file(
                    file,
                    &bytes,
                    defaults.as_deref(),
                    shown_from,
                    &mut documents,
                    &mut diagnostics,
                );
                let loaded = LoadedFile {
                    path: file.to_path_buf(),
                    real: real.to_path_buf(),
                    defaults: defaults.clone(),
                    blob_id: (blob_ids == BlobIds::Note).then(|| BlobId::of(&bytes)),
                };
                Ok((documents, diagnostics, loaded))
            };
            if recording {
                let (outcome, log) = super::read_log::recording(work);
                (outcome, Some(log))
            } else {
                (work(), None)
            }
        },
        |(outcome, log)| {
            if let Some(log) = log {
                super::read_log::append(log);
            }
            match outcome {
                Ok((file_documents, file_diagnostics, file)) => {
                    loaded.push(file);
                    documents.append(file_documents);
                    diagnostics.extend(file_diagnostics);
                }
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        },
    );
    let Documents {
        manifests,
        invalid_names,
        assistants,
        count: _,
    } = documents;
    let assistants = super::assistant_checks::reject_repeated_assistants(
        assistants,
        &mut diagnostics,
        shown_from,
    );
    let manifests = reject_repeated_names(manifests, &invalid_names, &mut diagnostics, shown_from);
    drop(invalid_names);
    let manifests = reject_repeated_ids(manifests, &mut diagnostics, shown_from);
    let manifests = reject_repeated_renames(manifests, &mut diagnostics, shown_from);
    let manifests = super::assistant_checks::check_goal_variables(
        manifests,
        &assistants,
        &mut diagnostics,
        shown_from,
    );
    super::assistant_checks::check_assistant_direction(
        &manifests,
        &assistants,
        &mut diagnostics,
        shown_from,
    );
    sort(&mut diagnostics);
    // What the load freed (each file's bytes, its YAML tree, its documents) is in the arenas
    // of the threads that read the files, where the plan that follows (on another thread)
    // cannot reuse it: a plan of 10,000 campaigns held 5 MB more than it uses.
    crate::memory::give_back_freed_memory();
    LoadOutcome {
        manifests,
        assistants,
        diagnostics,
        files: loaded.len(),
        loaded,
        shown_from: shown_from.clone(),
    }
}

/// Parses and validates one file's contents, without cross-file checks (a name repeated within
/// the file is not reported here either: that is `load`'s job). Problems that name another
/// place show its path as it is.
pub fn parse_bytes(file: &Path, bytes: &[u8]) -> (Vec<Manifest>, Vec<Diagnostic>) {
    parse_bytes_with(file, bytes, None)
}

/// [`parse_bytes`], with defaults filling the fields the documents leave out.
pub fn parse_bytes_with(
    file: &Path,
    bytes: &[u8],
    defaults: Option<&Defaults>,
) -> (Vec<Manifest>, Vec<Diagnostic>) {
    parse(file, bytes, defaults, Leads::Read)
}

/// [`parse_bytes_with`], without the documents' `leads` (no leads file is read): for the
/// manifests at a git revision, of which only the campaign fields matter.
pub(crate) fn parse_without_leads(
    file: &Path,
    bytes: &[u8],
    defaults: Option<&Defaults>,
) -> (Vec<Manifest>, Vec<AssistantManifest>, Vec<Diagnostic>) {
    parse_with_assistants(file, bytes, defaults, Leads::Ignore)
}

/// The `kind: Assistant` documents of one file's contents, each checked as [`load`] checks it
/// (prompt files read relative to `file`), without the checks across files: for `export`, which
/// never writes an assistant manifest that campaignctl would refuse.
pub fn parse_assistant_bytes(
    file: &Path,
    bytes: &[u8],
) -> (
    Vec<campaignctl_core::manifest::AssistantManifest>,
    Vec<Diagnostic>,
) {
    let mut documents = Documents::default();
    let mut diagnostics = Vec::new();
    check_file(
        file,
        bytes,
        None,
        &ShownFrom::as_is(),
        &mut documents,
        &mut diagnostics,
    );
    sort(&mut diagnostics);
    (documents.assistants, diagnostics)
}

/// Whether a document's `leads` are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Leads {
    Read,
    Ignore,
}

fn parse(
    file: &Path,
    bytes: &[u8],
    defaults: Option<&Defaults>,
    leads: Leads,
) -> (Vec<Manifest>, Vec<Diagnostic>) {
    let (manifests, _, diagnostics) = parse_with_assistants(file, bytes, defaults, leads);
    (manifests, diagnostics)
}

fn parse_with_assistants(
    file: &Path,
    bytes: &[u8],
    defaults: Option<&Defaults>,
    leads: Leads,
) -> (Vec<Manifest>, Vec<AssistantManifest>, Vec<Diagnostic>) {
    let mut documents = Documents::default();
    let mut diagnostics = Vec::new();
    let as_is = ShownFrom::as_is();
    check_file_with(
        file,
        bytes,
        defaults,
        leads,
        &as_is,
        &mut documents,
        &mut diagnostics,
    );
    let Documents {
        mut manifests,
        assistants,
        ..
    } = documents;
    // Unstable: no two documents start at one position of one file, and a stable sort would
    // allocate a copy of the fleet's manifests to sort them.
    manifests.sort_unstable_by(|a, b| a.location.cmp(&b.location));
    sort(&mut diagnostics);
    (manifests, assistants, diagnostics)
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

fn diagnostic(file: &Path, problem: Problem) -> Diagnostic {
    let location = Location::new(file, problem.mark.line, problem.mark.column);
    let diagnostic = Diagnostic::error(Some(location), problem.message);
    match problem.hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// The file's bytes, refusing a file over the size limit without reading it whole (the size the
/// file system reports may be wrong, for a pipe or a file still being written).
pub(crate) fn read_file(file: &Path) -> Result<Vec<u8>, Diagnostic> {
    let cannot_read = |e: std::io::Error| {
        Diagnostic::error(
            Some(Location::new(file, 1, 1)),
            format!("cannot read file: {e}"),
        )
    };
    // Noted before anything can fail: a file refused now (too large, unreadable) is read again
    // once it changes.
    super::read_log::note_probe(file, super::read_log::Probe::State);
    let handle = super::files::open_regular(file).map_err(cannot_read)?;
    // Taken before reading: what `read_log` compares later.
    let before = handle.metadata().ok();
    let size = before.as_ref().map(std::fs::Metadata::len);
    if size.is_some_and(|s| s > MAX_FILE_BYTES) {
        return Err(diagnostic(file, text::too_large(size)));
    }
    let capacity = size.unwrap_or(0).min(MAX_FILE_BYTES + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    handle
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(diagnostic(file, text::too_large(None)));
    }
    super::read_log::note_read(file, before.as_ref(), &bytes);
    Ok(bytes)
}

fn check_file(
    file: &Path,
    bytes: &[u8],
    defaults: Option<&Defaults>,
    shown_from: &ShownFrom,
    documents: &mut Documents,
    diagnostics: &mut Vec<Diagnostic>,
) {
    check_file_with(
        file,
        bytes,
        defaults,
        Leads::Read,
        shown_from,
        documents,
        diagnostics,
    );
}

/// What one file's non-empty documents hold, each kind in the order written.
#[derive(Debug, Default)]
struct Documents {
    manifests: Vec<Manifest>,
    /// The names of invalid campaign documents, with where each is written: a name repeated
    /// elsewhere is an error even when one of its documents has others.
    invalid_names: Vec<(String, Location)>,
    assistants: Vec<AssistantManifest>,
    /// Every non-empty document, valid or not.
    count: usize,
}

impl Documents {
    /// Another file's documents after these.
    fn append(&mut self, mut other: Documents) {
        self.manifests.append(&mut other.manifests);
        self.invalid_names.append(&mut other.invalid_names);
        self.assistants.append(&mut other.assistants);
        self.count += other.count;
    }

    fn push(&mut self, checked: Checked) {
        self.count += 1;
        match checked {
            Checked::Campaign(manifest) => self.manifests.push(manifest),
            Checked::Named(name, at) => self.invalid_names.push((name, at)),
            Checked::Invalid => {}
        }
    }
}

fn check_file_with(
    file: &Path,
    bytes: &[u8],
    defaults: Option<&Defaults>,
    leads: Leads,
    shown_from: &ShownFrom,
    documents: &mut Documents,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // One shared copy of each path for every position in the file.
    let config = defaults.map(|d| Arc::<Path>::from(d.config.as_path()));
    let shared_file = Arc::<Path>::from(file);
    let text = match text::decode(bytes) {
        Ok(text) => text,
        Err(problem) => {
            diagnostics.push(diagnostic(file, problem));
            return;
        }
    };
    let (before, first_diagnostic) = (documents.count, diagnostics.len());
    let mut stopped_at = None;
    let mut problems = yaml_reader::read(text, |mut document| {
        if super::assistant_document::is_assistant(&document) {
            // The repository's defaults are campaign fields: they never fill an assistant. At
            // a git revision (`Leads::Ignore`) a prompt file would be read from the working
            // tree, not the revision: left unset (the baseline compares the fields the
            // platform's list leaves out, which are written in the document).
            let assistant = super::assistant_document::check_assistant(
                &shared_file,
                &document,
                diagnostics,
                shown_from,
                leads == Leads::Read,
            );
            documents.count += 1;
            documents.assistants.extend(assistant);
            return ControlFlow::Continue(());
        }
        if let Some(d) = defaults {
            d.fill(&mut document);
        }
        if leads == Leads::Ignore {
            if let Value::Mapping(entries) = &mut document.root.value {
                entries.retain(|e| e.key.scalar().is_none_or(|k| k.text != "leads"));
            }
        }
        if let Some(c) = check_document(
            &shared_file,
            config.as_ref(),
            &document,
            diagnostics,
            shown_from,
        ) {
            documents.push(c);
        }
        if diagnostics.len() - first_diagnostic >= MAX_PROBLEMS {
            stopped_at = Some(document.root.mark);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    problems.extend(stopped_at.map(yaml_reader::too_many_problems));
    if documents.count == before && problems.is_empty() {
        diagnostics.push(Diagnostic::warning(
            Some(Location::new(file, 1, 1)),
            "no campaign documents in this file",
        ));
    }
    diagnostics.extend(problems.into_iter().map(|p| diagnostic(file, p)));
}

/// How many other places a repeated-name error lists.
const MAX_PLACES_NAMED: usize = 3;

/// The name is a campaign's identity: a name written twice would make apply create or compare
/// the wrong campaign, so every copy is an error after the first and no copy becomes a manifest.
/// `invalid_names` are the names of documents with other errors: a copy there counts too.
fn reject_repeated_names(
    mut manifests: Vec<Manifest>,
    invalid_names: &[(String, Location)],
    diagnostics: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
) -> Vec<Manifest> {
    // Each name with its document: a manifest's index, or `manifests.len()` + an invalid one's.
    let valid = manifests.len();
    let mut named: Vec<(&str, usize)> = manifests
        .iter()
        .map(|m| m.spec.name.as_str())
        .chain(invalid_names.iter().map(|(name, _)| name.as_str()))
        .enumerate()
        .map(|(i, name)| (name, i))
        .collect();
    named.sort_unstable();
    let at = |index: usize| match index.checked_sub(valid) {
        None => manifests[index].locate("name"),
        Some(invalid) => invalid_names[invalid].1.clone(),
    };
    let mut rejected = HashSet::new();
    for run in named
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        let times = match run.len() {
            2 => "twice".to_owned(),
            n => format!("{n} times"),
        };
        // In the order written; only a repeated name needs where each copy is.
        let mut run: Vec<(&str, Location, usize)> =
            run.iter().map(|&(name, i)| (name, at(i), i)).collect();
        run.sort_by(|a, b| a.1.cmp(&b.1));
        for (i, (name, at, index)) in run.iter().enumerate() {
            rejected.insert(*index);
            if i == 0 {
                continue;
            }
            // Name a few of the other places, not all: a name pasted into 10,000 documents
            // must not produce 10,000 messages of 10,000 locations each.
            let mut others: Vec<String> = run
                .iter()
                .filter(|o| o.2 != *index)
                .take(MAX_PLACES_NAMED)
                .map(|o| o.1.shown(shown_from).to_string())
                .collect();
            if run.len() - 1 > MAX_PLACES_NAMED {
                others.push(format!("and {} more", run.len() - 1 - MAX_PLACES_NAMED));
            }
            let message = format!(
                "campaign name {} is defined {times}: also at {}",
                super::yaml::quote(name),
                others.join(", ")
            );
            diagnostics.push(
                Diagnostic::error(Some(at.clone()), message)
                    .with_field("name")
                    .with_hint("the name identifies the campaign on the platform; give each campaign its own"),
            );
        }
    }
    drop(named);
    if !rejected.is_empty() {
        let mut index = 0;
        manifests.retain(|_| {
            index += 1;
            !rejected.contains(&(index - 1))
        });
    }
    // Unstable: no two documents start at one position of one file, and a stable sort would
    // allocate a copy of the fleet's manifests to sort them.
    manifests.sort_unstable_by(|a, b| a.location.cmp(&b.location));
    manifests
}

/// An `id` adopts one existing campaign; two manifests adopting the same campaign would fight
/// over it, so every manifest holding a repeated id is an error and none is kept.
fn reject_repeated_ids(
    manifests: Vec<Manifest>,
    diagnostics: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
) -> Vec<Manifest> {
    reject_shared(
        manifests,
        diagnostics,
        shown_from,
        "id",
        |m| m.spec.id,
        |id, n, others| format!("campaign id {id} is adopted by {n} manifests: also at {others}"),
        "one manifest describes one campaign; keep a single manifest with this id",
    )
}

/// `renamed_from` takes over one existing campaign under a new name; two manifests renaming
/// the same campaign would each replace it (one delete, two creates), so every manifest
/// holding a repeated `renamed_from` is an error and none is kept.
fn reject_repeated_renames(
    manifests: Vec<Manifest>,
    diagnostics: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
) -> Vec<Manifest> {
    reject_shared(
        manifests,
        diagnostics,
        shown_from,
        "renamed_from",
        |m| m.spec.renamed_from.clone(),
        |old, _, others| {
            format!(
                "renamed_from: {} is also claimed by {others}; one campaign can be renamed once",
                super::yaml::quote(old)
            )
        },
        "keep renamed_from in the one manifest that takes the campaign over; the others create new campaigns without it",
    )
}

/// Every manifest whose `key` (written at `field`) another manifest shares gets an error naming
/// the others (a few of them), and none of them is kept.
fn reject_shared<K: Ord + std::fmt::Display>(
    manifests: Vec<Manifest>,
    diagnostics: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
    field: &str,
    key: impl Fn(&Manifest) -> Option<K>,
    message: impl Fn(&K, usize, &str) -> String,
    hint: &str,
) -> Vec<Manifest> {
    let mut by_key: std::collections::BTreeMap<K, Vec<usize>> = Default::default();
    for (i, m) in manifests.iter().enumerate() {
        if let Some(k) = key(m) {
            by_key.entry(k).or_default().push(i);
        }
    }
    let mut rejected = HashSet::new();
    for (k, holders) in by_key.iter().filter(|(_, h)| h.len() > 1) {
        for &i in holders {
            rejected.insert(i);
            let mut others: Vec<String> = holders
                .iter()
                .filter(|&&o| o != i)
                .take(MAX_PLACES_NAMED)
                .map(|&o| manifests[o].locate(field).shown(shown_from).to_string())
                .collect();
            if holders.len() - 1 > MAX_PLACES_NAMED {
                others.push(format!("and {} more", holders.len() - 1 - MAX_PLACES_NAMED));
            }
            diagnostics.push(
                Diagnostic::error(
                    Some(manifests[i].locate(field)),
                    message(k, holders.len(), &others.join(", ")),
                )
                .with_field(field)
                .with_hint(hint),
            );
        }
    }
    manifests
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !rejected.contains(i))
        .map(|(_, m)| m)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::manifest::testing::{assert_reports, parse, BASE};

    fn write(root: &Path, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create test directory");
        }
        fs::write(&path, contents).expect("write test file");
        path
    }

    fn campaign(name: &str) -> String {
        format!("kind: Campaign\nname: {name}\nassistant_id: 1\n")
    }

    /// Diagnostics as printed (first line), with the temp directory shown as `$DIR`.
    fn shown(outcome: &LoadOutcome, root: &Path) -> Vec<String> {
        let root = format!("{}/", root.display());
        outcome
            .diagnostics
            .iter()
            .map(|d| {
                d.to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .replace(&root, "$DIR/")
            })
            .collect()
    }

    fn names(outcome: &LoadOutcome) -> Vec<&str> {
        outcome
            .manifests
            .iter()
            .map(|m| m.spec.name.as_str())
            .collect()
    }

    #[test]
    fn multi_document_files_skip_empty_documents() {
        let yaml = format!(
            "---\n# nothing here\n---\n{BASE}---\n~\n---\n{}...\n---\n",
            campaign("Second")
        );
        let (manifests, diagnostics) = parse(&yaml);
        assert!(
            diagnostics.is_empty(),
            "empty documents are skipped silently: {diagnostics:#?}"
        );
        let at: Vec<String> = manifests
            .iter()
            .map(|m| format!("{} {}", m.spec.name, m.location))
            .collect();
        assert_eq!(
            at,
            ["Q4 promo t.yaml:4:1", "Second t.yaml:10:1"],
            "both campaigns, located at their mappings"
        );
    }

    #[test]
    fn a_file_without_documents_is_a_warning() {
        let (manifests, diagnostics) = parse("# just a comment\n");
        assert!(manifests.is_empty(), "a comment-only file has no manifests");
        assert_eq!(diagnostics.len(), 1, "one warning: {diagnostics:#?}");
        assert_eq!(
            diagnostics[0].to_string(),
            "t.yaml:1:1: warning: no campaign documents in this file",
            "a comment-only file gets one warning"
        );
    }

    #[test]
    fn directories_are_walked_and_diagnostics_sorted_by_file_and_position() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        write(root, "b.yaml", campaign("B"));
        write(
            root,
            "a.yml",
            format!(
                "{}max_retries: 9\nmax_calls_in_parallel: 0\n",
                campaign("A")
            ),
        );
        write(root, "sub/c.yaml", campaign("C"));
        write(root, "notes.txt", "not: [yaml");
        write(root, ".hidden.yaml", "not: [yaml");
        write(root, "b.yaml~", "not: [yaml");
        let outcome = load(&[root.to_path_buf()]);
        assert_eq!(
            outcome.files, 3,
            "a.yml, b.yaml and sub/c.yaml are read; the rest are skipped"
        );
        assert_eq!(
            names(&outcome),
            ["B", "C"],
            "only valid documents become manifests, in file order"
        );
        assert_eq!(
            shown(&outcome, root),
            [
                "$DIR/a.yml:4:14: error: max_retries must be between 1 and 5, got 9",
                "$DIR/a.yml:5:24: error: max_calls_in_parallel must be between 1 and 10, got 0"
            ],
            "only a.yml's two errors, in line order"
        );
        assert!(
            outcome.has_errors(),
            "errors in a.yml must make the outcome an error"
        );
    }

    #[test]
    fn an_explicit_file_is_loaded_whatever_its_extension() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = write(dir.path(), "campaign.txt", campaign("T"));
        let outcome = load(&[file]);
        assert_eq!(
            (outcome.files, names(&outcome)),
            (1, vec!["T"]),
            "an explicitly named .txt file is a manifest"
        );
    }

    #[test]
    fn a_missing_path_is_an_error_and_the_rest_still_loads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = write(dir.path(), "a.yaml", campaign("A"));
        let outcome = load(&[dir.path().join("missing"), file]);
        assert_eq!(
            shown(&outcome, dir.path()),
            ["error: $DIR/missing: no such file or directory"],
            "the missing path is named"
        );
        assert_eq!(
            (outcome.files, names(&outcome)),
            (1, vec!["A"]),
            "the existing file is still loaded"
        );
    }

    #[test]
    fn a_name_in_two_files_is_an_error_naming_both_and_neither_is_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        write(root, "campaigns/a.yaml", campaign("Q4"));
        write(
            root,
            "campaigns/b.yaml",
            format!("# copy\n{}---\n{}", campaign("Q4"), campaign("Other")),
        );
        let outcome = load(&[root.join("campaigns")]);
        assert_eq!(
            shown(&outcome, root),
            ["$DIR/campaigns/b.yaml:3:7: error: campaign name \"Q4\" is defined twice: also at $DIR/campaigns/a.yaml:2:7"], "the second copy is reported, naming the first"
        );
        assert_eq!(
            names(&outcome),
            ["Other"],
            "no copy of a repeated name becomes a manifest"
        );
    }

    #[test]
    fn an_id_adopted_twice_is_an_error_at_both_and_neither_is_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        write(
            root,
            "a.yaml",
            "kind: Campaign\nid: 7\nname: A\n---\nkind: Campaign\nid: 8\nname: C\n",
        );
        write(root, "b.yaml", "kind: Campaign\nid: 7\nname: B\n");
        let outcome = load(&[root.to_path_buf()]);
        assert_eq!(
            shown(&outcome, root),
            [
                "$DIR/a.yaml:2:5: error: campaign id 7 is adopted by 2 manifests: also at $DIR/b.yaml:2:5",
                "$DIR/b.yaml:2:5: error: campaign id 7 is adopted by 2 manifests: also at $DIR/a.yaml:2:5",
            ]
        );
        assert_eq!(
            names(&outcome),
            vec!["C"],
            "only the manifest with a unique id is kept"
        );
    }

    #[test]
    fn a_name_repeated_three_times_in_one_file_names_the_others() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = write(
            dir.path(),
            "a.yaml",
            [campaign("X"), campaign("X"), campaign("X")].join("---\n"),
        );
        let outcome = load(&[file]);
        assert_eq!(
            shown(&outcome, dir.path()),
            [
                "$DIR/a.yaml:6:7: error: campaign name \"X\" is defined 3 times: also at $DIR/a.yaml:2:7, $DIR/a.yaml:10:7",
                "$DIR/a.yaml:10:7: error: campaign name \"X\" is defined 3 times: also at $DIR/a.yaml:2:7, $DIR/a.yaml:6:7"
            ], "each later copy names the other two"
        );
        assert!(
            outcome.manifests.is_empty(),
            "no copy of a name written three times is kept"
        );
    }

    #[test]
    fn a_name_repeated_many_times_lists_a_few_places() {
        let yaml = vec![campaign("X"); 6].join("---\n");
        let (_, diagnostics) = parse(&yaml);
        assert!(
            diagnostics.is_empty(),
            "parse_bytes does not check names: {diagnostics:#?}"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let file = write(dir.path(), "a.yaml", yaml);
        let outcome = load(&[file]);
        assert_eq!(
            outcome.diagnostics.len(),
            5,
            "every copy after the first is an error"
        );
        assert_eq!(
            shown(&outcome, dir.path())[4],
            "$DIR/a.yaml:22:7: error: campaign name \"X\" is defined 6 times: also at $DIR/a.yaml:2:7, $DIR/a.yaml:6:7, $DIR/a.yaml:10:7, and 2 more", "the last copy names three others and a count"
        );
    }

    #[test]
    fn a_file_with_too_many_problems_is_abandoned() {
        let yaml = "---\nfoo: 1\n".repeat(10_000);
        let (_, diagnostics) = parse(&yaml);
        assert!(
            diagnostics.len() <= MAX_PROBLEMS + 10,
            "diagnostics per file are capped, got {}",
            diagnostics.len()
        );
        let last = diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .find(|m| m.starts_with("too many problems"));
        assert!(last.is_some(), "the cut-off must be reported");
        let keys = format!(
            "a: 1\n{}",
            (0..5_000)
                .map(|i| format!("k{i}: 1\nk{i}: 2\n"))
                .collect::<String>()
        );
        let (_, diagnostics) = parse(&keys);
        assert!(
            diagnostics.len() <= MAX_PROBLEMS + 10,
            "YAML problems are capped too, got {}",
            diagnostics.len()
        );
    }

    #[test]
    fn a_repeated_name_is_reported_even_when_a_copy_has_other_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        write(
            dir.path(),
            "a.yaml",
            format!("{}max_retries: 0\n", campaign("Q4")),
        );
        write(dir.path(), "b.yaml", campaign("Q4"));
        let outcome = load(&[dir.path().to_path_buf()]);
        assert_eq!(
            outcome.diagnostics.len(),
            2,
            "the bad field and the repeated name: {:#?}",
            outcome.diagnostics
        );
        assert!(
            outcome.manifests.is_empty(),
            "the valid copy must not be applied alone"
        );
    }

    #[test]
    fn documents_before_a_syntax_error_are_still_checked() {
        let yaml = format!("{}---\nkind: Campaign\nname: [broken\n", campaign("Fine"));
        let (manifests, diagnostics) = parse(&yaml);
        assert_eq!(
            manifests.len(),
            1,
            "the complete document before the error is valid"
        );
        assert_eq!(diagnostics.len(), 1, "one syntax error: {diagnostics:#?}");
        assert!(
            diagnostics[0].message.starts_with("invalid YAML: "),
            "{}",
            diagnostics[0]
        );
        assert_eq!(
            diagnostics[0].location.as_ref().map(|l| l.line),
            Some(7),
            "reported at end of input"
        );
    }

    #[test]
    fn line_endings_and_byte_order_marks_do_not_matter() {
        let crlf = format!("\u{feff}{}", campaign("Windows").replace('\n', "\r\n"));
        let (manifests, diagnostics) = parse(&crlf);
        assert!(
            diagnostics.is_empty(),
            "CRLF with a BOM is fine: {diagnostics:#?}"
        );
        assert_eq!(
            manifests
                .first()
                .map(|m| m.locate("name").to_string())
                .as_deref(),
            Some("t.yaml:2:7"),
            "positions are unaffected by CRLF and the BOM"
        );
    }

    #[test]
    fn tabs_in_indentation_are_a_yaml_error_with_position() {
        assert_reports(
            "kind: Campaign\nallowed_days:\n\t- monday\n",
            &["t.yaml:3:2: error: invalid YAML: tabs disallowed within this context (block indentation)"],
        );
    }

    #[test]
    fn non_utf8_is_reported_at_the_invalid_byte() {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "a.yaml", b"kind: Campaign\nname: caf\xe9\n");
        let outcome = load(&[dir.path().to_path_buf()]);
        assert_eq!(
            shown(&outcome, dir.path()),
            ["$DIR/a.yaml:2:10: error: file is not valid UTF-8: invalid byte 0xE9"],
            "the invalid byte é (0xE9) is at line 2, column 10"
        );
    }

    #[test]
    fn a_nul_byte_cannot_hide_the_rest_of_a_file() {
        assert_reports(
            &format!("{BASE}\0\nmax_retries: 9\n"),
            &["t.yaml:4:1: error: control character U+0000 is not allowed in YAML"],
        );
    }

    #[test]
    fn a_file_over_8_mib_is_refused_without_parsing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut big = campaign("Big").into_bytes();
        big.resize(MAX_FILE_BYTES as usize + 1, b'#');
        write(dir.path(), "big.yaml", &big);
        let outcome = load(&[dir.path().to_path_buf()]);
        assert_eq!(
            shown(&outcome, dir.path()),
            ["$DIR/big.yaml:1:1: error: file is too large: 8388609 bytes; the limit is 8388608 bytes (8 MiB)"], "the oversized file is named with its size and the limit"
        );
        assert!(
            outcome.manifests.is_empty(),
            "nothing is accepted from an oversized file"
        );
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut yaml = String::from("kind: Campaign\nname: lol\nassistant_id: 1\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..30 {
            let prev = format!("*x{}", i - 1);
            yaml.push_str(&format!(
                "x{i}: &x{i} [{}]\n",
                [prev.as_str(); 9].join(", ")
            ));
        }
        let (manifests, diagnostics) = parse(&yaml);
        assert!(manifests.is_empty(), "nothing may be accepted from a bomb");
        assert_eq!(
            diagnostics.len(),
            1,
            "one diagnostic, not one per alias: {diagnostics:#?}"
        );
        assert!(
            diagnostics[0]
                .message
                .starts_with("YAML aliases expand to too many nodes"),
            "got {}",
            diagnostics[0]
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        for (what, yaml) in [
            ("flow", "[".repeat(100_000)),
            ("block", format!("a:\n{}", "- ".repeat(100_000))),
        ] {
            let (_, diagnostics) = parse(&yaml);
            assert_eq!(
                diagnostics.len(),
                1,
                "{what}: one diagnostic: {diagnostics:#?}"
            );
            assert!(
                diagnostics[0].message.contains("deeper than 32 levels"),
                "{what}: got {}",
                diagnostics[0]
            );
        }
    }
}
