//! An assistant manifest (`kind: Assistant`) as data: its identity (name, or an adopted id),
//! whether it must exist, the fields it declares as the platform will store them (strings
//! trimmed, prompts read from their files), and where each field was written.

use std::collections::BTreeMap;

use crate::api::assistant::AssistantWrite;
use crate::api::types::PostCallVariable;
use crate::diagnostic::Location;

/// Where a prompt's text came from: written in the manifest, or a file beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextSource {
    Inline,
    /// The path as the manifest wrote it (relative to the manifest).
    File(String),
}

/// A validated `kind: Assistant` document.
#[derive(Debug, Clone, PartialEq)]
pub struct AssistantManifest {
    /// The assistant's identity on the platform, as a campaign's name is.
    pub name: String,
    /// `id:` adopts an existing assistant whatever its name.
    pub id: Option<u64>,
    /// `status: deleted`: the assistant must not exist (never deleted by absence).
    pub deleted: bool,
    /// Every declared field, as the platform will store it; `name` included.
    pub fields: AssistantWrite,
    /// Where `system_prompt` and `initial_message` came from.
    pub sources: BTreeMap<&'static str, TextSource>,
    /// The document's start.
    pub location: Location,
    /// Where each field (`system_prompt`, `post_call_schema.1.type`, ...) was written.
    pub positions: BTreeMap<String, Location>,
}

impl AssistantManifest {
    /// Where `field` was written, else the document's start.
    pub fn location_of(&self, field: &str) -> &Location {
        // A field the platform names in dotted form (`post_call_schema.0.name`): its own
        // place, its parent's, then the document's.
        super::manifest::field_and_parents(field)
            .find_map(|key| self.positions.get(key))
            .unwrap_or(&self.location)
    }

    /// The declared post-call schema (empty when none is declared).
    pub fn schema(&self) -> &[PostCallVariable] {
        self.fields.post_call_schema.as_deref().unwrap_or_default()
    }

    /// The declared time zone, for the calling-hours lint of the campaigns that use it.
    pub fn timezone(&self) -> Option<&str> {
        self.fields.timezone.as_deref()
    }
}

/// The text the platform stores for `text`: Laravel trims every string on input, so a prompt
/// file's final newline (or trailing spaces) must not count as a difference.
pub fn as_platform_stores_text(text: &str) -> &str {
    text.trim()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::api::assistant::AssistantWrite;

    /// A 422 names a field in the platform's dotted form: it is found at its own line when the
    /// manifest wrote it, else at its parent's, else at the document.
    #[test]
    fn a_dotted_field_is_located_at_itself_then_its_parent_then_the_document() {
        let at = |line| Location::new("ada.yaml", line, 1);
        let manifest = AssistantManifest {
            name: "Ada".into(),
            id: None,
            deleted: false,
            fields: AssistantWrite::default(),
            sources: BTreeMap::new(),
            location: at(1),
            positions: [
                ("voice_id".to_owned(), at(5)),
                ("post_call_schema".to_owned(), at(11)),
                ("post_call_schema.0".to_owned(), at(12)),
            ]
            .into(),
        };
        assert_eq!(manifest.location_of("voice_id"), &at(5));
        assert_eq!(manifest.location_of("post_call_schema.0.name"), &at(12));
        assert_eq!(manifest.location_of("post_call_schema.3.name"), &at(11));
        assert_eq!(manifest.location_of("webhook_url"), &at(1));
    }
}
