//! Where each field of a manifest was written, kept compactly: a short list of (field, part,
//! line, column) with the file paths shared by every document of a file. A map keyed by
//! strings with a copy of the path in every entry took about 2.6 KB per campaign, most of the
//! memory a fleet of manifests holds; these take a few hundred bytes.

use std::path::Path;
use std::sync::Arc;

use crate::campaign::fields::Field;
use crate::diagnostic::Location;

/// Which part of a field a position is for, as the dotted keys name it (`phone_number_ids.1`,
/// `leads.items.3`): the forms Laravel's field errors use, so API errors map back to lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The field's value (`allowed_days`).
    Whole,
    /// One item of a list (`allowed_days.2`).
    Item(u32),
    /// A key of a mapping value (`leads.file`).
    Key(SubKey),
    /// One item of a list under a key (`leads.items.3`).
    KeyItem(SubKey, u32),
}

/// The keys a field's mapping value may have (only `leads:` has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubKey {
    File,
    Items,
}

impl SubKey {
    fn from_name(name: &str) -> Option<SubKey> {
        match name {
            "file" => Some(SubKey::File),
            "items" => Some(SubKey::Items),
            _ => None,
        }
    }
}

/// A line and column (from 1), in the manifest file or in the repository config that a
/// default merged into the document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub in_config: bool,
}

impl Position {
    /// Lines and columns beyond `u32` cannot occur (manifest files are bounded in size far
    /// below); they saturate rather than wrap.
    pub fn new(line: usize, column: usize, in_config: bool) -> Position {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Position {
            line: narrow(line),
            column: narrow(column),
            in_config,
        }
    }
}

/// One recorded position, in 16 bytes (a fleet holds about 18 per campaign): the part as a
/// tag and an index rather than the `Part` enum, which with a `Position` would take 24.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    line: u32,
    column: u32,
    index: u32,
    field: Field,
    tag: u8,
    in_config: bool,
}

/// `Part` as (tag, index): the tag says which variant and which key.
fn pack(part: Part) -> (u8, u32) {
    let key = |k: SubKey| match k {
        SubKey::File => 0,
        SubKey::Items => 1,
    };
    match part {
        Part::Whole => (0, 0),
        Part::Item(i) => (1, i),
        Part::Key(k) => (2 + key(k), 0),
        Part::KeyItem(k, i) => (4 + key(k), i),
    }
}

impl Entry {
    fn is(&self, field: Field, (tag, index): (u8, u32)) -> bool {
        self.field == field && self.tag == tag && self.index == index
    }

    fn at(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
            in_config: self.in_config,
        }
    }
}

/// The positions of one document's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Positions {
    file: Arc<Path>,
    config: Option<Arc<Path>>,
    entries: Vec<Entry>,
}

impl Positions {
    /// Positions in `file`, or in `config` for those marked `in_config`.
    pub fn new(file: Arc<Path>, config: Option<Arc<Path>>) -> Positions {
        Positions {
            file,
            config,
            entries: Vec::new(),
        }
    }

    /// The manifest file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Records where `field`'s `part` was written; a later record of the same part wins.
    pub fn record(&mut self, field: Field, part: Part, at: Position) {
        let (tag, index) = pack(part);
        let entry = Entry {
            line: at.line,
            column: at.column,
            index,
            field,
            tag,
            in_config: at.in_config,
        };
        match self.entries.iter_mut().find(|e| e.is(field, (tag, index))) {
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }

    /// Records where the part a dotted key names was written (as [`Positions::find`] reads
    /// keys); a key of no other form is not recorded, and `false` says so.
    pub fn record_key(&mut self, key: &str, at: Position) -> bool {
        let Some((field, part)) = parse_key(key) else {
            return false;
        };
        self.record(field, part, at);
        true
    }

    /// Forgets every position (and the room they took), keeping the file.
    pub fn forget(&mut self) {
        self.entries = Vec::new();
    }

    /// Gives back the room a list grown one entry at a time keeps (up to half of it): a
    /// manifest holds its positions as long as it lives.
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }

    /// Whether `field` itself was recorded.
    pub fn has(&self, field: Field) -> bool {
        self.position(field, Part::Whole).is_some()
    }

