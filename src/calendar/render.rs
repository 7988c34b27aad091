//! The week grid drawn: text for a terminal (an hour per row, a day per column, each cell the
//! campaigns calling by their letter and the lines in use), Markdown for a pull-request
//! comment, a standalone SVG image, and JSON with the same data. Every campaign name is
//! escaped.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::week::{Cell, Entry, EntryState, Week};
use super::DEFAULT_LINES;
use crate::escape;
use crate::render::style::{paint, BOLD, DIM, YELLOW};

/// The letter a campaign goes by in the grid: A to Z, then AA, AB, ...
pub(crate) fn key(i: usize) -> String {
    let letter = |n: usize| char::from(b'A' + (n % 26) as u8);
    if i < 26 {
        letter(i).to_string()
    } else {
        format!("{}{}", letter(i / 26 - 1), letter(i))
    }
}

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn day_label(monday: NaiveDate, d: usize) -> String {
    let date = monday + Duration::days(d as i64);
    format!("{} {:02}", DAY_NAMES[d], date.day())
}

/// "2027-W12 (Mon 22 Mar - Sun 28 Mar 2027)".
fn week_title(week: &Week) -> String {
    let iso = week.monday.iso_week();
    let sunday = week.monday + Duration::days(6);
    format!(
        "{}-W{:02} ({} - {})",
        iso.year(),
        iso.week(),
        week.monday.format("%a %-d %b"),
        sunday.format("%a %-d %b %Y")
    )
}

/// Letters of the campaigns in a cell, at most `width` characters (the rest as `+`).
fn letters(cell: &Cell, width: usize) -> String {
    let mut out = String::new();
    for (n, i) in cell.calling.iter().enumerate() {
        let k = key(*i);
        if out.len() + k.len() > width
            || (n + 1 < cell.calling.len() && out.len() + k.len() >= width)
        {
            out.push('+');
            break;
        }
        out.push_str(&k);
    }
    out
}

/// Column width of a day in the text grid: the letters, a quiet mark and the lines.
const TEXT_COLUMN: usize = 12;

/// The grid as text: fits 100 columns (6 + 7 × 13); `narrow` drops the letters and keeps the
/// lines in use (a terminal under 100 columns).
pub(crate) fn text(week: &Week, shown: &super::Entries, narrow: bool) -> String {
    let (entries, unplaced) = (shown.placed.as_slice(), shown.unplaced.as_slice());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(
            BOLD,
            format!(
                "Calling windows, week {}, hours in {}",
                week_title(week),
                week.zone.name()
            )
        )
    );
    if entries.is_empty() {
        out.push_str("No campaign calls this week (only those declared `status: running` are shown; --all adds the others).\n");
        unplaced_lines(&mut out, unplaced, &shown.remote_only);
        return out;
    }
    let column = if narrow { 7 } else { TEXT_COLUMN };
    let _ = write!(out, "{:<6}", "");
    for d in 0..7 {
        let _ = write!(out, " {:<column$}", day_label(week.monday, d));
    }
    out.truncate(out.trim_end_matches(' ').len());
    out.push('\n');
    for h in 0..24 {
        let _ = write!(out, "{h:02}:00 ");
        for d in 0..7 {
            let cell = &week.days[d][h];
            let shown = cell_text(cell, column, narrow, week.peak.map_or(1, |p| p.lines));
            let pad = column.saturating_sub(shown.chars().count());
            let painted = if cell.skipped || cell.calling.is_empty() {
                paint(DIM, &shown)
            } else if !cell.quiet.is_empty() {
                paint(YELLOW, &shown)
            } else if week.peak.is_some_and(|p| p.lines == cell.lines) {
                paint(BOLD, &shown)
            } else {
                shown
            };
            let _ = write!(out, "{painted}{:pad$} ", "");
        }
        out.truncate(out.trim_end_matches(' ').len());
        out.push('\n');
    }
    legend(&mut out, week, entries, narrow);
    unplaced_lines(&mut out, unplaced, &shown.remote_only);
    out
}

/// Eighths of a block, from a little load to the peak.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The block drawn for `lines` of `peak`: taller with the load, full at the peak.
fn block(lines: u64, peak: u64) -> char {
    let eighths = (lines * 8).div_ceil(peak.max(1)).clamp(1, 8);
    BLOCKS[eighths as usize - 1]
}

