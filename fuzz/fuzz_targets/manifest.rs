//! libFuzzer target: any bytes through the manifest loader and validator. A panic, a hang
//! (`-timeout=`) or a blow-up (`-rss_limit_mb=`) is a finding. The proptest suite in
//! `tests/fuzz_manifest.rs` checks the same in CI.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = campaignctl::manifest::parse_bytes(Path::new("fuzz.yaml"), bytes);
});
