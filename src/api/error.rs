//! Typed API errors: callers branch on the kind (a 422 maps back to manifest lines, a transport
//! error on a create is ambiguous), and each kind prints a message a user can act on.

use std::collections::BTreeMap;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("the platform rejected the API token (401 Unauthenticated)")]
    Unauthorized,
    #[error("the platform refused the request (403): {message}")]
    Forbidden { message: String },
    #[error("not found (404): {message}")]
    NotFound { message: String },
    /// A read answered 404: on a list endpoint that almost always means a wrong API URL.
    #[error("not found (404): {url}: {message}")]
    EndpointNotFound { url: String, message: String },
    #[error("the platform rejected the request (422): {message}")]
    Validation {
        message: String,
        errors: BTreeMap<String, Vec<String>>,
    },
    /// A 422 to an assistant write naming a field of the older assistant body
    /// (`assistant_name`, `calls_direction`, ...): the platform expects the older shape, which
    /// campaignctl does not send. Assistants are written before campaigns, so the run stops
    /// here with no campaign touched.
    #[error("the platform rejected the assistant (422) naming `{field}`, a field of the older assistant API: this platform expects the older request body, which campaignctl does not send; the run stopped before any campaign was touched")]
    OlderAssistantShape { field: String },
    #[error("rate limited (429) and still limited after {attempts} attempts")]
    RateLimited { attempts: u32 },
    /// A 429 asked for a wait beyond campaignctl's caps: refused at once rather than slept.
    #[error("rate limited (429): the platform asks to wait {asked}, {limit}; not retried")]
    RateLimitWaitTooLong { asked: String, limit: String },
    #[error("the platform failed with {status}: {message}")]
    Server { status: u16, message: String },
    /// The connection could not be made: the request was never sent. Holds the URL and the
    /// innermost cause ("Connection refused"), not the whole chain of wrappers.
    #[error("could not connect to the platform at {0}")]
    Connect(String),
    /// The request may have been sent: a timeout, or the connection lost before the answer.
    #[error("could not reach the platform: {0}")]
    Transport(String),
    /// The campaign list names one id more than once: planning against it could silently
    /// drop a campaign, so nothing is planned.
    #[error("the platform's campaign list is inconsistent: campaign id {id} appears {count} times ({names}); refusing to work from it")]
    DuplicateCampaignId {
        id: u64,
        count: usize,
        names: String,
    },
    /// A paginated list that cannot be read whole (`api::pages`): nothing is planned from part
    /// of it.
    #[error("the platform's pages are inconsistent: cannot read {path} whole: {problem}; refusing to plan from part of it")]
    Pages { path: String, problem: String },
    #[error("unexpected response {status} from the platform: {message}")]
    Unexpected { status: u16, message: String },
    #[error("could not read the platform's response: {0}")]
    Decode(String),
}

impl ApiError {
    /// Whether a write that failed this way may nevertheless have happened on the server: the
    /// request was sent but the answer was lost or was a server error. Such a create must never
    /// be re-sent blindly (docs/platform-api.md, "Ambiguous creates").
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ApiError::Server { .. } | ApiError::Transport(_) | ApiError::Decode(_)
        )
    }

    /// Whether retrying the same request later could succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Server { .. }
                | ApiError::Connect(_)
                | ApiError::Transport(_)
                | ApiError::RateLimited { .. }
                | ApiError::RateLimitWaitTooLong { .. }
                | ApiError::DuplicateCampaignId { .. }
                | ApiError::Pages { .. }
        )
    }

    /// Whether the request may still be being processed by the server after this error: the
    /// answer was not received (timeout, connection lost). A list made right away may not show
    /// its effect yet. A 5xx answer, by contrast, ends the request's processing.
    pub fn may_still_be_processing(&self) -> bool {
        matches!(self, ApiError::Transport(_) | ApiError::Decode(_))
    }

    /// A `hint:` line for the errors a user can fix (shown through the `Diagnostic`), naming
    /// where the URL and token are set (`origin`).
    fn hint(&self, origin: &SettingsOrigin) -> Option<String> {
        let SettingsOrigin { url, token } = origin;
        Some(match self {
            ApiError::Unauthorized => format!(
                "check {token} and that {url} points at the account the token belongs to"
            ),
            ApiError::Forbidden { .. } => "the account may have reached its plan's campaign limit; delete unused campaigns or upgrade the plan".to_owned(),
            ApiError::Connect(_) | ApiError::Transport(_) => format!("check {url} and the network; the run can be repeated safely"),
            ApiError::RateLimited { .. } | ApiError::RateLimitWaitTooLong { .. } => {
                "the platform is throttling this account: run again later, or lower --parallelism".to_owned()
            }
            ApiError::DuplicateCampaignId { .. } | ApiError::Pages { .. } => "nothing was changed; run again in a moment, and if the list stays inconsistent, report it to the platform's support".to_owned(),
            ApiError::OlderAssistantShape { .. } => "manage this platform's assistants in its dashboard (remove the `kind: Assistant` manifests), or ask its support whether the newer assistant API is available".to_owned(),
            ApiError::EndpointNotFound { .. } => format!(
                "the API URL usually ends in /api (https://app.autocalls.ai/api, or your reseller's https://HOST/api): check {url}"
            ),
            _ => return None,
        })
    }

    /// The error as the user sees it, its hint naming where the URL and token are set.
    pub fn diagnostic(&self, origin: &SettingsOrigin) -> crate::diagnostic::Diagnostic {
        let d = crate::diagnostic::Diagnostic::error(None, self.to_string());
        match self.hint(origin) {
            Some(hint) => d.with_hint(hint),
            None => d,
        }
    }
}

/// Where a client's API URL and token are set, as hints name them: the flags and environment
/// by default, or an account of the repository config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsOrigin {
    pub url: String,
    pub token: String,
}

impl Default for SettingsOrigin {
    fn default() -> SettingsOrigin {
        SettingsOrigin {
            url: "--api-url / CAMPAIGNCTL_API_URL".to_owned(),
            token: "CAMPAIGNCTL_API_TOKEN (or --token-file)".to_owned(),
        }
    }
}

/// The innermost cause of a connection failure ("Connection refused (os error 111)"): the
/// wrappers above it ("error sending request", "client error (Connect)") say nothing more.
pub(crate) fn connect_cause(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return "connection timed out".to_owned();
    }
    let mut cause = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    cause
}

/// reqwest's errors name the URL (never the token, which travels in a header) and the cause.
/// Flatten the source chain so "error sending request" says why.
pub(crate) fn describe_transport(err: &reqwest::Error) -> String {
    let mut msg = if err.is_timeout() {
        "request timed out".to_owned()
    } else {
        err.to_string()
    };
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

/// An API error as the user sees it: its message, and a hint when the user can fix it (for a
/// client configured by the flags and environment; `Client::diagnostic` knows better).
impl From<&ApiError> for crate::diagnostic::Diagnostic {
    fn from(e: &ApiError) -> crate::diagnostic::Diagnostic {
        e.diagnostic(&SettingsOrigin::default())
    }
}

impl From<ApiError> for crate::diagnostic::Diagnostic {
    fn from(e: ApiError) -> crate::diagnostic::Diagnostic {
        crate::diagnostic::Diagnostic::from(&e)
    }
}