fn cell_text(cell: &Cell, column: usize, narrow: bool, peak: u64) -> String {
    if cell.skipped {
        return "(skipped)".chars().take(column).collect();
    }
    if cell.calling.is_empty() {
        return "·".to_owned();
    }
    let bar = block(cell.lines, peak);
    let quiet = if cell.quiet.is_empty() { "" } else { "!" };
    let repeated = if cell.repeated { "×2" } else { "" };
    if narrow {
        return format!("{bar}{}{quiet}{repeated}", cell.lines);
    }
    // "▆ ABC! 12": the load as a block, the letters, the quiet mark, the lines right-aligned.
    let lines = format!("{}{repeated}", cell.lines);
    let room = column.saturating_sub(2 + lines.chars().count() + 1 + quiet.len());
    let mut shown = letters(cell, room);
    shown.push_str(quiet);
    format!("{bar} {shown:<width$} {lines}", width = room + quiet.len())
}

/// `names`, escaped, one after the other.
fn listed<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| escape::text(n).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A campaign's line in the legend of the text grid and the SVG: its letter, name, zone,
/// window, days and lines (saying when they are the platform's default), and why it is shown
/// when it is not declared to run.
fn legend_entry(i: usize, e: &Entry) -> String {
    let default = if e.default_lines {
        format!(" (the platform's default, {DEFAULT_LINES})")
    } else {
        String::new()
    };
    let state = match e.state {
        EntryState::Declared => "",
        EntryState::Running => " [running on the platform]",
        EntryState::Draft => " [not declared to run]",
    };
    format!(
        "{:<2} {}  {} {}-{} {}, {} line(s){default}{state}",
        key(i),
        escape::text(&e.name),
        e.window.zone.name(),
        e.window.start,
        e.window.end,
        days_text(&e.window.days),
        e.lines,
    )
}

fn legend(out: &mut String, week: &Week, entries: &[Entry], narrow: bool) {
    out.push('\n');
    if let Some(p) = week.peak {
        let names = listed(
            week.days[p.day][p.hour]
                .calling
                .iter()
                .map(|i| entries[*i].name.as_str()),
        );
        let _ = writeln!(
            out,
            "{} {} line(s) at once, first on {} {:02}:00-{:02}:00 ({})",
            paint(BOLD, "Peak:"),
            p.lines,
            day_label(week.monday, p.day),
            p.hour,
            (p.hour + 1) % 24,
            names
        );
    }
    if !narrow {
        out.push_str("Each cell: the load (a block, full at the peak), the campaigns that may call in that hour (by letter) and the lines they may use at once.\n");
    } else {
        out.push_str("Each cell: the load (a block, full at the peak) and the lines the campaigns may use at once in that hour.\n");
    }
    if week.days.iter().flatten().any(|c| !c.quiet.is_empty()) {
        let _ = writeln!(
            out,
            "{} a window reaches into quiet hours (before 08:00 or after 21:00 in the campaign's own zone), as `validate` warns.",
            paint(YELLOW, "!")
        );
    }
    if week.days.iter().flatten().any(|c| c.skipped || c.repeated) {
        out.push_str("(skipped): the clock jumps over this hour; ×2: the hour occurs twice (daylight saving).\n");
    }
    for (i, e) in entries.iter().enumerate() {
        let _ = writeln!(out, "  {}", legend_entry(i, e));
    }
}

fn unplaced_lines(out: &mut String, unplaced: &[String], remote_only: &[String]) {
    let names = |list: &[String]| listed(list.iter().map(String::as_str));
    if !unplaced.is_empty() {
        let _ = writeln!(
            out,
            "{} {} (no timezone: their hours are read in the account's zone, which no manifest shows)",
            paint(DIM, "Not shown:"),
            names(unplaced)
        );
    }
    if !remote_only.is_empty() {
        let _ = writeln!(
            out,
            "{} {} (on the platform, in no manifest; the platform does not list a campaign's zone, so they are not placed)",
            paint(DIM, "Not shown:"),
            names(remote_only)
        );
    }
}

