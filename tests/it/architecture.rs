//! The structure the code promises in ARCHITECTURE.md, checked: the pure planning modules reach
//! no I/O, the module map names every module, and nothing cites a file outside the repository.

use std::path::{Path, PathBuf};

mod import_cycles;

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

#[test]
fn the_module_map_names_every_module() {
    let map = read(&root().join("ARCHITECTURE.md"));
    let src = root().join("src");
    // Every top-level module, and every file of the planning core and the renderers.
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&src).expect("src").filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "lib.rs" {
            continue;
        }
        let shown = if path.is_dir() {
            format!("{name}/")
        } else {
            name.clone()
        };
        if !map.contains(&shown) {
            missing.push(shown);
        }
    }
    let core = core_src();
    for dir in [
        src.join("reconcile"),
        src.join("render"),
        core.clone(),
        core.join("api"),
        core.join("manifest"),
        core.join("reconcile"),
    ] {
        for entry in std::fs::read_dir(&dir).expect("dir").filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if matches!(name.as_str(), "mod.rs" | "lib.rs") || entry.path().is_dir() {
                continue;
            }
            if !map.contains(&name) {
                missing.push(format!("{}/{name}", dir.display()));
            }
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's module map does not mention: {missing:?}"
    );
}

#[test]
fn nothing_cites_a_file_outside_the_repository() {
    let mut files = Vec::new();
    for dir in ["src", "crates/core/src", "tests", "benches", "examples"] {
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