    /// How many positions are recorded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn position(&self, field: Field, part: Part) -> Option<Position> {
        let packed = pack(part);
        self.entries
            .iter()
            .find(|e| e.is(field, packed))
            .map(Entry::at)
    }

    /// The position a dotted key names exactly (`name`, `phone_number_ids.1`, `leads.file`,
    /// `leads.items.3`); `None` for any other key.
    pub fn find(&self, key: &str) -> Option<Position> {
        let (field, part) = parse_key(key)?;
        self.position(field, part)
    }

    /// The location a dotted key names exactly, as [`Positions::find`].
    pub fn get(&self, key: &str) -> Option<Location> {
        self.find(key).map(|at| self.location(at))
    }

    /// A position as a location in its file.
    pub fn location(&self, at: Position) -> Location {
        let file = match (&self.config, at.in_config) {
            (Some(config), true) => config,
            _ => &self.file,
        };
        Location::shared(Arc::clone(file), at.line as usize, at.column as usize)
    }
}

/// `field`, `field.N`, `field.key` or `field.key.N`, as recorded; anything else is not.
fn parse_key(key: &str) -> Option<(Field, Part)> {
    let mut segments = key.split('.');
    let field = Field::from_name(segments.next()?)?;
    let index = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
    };
    let part = match (segments.next(), segments.next(), segments.next()) {
        (None, _, _) => Part::Whole,
        (Some(i), None, _) if index(i).is_some() => Part::Item(index(i)?),
        (Some(k), None, _) => Part::Key(SubKey::from_name(k)?),
        (Some(k), Some(i), None) => Part::KeyItem(SubKey::from_name(k)?, index(i)?),
        _ => return None,
    };
    Some((field, part))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions() -> Positions {
        let mut p = Positions::new(
            Arc::from(Path::new("c.yaml")),
            Some(Arc::from(Path::new("campaignctl.yaml"))),
        );
        p.record(Field::Name, Part::Whole, Position::new(2, 7, false));
        p.record(
            Field::AllowedDays,
            Part::Item(1),
            Position::new(5, 12, false),
        );
        p.record(
            Field::Leads,
            Part::KeyItem(SubKey::Items, 3),
            Position::new(9, 5, false),
        );
        p.record(Field::Timezone, Part::Whole, Position::new(4, 11, true));
        p
    }

    #[test]
    fn dotted_keys_name_the_parts_they_were_recorded_as() {
        let p = positions();
        let at = |key: &str| p.get(key).map(|l| l.to_string());
        assert_eq!(at("name").as_deref(), Some("c.yaml:2:7"));
        assert_eq!(at("allowed_days.1").as_deref(), Some("c.yaml:5:12"));
        assert_eq!(at("leads.items.3").as_deref(), Some("c.yaml:9:5"));
        assert_eq!(
            at("timezone").as_deref(),
            Some("campaignctl.yaml:4:11"),
            "a default merged from the config points into the config"
        );
        for unknown in [
            "allowed_days.2",
            "allowed_days.+1",
            "leads.items",
            "nope",
            "name.x",
            "leads.items.3.phone",
            "",
        ] {
            assert_eq!(at(unknown), None, "`{unknown}` was never recorded");
        }
    }

    #[test]
    fn every_part_is_told_apart() {
        let parts = [
            Part::Whole,
            Part::Item(0),
            Part::Item(1),
            Part::Key(SubKey::File),
            Part::Key(SubKey::Items),
            Part::KeyItem(SubKey::File, 0),
            Part::KeyItem(SubKey::Items, 0),
            Part::KeyItem(SubKey::Items, 1),
        ];
        for (i, a) in parts.iter().enumerate() {
            for b in &parts[i + 1..] {
                assert_ne!(pack(*a), pack(*b), "{a:?} and {b:?} would share an entry");
            }
        }
        assert_eq!(std::mem::size_of::<Entry>(), 16, "an entry grew");
    }

    #[test]
    fn a_second_record_of_a_part_replaces_the_first() {
        let mut p = positions();
        p.record(Field::Name, Part::Whole, Position::new(3, 1, false));
        assert_eq!(p.len(), 4);
        assert_eq!(p.get("name").map(|l| l.line), Some(3));
    }
}