fn days_text(days: &[crate::campaign::Weekday]) -> String {
    let mut sorted: Vec<usize> = days
        .iter()
        .filter_map(|d| crate::campaign::Weekday::ALL.iter().position(|w| w == d))
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted == (0..7).collect::<Vec<_>>() {
        return "every day".to_owned();
    }
    if sorted == (0..5).collect::<Vec<_>>() {
        return "Mon-Fri".to_owned();
    }
    sorted
        .iter()
        .map(|d| DAY_NAMES[*d])
        .collect::<Vec<_>>()
        .join(",")
}

/// The grid as a Markdown table: a row per hour that any campaign calls in (the others are
/// summed up), a column per day.
pub(crate) fn markdown(week: &Week, shown: &super::Entries) -> String {
    let (entries, unplaced) = (shown.placed.as_slice(), shown.unplaced.as_slice());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#### Calling windows, week {}, hours in `{}`\n",
        week_title(week),
        week.zone.name()
    );
    if entries.is_empty() {
        out.push_str("No campaign calls this week.\n");
        return out;
    }
    out.push_str("| hour |");
    for d in 0..7 {
        let _ = write!(out, " {} |", day_label(week.monday, d));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(7));
    out.push('\n');
    for h in 0..24 {
        let row: Vec<&Cell> = (0..7).map(|d| &week.days[d][h]).collect();
        if row.iter().all(|c| c.calling.is_empty() && !c.skipped) {
            continue;
        }
        let _ = write!(out, "| {h:02}:00 |");
        for cell in row {
            let shown = if cell.skipped {
                "(skipped)".to_owned()
            } else if cell.calling.is_empty() {
                String::new()
            } else {
                let keys: Vec<String> = cell.calling.iter().map(|i| key(*i)).collect();
                let quiet = if cell.quiet.is_empty() { "" } else { " ⚠" };
                let peak = if week.peak.is_some_and(|p| p.lines == cell.lines) {
                    format!("**{}**", cell.lines)
                } else {
                    cell.lines.to_string()
                };
                format!("{} · {peak}{quiet}", keys.join(" "))
            };
            let _ = write!(out, " {shown} |");
        }
        out.push('\n');
    }
    out.push('\n');
    if let Some(p) = week.peak {
        let _ = writeln!(
            out,
            "**Peak:** {} line(s) at once, first on {} {:02}:00.\n",
            p.lines,
            day_label(week.monday, p.day),
            p.hour
        );
    }
    out.push_str("Hours in which no campaign calls are left out. Each cell: the campaigns by letter · the lines they may use at once");
    if week.days.iter().flatten().any(|c| !c.quiet.is_empty()) {
        out.push_str(
            "; ⚠ a window reaches into quiet hours (before 08:00 or after 21:00 in its own zone)",
        );
    }
    out.push_str(".\n\n| | campaign | zone | window | days | lines |\n|---|---|---|---|---|---|\n");
    for (i, e) in entries.iter().enumerate() {
        let lines = if e.default_lines {
            format!("{} (default)", e.lines)
        } else {
            e.lines.to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {}-{} | {} | {lines} |",
            key(i),
            markdown_cell(&e.name),
            e.window.zone.name(),
            e.window.start,
            e.window.end,
            days_text(&e.window.days)
        );
    }
    if !shown.remote_only.is_empty() {
        let names: Vec<String> = shown.remote_only.iter().map(|n| markdown_cell(n)).collect();
        let _ = writeln!(
            out,
            "\nOn the platform, in no manifest (their zone is not listed, so not placed): {}.",
            names.join(", ")
        );
    }
    if !unplaced.is_empty() {
        let names: Vec<String> = unplaced.iter().map(|n| markdown_cell(n)).collect();
        let _ = writeln!(out, "\nNot shown (no timezone): {}.", names.join(", "));
    }
    out
}

/// A name inside a Markdown table cell: escaped, pipes and backticks neutralised.
fn markdown_cell(s: &str) -> String {
    escape::text(s)
        .replace('|', "\\|")
        .replace('`', "'")
        .replace('<', "&lt;")
}

