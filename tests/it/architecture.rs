//! The structure the code promises in ARCHITECTURE.md, checked: the pure planning modules reach
//! no I/O, the module map names every module, and nothing cites a file outside the repository.

use std::path::{Path, PathBuf};

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

/// The modules ARCHITECTURE.md calls pure: no async, no HTTP, no file system, no clock.
const PURE: &[&str] = &[
    "src/reconcile/plan.rs",
    "src/reconcile/resolve.rs",
    "src/reconcile/references.rs",
    "src/reconcile/leads_and_status.rs",
    "src/reconcile/operation.rs",
    "src/reconcile/full_plan.rs",
    "src/reconcile/lifecycle.rs",
    "src/reconcile/baseline.rs",
    "src/campaign/fields.rs",
];

#[test]
fn the_pure_planning_modules_reach_no_io_and_no_clock() {
    let forbidden = [
        "tokio",
        "reqwest",
        "std::fs",
        "std::net",
        "SystemTime",
        "Instant",
        "async fn",
        ".await",
        "crate::api::Client",
        "crate::api::{Client",
        "std::env",
    ];
    for file in PURE {
        let text = read(&root().join(file));
        // Unit tests may build fixtures however they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for word in forbidden {
            assert!(
                !code.contains(word),
                "{file} is meant to be pure (ARCHITECTURE.md) but uses `{word}`"
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
    for dir in ["reconcile", "render"] {
        for entry in std::fs::read_dir(src.join(dir))
            .expect("dir")
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "mod.rs" {
                continue;
            }
            if !map.contains(&name) {
                missing.push(format!("{dir}/{name}"));
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
    for dir in ["src", "tests", "benches", "examples"] {
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
