//! Writing the `--state` file atomically: a temporary file in the same directory, then a rename,
//! so a crash or a concurrent reader never sees half a store.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

use super::records::AccountData;

pub(crate) fn write_atomically(path: &Path, data: &AccountData) -> anyhow::Result<()> {
    let json = serde_json::to_vec_pretty(data).context("cannot serialise the emulator state")?;
    let file_name = path
        .file_name()
        .with_context(|| format!("state file {} has no file name", path.display()))?;
    let mut temp_name = file_name.to_os_string();
    // The pid keeps two emulators sharing a directory from clobbering each other's temp file.
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&temp)?;
        file.write_all(&json)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&temp, path)
    };
    write().with_context(|| format!("cannot write state file {}", path.display()))
}
