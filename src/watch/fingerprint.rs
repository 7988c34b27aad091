//! A fingerprint of the manifest set: which files the loader would read and their bytes. File
//! events are noisy (a `touch`, a swap file, a rename dance with no net change); comparing
//! fingerprints decides whether they changed anything a pass would read. Only `*.yaml` and
//! `*.yml` files outside hidden directories count, exactly as for `plan` and `apply`, because
//! the loader's own discovery chooses the files.

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
    h.finish()
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
}
