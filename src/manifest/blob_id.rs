//! The id git gives a file's bytes as a blob (`git hash-object --no-filters`): the SHA-1 of
//! `blob <length>\0` followed by the bytes. A load notes it for each file it reads, so the
//! write-once baseline can tell, from the ids `git ls-tree` lists, which files a commit holds
//! exactly as they were loaded, and take their manifests instead of parsing the same bytes
//! again. Computed from the bytes the load read (not the file again, which may have changed
//! since) and with no filter (line endings, `.gitattributes`) applied: equal ids mean equal
//! bytes. A repository in SHA-256 object format lists ids of 64 hex digits, which no SHA-1 id
//! matches: there every file is read from git, as before.

use sha1::{Digest, Sha1};

/// The SHA-1 blob id of some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobId([u8; 20]);

impl BlobId {
    /// The id git stores `bytes` under.
    pub fn of(bytes: &[u8]) -> BlobId {
        let mut hasher = Sha1::new();
        hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
        hasher.update(bytes);
        BlobId(hasher.finalize().into())
    }

    /// Whether `hex`, an object id as git prints it, is this id (either case).
    pub fn is(&self, hex: &str) -> bool {
        hex.len() == 2 * self.0.len()
            && self
                .0
                .iter()
                .zip(hex.as_bytes().chunks(2))
                .all(|(byte, pair)| {
                    std::str::from_utf8(pair)
                        .ok()
                        .and_then(|p| u8::from_str_radix(p, 16).ok())
                        == Some(*byte)
                })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids printed by `git hash-object --stdin` for these contents.
    #[test]
    fn ids_are_those_git_gives_the_same_bytes() {
        assert!(BlobId::of(b"").is("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"));
        assert!(BlobId::of(b"hello\n").is("ce013625030ba8dba906f756967f9e9ca394464a"));
        assert!(BlobId::of(b"hello\n").is("CE013625030BA8DBA906F756967F9E9CA394464A"));
        assert!(!BlobId::of(b"hello").is("ce013625030ba8dba906f756967f9e9ca394464a"));
        // A SHA-256 repository's id, or anything not an id, is never this one.
        assert!(!BlobId::of(b"").is(&"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391".repeat(2)[..64]));
        assert!(!BlobId::of(b"").is("not an id"));
        assert!(!BlobId::of(b"").is(""));
    }
}
