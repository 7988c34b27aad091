//! The `Printer`: how this run prints, decided once from the parsed arguments and passed by
//! reference to every command and to the functions that print (after uv's `Printer`), instead
//! of process-wide switches that a command flips while it runs.
//!
//! Where problems go: as text on stderr, or, with `plan --format github`, only as workflow
//! commands on stdout, so that each problem is printed once (the runner reads both streams, and
//! a problem printed both ways would show twice); or, with `watch --log-format json`, as log
//! events, so that every line on stderr is JSON. Inside GitHub Actions, text is followed by the
//! same problems as workflow commands, whatever the format, so they show on the pull request's
//! diff: on stdout, unless stdout carries a document (JSON, a Markdown comment body) that they
//! would corrupt, then on stderr (the runner reads both).

use std::collections::BTreeSet;
use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use super::args::{Cli, ColorWhen, Command, Format, PlanFormat};
use super::output;
use super::report::log_diagnostics;
use crate::manifest::Diagnostic;
use crate::render::{self as render, github};
use crate::shown_path::ShownFrom;

/// The form problems take in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problems {
    /// `file:line:column: error: ...` on stderr (and annotations too inside GitHub Actions).
    Text,
    /// Only workflow commands, on stdout (`plan --format github`).
    Annotations,
    /// Log events (`watch --log-format json`): every stderr line is JSON.
    Log,
}

/// How one run prints. Cheap to build: unit tests make one per case.
#[derive(Debug, Clone)]
pub struct Printer {
    problems: Problems,
    /// Stdout carries a document (`--format json`, `plan --format markdown`) that annotations
    /// would corrupt.
    stdout_is_document: bool,
    /// JSON on stdout (`plan --format json`, `apply --format json`), else text.
    format: Format,
    colour: ColorWhen,
    /// The warnings said once per run already (shared by the clones a `watch` gives each
    /// account).
    said: Arc<Mutex<BTreeSet<&'static str>>>,
    /// The repository root that paths are shown from, decided once the run knows its
    /// accounts (shared by the clones a `watch` gives each account). Unset, paths are shown
    /// as they are.
    shown_from: Arc<OnceLock<ShownFrom>>,
}

/// How paths are shown before the repository is known.
const AS_IS: &ShownFrom = &ShownFrom::as_is();

impl Printer {
    /// The printer for the command `cli` asks for.
    pub fn new(cli: &Cli) -> Printer {
        let format = match &cli.command {
            Command::Plan { args, .. } if args.format == PlanFormat::Json => Format::Json,
            Command::Apply { args, .. } => args.format,
            _ => Format::Text,
        };
        let (problems, stdout_is_document) = match &cli.command {
            Command::Watch { args, .. } if args.log_format == Format::Json => {
                (Problems::Log, false)
            }
            Command::Plan { args, .. } => (
                if args.format == PlanFormat::Github {
                    Problems::Annotations
                } else {
                    Problems::Text
                },
                matches!(args.format, PlanFormat::Json | PlanFormat::Markdown),
            ),
            // The JSON report is the document on stdout; annotations then go to stderr.
            Command::Apply { args, .. } => (Problems::Text, args.format == Format::Json),
            _ => (Problems::Text, false),
        };
        Printer {
            problems,
            stdout_is_document,
            format,
            colour: cli.global.color,
            said: Arc::default(),
            shown_from: Arc::default(),
        }
    }

    /// A printer with these settings, for unit tests.
    #[cfg(test)]
    pub fn with(problems: Problems, stdout_is_document: bool, colour: ColorWhen) -> Printer {
        Printer {
            problems,
            stdout_is_document,
            format: if stdout_is_document {
                Format::Json
            } else {
                Format::Text
            },
            colour,
            said: Arc::default(),
            shown_from: Arc::default(),
        }
    }

    /// Problems as text, no document on stdout, no colour: what unit tests print with.
    #[cfg(test)]
    pub fn plain() -> Printer {
        Printer::with(Problems::Text, false, ColorWhen::Never)
    }

