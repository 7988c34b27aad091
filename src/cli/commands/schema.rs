//! `campaignctl schema`: the manifest format's JSON Schema (a campaign or an assistant document),
//! generated from the Rust types, or
//! (`--config`) the repository config's.

use crate::cli::ExitStatus;
use crate::manifest::assistant_schema::document_schema;

use super::plan::print_json;

pub fn run(args: &crate::cli::args::SchemaArgs) -> ExitStatus {
    if args.config {
        print_json(&crate::config::config_schema());
        return ExitStatus::Success;
    }
    print_json(&document_schema());
    ExitStatus::Success
}