/// The grid as a standalone SVG image: a title, a day per column and an hour per row, each
/// cell shaded by the lines in use (darkest at the peak) and labelled with the campaigns'
/// letters and the line count, quiet-hour cells outlined, and a legend naming every campaign.
pub(crate) fn svg(week: &Week, shown: &super::Entries) -> String {
    let (entries, unplaced) = (shown.placed.as_slice(), shown.unplaced.as_slice());
    const LEFT: usize = 56;
    const TOP: usize = 64;
    const COLUMN: usize = 128;
    const ROW: usize = 20;
    let width = LEFT + 7 * COLUMN + 16;
    let legend_lines = entries.len()
        + 4
        + usize::from(!unplaced.is_empty())
        + usize::from(!shown.remote_only.is_empty());
    let height = TOP + 24 * ROW + 24 + legend_lines * 18 + 16;
    let peak = week.peak.map_or(1, |p| p.lines.max(1));
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"#
    );
    let title = format!(
        "Calling windows, week {}, hours in {}",
        week_title(week),
        week.zone.name()
    );
    let _ = writeln!(out, "<title>{}</title>", xml(&title));
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        out,
        r##"<text x="{LEFT}" y="24" font-size="16" font-weight="bold" fill="#111111">{}</text>"##,
        xml(&title)
    );
    for d in 0..7 {
        let x = LEFT + d * COLUMN + COLUMN / 2;
        let _ = writeln!(
            out,
            r##"<text x="{x}" y="{}" text-anchor="middle" font-weight="bold" fill="#111111">{}</text>"##,
            TOP - 8,
            day_label(week.monday, d)
        );
    }
    for h in 0..24 {
        let y = TOP + h * ROW;
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{}" text-anchor="end" fill="#555555">{h:02}:00</text>"##,
            LEFT - 6,
            y + 14
        );
        for d in 0..7 {
            let cell = &week.days[d][h];
            let x = LEFT + d * COLUMN;
            let (fill, label) = if cell.skipped {
                ("#dddddd".to_owned(), "(skipped)".to_owned())
            } else if cell.calling.is_empty() {
                ("#f6f6f6".to_owned(), String::new())
            } else {
                // From light to dark blue with the lines in use.
                let share = cell.lines as f64 / peak as f64;
                let shade = |light: f64, dark: f64| (light + (dark - light) * share).round() as u8;
                let fill = format!(
                    "#{:02x}{:02x}{:02x}",
                    shade(222.0, 33.0),
                    shade(235.0, 102.0),
                    shade(247.0, 172.0)
                );
                let keys: Vec<String> = cell.calling.iter().map(|i| key(*i)).collect();
                let repeated = if cell.repeated { " ×2" } else { "" };
                (
                    fill,
                    format!("{} · {}{repeated}", keys.join(""), cell.lines),
                )
            };
            let stroke = if cell.quiet.is_empty() {
                r##"stroke="#ffffff" stroke-width="1""##
            } else {
                r##"stroke="#e6550d" stroke-width="2""##
            };
            let _ = writeln!(
                out,
                r#"<rect x="{x}" y="{y}" width="{COLUMN}" height="{ROW}" fill="{fill}" {stroke}/>"#
            );
            if !label.is_empty() {
                let dark = !cell.skipped && cell.lines as f64 / peak as f64 > 0.55;
                let colour = if dark { "#ffffff" } else { "#111111" };
                let _ = writeln!(
                    out,
                    r#"<text x="{}" y="{}" fill="{colour}">{}</text>"#,
                    x + 6,
                    y + 14,
                    xml(&label)
                );
            }
        }
    }
    let mut y = TOP + 24 * ROW + 24;
    let mut line = |out: &mut String, text: &str, bold: bool| {
        let weight = if bold { r#" font-weight="bold""# } else { "" };
        let _ = writeln!(
            out,
            r##"<text x="{LEFT}" y="{y}" fill="#111111"{weight}>{}</text>"##,
            xml(text)
        );
        y += 18;
    };
    if let Some(p) = week.peak {
        line(
            &mut out,
            &format!(
                "Peak: {} line(s) at once, first on {} {:02}:00",
                p.lines,
                day_label(week.monday, p.day),
                p.hour
            ),
            true,
        );
    }
    line(
        &mut out,
        "Each cell: the campaigns that may call in that hour (by letter) · the lines they may use at once.",
        false,
    );
    line(
        &mut out,
        "Outlined in orange: calls before 08:00 or after 21:00 in the campaign's own zone (quiet hours).",
        false,
    );
    for (i, e) in entries.iter().enumerate() {
        line(&mut out, &legend_entry(i, e), false);
    }
    if !shown.remote_only.is_empty() {
        line(
            &mut out,
            &format!(
                "On the platform, in no manifest (zone not listed, not placed): {}",
                listed(shown.remote_only.iter().map(String::as_str))
            ),
            false,
        );
    }
    if !unplaced.is_empty() {
        line(
            &mut out,
            &format!(
                "Not shown (no timezone): {}",
                listed(unplaced.iter().map(String::as_str))
            ),
            false,
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Text inside SVG markup: the five XML specials escaped, control characters dropped (XML 1.0
/// allows none but tab and line breaks).
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The JSON document (docs/json-output.md, "calendar").
#[derive(Serialize)]
pub(crate) struct CalendarJson<'a> {
    zone: &'a str,
    week: String,
    monday: NaiveDate,
    default_lines: u64,
    campaigns: Vec<CampaignJson<'a>>,
    not_shown: &'a [String],
    on_platform_only: &'a [String],
    peak: Option<PeakJson>,
    days: Vec<DayJson<'a>>,
}

#[derive(Serialize)]
struct CampaignJson<'a> {
    key: String,
    name: &'a str,
    zone: &'a str,
    start: String,
    end: String,
    days: Vec<&'static str>,
    lines: u64,
    default_lines: bool,
    state: EntryState,
}

#[derive(Serialize)]
struct PeakJson {
    lines: u64,
    date: NaiveDate,
    hour: usize,
}

#[derive(Serialize)]
struct DayJson<'a> {
    date: NaiveDate,
    hours: Vec<HourJson<'a>>,
}

#[derive(Serialize)]
struct HourJson<'a> {
    hour: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    skipped: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    repeated: bool,
    calling: Vec<&'a str>,
    quiet: Vec<&'a str>,
    lines: u64,
}