    /// What stdout carries: JSON (the document a failure is reported in too) or text.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Shows paths from `from` for the rest of this run. The first call wins: one run works
    /// in one repository, and a path must be shown the same way in every line of its output.
    pub fn show_paths_from(&self, from: ShownFrom) {
        let _ = self.shown_from.set(from);
    }

    /// Where this run shows paths from: the repository root once it is known, else nowhere
    /// (paths as they are).
    pub fn shown_from(&self) -> &ShownFrom {
        self.shown_from.get().unwrap_or(AS_IS)
    }

    /// Whether stderr is the JSON log.
    pub fn is_log(&self) -> bool {
        self.problems == Problems::Log
    }

    /// Whether `what` is to be said now: true the first time in this run, then false, so a
    /// warning that every account or pass would meet is said once.
    pub fn first_time(&self, what: &'static str) -> bool {
        // A poisoned lock only means a panic elsewhere; saying a warning twice is harmless.
        self.said.lock().map_or(true, |mut said| said.insert(what))
    }

    /// A line for the person running the command (which config is in effect): on stderr, or
    /// an info event when stderr is the log.
    pub fn notice(&self, text: &str) {
        if self.is_log() {
            tracing::info!("{text}");
        } else {
            anstream::eprintln!("{text}");
        }
    }

    /// Prints `diagnostics` in the form this run uses.
    pub fn problems(&self, diagnostics: &[Diagnostic]) {
        if self.is_log() {
            log_diagnostics(diagnostics, self.shown_from());
            return;
        }
        let (stdout, stderr) = self.problems_text(diagnostics, github::in_github_actions());
        if !stdout.is_empty() {
            anstream::print!("{stdout}");
        }
        if !stderr.is_empty() {
            anstream::eprint!("{stderr}");
        }
    }

    /// What [`Printer::problems`] writes to stdout and to stderr when it does not log, inside
    /// GitHub Actions or not: decided here, from this printer alone.
    fn problems_text(&self, diagnostics: &[Diagnostic], in_actions: bool) -> (String, String) {
        if self.problems == Problems::Annotations {
            return (
                github::diagnostics(diagnostics, self.shown_from()),
                String::new(),
            );
        }
        let text = render::diagnostics_text(diagnostics, self.shown_from());
        if diagnostics.is_empty() || !in_actions {
            return (String::new(), text);
        }
        let annotations = github::diagnostics(diagnostics, self.shown_from());
        if self.stdout_is_document {
            (String::new(), text + &annotations)
        } else {
            (annotations, text)
        }
    }

    /// Writes `text` to stdout through one buffered writer, colours as this run chose.
    pub fn print(&self, text: &str) -> io::Result<()> {
        output::print(text, self.colour_of(&io::stdout()))
    }

    /// Writes to stdout what `render` writes, as it renders (a plan is never built whole),
    /// through one buffered writer, colours as this run chose.
    pub fn print_with(
        &self,
        render: impl FnOnce(&mut dyn std::fmt::Write) -> std::fmt::Result,
    ) -> io::Result<()> {
        output::print_with(self.colour_of(&io::stdout()), render)
    }

    /// Writes to stderr what `render` writes, as it renders, colours as this run chose.
    pub fn eprint_with(
        &self,
        render: impl FnOnce(&mut dyn std::fmt::Write) -> std::fmt::Result,
    ) -> io::Result<()> {
        output::eprint_with(self.colour_of(&io::stderr()), render)
    }

