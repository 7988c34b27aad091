//! The campaignctl binary: a thin shell around [`campaignctl::main_entry`].

fn main() -> std::process::ExitCode {
    campaignctl::main_entry()
}