pub(crate) fn json<'a>(week: &Week, shown: &'a super::Entries) -> CalendarJson<'a> {
    let (entries, unplaced) = (shown.placed.as_slice(), shown.unplaced.as_slice());
    let iso = week.monday.iso_week();
    let names =
        |ids: &[usize]| -> Vec<&'a str> { ids.iter().map(|i| entries[*i].name.as_str()).collect() };
    CalendarJson {
        zone: week.zone.name(),
        week: format!("{}-W{:02}", iso.year(), iso.week()),
        monday: week.monday,
        default_lines: DEFAULT_LINES,
        campaigns: entries
            .iter()
            .enumerate()
            .map(|(i, e)| CampaignJson {
                key: key(i),
                name: &e.name,
                zone: e.window.zone.name(),
                start: e.window.start.to_string(),
                end: e.window.end.to_string(),
                days: e.window.days.iter().map(|d| d.as_str()).collect(),
                lines: e.lines,
                default_lines: e.default_lines,
                state: e.state,
            })
            .collect(),
        not_shown: unplaced,
        on_platform_only: &shown.remote_only,
        peak: week.peak.map(|p| PeakJson {
            lines: p.lines,
            date: week.monday + Duration::days(p.day as i64),
            hour: p.hour,
        }),
        days: week
            .days
            .iter()
            .enumerate()
            .map(|(d, hours)| DayJson {
                date: week.monday + Duration::days(d as i64),
                hours: hours
                    .iter()
                    .enumerate()
                    .map(|(h, c)| HourJson {
                        hour: h,
                        skipped: c.skipped,
                        repeated: c.repeated,
                        calling: names(&c.calling),
                        quiet: names(&c.quiet),
                        lines: c.lines,
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_run_from_a_to_z_then_two_letters() {
        assert_eq!(key(0), "A");
        assert_eq!(key(25), "Z");
        assert_eq!(key(26), "AA");
        assert_eq!(key(27), "AB");
        assert_eq!(key(52), "BA");
    }
}
