//! The integration tests, one binary (as just and cargo do): each module drives the real
//! binary or the real client against the emulator on loopback, or checks the repository.

mod arbitrary;
mod in_process;
mod support;

mod accounts;
mod architecture;
mod assistant_manifests;
mod assistants_applied;
mod assistants_attack;
mod baseline_reuse;
mod calendar;
mod campaign_metrics;
mod chaos;
mod ci_integrations;
mod cli;
mod client;
mod deletion_properties;
mod docs_links;
mod export_assistants;
mod fail_closed_deletion;
mod fail_closed_platform;
mod fail_closed_secrets;
mod fail_closed_starts;
mod fleet;
mod fuzz_manifest;
mod get_and_validate_json;
mod gitops;
mod hostile_server;
mod lifecycle;
mod monitoring_examples;
mod names_leads_status;
mod new_user;
mod operations;
mod pinned_outputs;
mod plan_properties;
mod platform_misbehaving;
mod readme_truths;
mod renderings;
mod repository_paths;
mod safety;
mod status;
mod watch;
mod whole_reads;
mod write_once_baseline;
