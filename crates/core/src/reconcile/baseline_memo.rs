//! A baseline's write-once values with names resolved and indexed (`baseline::Index`), kept
//! while the account's assistants and phone numbers stay as they were. `watch` compares every
//! pass with the same baseline (until it applies something): resolving and indexing its 10,000
//! manifests again on each idle pass was a third of the pass. Pure: the memo is data beside the
//! baseline, keyed by what resolution reads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::baseline::{BaselinePart, Index};
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

/// The index of one baseline, for the key it was resolved with, and how many times it was
/// resolved (what `watch`'s metrics count, and its tests check).
#[derive(Default)]
pub(super) struct ResolvedMemo {
    kept: Mutex<Option<(ReferenceKey, Arc<Index>)>>,
    resolutions: AtomicU64,
}

impl ResolvedMemo {
    /// The index of `parts` resolved against `observed`: the kept one when the account's
    /// references are the same as when it was made, else made now (and kept).
    pub(super) fn index(&self, parts: &[BaselinePart], observed: &Observed) -> Arc<Index> {
        let key = ReferenceKey::of(observed);
        // A panic elsewhere while the lock was held leaves at worst a stale `None` or a whole
        // entry: both are safe to read.
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((was, index)) = kept.as_ref() {
            if *was == key {
                return index.clone();
            }
        }
        let index = Arc::new(Index::new(parts, observed));
        self.resolutions.fetch_add(1, Ordering::Relaxed);
        *kept = Some((key, index.clone()));
        index
    }

    /// How many times the parts were resolved since the baseline was made.
    pub(super) fn resolutions(&self) -> u64 {
        self.resolutions.load(Ordering::Relaxed)
    }
}

/// A copy resolves afresh: its parts are public and may be changed after the copy.
impl Clone for ResolvedMemo {
    fn clone(&self) -> ResolvedMemo {
        ResolvedMemo::default()
    }
}

/// Derived data: two baselines with the same parts are equal whatever either has resolved.
impl PartialEq for ResolvedMemo {
    fn eq(&self, _: &ResolvedMemo) -> bool {
        true
    }
}

impl std::fmt::Debug for ResolvedMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedMemo")
            .field("resolutions", &self.resolutions())
            .finish_non_exhaustive()
    }
}
