//! Leads as code: the leads a manifest declares (a CSV file, inline items, or both), read and
//! checked offline, so every bad row is reported at its file and line before anything is sent.
//!
//! A CSV has a header row with a `phone_number` column (E.164); every other column becomes a
//! lead variable, and an empty cell sets no variable. Secondary contacts are not supported.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use super::yaml::quote;
use crate::diagnostic::{Diagnostic, Location};
use crate::shown_path::ShownFrom;

/// A leads file bigger than this is refused before parsing (a mistake or an attack).
pub const MAX_CSV_BYTES: u64 = 32 * 1024 * 1024;
/// At most this many leads per campaign: each one is a request, and so is every 100 listed.
pub const MAX_LEADS: usize = 100_000;
/// A CSV stops being read after this many problems; the first ones are what the user fixes.
const MAX_CSV_PROBLEMS: usize = 20;
/// The column that holds the lead's phone number.
pub const PHONE_COLUMN: &str = "phone_number";

pub use campaignctl_core::manifest::{
    as_platform_stores, normalize_phone, DesiredLead, LeadsSpec, E164_HINT,
};

/// Reads the leads of a CSV file. Every problem goes to `out`; `None` when there was any.
#[cfg(test)]
pub fn read_csv(path: &Path, out: &mut Vec<Diagnostic>) -> Option<Vec<DesiredLead>> {
    read_csv_at(path, path, out)
}

/// Reads the leads of the CSV file at `real` (a path already checked to be allowed), naming it
/// `path` (as the manifest wrote it) in diagnostics. Every problem goes to `out`. `None` when
/// the file as a whole cannot be read (the file, its header row, its size); otherwise the rows
/// that are well formed, even when other rows are not (the caller counts the file invalid when
/// `out` grew), so that a number listed twice is reported in the same run as a bad number or
/// a short row, not only once they are fixed.
pub fn read_csv_at(
    path: &Path,
    real: &Path,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<DesiredLead>> {
    let at = |line: u64| Location::new(path, usize::try_from(line).unwrap_or(usize::MAX), 1);
    let bytes = match read_limited(path, real) {
        Ok(bytes) => bytes,
        Err(message) => {
            out.push(Diagnostic::error(Some(at(1)), message).with_field("leads.file"));
            return None;
        }
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        // Rows of the wrong length are reported here, each, and reading goes on (the reader
        // would stop at the first).
        .flexible(true)
        .from_reader(bytes);
    let headers = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.push(csv_error(path, &e));
            return None;
        }
    };
    let columns = match header_names(&headers) {
        Ok(columns) => columns,
        Err(message) => {
            out.push(
                Diagnostic::error(Some(at(1)), message)
                    .with_hint(format!(
                        "the first row names the columns, one of them `{PHONE_COLUMN}`: phone_number,first_name,company"
                    )),
            );
            return None;
        }
    };
    let Some(phone_at) = columns.iter().position(|c| c == PHONE_COLUMN) else {
        out.push(
            Diagnostic::error(
                Some(at(1)),
                format!(
                    "the header row has no `{PHONE_COLUMN}` column (columns: {})",
                    listed(&columns)
                ),
            )
            .with_hint(format!(
                "name the column that holds the numbers `{PHONE_COLUMN}`; every other column becomes a lead variable"
            )),
        );
        return None;
    };

    let before = out.len();
    let mut leads = Vec::new();
    for record in reader.byte_records() {
        if out.len() - before >= MAX_CSV_PROBLEMS {
            out.push(Diagnostic::error(
                Some(at(reader.position().line())),
                format!("stopped reading after {MAX_CSV_PROBLEMS} problems"),
            ));
            return None;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push(csv_error(path, &e));
                return None;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != columns.len() {
            out.push(
                Diagnostic::error(
                    Some(at(line)),
                    format!(
                        "this row has {} field(s) but the header row has {}",
                        record.len(),
                        columns.len()
                    ),
                )
                .with_hint("quote cells that contain commas: \"Smith, John\""),
            );
            continue;
        }
        if leads.len() >= MAX_LEADS {
            out.push(
                Diagnostic::error(
                    Some(at(line)),
                    format!("more than {MAX_LEADS} leads in one file"),
                )
                .with_hint("split the leads over several campaigns"),
            );
            return None;
        }
        let mut row_ok = true;
        let mut phone = None;
        let mut variables = BTreeMap::new();
        for (i, (column, cell)) in columns.iter().zip(record.iter()).enumerate() {
            let Ok(text) = std::str::from_utf8(cell) else {
                out.push(
                    Diagnostic::error(
                        Some(at(line)),
                        format!("column {} is not valid UTF-8 text", quote(column)),
                    )
                    .with_hint("save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"),
                );
                row_ok = false;
                continue;
            };
            if i == phone_at {
                phone = normalize_phone(text);
                if phone.is_none() {
                    out.push(
                        Diagnostic::error(
                            Some(at(line)),
                            format!(
                                "{PHONE_COLUMN} {} is not an E.164 phone number",
                                quote(text)
                            ),
                        )
                        .with_hint(E164_HINT),
                    );
                    row_ok = false;
                }
            } else if let Some(value) =
                // Trimmed as the platform trims it; a blank cell sets nothing.
                as_platform_stores(serde_json::Value::String(text.to_owned()))
            {
                variables.insert(column.clone(), value);
            }
        }
        if let (true, Some(phone_number)) = (row_ok, phone) {
            leads.push(DesiredLead {
                phone_number,
                variables,
                source: at(line),
            });
        }
    }
    Some(leads)
}

/// The column names of the header row: UTF-8, non-empty, distinct.
fn header_names(headers: &csv::ByteRecord) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::with_capacity(headers.len());
    // A set, not `names.contains`: a header row can have a million columns.
    let mut seen: HashSet<String> = HashSet::with_capacity(headers.len());
    for (i, raw) in headers.iter().enumerate() {
        let name = std::str::from_utf8(raw)
            .map_err(|_| format!("column {} of the header row is not valid UTF-8 text", i + 1))?
            .trim()
            .to_owned();
        if name.is_empty() {
            return Err(format!("column {} of the header row has no name", i + 1));
        }
        if !seen.insert(name.clone()) {
            return Err(format!(
                "the header row names column {} twice",
                quote(&name)
            ));
        }
        names.push(name);
    }
    Ok(names)
}

