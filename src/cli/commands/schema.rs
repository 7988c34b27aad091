//! `campaignctl schema`: the manifest format's JSON Schema, generated from the Rust types.

use crate::cli::exit;
use crate::manifest::schema::manifest_schema;

use super::plan::print_json;

pub fn run() -> u8 {
    print_json(&manifest_schema());
    exit::OK
}
