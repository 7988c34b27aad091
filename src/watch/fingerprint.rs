//! A fingerprint of the manifest set: which files the loader would read and their bytes. File
//! events are noisy (a `touch`, a swap file, a rename dance with no net change); comparing
//! fingerprints decides whether they changed anything a pass would read. The `*.yaml` and
//! `*.yml` files outside hidden directories count, exactly as for `plan` and `apply`, because
//! the loader's own discovery chooses them; so do the `*.csv` leads files beside them.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use crate::manifest::discover;

pub(crate) fn fingerprint(paths: &[PathBuf]) -> u64 {
    let found = discover(paths);
    let mut h = DefaultHasher::new();
    for file in &found.files {
        file.hash(&mut h);
        match std::fs::read(file) {
            Ok(bytes) => bytes.hash(&mut h),
            Err(e) => e.kind().hash(&mut h),
        }
    }
    for d in &found.diagnostics {
        d.to_string().hash(&mut h);
    }
    for file in lead_files(paths) {
        file.hash(&mut h);
        match std::fs::read(&file) {
            Ok(bytes) => bytes.hash(&mut h),
            Err(e) => e.kind().hash(&mut h),
        }
    }
    h.finish()
}

/// The `*.csv` files under the watched directories (hidden ones skipped, as for manifests):
/// a manifest's `leads: { file: ... }` usually lives beside it, and an edit there must cause a
/// pass. A leads file outside the watched directories is read at the next `--interval` pass.
fn lead_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in paths.iter().filter(|p| p.is_dir()) {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        files.extend(walker.filter_map(Result::ok).filter_map(|e| {
            let csv = e.file_type().is_file()
                && e.path()
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("csv"));
            csv.then(|| e.into_path())
        }));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_manifest_files_count() {
        let dir = tempfile::tempdir().unwrap();
        let paths = [dir.path().to_path_buf()];
        std::fs::write(dir.path().join("a.yaml"), "name: a\n").unwrap();
        let before = fingerprint(&paths);
        for junk in [
            ".a.yaml.swp",
            "a.yaml~",
            "notes.txt",
            ".hidden.yaml",
            "4913",
        ] {
            std::fs::write(dir.path().join(junk), "x").unwrap();
        }
        assert_eq!(
            fingerprint(&paths),
            before,
            "scratch and hidden files must not count"
        );
        std::fs::write(dir.path().join("a.yaml"), "name: b\n").unwrap();
        assert_ne!(fingerprint(&paths), before, "an edit must count");
        std::fs::write(dir.path().join("a.yaml"), "name: a\n").unwrap();
        assert_eq!(
            fingerprint(&paths),
            before,
            "reverting an edit is no change"
        );
        std::fs::write(dir.path().join("b.yml"), "").unwrap();
        assert_ne!(fingerprint(&paths), before, "a new manifest must count");
    }

    #[test]
    fn a_leads_file_edit_counts() {
        let dir = tempfile::tempdir().unwrap();
        let paths = [dir.path().to_path_buf()];
        std::fs::write(dir.path().join("a.yaml"), "name: a\n").unwrap();
        std::fs::create_dir(dir.path().join("leads")).unwrap();
        std::fs::write(
            dir.path().join("leads/q4.csv"),
            "phone_number\n+14155550101\n",
        )
        .unwrap();
        let before = fingerprint(&paths);
        std::fs::write(
            dir.path().join("leads/q4.csv"),
            "phone_number\n+14155550101\n+14155550102\n",
        )
        .unwrap();
        assert_ne!(fingerprint(&paths), before, "a new lead row must count");
    }
}
