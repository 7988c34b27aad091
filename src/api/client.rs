//! The HTTP client for the platform API: bearer auth, JSON, retries for reads, error mapping.
//!
//! Reads (`GET`) are retried on 429 (after `Retry-After`), 5xx, timeouts and connection errors.
//! A create is retried only on 429 — the throttle answers before the request is handled, so
//! nothing was written. Every other failure of a create is returned to the caller, which must
//! treat `ApiError::outcome_unknown()` as "may have happened" (see reconcile::executor).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::Semaphore;
use tracing::{debug, warn};
use url::Url;

use super::assistant::{AssistantWrite, CreatedAssistant};
use super::error::{connect_cause, describe_transport, ApiError, SettingsOrigin};
use super::pages::PageReader;
use super::retry::{human, RetryPolicy, WaitBudget};
use super::secret::ApiToken;
use super::types::{
    Assistant, CreateCampaign, CreateLead, Envelope, ErrorBody, Lead, Page, PhoneNumber,
    RemoteCampaign, UpdateStatus, UpdateStatusResponse,
};

/// Leads a page of `GET user/leads` holds: the most the platform serves (1..=100).
pub const LEADS_PER_PAGE: u64 = 100;

/// Where and how to reach the platform.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The API base, e.g. `https://app.autocalls.ai/api`; paths are appended to it.
    pub base_url: Url,
    pub token: ApiToken,
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

/// Why an API base URL was refused.
#[derive(Debug, thiserror::Error)]
pub enum BaseUrlError {
    #[error("invalid API URL {url:?}: {reason}")]
    Invalid { url: String, reason: String },
    #[error("refusing to send the API token over plain http to {host}")]
    PlainHttp { host: String },
}

/// A refused URL as the user sees it, with the hint that fixes it.
impl From<BaseUrlError> for crate::diagnostic::Diagnostic {
    fn from(e: BaseUrlError) -> crate::diagnostic::Diagnostic {
        crate::diagnostic::Diagnostic::error(None, e.to_string()).with_hint(e.hint())
    }
}

impl BaseUrlError {
    fn hint(&self) -> &'static str {
        match self {
            BaseUrlError::Invalid { .. } => "the API URL looks like https://app.autocalls.ai/api",
            BaseUrlError::PlainHttp { .. } => {
                "use an https:// URL; plain http is allowed only for loopback hosts (the local emulator)"
            }
        }
    }
}

/// Parses and vets an API base URL: https anywhere, plain http only to a loopback host, since
/// the bearer token would otherwise cross the network in clear text.
pub fn parse_base_url(raw: &str) -> Result<Url, BaseUrlError> {
    let mut url = Url::parse(raw.trim()).map_err(|e| BaseUrlError::Invalid {
        url: raw.to_owned(),
        reason: e.to_string(),
    })?;
    let host = url.host_str().unwrap_or_default().to_owned();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(BaseUrlError::PlainHttp { host }),
        other => {
            return Err(BaseUrlError::Invalid {
                url: raw.to_owned(),
                reason: format!("unsupported scheme {other:?}"),
            })
        }
    }
    if host.is_empty() {
        return Err(BaseUrlError::Invalid {
            url: raw.to_owned(),
            reason: "no host".into(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BaseUrlError::Invalid {
            url: "(URL with credentials, not shown)".into(),
            reason: "credentials belong in CAMPAIGNCTL_API_TOKEN, not in the URL".into(),
        });
    }
    // A query or fragment is dropped by every request URL built from the base, so it can only
    // make two spellings of one account look like two (`?x=1`, `#f`), or carry a credential
    // into a log: refused, and not shown.
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BaseUrlError::Invalid {
            url: "(URL with a query or fragment, not shown)".into(),
            reason: "an API URL has no query (`?...`) or fragment (`#...`)".into(),
        });
    }
    // Url::join replaces the last segment unless the base ends in '/'.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

use crate::trust::is_loopback;

