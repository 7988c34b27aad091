//! Default field values from the repository config (`campaignctl.yaml`): an account's, and a
//! path's inside it. A default fills a field the manifest leaves out, before the manifest is
//! validated, so every rule applies to it as to a value written in the manifest; its positions
//! stay the config's, so a diagnostic about a defaulted value points at the config line that
//! set it. A manifest's own value always wins, and writing one field of a name/id pair
//! (`assistant` / `assistant_id`) overrides a default of the other.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::validate::check_document;
use super::yaml::{Document, Entry, Mark, Node, Origin, Scalar, Value};
use crate::campaign::fields::NAME_ID_PAIRS;
pub use crate::campaign::fields::NOT_DEFAULTABLE;
use crate::diagnostic::{Diagnostic, Location};

/// Defaults that apply to the manifests under one path, most specific first (a path's own,
/// then its account's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Defaults {
    /// The config file the values were written in.
    pub config: PathBuf,
    /// Valid entries only, each once (the first, most specific, wins), positions in the config.
    entries: Vec<Entry>,
}

impl Defaults {
    /// Checks `layers` (most specific first; each the mapping under a `defaults:` key of
    /// `config`) and keeps the valid entries. Problems are pushed to `out` once, at their line
    /// in the config, and the entries concerned are dropped, so a bad default is not reported
    /// again for every manifest it would fill.
    pub fn check(config: &Path, layers: &[&Node], out: &mut Vec<Diagnostic>) -> Defaults {
        let mut entries: Vec<Entry> = Vec::new();
        for layer in layers {
            let Value::Mapping(layer_entries) = &layer.value else {
                if !layer.is_null() {
                    out.push(
                        Diagnostic::error(
                            Some(Location::new(config, layer.mark.line, layer.mark.column)),
                            format!(
                                "defaults must be a mapping of manifest fields, got {}",
                                layer.describe()
                            ),
                        )
                        .with_field("defaults")
                        .with_hint(
                            "for example: defaults: { timezone: America/New_York, max_retries: 3 }",
                        ),
                    );
                }
                continue;
            };
            for e in layer_entries {
                let key = e.key.scalar().map(|s| s.text.as_str()).unwrap_or_default();
                if let Some((_, why)) = NOT_DEFAULTABLE.iter().find(|(f, _)| *f == key) {
                    out.push(
                        Diagnostic::error(
                            Some(Location::new(config, e.key.mark.line, e.key.mark.column)),
                            format!("`{key}` cannot be a default: {why}"),
                        )
                        .with_field(format!("defaults.{key}"))
                        .with_hint("write it in each manifest instead"),
                    );
                    continue;
                }
                if !entries.iter().any(|have| key_of(have) == Some(key)) {
                    entries.push(e.clone());
                }
            }
        }
        // The same rules as a manifest's, on a document of the defaults alone. Its `kind` and
        // `name`, and an assistant when no default names one, stand in for what each manifest
        // writes itself.
        let anchor = layers.first().map_or(Mark::new(1, 1), |n| n.mark);
        let mut fields = vec![
            stand_in("kind", "Campaign", anchor),
            stand_in("name", "defaults", anchor),
        ];
        if !entries
            .iter()
            .any(|e| matches!(key_of(e), Some("assistant" | "assistant_id")))
        {
            fields.push(stand_in("assistant_id", "1", anchor));
        }
        fields.extend(entries.iter().cloned());
        let document = Document {
            root: Node {
                mark: anchor,
                value: Value::Mapping(fields),
            },
            clean: true,
        };
        let mut problems = Vec::new();
        // Only the fields with problems are used, never a message: paths shown as they are.
        let as_is = crate::shown_path::ShownFrom::as_is();
        check_document(&config.into(), None, &document, &mut problems, &as_is);
        let bad: HashSet<String> = problems
            .iter()
            .filter_map(|d| d.field.as_deref())
            .map(|f| f.split('.').next().unwrap_or(f).to_owned())
            .collect();
        entries.retain(|e| key_of(e).is_some_and(|k| !bad.contains(k)));
        out.extend(problems.into_iter().map(|mut d| {
            if let Some(field) = &d.field {
                d.field = Some(format!("defaults.{field}"));
            }
            d
        }));
        Defaults {
            config: config.to_owned(),
            entries: entries
                .into_iter()
                .map(|e| Entry {
                    key: e.key.with_origin(Origin::Config),
                    value: e.value.with_origin(Origin::Config),
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The names of the fields these defaults set, in the order written.
    pub fn fields(&self) -> Vec<&str> {
        self.entries.iter().filter_map(key_of).collect()
    }

    /// Fills the fields `document` leaves out (and whose name/id partner it leaves out too).
    pub fn fill(&self, document: &mut Document) {
        let Value::Mapping(entries) = &mut document.root.value else {
            return;
        };
        let present: HashSet<String> = entries
            .iter()
            .filter_map(key_of)
            .map(str::to_owned)
            .collect();
        let written = |field: &str| {
            present.contains(field)
                || NAME_ID_PAIRS.iter().any(|(name, id)| {
                    (field == *name && present.contains(*id))
                        || (field == *id && present.contains(*name))
                })
        };
        for e in &self.entries {
            if key_of(e).is_some_and(|k| !written(k)) {
                entries.push(e.clone());
            }
        }
    }
}

fn key_of(e: &Entry) -> Option<&str> {
    e.key.scalar().map(|s| s.text.as_str())
}

fn stand_in(key: &str, value: &str, mark: Mark) -> Entry {
    let scalar = |text: &str| Node {
        mark,
        value: Value::Scalar(Scalar {
            text: text.to_owned(),
            kind: super::scalar::ScalarKind::of_plain(text),
            quoted: false,
        }),
    };
    Entry {
        key: scalar(key),
        value: scalar(value),
    }
}
