//! Turns the raw API flags and environment into a vetted API client before any request:
//! the URL is checked (https, or http to loopback) and the token is read, never echoed.

use std::path::Path;
use std::time::Duration;

use crate::api::secret::TokenProblem;
use crate::api::{parse_base_url, ApiToken, Client, ClientConfig, RetryPolicy};

use super::args::ApiArgs;
use crate::diagnostic::Diagnostic;

pub const TOKEN_ENV: &str = "CAMPAIGNCTL_API_TOKEN";

/// Builds the client from the API flags. The token comes from `--token-file`, else
/// `CAMPAIGNCTL_API_TOKEN`.
pub fn client_from(global: &ApiArgs) -> Result<Client, Diagnostic> {
    let base_url = parse_base_url(global.api_url.as_deref().unwrap_or(DEFAULT_API_URL))
        .map_err(Diagnostic::from)?;
    let token = match &global.token_file {
        Some(path) => read_token_file(path)?,
        None => match std::env::var(TOKEN_ENV) {
            Ok(raw) => ApiToken::parse(&raw)
                .map_err(|problem| token_error(format!("{TOKEN_ENV} {problem}"), problem))?,
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(token_error(
                    format!("{TOKEN_ENV} {}", TokenProblem::NonAscii),
                    TokenProblem::NonAscii,
                ))
            }
            Err(std::env::VarError::NotPresent) => {
                return Err(Diagnostic::error(None, "no API token").with_hint(format!(
                    "set {TOKEN_ENV}, or pass --token-file FILE; `campaignctl demo` needs none"
                )))
            }
        },
    };
    client_with_api_args(base_url, token, global)
}

/// The platform's API when neither `--api-url` nor `CAMPAIGNCTL_API_URL` says otherwise.
pub const DEFAULT_API_URL: &str = crate::trust::PLATFORM_API_URL;

/// A client for `base_url` and `token`, with the timeout and retry flags of `global`.
pub fn client_with_api_args(
    base_url: url::Url,
    token: ApiToken,
    global: &ApiArgs,
) -> Result<Client, Diagnostic> {
    let mut retry = RetryPolicy::default();
    if let Some(ms) = global.retry_base_delay_ms {
        retry.base_delay = Duration::from_millis(ms);
    }
    client_with(base_url, token, Duration::from_secs(global.timeout), retry)
}

pub fn client_for(
    base_url: url::Url,
    token: ApiToken,
    timeout: Duration,
) -> Result<Client, Diagnostic> {
    client_with(base_url, token, timeout, RetryPolicy::default())
}

fn client_with(
    base_url: url::Url,
    token: ApiToken,
    timeout: Duration,
    retry: RetryPolicy,
) -> Result<Client, Diagnostic> {
    Client::new(ClientConfig {
        base_url,
        token,
        timeout,
        retry,
    })
    .map_err(Diagnostic::from)
}

pub(crate) fn read_token_file(path: &Path) -> Result<ApiToken, Diagnostic> {
    use std::io::Read;
    const MAX_TOKEN_FILE: u64 = 64 * 1024;
    let cannot = |e: std::io::Error| {
        Diagnostic::error(
            None,
            format!("cannot read token file {}: {e}", path.display()),
        )
    };
    // A regular file only (a device such as /dev/zero never ends), and a token is short:
    // refuse to slurp something huge by mistake.
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Diagnostic::error(
            None,
            format!("token file {} is not a regular file", path.display()),
        ));
    }
    let mut raw = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TOKEN_FILE + 1).read_to_end(&mut raw))
        .map_err(cannot)?;
    if raw.len() as u64 > MAX_TOKEN_FILE {
        return Err(Diagnostic::error(
            None,
            format!(
                "token file {} is more than {MAX_TOKEN_FILE} bytes; that is not a token",
                path.display()
            ),
        ));
    }
    let text = String::from_utf8(raw).map_err(|_| {
        Diagnostic::error(
            None,
            format!("token file {} is not UTF-8 text", path.display()),
        )
    })?;
    ApiToken::parse(&text).map_err(|problem| {
        token_error(
            format!("the token in token file {} {problem}", path.display()),
            problem,
        )
    })
}

/// An unusable token, refused before any request. The message says what is wrong and where
/// the token came from, never any of the token itself.
fn token_error(message: String, problem: TokenProblem) -> Diagnostic {
    let hint = match problem {
        TokenProblem::Empty => "set it to your platform API token",
        _ => "put the token alone on one line, exactly as the platform's dashboard shows it (a final line break is fine)",
    };
    Diagnostic::error(None, message).with_hint(hint)
}

/// The local zone, which `--tz` of `status` and `calendar` and the Markdown plan's calendar
/// default to: `TZ` when it names one, else the system's, else UTC.
pub(crate) fn local_zone() -> chrono_tz::Tz {
    let from_env = std::env::var("TZ")
        .ok()
        .and_then(|tz| tz.trim_start_matches(':').parse::<chrono_tz::Tz>().ok());
    from_env
        .or_else(|| iana_time_zone::get_timezone().ok()?.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}