    /// Whether colour escapes reach `stream`: `--color always` and `never` decide; `auto`
    /// asks anstream (a terminal, and no `NO_COLOR`), on the real stream, since a buffer is
    /// never a terminal.
    fn colour_of(&self, stream: &impl anstream::stream::RawStream) -> anstream::ColorChoice {
        match self.colour {
            ColorWhen::Always => anstream::ColorChoice::AlwaysAnsi,
            ColorWhen::Never => anstream::ColorChoice::Never,
            ColorWhen::Auto => anstream::AutoStream::choice(stream),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    fn problem() -> Vec<Diagnostic> {
        vec![Diagnostic::error(
            Some(Location::new("accounts/acme/q4.yaml", 3, 5)),
            "unknown field `nmae`",
        )]
    }

    /// Two printers in one process print the same problems each in its own form: with the
    /// switches process-wide, the second run's settings would have leaked into the first.
    #[test]
    fn two_printers_in_one_process_print_each_in_its_own_form() {
        let text = Printer::with(Problems::Text, false, ColorWhen::Never);
        let annotations = Printer::with(Problems::Annotations, false, ColorWhen::Never);
        let document = Printer::with(Problems::Text, true, ColorWhen::Never);
        let line = render::diagnostics_text(&problem(), &ShownFrom::as_is());
        let annotation = github::diagnostics(&problem(), &ShownFrom::as_is());
        assert!(line.starts_with("accounts/acme/q4.yaml:3:5: ") && line.contains("unknown field"));
        assert!(annotation.starts_with("::error file=accounts/acme/q4.yaml,line=3,col=5,"));

        assert_eq!(
            annotations.problems_text(&problem(), false),
            (annotation.clone(), String::new()),
            "--format github: annotations only, on stdout"
        );
        assert_eq!(
            text.problems_text(&problem(), false),
            (String::new(), line.clone()),
            "text outside Actions: stderr only"
        );
        assert_eq!(
            text.problems_text(&problem(), true),
            (annotation.clone(), line.clone()),
            "text inside Actions: annotations on stdout too"
        );
        assert_eq!(
            document.problems_text(&problem(), true),
            (String::new(), format!("{line}{annotation}")),
            "a document on stdout: annotations go to stderr"
        );
        assert!(!text.is_log() && !annotations.is_log());
        assert!(text.first_time("record") && !text.first_time("record"));
        assert!(
            annotations.first_time("record"),
            "what one run said once, another run still says"
        );
        assert!(Printer::with(Problems::Log, false, ColorWhen::Never).is_log());
    }

    /// Two runs in one process, each in its own repository, print one problem each with its
    /// path from its own root; the first root a run is given stays its root.
    #[test]
    fn two_printers_show_one_path_each_from_its_own_root() {
        let problem = vec![Diagnostic::error(
            Some(Location::new(
                "/work/mono/team-a/accounts/acme/q4.yaml",
                3,
                5,
            )),
            "unknown field `nmae`",
        )];
        let mono = Printer::plain();
        let team = Printer::plain();
        assert_eq!(
            mono.shown_from(),
            &ShownFrom::as_is(),
            "as read until decided"
        );
        mono.show_paths_from(ShownFrom::repository(
            "/work/mono".into(),
            "/work/mono".into(),
        ));
        team.show_paths_from(ShownFrom::repository(
            "/work/mono/team-a".into(),
            "/tmp".into(),
        ));
        team.show_paths_from(ShownFrom::repository("/work".into(), "/tmp".into()));
        let (_, mono_text) = mono.problems_text(&problem, false);
        let (_, team_text) = team.problems_text(&problem, false);
        assert!(
            mono_text.starts_with("team-a/accounts/acme/q4.yaml:3:5: "),
            "{mono_text}"
        );
        assert!(
            team_text.starts_with("accounts/acme/q4.yaml:3:5: "),
            "the first root given stays: {team_text}"
        );
        let (annotation, _) = team.problems_text(&problem, true);
        assert!(
            annotation.starts_with("::error file=accounts/acme/q4.yaml,line=3,col=5,"),
            "annotations show the same path: {annotation}"
        );
        let clone = team.clone();
        assert_eq!(
            clone.shown_from(),
            team.shown_from(),
            "a clone (watch's per-account printer) shares the root"
        );
    }
}