#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    /// Caps the requests this client (and its clones) has in flight; see `with_max_in_flight`.
    in_flight: Option<Arc<Semaphore>>,
    /// The rate-limit waiting left to this client and its clones (`RetryPolicy::rate_limit_budget`).
    rate_budget: Arc<Mutex<WaitBudget>>,
    /// Where the URL and token were set, for the hints of errors (`diagnostic`).
    origin: Arc<SettingsOrigin>,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        // A redirect is followed only within the API's own origin: another host may not be one
        // the environment allows (`trust`), and a 307 or 308 would send a request body (leads,
        // personal data) along. Anything else is answered as the redirect it is.
        let origin = config.base_url.origin();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 || attempt.url().origin() != origin {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("campaignctl/", env!("CARGO_PKG_VERSION")))
            .redirect(redirects);
        // Plain http is allowed to loopback only because it never leaves this machine: a proxy
        // from the environment (`HTTP_PROXY` without a matching `NO_PROXY`) would carry the
        // token in clear to it.
        if crate::trust::is_loopback(&config.base_url) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::Transport(describe_transport(&e)))?;
        Ok(Client {
            http,
            config,
            in_flight: None,
            rate_budget: Arc::default(),
            origin: Arc::default(),
        })
    }

    /// This client, its URL and token set where `origin` says (an account of the repository
    /// config, say): error hints name that place.
    pub fn with_origin(mut self, origin: SettingsOrigin) -> Client {
        self.origin = Arc::new(origin);
        self
    }

    /// An error of this client as the user sees it, its hint naming where to fix the URL or
    /// token.
    pub fn diagnostic(&self, e: &ApiError) -> crate::diagnostic::Diagnostic {
        e.diagnostic(&self.origin)
    }

    /// This client, sending at most `max` requests at once, across clones, for every call
    /// (lists included), so that `apply --parallelism N` never has more than N requests in
    /// flight, not even while it plans. Waits for retries do not hold a slot.
    pub fn with_max_in_flight(mut self, max: usize) -> Client {
        self.in_flight = Some(Arc::new(Semaphore::new(max.max(1))));
        self
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.config.retry
    }

    pub fn base_url(&self) -> &Url {
        &self.config.base_url
    }

    /// Which platform account this client reaches: a digest of its token, never the token, and
    /// not the URL. A token belongs to one platform account whatever URL it is sent to
    /// (`127.0.0.1` and `localhost`, a reseller's host, case, default ports), so two clients with
    /// one token write to the same account: it keys the account lock, and two configured
    /// accounts may not share it. The digest is domain-separated, so it matches no other
    /// published hash of the token. Not for printing. The record of what was applied is keyed
    /// otherwise (`applied_record::record_identity`: the URL and the config account's name), as
    /// it must survive a token rotation.
    pub fn account_identity(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(b"campaignctl account identity v1\0");
        hasher.update(self.config.token.expose().as_bytes());
        let digest = hasher.finalize();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Every campaign of the account. A list naming one id twice is refused: which of the two
    /// entries is the campaign cannot be known, and keeping either would hide the other.
    pub async fn list_campaigns(&self) -> Result<Vec<RemoteCampaign>, ApiError> {
        let campaigns: Vec<RemoteCampaign> = self.read("user/campaigns", &[]).await?;
        check_unique_ids(&campaigns)?;
        Ok(campaigns)
    }

    /// Every campaign of the account, as `list_campaigns`, with the digest of the bytes it was
    /// decoded from; and whether they were the bytes `last` was decoded from, in which case
    /// `last`'s list is given back and the answer is not decoded (it passed the same checks).
    /// Decoding is most of what reading 10,000 campaigns costs, and an idle account answers the
    /// same bytes pass after pass (`watch`).
    pub async fn list_campaigns_again(
        &self,
        last: Option<Digested<Vec<RemoteCampaign>>>,
    ) -> Result<(Digested<Vec<RemoteCampaign>>, bool), ApiError> {
        const PATH: &str = "user/campaigns";
        let bytes = self
            .with_retries_bytes::<()>(Method::GET, PATH, &[], None, true)
            .await?;
        let digest = BodyDigest::of(&bytes);
        if let Some(last) = last.filter(|last| last.digest == digest) {
            return Ok((last, true));
        }
        let campaigns: Vec<RemoteCampaign> = decode(PATH, &bytes)?;
        check_unique_ids(&campaigns)?;
        Ok((
            Digested {
                digest,
                value: campaigns,
            },
            false,
        ))
    }

    /// Every assistant, inbound and outbound, with post-call schemas (all pages, read whole or
    /// refused: `pages`).
    pub async fn list_assistants(&self) -> Result<Vec<Assistant>, ApiError> {
        const PATH: &str = "user/assistants/get";
        let mut reader = PageReader::new(PATH);
        let mut all = Vec::new();
        for page in 1u64.. {
            let p: Page<Assistant> = self
                .read(
                    PATH,
                    &[("per_page", "100".into()), ("page", page.to_string())],
                )
                .await?;
            let more = reader.accept(page, &p)?;
            all.extend(p.data);
            if !more {
                break;
            }
        }
        Ok(all)
    }

    pub async fn list_phone_numbers(&self) -> Result<Vec<PhoneNumber>, ApiError> {
        self.read("user/assistants/phone-numbers", &[]).await
    }

    /// One page of a campaign's leads.
    pub async fn list_leads_page(
        &self,
        campaign_id: u64,
        page: u64,
    ) -> Result<Page<Lead>, ApiError> {
        self.read(
            "user/leads",
            &[
                ("campaign_id", campaign_id.to_string()),
                ("per_page", LEADS_PER_PAGE.to_string()),
                ("page", page.to_string()),
            ],
        )
        .await
    }

    /// One page of every lead of the account, all campaigns together (no `campaign_id`
    /// filter), 100 a page. The first page's `total` tells what reading them all costs.
    pub async fn list_account_leads_page(&self, page: u64) -> Result<Page<Lead>, ApiError> {
        self.read(
            "user/leads",
            &[
                ("per_page", LEADS_PER_PAGE.to_string()),
                ("page", page.to_string()),
            ],
        )
        .await
    }

    /// Every lead of a campaign (all pages, 100 at a time), read whole or refused (`pages`): a
    /// lead list cut off would be planned as leads to add.
    pub async fn list_leads(&self, campaign_id: u64) -> Result<Vec<Lead>, ApiError> {
        let mut reader = PageReader::new("user/leads");
        let mut all = Vec::new();
        for page in 1u64.. {
            let p = self.list_leads_page(campaign_id, page).await?;
            let more = reader.accept(page, &p)?;
            all.extend(p.data);
            if !more {
                break;
            }
        }
        Ok(all)
    }

    /// The leads of a campaign with exactly this phone number (to check an ambiguous create).
    pub async fn find_leads_by_phone(
        &self,
        campaign_id: u64,
        phone_number: &str,
    ) -> Result<Vec<Lead>, ApiError> {
        let page: Page<Lead> = self
            .read(
                "user/leads",
                &[
                    ("campaign_id", campaign_id.to_string()),
                    ("phone_number", phone_number.to_owned()),
                    ("per_page", "100".into()),
                ],
            )
            .await?;
        Ok(page.data)
    }

    /// Creates a campaign. Retried only on 429; any other failure is returned as is, and a
    /// failure with `outcome_unknown()` may have created the campaign.
    pub async fn create_campaign(&self, body: &CreateCampaign) -> Result<RemoteCampaign, ApiError> {
        let env: Envelope<RemoteCampaign> = self.write(Method::POST, "user/campaign", body).await?;
        Ok(env.data)
    }

    pub async fn create_lead(&self, body: &CreateLead) -> Result<Lead, ApiError> {
        let env: Envelope<Lead> = self.write(Method::POST, "user/lead", body).await?;
        Ok(env.data)
    }

    pub async fn update_status(
        &self,
        campaign_id: u64,
        action: &str,
    ) -> Result<UpdateStatusResponse, ApiError> {
        let body = UpdateStatus {
            campaign_id,
            action: action.to_owned(),
        };
        self.write(Method::POST, "user/campaigns/update-status", &body)
            .await
    }

    /// Merges `variables` into a lead's (`PUT /user/leads/{id}`; docs/platform-api.md, "Update
    /// a lead"). Sends nothing else: never the status or the number. Retried only on 429; the
    /// same merge sent again changes nothing, so the caller may repeat it.
    pub async fn update_lead(
        &self,
        lead_id: u64,
        variables: &std::collections::BTreeMap<String, serde_json::Value>,
    ) -> Result<Lead, ApiError> {
        let body = serde_json::json!({ "variables": variables });
        let env: Envelope<Lead> = self
            .write(Method::PUT, &format!("user/leads/{lead_id}"), &body)
            .await?;
        Ok(env.data)
    }

    /// Deletes a campaign, its leads and its history (docs/platform-api.md, "Delete a
    /// campaign"). Retried only on 429; a failure with `outcome_unknown()` may have deleted it.
    pub async fn delete_campaign(&self, id: u64) -> Result<(), ApiError> {
        self.delete(&format!("user/campaign/{id}")).await
    }

    /// Creates an assistant (newer body). Retried only on 429, as a campaign create is; a 422
    /// naming an older-shape field becomes `ApiError::OlderAssistantShape`.
    pub async fn create_assistant(
        &self,
        body: &AssistantWrite,
    ) -> Result<CreatedAssistant, ApiError> {
        let env: Envelope<CreatedAssistant> = self
            .write(Method::POST, "user/assistant", body)
            .await
            .map_err(older_shape)?;
        Ok(env.data)
    }

    /// Changes the fields `body` carries and nothing else (`PUT /user/assistant/{id}`). The
    /// same update sent again stores the same values, so a caller may repeat it.
    pub async fn update_assistant(&self, id: u64, body: &AssistantWrite) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .write(Method::PUT, &format!("user/assistant/{id}"), body)
            .await
            .map_err(older_shape)?;
        Ok(())
    }

    /// Deletes an assistant. Retried only on 429.
    pub async fn delete_assistant(&self, id: u64) -> Result<(), ApiError> {
        self.delete(&format!("user/assistant/{id}")).await
    }

    /// `DELETE path`, its answer's body ignored. Retried only on 429 (`retry_transient` off): a
    /// delete whose answer was lost may have happened, and the caller reads before trying again.
    async fn delete(&self, path: &str) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .with_retries::<(), serde_json::Value>(Method::DELETE, path, &[], None, false)
            .await?;
        Ok(())
    }

    /// A GET with the full retry policy (reads are idempotent).
    async fn read<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        self.with_retries::<(), T>(Method::GET, path, query, None, true)
            .await
    }

    /// A write, retried only when the server said 429 (it did not handle the request).
    async fn write<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.with_retries(method, path, &[], Some(body), false)
            .await
    }

    /// Sends until an answer: a 429 always waits for `Retry-After` and tries again (bounded);
    /// transient failures (5xx, timeouts, connection errors) are retried with backoff only
    /// when `retry_transient`, because for a write they may mean the request was handled.
    async fn with_retries<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        retry_transient: bool,
    ) -> Result<T, ApiError> {
        // A body that does not decode is not retried (`ApiError::Decode` is not transient), so
        // decoding after the retries is what decoding each attempt was.
        let bytes = self
            .with_retries_bytes(method, path, query, body, retry_transient)
            .await?;
        decode(path, &bytes)
    }

    /// `with_retries`, the successful response's body as it came.
    async fn with_retries_bytes<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        retry_transient: bool,
    ) -> Result<Vec<u8>, ApiError> {
        let policy = self.config.retry;
        let (mut failures, mut limited) = (0u32, 0u32);
        let mut waited = Duration::ZERO;
        loop {
            match self.send(method.clone(), path, query, body).await {
                Ok(v) => return Ok(v),
                Err(Attempt::RateLimited(retry_after)) => {
                    limited += 1;
                    if limited > policy.max_rate_limited {
                        return Err(ApiError::RateLimited { attempts: limited });
                    }
                    let wait =
                        policy.rate_limit_wait(retry_after.as_deref(), limited, SystemTime::now());
                    self.allow_rate_limit_wait(wait, waited)?;
                    waited += wait;
                    let (attempt, of) = (limited + 1, policy.max_rate_limited + 1);
                    if wait > policy.announce_wait_over {
                        warn!(
                            "rate limited: waiting {} as the platform asks, then attempt {attempt} of {of} ({method} {path})",
                            human(wait)
                        );
                    } else {
                        debug!(%method, path, wait_ms = wait.as_millis() as u64, attempt, "rate limited (429); waiting");
                    }
                    tokio::time::sleep(wait).await;
                }
                Err(Attempt::Failed(e))
                    if retry_transient
                        && e.is_transient()
                        && failures + 1 < policy.max_attempts =>
                {
                    failures += 1;
                    let wait = policy.backoff(failures);
                    // Debug, not warn: the final error says it all, and a flood of retry lines
                    // before it only hides it.
                    debug!(path, attempt = failures, wait_ms = wait.as_millis() as u64, error = %e, "transient failure; retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(Attempt::Failed(e)) => return Err(e),
            }
        }
    }

    /// Whether a 429's wait fits the caps: one wait, this request's waits so far (`waited`), and
    /// the budget shared by the whole client, which it is charged to when it fits.
    fn allow_rate_limit_wait(&self, wait: Duration, waited: Duration) -> Result<(), ApiError> {
        let policy = self.config.retry;
        let too_long = |limit: String| ApiError::RateLimitWaitTooLong {
            asked: human(wait),
            limit,
        };
        if wait > policy.max_retry_after {
            return Err(too_long(format!(
                "longer than the {} campaignctl waits for one answer",
                human(policy.max_retry_after)
            )));
        }
        if waited.saturating_add(wait) > policy.max_rate_limit_wait_per_request {
            return Err(too_long(format!(
                "after {} of waiting already, beyond the {} one request may wait",
                human(waited),
                human(policy.max_rate_limit_wait_per_request)
            )));
        }
        let charged = self
            .rate_budget
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .charge(
                Instant::now(),
                wait,
                policy.rate_limit_budget,
                policy.rate_limit_budget_period,
            );
        charged.map_err(|left| {
            too_long(format!(
                "and only {} is left of the {} this run may spend waiting for rate limits",
                human(left),
                human(policy.rate_limit_budget)
            ))
        })
    }

    /// One request and the mapping of its response: the body of a success, an error otherwise.
    async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<Vec<u8>, Attempt> {
        let url = self.config.base_url.join(path).map_err(|e| {
            Attempt::Failed(ApiError::Decode(format!("bad request path {path:?}: {e}")))
        })?;
        // bearer_auth marks the header sensitive, so neither reqwest nor hyper ever log it.
        let mut req = self
            .http
            .request(method.clone(), url.clone())
            // Laravel answers errors (422, 401) as JSON only when asked to; without it a
            // validation failure may come back as a redirect (docs/platform-api.md, Errors).
            .header(reqwest::header::ACCEPT, "application/json")
            .bearer_auth(self.config.token.expose());
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        // Held until the body is read: the request is in flight until then.
        let _slot = match &self.in_flight {
            Some(limit) => Some(limit.acquire().await.map_err(|_| {
                Attempt::Failed(ApiError::Transport("the client is shutting down".into()))
            })?),
            None => None,
        };
        debug!(%method, path, "request");
        let resp = req.send().await.map_err(|e| {
            Attempt::Failed(if e.is_connect() {
                ApiError::Connect(format!("{}: {}", shown_url(&url), connect_cause(&e)))
            } else {
                ApiError::Transport(describe_transport(&e))
            })
        })?;
        let status = resp.status();
        debug!(%method, path, status = status.as_u16(), "response");
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            return Err(Attempt::RateLimited(retry_after));
        }
        let bytes = read_body(resp, path).await.map_err(Attempt::Failed)?;
        if status.is_success() {
            return Ok(bytes);
        }
        Err(Attempt::Failed(match error_from_response(status, &bytes) {
            // A read of a list that is not there: the URL is the likely culprit, so name it.
            ApiError::NotFound { message } if method == Method::GET => ApiError::EndpointNotFound {
                url: shown_url(&url),
                message,
            },
            e => e,
        }))
    }
}

