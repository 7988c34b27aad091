//! Giving freed memory back to the system. glibc keeps what a thread frees in that thread's
//! arena, and only another allocation from the same arena reuses it: the manifests are read
//! on every core, `plan` then allocates on another thread, and `watch`'s passes run on
//! whichever runtime threads are free, so memory that is no longer used stayed counted against
//! the process (docs/performance.md, docs/watch-performance.md).

/// Returns to the system the free pages of every arena. Pages still in use stay.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn give_back_freed_memory() {
    // SAFETY: malloc_trim only releases free pages of the allocator's own arenas; it has no
    // preconditions and touches no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators and platforms give memory back as they do.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn give_back_freed_memory() {}
