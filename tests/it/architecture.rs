//! The structure the code promises in ARCHITECTURE.md, checked: the pure planning modules reach
//! no I/O, the emulator shares no code with the product, the module map names every module, and
//! nothing cites a file outside the repository.

use std::path::{Path, PathBuf};

mod import_cycles;
mod no_globals;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The core crate: pure, no async, no HTTP, no file system, no clock.
fn core_src() -> PathBuf {
    root().join("crates/core/src")
}

/// What the core may depend on. The compiler keeps everything else out of its reach; adding a
/// dependency here is a decision, not an accident.
const CORE_DEPENDENCIES: &[&str] = &[
    "chrono-tz",
    "globset",
    "serde",
    "serde_json",
    "strsim",
    "tracing",
];

#[test]
fn the_core_crate_depends_on_no_runtime_client_or_io_crate() {
    let manifest = read(&root().join("crates/core/Cargo.toml"));
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("crates/core/Cargo.toml has [dependencies]");
    let deps = deps.split("\n[").next().unwrap_or_default();
    let mut names: Vec<&str> = deps
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split(['=', ' ']).next())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names, CORE_DEPENDENCIES,
        "the core crate's dependencies changed (ARCHITECTURE.md, \"The pure core\")"
    );
}

/// The emulator answers from its own types: were it to use the client's (or the core's rules),
/// a misnamed field or a wrong limit would round-trip through both sides unnoticed.
#[test]
fn the_emulator_depends_on_no_campaignctl_crate() {
    let manifest = read(&root().join("crates/emulator/Cargo.toml"));
    let named: Vec<&str> = manifest
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("campaignctl"))
        .collect();
    assert!(
        named.is_empty(),
        "crates/emulator/Cargo.toml must not depend on the product: {named:?}"
    );
    let mut files = Vec::new();
    rust_files(&root().join("crates/emulator/src"), &mut files);
    assert!(
        files.len() > 20,
        "the emulator's sources were not found: {files:?}"
    );
    for file in files {
        let text = read(&file);
        for name in ["campaignctl_core", "campaignctl::"] {
            assert!(
                !text.contains(name),
                "{} names {name}: the emulator keeps its own types",
                file.display()
            );
        }
    }
}

#[test]
fn the_core_forbids_the_file_system_network_environment_and_clock_through_clippy() {
    // `cargo clippy -- -D warnings` (CI) reads this file for the core crate.
    let config = read(&root().join("crates/core/clippy.toml"));
    for path in [
        "std::fs::read",
        "std::fs::File",
        "std::net::TcpStream",
        "std::env::var",
        "std::time::Instant",
        "std::time::SystemTime::now",
        "std::process::Command",
        "std::path::Path::is_dir",
    ] {
        assert!(
            config.contains(&format!("\"{path}\"")),
            "crates/core/clippy.toml does not forbid {path}"
        );
    }
}

#[test]
fn the_pure_core_names_no_io_and_no_clock() {
    // Belt and braces for what a lint configuration could miss (a glob import, a macro).
    let forbidden = [
        "tokio",
        "reqwest",
        "std::fs",
        "std::net",
        "SystemTime",
        "Instant",
        "async fn",
        ".await",
        "std::env",
        "std::process",
    ];
    let mut files = Vec::new();
    rust_files(&core_src(), &mut files);
    assert!(files.len() > 10, "the core's files: {files:?}");
    for file in files {
        let text = read(&file);
        // Unit tests may build fixtures however they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for word in forbidden {
            assert!(
                !code.contains(word),
                "{} is in the pure core (ARCHITECTURE.md) but uses `{word}`",
                file.display()
            );
        }
    }
}

/// The rows of ARCHITECTURE.md's module map, per crate: the rows before the first `###`
/// subsection are the `campaignctl` crate's (key `.`); a subsection whose heading names
/// `crates/NAME` holds that crate's.
fn module_map_rows() -> Vec<(String, Vec<String>)> {
    let map = read(&root().join("ARCHITECTURE.md"));
    let section = map
        .split("\n## Module map")
        .nth(1)
        .expect("ARCHITECTURE.md has a \"## Module map\" section");
    let section = section.split("\n## ").next().unwrap_or_default();
    let mut parts = section.split("\n### ");
    let rows = |part: &str| -> Vec<String> {
        part.lines()
            .filter(|l| l.starts_with('|'))
            .map(str::to_owned)
            .collect()
    };
    let mut out = vec![(".".to_owned(), rows(parts.next().unwrap_or_default()))];
    for part in parts {
        let heading = part.lines().next().unwrap_or_default();
        if let Some(crate_dir) = heading
            .split('`')
            .find(|w| w.starts_with("crates/"))
            .map(|w| w.trim_end_matches('/').to_owned())
        {
            out.push((crate_dir, rows(part)));
        }
    }
    out
}

