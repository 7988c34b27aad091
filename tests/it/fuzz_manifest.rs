//! Fuzzing the manifest loader and validator with proptest: arbitrary bytes, and structure-aware
//! hostile YAML (every YAML feature, known and unknown fields, spliced garbage). On any input:
//! no panic, no hang, bounded memory, bounded output, and positions that exist in the input.
//! Valid campaigns must round-trip: render, parse, and get exactly the generated values back.
//!
//! `PROPTEST_CASES=100000 cargo test --release --test it fuzz_manifest` fuzzes for longer.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use campaignctl::manifest::{parse_bytes, Diagnostic, Manifest};
use proptest::prelude::*;

/// Counts the bytes each thread has allocated and not freed, and their peak, so that one
/// case's memory is measured on the thread that runs it, whatever other tests do meanwhile.
struct CountingAllocator;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    // `try_with`: the allocator also runs while thread-locals are being torn down.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            track(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        track(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            track(new_size as isize - layout.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Far beyond any real parse (milliseconds); only a hang reaches it.
const HANG: Duration = Duration::from_secs(20);
/// Peak heap allowed for one parse: a fixed allowance plus a multiple of the input size.
const FIXED_HEAP: usize = 4 << 20;
const HEAP_PER_INPUT_BYTE: usize = 256;

struct Parsed {
    manifests: Vec<Manifest>,
    diagnostics: Vec<Diagnostic>,
    peak_heap: usize,
}

/// Parses `bytes` as file `fuzz.yaml` on a fresh thread (so its heap is counted alone), failing
/// the test if it hangs.
fn parse_isolated(bytes: &[u8]) -> Parsed {
    let input = bytes.to_vec();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let before = LIVE.with(Cell::get);
        PEAK.with(|p| p.set(before));
        let (manifests, diagnostics) = parse_bytes(Path::new("fuzz.yaml"), &input);
        let peak_heap = usize::try_from(PEAK.with(Cell::get) - before).unwrap_or(0);
        let _ = tx.send(Parsed {
            manifests,
            diagnostics,
            peak_heap,
        });
    });
    match rx.recv_timeout(HANG) {
        Ok(parsed) => parsed,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "parsing hung (no result after {HANG:?}) on input {:?}",
            String::from_utf8_lossy(bytes)
        ),
        // The thread panicked; its message is already printed by the panic hook.
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!(
            "parsing panicked on input {:?}",
            String::from_utf8_lossy(bytes)
        ),
    }
}

/// What must hold for any input, valid or not.
fn check_invariants(bytes: &[u8]) -> Result<Parsed, TestCaseError> {
    let parsed = parse_isolated(bytes);
    let shown = || String::from_utf8_lossy(bytes).into_owned();
    let heap_limit = FIXED_HEAP + HEAP_PER_INPUT_BYTE * bytes.len();
    prop_assert!(
        parsed.peak_heap <= heap_limit,
        "parsing {} bytes peaked at {} bytes of heap (limit {heap_limit}): {:?}",
        bytes.len(),
        parsed.peak_heap,
        shown()
    );
    // Output is bounded by the input: no diagnostic storm, at most one manifest per document.
    prop_assert!(
        parsed.diagnostics.len() <= 1_010,
        "{} diagnostics for {} bytes",
        parsed.diagnostics.len(),
        bytes.len()
    );
    prop_assert!(
        parsed.manifests.len() <= bytes.len() / 16 + 1,
        "{} manifests from {} bytes",
        parsed.manifests.len(),
        bytes.len()
    );
    let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    for d in &parsed.diagnostics {
        if let Some(at) = &d.location {
            prop_assert!(
                at.line >= 1 && at.line <= lines + 1 && at.column >= 1,
                "diagnostic points outside the input ({lines} lines): {d}\ninput: {:?}",
                shown()
            );
        }
        prop_assert!(!d.to_string().is_empty(), "empty diagnostic");
    }
    // Any manifest that came out is fully valid: it has a name and an assistant.
    for m in &parsed.manifests {
        prop_assert!(
            !m.spec.name.is_empty() && m.spec.assistant_id.is_some(),
            "a manifest without its required fields: {:?}",
            m.spec
        );
    }
    Ok(parsed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::arbitrary::cases(1000)))]

    #[test]
    fn arbitrary_bytes_never_crash_hang_or_balloon(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        check_invariants(&bytes)?;
    }

    #[test]
    fn arbitrary_text_never_crashes_hangs_or_balloons(text in "\\PC{0,512}") {
        check_invariants(text.as_bytes())?;
    }

    #[test]
    fn hostile_yaml_never_crashes_hangs_or_balloons(bytes in crate::arbitrary::hostile_file()) {
        check_invariants(&bytes)?;
    }

    #[test]
    fn valid_campaigns_parse_back_to_what_was_written(
        spec in crate::arbitrary::campaign("Round trip".to_owned()),
        flow_lists in any::<bool>(),
        quote_times in any::<bool>(),
    ) {
        let yaml = crate::arbitrary::manifest_yaml(&spec, flow_lists, quote_times);
        let parsed = check_invariants(yaml.as_bytes())?;
        let shown: Vec<String> = parsed.diagnostics.iter().map(ToString::to_string).collect();
        prop_assert!(shown.is_empty(), "a valid campaign was refused: {shown:#?}\n{yaml}");
        prop_assert_eq!(parsed.manifests.len(), 1, "one manifest from:\n{}", yaml);
        prop_assert_eq!(&parsed.manifests[0].spec, &spec, "values changed in:\n{}", yaml);
    }
}
