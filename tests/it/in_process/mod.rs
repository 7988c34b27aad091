//! The library's emulator started in this process on 127.0.0.1:0, with the demo account and
//! no faults, and the real client pointed at it.

use std::time::Duration;

use campaignctl::api::{parse_base_url, ApiToken, Client, ClientConfig, RetryPolicy};
use campaignctl_emulator::{self as emulator, EmulatorConfig, RunningEmulator};

/// The token the in-process emulator accepts.
pub const TOKEN: &str = "t";

pub async fn emulator() -> (RunningEmulator, Client) {
    let running = emulator::start(EmulatorConfig {
        token: TOKEN.into(),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator starts");
    let client = client(&running, TOKEN);
    (running, client)
}

/// A client for `running` that sends `token`.
pub fn client(running: &RunningEmulator, token: &str) -> Client {
    Client::new(ClientConfig {
        base_url: parse_base_url(&running.base_url()).expect("url"),
        token: ApiToken::new(token).expect("token"),
        timeout: Duration::from_secs(10),
        retry: RetryPolicy::default(),
    })
    .expect("client")
}