/// Whether the module map's rows name the file `rel` (a path under its crate's `src/`): by its
/// path (`reconcile/executor.rs`), or by its name in a row whose first column names its folder
/// (`manifest/` … `loader.rs`). A folder's `mod.rs`, and the files of a test folder (`tests/`,
/// `core_tests/`), are named by their folder.
fn named_in(rows: &[String], rel: &str) -> bool {
    let (dir, file) = match rel.rsplit_once('/') {
        Some((dir, file)) => (dir, file),
        None => ("", rel),
    };
    let first_column = |row: &String| row.split('|').nth(1).unwrap_or_default().to_owned();
    let components: Vec<&str> = rel.split('/').collect();
    if let Some(at) = components[..components.len() - 1]
        .iter()
        .position(|c| matches!(*c, "tests" | "core_tests"))
    {
        let folder = format!("{}/", components[..=at].join("/"));
        return rows.iter().any(|r| r.contains(&folder));
    }
    if file == "mod.rs" {
        let folder = format!("{dir}/");
        return rows.iter().any(|r| first_column(r).contains(&folder));
    }
    rows.iter().any(|r| {
        let first = first_column(r);
        let named_file = r.contains(&format!("`{file}`")) || first.contains(file);
        r.contains(rel)
            || (dir.is_empty() && first.contains(file))
            || (!dir.is_empty() && first.contains(&format!("{dir}/")) && named_file)
    })
}

#[test]
fn the_module_map_names_every_file_of_every_crate() {
    let rows = module_map_rows();
    let mut crates = vec![(".".to_owned(), root().join("src"))];
    for entry in std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        crates.push((format!("crates/{name}"), entry.path().join("src")));
    }
    let mut missing = Vec::new();
    for (crate_dir, src) in crates {
        let Some((_, rows)) = rows.iter().find(|(c, _)| *c == crate_dir) else {
            missing.push(format!(
                "{crate_dir}: no `### ... `{crate_dir}`` subsection in the module map"
            ));
            continue;
        };
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for file in files {
            let rel = file
                .strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            if matches!(rel.as_str(), "lib.rs" | "main.rs") && crate_dir != "." {
                continue;
            }
            if !named_in(rows, &rel) {
                missing.push(format!("{crate_dir}/src/{rel}"));
            }
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's module map does not name these files (name each by its path, or in \
         its folder's row): {missing:#?}"
    );
}

#[test]
fn the_module_map_check_accepts_paths_folders_and_test_folders_only() {
    let rows = vec![
        "| `manifest/` | finding files (`discover.rs`) |".to_owned(),
        "| `reconcile/executor.rs` | the executor |".to_owned(),
        "| `lint.rs`, `timezone_names.rs` | warnings |".to_owned(),
        "| `emulator/tests/` | its tests |".to_owned(),
    ];
    assert!(named_in(&rows, "manifest/discover.rs"));
    assert!(named_in(&rows, "manifest/mod.rs"));
    assert!(named_in(&rows, "reconcile/executor.rs"));
    assert!(named_in(&rows, "timezone_names.rs"));
    assert!(named_in(&rows, "emulator/tests/leads.rs"));
    assert!(
        !named_in(&rows, "manifest/loader.rs"),
        "not in its folder's row"
    );
    assert!(
        !named_in(&rows, "reconcile/pipeline.rs"),
        "its folder has no row"
    );
    assert!(!named_in(&rows, "watch/backoff.rs"));
}

#[test]
fn nothing_cites_a_file_outside_the_repository() {
    let mut files = Vec::new();
    for dir in [
        "src",
        "crates/core/src",
        "crates/emulator/src",
        "tests",
        "benches",
        "examples",
    ] {
        rust_files(&root().join(dir), &mut files);
    }
    for doc in ["README.md", "ARCHITECTURE.md", "docs/platform-api.md"] {
        files.push(root().join(doc));
    }
    // Spelled in pieces so that this file does not cite them either.
    let outside = [
        format!("{}.md", "DESIGN"),
        format!("{}-API.md", "PLATFORM"),
        format!("../{}/", "shared"),
    ];
    for file in files {
        let text = read(&file);
        for name in &outside {
            assert!(
                !text.contains(name.as_str()),
                "{} cites {name}, which is not in the repository",
                file.display()
            );
        }
    }
}
