//! Writes the synthetic fleet the scale scripts measure (see `scripts/bench-*.sh`):
//!
//!   fleet manifests DIR N FILES    N campaigns in FILES multi-document YAML files under DIR
//!   fleet seed FILE REMOTE LIMIT   an emulator --seed account holding REMOTE of those campaigns

#[path = "../benches/fleet/mod.rs"]
mod fleet;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: fleet manifests DIR N FILES | fleet seed FILE REMOTE LIMIT";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| args.get(i).and_then(|s| s.parse::<usize>().ok());
    let result = match (args.first().map(String::as_str), args.get(1)) {
        (Some("manifests"), Some(dir)) => match (number(2), number(3)) {
            (Some(n), Some(files)) => fleet::write_manifests(&PathBuf::from(dir), n, files)
                .map_err(|e| format!("cannot write manifests to {dir}: {e}")),
            _ => Err(USAGE.to_owned()),
        },
        (Some("seed"), Some(file)) => match (number(2), number(3)) {
            (Some(remote), Some(limit)) => {
                let seed = fleet::seed_json(remote, limit);
                std::fs::write(file, seed.to_string())
                    .map_err(|e| format!("cannot write {file}: {e}"))
            }
            _ => Err(USAGE.to_owned()),
        },
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("fleet: {message}");
            ExitCode::FAILURE
        }
    }
}
