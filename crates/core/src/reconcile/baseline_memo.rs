//! A baseline's write-once values with names resolved and indexed (`baseline::Index`), kept
//! while the account's assistants and phone numbers stay as they were. `watch` compares every
//! pass with the same baseline (until it applies something): resolving and indexing its 10,000
//! manifests again on each idle pass was a third of the pass. Pure: the memo is data beside the
//! baseline, keyed by what resolution reads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::observed::Observed;

/// What name resolution reads from the account: each assistant's id, name and direction, each
/// phone number's id and number. The same key resolves the same names to the same ids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReferenceKey {
    assistants: Vec<(u64, String, bool)>,
    phone_numbers: Vec<(u64, String)>,
}

impl ReferenceKey {
    fn of(observed: &Observed) -> ReferenceKey {
        ReferenceKey {
            assistants: observed
                .assistants
                .iter()
                .map(|a| (a.id, a.name.clone(), a.is_outbound()))
                .collect(),
            phone_numbers: observed
                .phone_numbers
                .iter()
                .map(|p| (p.id, p.phone_number.clone()))
                .collect(),
        }
    }
}

/// What was made from one baseline by resolving names (its `baseline::Index`), for the key it
/// was resolved with, and how many times it was made (what `watch`'s metrics count, and its
/// tests check). Generic, so this file imports nothing of the baseline it serves.
pub(super) struct ResolvedMemo<T> {
    kept: Mutex<Option<(ReferenceKey, Arc<T>)>>,
    resolutions: AtomicU64,
}

impl<T> Default for ResolvedMemo<T> {
    fn default() -> ResolvedMemo<T> {
        ResolvedMemo {
            kept: Mutex::new(None),
            resolutions: AtomicU64::new(0),
        }
    }
}

impl<T> ResolvedMemo<T> {
    /// The kept value when the account's references in `observed` are the same as when it was
    /// made, else `make()` (kept for the next call).
    pub(super) fn get_or_make(&self, observed: &Observed, make: impl FnOnce() -> T) -> Arc<T> {
        let key = ReferenceKey::of(observed);
        // A panic elsewhere while the lock was held leaves at worst a stale `None` or a whole
        // entry: both are safe to read.
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((was, value)) = kept.as_ref() {
            if *was == key {
                return value.clone();
            }
        }
        let value = Arc::new(make());
        self.resolutions.fetch_add(1, Ordering::Relaxed);
        *kept = Some((key, value.clone()));
        value
    }

    /// How many times the parts were resolved since the baseline was made.
    pub(super) fn resolutions(&self) -> u64 {
        self.resolutions.load(Ordering::Relaxed)
    }
}

/// A copy resolves afresh: a baseline's parts are public and may be changed after the copy.
impl<T> Clone for ResolvedMemo<T> {
    fn clone(&self) -> ResolvedMemo<T> {
        ResolvedMemo::default()
    }
}

/// Derived data: two baselines with the same parts are equal whatever either has resolved.
impl<T> PartialEq for ResolvedMemo<T> {
    fn eq(&self, _: &ResolvedMemo<T>) -> bool {
        true
    }
}

impl<T> std::fmt::Debug for ResolvedMemo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedMemo")
            .field("resolutions", &self.resolutions())
            .finish_non_exhaustive()
    }
}