/// How many column names a message lists.
const MAX_COLUMNS_LISTED: usize = 10;

/// The first few column names, each a short quoted excerpt: a header row can be the whole file
/// (a file that is not a CSV at all), and a message must not print it back.
fn listed(columns: &[String]) -> String {
    let mut shown: Vec<String> = columns
        .iter()
        .take(MAX_COLUMNS_LISTED)
        .map(|c| quote(c))
        .collect();
    if columns.len() > MAX_COLUMNS_LISTED {
        shown.push(format!("and {} more", columns.len() - MAX_COLUMNS_LISTED));
    }
    shown.join(", ")
}

fn csv_error(path: &Path, e: &csv::Error) -> Diagnostic {
    let line = e.position().map_or(1, csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this row has {len} field(s) but the header row has {expected_len}"),
        _ => format!("cannot read the CSV: {e}"),
    };
    Diagnostic::error(
        Some(Location::new(
            path,
            usize::try_from(line).unwrap_or(usize::MAX),
            1,
        )),
        message,
    )
    .with_hint("quote cells that contain commas: \"Smith, John\"")
}

/// The bytes of the file at `real`, refusing one over [`MAX_CSV_BYTES`] without reading it
/// whole, and anything but a regular file without reading it at all.
fn read_limited(path: &Path, real: &Path) -> Result<Vec<u8>, String> {
    let cannot = |e: std::io::Error| format!("cannot read leads file {}: {e}", path.display());
    // Noted before anything can fail: a file refused now is read again once it changes.
    super::read_log::note_probe(real, super::read_log::Probe::State);
    let file = super::files::open_regular(real).map_err(cannot)?;
    // Taken before reading: what `read_log` compares later.
    let before = file.metadata().ok();
    let mut bytes = Vec::new();
    file.take(MAX_CSV_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_CSV_BYTES {
        return Err(format!(
            "leads file {} is larger than {MAX_CSV_BYTES} bytes (32 MiB)",
            path.display()
        ));
    }
    super::read_log::note_read(real, before.as_ref(), &bytes);
    Ok(bytes)
}

/// Reports every phone number declared twice (in the CSV, among the items, or across both),
/// each at its second place, naming the first (its path shown from `shown_from`). `true` when
/// there is none.
pub fn check_unique(
    leads: &[DesiredLead],
    out: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
) -> bool {
    let mut first: HashMap<&str, &Location> = HashMap::with_capacity(leads.len());
    let mut unique = true;
    for lead in leads {
        if let Some(seen) = first.get(lead.phone_number.as_str()) {
            unique = false;
            out.push(
                Diagnostic::error(
                    Some(lead.source.clone()),
                    format!(
                        "lead {} is listed twice: at {} and at {}",
                        lead.phone_number,
                        short(seen, shown_from),
                        short(&lead.source, shown_from)
                    ),
                )
                .with_field("leads")
                .with_hint("a campaign calls each number once; remove one of the rows"),
            );
        } else {
            first.insert(&lead.phone_number, &lead.source);
        }
    }
    unique
}

/// `file:line` for a CSV row, the way a person looks a row up; with the column for an inline
/// item, since several can share a line.
fn short(l: &Location, shown_from: &ShownFrom) -> String {
    if l.column == 1 {
        format!("{}:{}", l.shown_file(shown_from), l.line)
    } else {
        l.shown(shown_from).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &[u8]) -> (Option<Vec<DesiredLead>>, Vec<String>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("q4.csv");
        std::fs::write(&path, text).expect("write csv");
        let mut out = Vec::new();
        let leads = read_csv(&path, &mut out);
        let shown = out
            .iter()
            .map(|d| d.to_string().replace(&*path.to_string_lossy(), "q4.csv"))
            .collect();
        (leads, shown)
    }

    #[test]
    fn every_other_column_becomes_a_variable() {
        let (leads, problems) =
            csv(b"\xef\xbb\xbfphone_number,first_name,company\n+14155550101,Ada,\n\"+1 (415) 555-0102\",\"Smith, John\",ACME\n");
        assert!(
            problems.is_empty(),
            "a BOM and quoted cells are fine: {problems:?}"
        );
        let leads = leads.expect("leads");
        assert_eq!(leads.len(), 2, "two data rows");
        assert_eq!(leads[0].phone_number, "+14155550101");
        assert_eq!(
            leads[0].variables.keys().collect::<Vec<_>>(),
            ["first_name"],
            "an empty cell sets no variable"
        );
        assert_eq!(
            leads[1].phone_number, "+14155550102",
            "readability characters are removed"
        );
        assert_eq!(leads[1].variables["first_name"], "Smith, John");
        assert_eq!(
            leads[1].source.line, 3,
            "the row's line is kept for messages"
        );
    }

    #[test]
    fn bad_numbers_are_reported_at_their_line() {
        let (leads, problems) = csv(b"phone_number,name\n+14155550101,a\n4155550102,b\n+0123,c\n");
        assert_eq!(
            leads.map(|l| l.len()),
            Some(1),
            "the good row is still read (for the duplicate check); the problems make the file invalid"
        );
        assert_eq!(
            problems
                .iter()
                .map(|p| p.lines().next().unwrap_or_default())
                .collect::<Vec<_>>(),
            [
                "q4.csv:3:1: error: phone_number \"4155550102\" is not an E.164 phone number",
                "q4.csv:4:1: error: phone_number \"+0123\" is not an E.164 phone number",
            ]
        );
        assert!(
            problems[0].contains("hint: write it in E.164"),
            "{problems:?}"
        );
    }

    #[test]
    fn hostile_files_get_clear_errors() {
        let (_, problems) = csv(b"phone_number,name\n+14155550101,\xff\xfe\n");
        assert_eq!(
            problems
                .first()
                .map(String::as_str)
                .and_then(|p| p.lines().next()),
            Some("q4.csv:2:1: error: column \"name\" is not valid UTF-8 text"),
            "non-UTF-8 cell: {problems:?}"
        );
        let (_, problems) = csv(b"name,number\nx,+14155550101\n");
        assert!(
            problems[0].contains("has no `phone_number` column (columns: \"name\", \"number\")"),
            "{problems:?}"
        );
        let (_, problems) = csv(b"phone_number,a\n+14155550101,1,2\n");
        assert!(
            problems[0]
                .starts_with("q4.csv:2:1: error: this row has 3 field(s) but the header row has 2"),
            "{problems:?}"
        );
        let (_, problems) = csv(b"phone_number,a,a\n");
        assert!(
            problems[0].contains("names column \"a\" twice"),
            "{problems:?}"
        );
        let mut wide = "x".repeat(1_000_000).into_bytes();
        wide.extend((0..1000).flat_map(|i| format!(",c{i}").into_bytes()));
        let (_, problems) = csv(&wide);
        assert!(
            problems[0].len() < 2_000 && problems[0].contains("and 991 more"),
            "a huge header row is quoted in short excerpts, a few columns only: {} bytes",
            problems[0].len()
        );
        let (leads, problems) = csv(b"");
        assert!(
            leads.is_none() && problems[0].contains("no `phone_number` column"),
            "{problems:?}"
        );
        let many: Vec<u8> = std::iter::once("phone_number\n".to_owned())
            .chain((0..30).map(|i| format!("bad{i}\n")))
            .collect::<String>()
            .into_bytes();
        let (_, problems) = csv(&many);
        assert_eq!(
            problems.len(),
            MAX_CSV_PROBLEMS + 1,
            "reading stops after a bounded number of problems"
        );
    }

    #[test]
    fn a_duplicate_names_both_lines() {
        let (leads, problems) = csv(b"phone_number\n+14155550101\n+14155550102\n+1 415 555 0101\n");
        assert!(problems.is_empty(), "{problems:?}");
        let mut out = Vec::new();
        assert!(
            !check_unique(
                &leads.expect("leads"),
                &mut out,
                &crate::shown_path::ShownFrom::as_is()
            ),
            "the duplicate must be found"
        );
        let shown = out[0].to_string();
        assert!(
            shown.contains(":4:1: error: lead +14155550101 is listed twice: at ")
                && shown.contains("q4.csv:2 and at ")
                && shown.contains("q4.csv:4"),
            "{shown}"
        );
    }

    #[test]
    fn phone_normalisation_is_strict_e164() {
        assert_eq!(
            normalize_phone(" +44 20 7946 0147 ").as_deref(),
            Some("+442079460147")
        );
        for bad in [
            "",
            "+",
            "14155550101",
            "+1415555010a",
            "+012345678",
            "+1234567890123456",
            "++14155550101",
        ] {
            assert_eq!(normalize_phone(bad), None, "{bad:?} is not E.164");
        }
    }
}
