//! How an emulator is configured: where it listens, which token it accepts, which account it
//! serves, and which faults it injects. Plain data, validated by `start`.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// The bearer token the emulator accepts unless told otherwise.
pub const DEFAULT_TOKEN: &str = "emulator-token";

/// `Debug` is written by hand so that logging a config never prints the token.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to listen on; port 0 picks a free port (see `RunningEmulator::addr`).
    pub listen: SocketAddr,
    /// The only bearer token `/api/...` accepts.
    pub token: String,
    /// Account to load instead of the built-in demo account (YAML or JSON).
    pub seed: Option<PathBuf>,
    /// Persist the whole store here after every write; loaded at start if it exists, and then it
    /// wins over `seed`.
    pub state: Option<PathBuf>,
    /// Overrides the loaded account's campaign limit.
    pub campaign_limit: Option<usize>,
    /// Answer assistant writes as a platform still on the older assistant body does: a 422
    /// naming `assistant_name` (a reseller's older copy of the platform).
    pub older_assistant_api: bool,
    pub faults: FaultConfig,
}

impl Default for EmulatorConfig {
    /// The demo account on a free local port, with the default token and no faults.
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            token: DEFAULT_TOKEN.to_string(),
            seed: None,
            state: None,
            campaign_limit: None,
            older_assistant_api: false,
            faults: FaultConfig::default(),
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("token", &"<redacted>")
            .field("seed", &self.seed)
            .field("state", &self.state)
            .field("campaign_limit", &self.campaign_limit)
            .field("older_assistant_api", &self.older_assistant_api)
            .field("faults", &self.faults)
            .finish()
    }
}

/// Faults injected into `/api/...` requests, evaluated before authentication.
#[derive(Debug, Clone, Default)]
pub struct FaultConfig {
    /// Added to every API request.
    pub latency: Duration,
    /// Probability of `500 {"message":"Server Error."}` before handling (no write happens).
    pub error_rate: f64,
    /// Token bucket (burst = max(1, rate)); when empty: `429 {"message":"Too Many Attempts."}`
    /// with `Retry-After: <whole seconds, at least 1>`.
    pub rate_limit_per_sec: Option<f64>,
    /// For POST/PUT/DELETE: perform the write, then close the TCP connection without a response.
    pub drop_rate: f64,
    /// Makes every random decision deterministic; without it, decisions are random.
    pub seed: Option<u64>,
}

/// Parses a rate limit for `--rate-limit`: `5`, `5/s` or `0.5/s` requests per second.
pub fn parse_rate_limit(s: &str) -> Result<f64, String> {
    let text = s.trim();
    let number = text.strip_suffix("/s").unwrap_or(text).trim();
    match number.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "invalid rate limit `{s}`: expected a positive number of requests per second, \
             e.g. `5`, `5/s` or `0.5/s`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_rate_limit;

    #[test]
    fn rate_limits_accept_plain_and_per_second_forms() {
        assert_eq!(
            parse_rate_limit("5"),
            Ok(5.0),
            "a bare number is requests per second"
        );
        assert_eq!(
            parse_rate_limit("5/s"),
            Ok(5.0),
            "`/s` suffix must be accepted"
        );
        assert_eq!(
            parse_rate_limit(" 0.5/s "),
            Ok(0.5),
            "fractions and spaces must be accepted"
        );
    }

    #[test]
    fn debug_output_hides_the_token() {
        let config = super::EmulatorConfig {
            token: "hunter2".to_string(),
            ..Default::default()
        };
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("hunter2"),
            "the token must not appear in Debug output: {debug}"
        );
    }

    #[test]
    fn rate_limits_reject_nonsense() {
        for bad in ["", "0", "-1", "abc", "5/m", "inf", "NaN", "/s"] {
            assert!(
                parse_rate_limit(bad).is_err(),
                "{bad:?} must be rejected as a rate limit"
            );
        }
    }
}