/// A successful response's body as `T`. serde's message can quote the body (`unknown variant
/// ...`): escaped, as every platform string is where it enters.
fn decode<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::Decode(crate::escape::text(&format!("{path}: {e}")).into_owned()))
}

/// The SHA-256 of a response body: two answers with the same digest were the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDigest([u8; 32]);

/// What a response decoded to, with the digest of its bytes.
#[derive(Debug)]
pub struct Digested<T> {
    pub digest: BodyDigest,
    pub value: T,
}

impl BodyDigest {
    fn of(bytes: &[u8]) -> BodyDigest {
        use sha2::{Digest, Sha256};
        BodyDigest(Sha256::digest(bytes).into())
    }
}

/// A request URL for messages: without its query, which can be long and says nothing about
/// where the request went. It never holds the token (that travels in a header).
fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

/// Refuses a campaign list that names one id more than once, naming the id and its entries.
fn check_unique_ids(campaigns: &[RemoteCampaign]) -> Result<(), ApiError> {
    let mut by_id: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for c in campaigns {
        by_id.entry(c.id).or_default().push(&c.name);
    }
    match by_id.into_iter().find(|(_, names)| names.len() > 1) {
        None => Ok(()),
        Some((id, names)) => Err(ApiError::DuplicateCampaignId {
            id,
            count: names.len(),
            names: names
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// The largest response body read. A list of 50,000 campaigns is about 20 MB; a body beyond
/// this is a broken or hostile server, and reading it would only exhaust memory.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Reads a response body chunk by chunk, refusing it once it exceeds `MAX_RESPONSE_BYTES`.
async fn read_body(mut resp: reqwest::Response, path: &str) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::Decode(format!(
            "{path}: the response is larger than {} MiB; refusing to read it",
            MAX_RESPONSE_BYTES / (1024 * 1024)
        ))
    };
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| ApiError::Transport(describe_transport(&e)))?
    {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The outcome of one attempt: rate limiting is kept apart because it is always safe to retry.
enum Attempt {
    RateLimited(Option<String>),
    Failed(ApiError),
}

fn error_from_response(status: StatusCode, body: &[u8]) -> ApiError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    // The platform's words are escaped here, where they enter: an error travels to the
    // terminal, the log, apply's result lines and CI annotations, and none may show a control
    // character raw (a line break that starts `::error::`, a terminal escape).
    let message = match &parsed {
        Some(b) if !b.message.is_empty() => crate::escape::text(&b.message).into_owned(),
        _ => crate::escape::text(&snippet(body)).into_owned(),
    };
    let parsed = parsed.map(|mut b| {
        b.errors = b
            .errors
            .into_iter()
            .map(|(field, messages)| {
                let messages = messages
                    .iter()
                    .map(|m| crate::escape::text(m).into_owned())
                    .collect();
                (crate::escape::text(&field).into_owned(), messages)
            })
            .collect();
        b
    });
    match status.as_u16() {
        401 => ApiError::Unauthorized,
        403 => ApiError::Forbidden { message },
        404 => ApiError::NotFound { message },
        422 => ApiError::Validation {
            message,
            errors: parsed.map(|b| b.errors).unwrap_or_default(),
        },
        s @ 500..=599 => ApiError::Server { status: s, message },
        s => ApiError::Unexpected { status: s, message },
    }
}

/// A 422 to an assistant write that names a field of the older body says which shape the
/// platform expects; any other error passes through.
fn older_shape(e: ApiError) -> ApiError {
    if let ApiError::Validation { errors, .. } = &e {
        if let Some(field) = crate::api::assistant::older_shape_field(errors.keys()) {
            return ApiError::OlderAssistantShape {
                field: field.to_owned(),
            };
        }
    }
    e
}

/// The start of a non-JSON body, for error messages (HTML error pages can be large).
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".into();
    }
    let mut s: String = text.chars().take(200).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_except_to_loopback() {
        assert!(matches!(
            parse_base_url("http://example.com/api"),
            Err(BaseUrlError::PlainHttp { .. })
        ));
        assert!(matches!(
            parse_base_url("http://10.0.0.1/api"),
            Err(BaseUrlError::PlainHttp { .. })
        ));
        for ok in [
            "https://app.autocalls.ai/api",
            "http://127.0.0.1:8080/api",
            "http://localhost:1/api",
            "http://[::1]:9/api",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok} must be accepted");
        }
        assert!(matches!(
            parse_base_url("ftp://x/api"),
            Err(BaseUrlError::Invalid { .. })
        ));
        assert!(matches!(
            parse_base_url("https://u:p@x/api"),
            Err(BaseUrlError::Invalid { .. })
        ));
    }

    #[test]
    fn paths_are_joined_under_the_base_path() {
        let base = parse_base_url("https://portal.example.com/api").expect("valid url");
        assert_eq!(
            base.join("user/campaigns").expect("join").as_str(),
            "https://portal.example.com/api/user/campaigns"
        );
    }

    #[test]
    fn a_422_naming_an_older_assistant_field_says_the_platform_expects_the_older_body() {
        let older = ApiError::Validation {
            message: "The assistant name field is required.".into(),
            errors: BTreeMap::from([("assistant_name".into(), vec!["required".into()])]),
        };
        match older_shape(older) {
            ApiError::OlderAssistantShape { field } => assert_eq!(field, "assistant_name"),
            other => panic!("expected the older-shape error, got {other:?}"),
        }
        let newer = ApiError::Validation {
            message: "The name field is required.".into(),
            errors: BTreeMap::from([("name".into(), vec!["required".into()])]),
        };
        assert!(
            matches!(older_shape(newer), ApiError::Validation { .. }),
            "a newer field stays a validation error"
        );
    }

    #[test]
    fn any_422_shape_is_read() {
        for (body, field) in [
            (
                r#"{"message":"bad","errors":{"name":"The name is bad."}}"#,
                "name",
            ),
            (r#"{"message":"bad","errors":["The name is bad."]}"#, ""),
        ] {
            let e = error_from_response(StatusCode::UNPROCESSABLE_ENTITY, body.as_bytes());
            match e {
                ApiError::Validation { errors, .. } => {
                    assert!(errors.contains_key(field), "{body}: {errors:?}")
                }
                other => panic!("{body}: expected a 422, got {other:?}"),
            }
        }
    }

    #[test]
    fn laravel_error_bodies_map_to_kinds() {
        let body = br#"{"message":"The name field is required. (and 1 more error)","errors":{"name":["The name field is required."],"allowed_days.1":["The selected allowed_days.1 is invalid."]}}"#;
        match error_from_response(StatusCode::UNPROCESSABLE_ENTITY, body) {
            ApiError::Validation { errors, .. } => {
                assert_eq!(errors.len(), 2, "both field errors kept")
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert!(matches!(
            error_from_response(StatusCode::UNAUTHORIZED, b"{}"),
            ApiError::Unauthorized
        ));
        let e = error_from_response(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert!(
            e.outcome_unknown() && e.is_transient(),
            "5xx on a write is ambiguous and transient: {e:?}"
        );
    }

    #[test]
    fn a_list_naming_one_id_twice_is_refused_naming_the_id() {
        let list: Vec<RemoteCampaign> = serde_json::from_str(
            r#"[{"id":3,"name":"A"},{"id":12,"name":"B"},{"id":12,"name":"C"}]"#,
        )
        .expect("a valid list");
        let err = check_unique_ids(&list).expect_err("id 12 twice");
        assert_eq!(
            err.to_string(),
            "the platform's campaign list is inconsistent: campaign id 12 appears 2 times (\"B\", \"C\"); refusing to work from it"
        );
        assert!(check_unique_ids(&list[..2]).is_ok(), "distinct ids pass");
    }

    #[test]
    fn shown_urls_drop_the_query() {
        let url = Url::parse("http://127.0.0.1:9/user/leads?campaign_id=3&page=2").expect("url");
        assert_eq!(shown_url(&url), "http://127.0.0.1:9/user/leads");
    }
}
