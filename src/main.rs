//! The campaignctl binary: a thin shell around [`campaignctl::cli`].

fn main() -> std::process::ExitCode {
    campaignctl::cli::main_entry()
}
