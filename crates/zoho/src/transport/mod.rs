//! The request pipeline shared by the REST and PhoneBridge clients: a pure request
//! description ([`ApiRequest`]), and a [`ZohoConnection`] that sends it with the
//! connection's token, concurrency limits, retries and counters.

mod limiter;
mod metrics;
mod retry;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::watch;
use url::Url;

pub use limiter::{Edition, HEAVY_CONCURRENCY, Limiter};
pub use metrics::{ApiMetrics, MetricsSnapshot, OpSnapshot, Operation, cost};
pub use retry::RetryPolicy;

use crate::clock::Clock;
use crate::error::{ApiError, ErrorCode, Result, ZohoError};
use crate::oauth::{ConnectionState, OAuthClient, TokenManager, TokenSet};

/// A request body.
#[derive(Clone, PartialEq)]
pub enum RequestBody {
    Empty,
    Json(Value),
    /// `application/x-www-form-urlencoded` pairs (PhoneBridge).
    Form(Vec<(String, String)>),
}

/// Form fields that carry secrets (our PhoneBridge shared secret).
const SECRET_FIELDS: &[&str] = &["authorizationparam"];

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Json(v) => f.debug_tuple("Json").field(v).finish(),
            Self::Form(pairs) => {
                let shown: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(k, v)| {
                        let v = if SECRET_FIELDS.contains(&k.as_str()) {
                            "[REDACTED]"
                        } else {
                            v.as_str()
                        };
                        (k.as_str(), v)
                    })
                    .collect();
                f.debug_tuple("Form").field(&shown).finish()
            }
        }
    }
}

/// Everything needed to send one API call, without sending it: built by pure
/// functions, so tests can check it against Zoho's OpenAPI files.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    pub method: Method,
    /// Path below the API domain, percent-encoded, starting with `/`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(HeaderName, String)>,
    pub body: RequestBody,
    pub op: Operation,
    /// Documented credit cost.
    pub credits: u32,
    /// Counts against the sub-concurrency limit of 10.
    pub heavy: bool,
    /// Safe to repeat after a timeout or 5xx (reads, PUTs).
    pub idempotent: bool,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>, op: Operation) -> Self {
        let idempotent = method != Method::POST;
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: RequestBody::Empty,
            op,
            credits: cost::DEFAULT,
            heavy: false,
            idempotent,
        }
    }

    pub fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = RequestBody::Json(body);
        self
    }

    pub fn form(mut self, pairs: Vec<(String, String)>) -> Self {
        self.body = RequestBody::Form(pairs);
        self
    }

    pub fn credits(mut self, credits: u32) -> Self {
        self.credits = credits;
        self
    }

    pub fn heavy(mut self, heavy: bool) -> Self {
        self.heavy = heavy;
        self
    }

    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// The full URL under `api_domain`.
    pub fn url(&self, api_domain: &Url) -> Url {
        let mut url = crate::dc::endpoint(api_domain, "");
        // `path` is already percent-encoded; Url::set_path keeps existing escapes.
        let prefix = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{prefix}{}", self.path));
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter());
        }
        url
    }

    /// Builds the `reqwest::Request` with `Authorization: Zoho-oauthtoken …`.
    pub fn build(
        &self,
        http: &reqwest::Client,
        api_domain: &Url,
        token: &SecretString,
        timeout: Duration,
    ) -> Result<reqwest::Request> {
        let mut auth = HeaderValue::from_str(&format!("Zoho-oauthtoken {}", token.expose_secret()))
            .map_err(|_| {
                ZohoError::InvalidInput("access token is not a valid header value".into())
            })?;
        auth.set_sensitive(true);
        let mut b = http
            .request(self.method.clone(), self.url(api_domain))
            .header(AUTHORIZATION, auth)
            .timeout(timeout);
        for (name, value) in &self.headers {
            let v = HeaderValue::from_str(value)
                .map_err(|_| ZohoError::InvalidInput(format!("bad value for header {name}")))?;
            b = b.header(name, v);
        }
        b = match &self.body {
            RequestBody::Empty => b,
            RequestBody::Json(v) => b.json(v),
            RequestBody::Form(pairs) => b.form(pairs),
        };
        b.build().map_err(ZohoError::from_reqwest)
    }
}

/// A complete HTTP answer.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON; an empty or non-JSON body is never taken as success.
    pub fn json(&self) -> Result<Value> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ZohoError::unexpected(self.status, "empty body"));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            // The body's start, then the parser's complaint (the source).
            ZohoError::undecodable(
                self.status,
                format!(
                    "body is not JSON ({})",
                    String::from_utf8_lossy(&self.body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ),
                e,
            )
        })
    }

    /// The error this response stands for: Zoho's error object when there is one.
    pub fn into_error(self) -> ZohoError {
        match self.json() {
            Ok(v) => match ApiError::from_value(self.status, &v) {
                Some(e) => ZohoError::Api(e),
                None => ZohoError::unexpected(self.status, format!("no error object in {v}")),
            },
            Err(e) => e,
        }
    }
}

/// Tuning of one connection.
#[derive(Debug, Clone)]
pub struct ConnectionOptions {
    /// Sizes the concurrency limiter (default: Free, 5 in flight).
    pub edition: Edition,
    /// Heavy-call sub-limit (≤ 10).
    pub heavy_concurrency: usize,
    pub retry: RetryPolicy,
    /// Timeout of one HTTP attempt.
    pub timeout: Duration,
    /// Local 24-h credit budget; `None` = not enforced (Zoho's own limit still applies).
    pub credit_budget: Option<u64>,
}

impl Default for ConnectionOptions {
    fn default() -> Self {
        Self {
            edition: Edition::default(),
            heavy_concurrency: HEAVY_CONCURRENCY,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            credit_budget: None,
        }
    }
}

/// One authorized Zoho org: shared by the REST and PhoneBridge clients. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ZohoConnection {
    inner: Arc<Inner>,
}

/// Behaviour learned from Zoho's answers at run time, where the docs are unsure.
#[derive(Debug, Default)]
pub struct Quirks {
    missed_call_needs_duration: AtomicBool,
    pb_missed_rejected: AtomicBool,
    pb_unattended_rejected: AtomicBool,
}

impl Quirks {
    /// Zoho refused a Missed call without `Call_Duration` once.
    pub fn missed_call_needs_duration(&self) -> bool {
        self.missed_call_needs_duration.load(Ordering::Relaxed)
    }

    pub(crate) fn set_missed_call_needs_duration(&self) {
        self.missed_call_needs_duration
            .store(true, Ordering::Relaxed);
    }

    /// PhoneBridge refused `state=missed` once (observed on live Zoho by one provider).
    pub fn pb_missed_rejected(&self) -> bool {
        self.pb_missed_rejected.load(Ordering::Relaxed)
    }

    pub(crate) fn set_pb_missed_rejected(&self) {
        self.pb_missed_rejected.store(true, Ordering::Relaxed);
    }

    /// PhoneBridge refused an outbound unattended state (busy, noanswer, ...) once.
    pub fn pb_unattended_rejected(&self) -> bool {
        self.pb_unattended_rejected.load(Ordering::Relaxed)
    }

    pub(crate) fn set_pb_unattended_rejected(&self) {
        self.pb_unattended_rejected.store(true, Ordering::Relaxed);
    }
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    tokens: Arc<TokenManager>,
    limiter: Limiter,
    heavy_concurrency: usize,
    retry: RetryPolicy,
    timeout: Duration,
    metrics: ApiMetrics,
    /// The budget from [`ConnectionOptions`]: the org's own never raises it.
    configured_budget: Option<u64>,
    quirks: Quirks,
    clock: Arc<dyn Clock>,
}

impl ZohoConnection {
    /// A connection from tokens (fresh from the code exchange or from storage).
    pub fn new(oauth: OAuthClient, tokens: TokenSet, options: ConnectionOptions) -> Self {
        Self::with_token_manager(
            oauth.clone(),
            Arc::new(TokenManager::new(oauth, tokens)),
            options,
        )
    }

    /// A connection around an already configured token manager (refresh margin, hooks).
    pub fn with_token_manager(
        oauth: OAuthClient,
        tokens: Arc<TokenManager>,
        options: ConnectionOptions,
    ) -> Self {
        let metrics = ApiMetrics::default();
        metrics.set_credit_budget(options.credit_budget);
        let http = oauth.http().clone();
        Self {
            inner: Arc::new(Inner {
                http,
                tokens,
                limiter: Limiter::new(options.edition.concurrency(), options.heavy_concurrency),
                heavy_concurrency: options.heavy_concurrency,
                retry: options.retry,
                timeout: options.timeout,
                metrics,
                configured_budget: options.credit_budget,
                quirks: Quirks::default(),
                clock: Arc::clone(oauth.clock()),
            }),
        }
    }

    pub fn tokens(&self) -> &Arc<TokenManager> {
        &self.inner.tokens
    }

    /// Watches [`ConnectionState`] (e.g. to show "reconnect Zoho" in the UI).
    pub fn subscribe_state(&self) -> watch::Receiver<ConnectionState> {
        self.inner.tokens.subscribe()
    }

    pub fn state(&self) -> ConnectionState {
        self.inner.tokens.state()
    }

    pub fn metrics(&self) -> &ApiMetrics {
        &self.inner.metrics
    }

    pub fn metrics_snapshot(&self) -> MetricsSnapshot {
        self.inner.metrics.snapshot(self.inner.clock.now())
    }

    pub fn quirks(&self) -> &Quirks {
        &self.inner.quirks
    }

    pub fn limiter(&self) -> &Limiter {
        &self.inner.limiter
    }

    /// Resizes the limiter for the org's edition (read it from [`crate::rest::Org`]).
    pub fn set_edition(&self, edition: Edition) {
        self.inner
            .limiter
            .resize(edition.concurrency(), self.inner.heavy_concurrency);
    }

    /// Sets the local 24-h credit budget to the org's documented daily credits,
    /// or the configured budget if that is lower. Zoho's add-on credits are not
    /// visible through the API, so an org with add-ons is held to its base.
    pub fn set_org_credits(&self, daily: Option<u64>) {
        let budget = match (self.inner.configured_budget, daily) {
            (Some(mine), Some(org)) => Some(mine.min(org)),
            (mine, org) => mine.or(org),
        };
        self.inner.metrics.set_credit_budget(budget);
    }

    /// The CRM REST v8 client of this connection.
    pub fn rest(&self) -> crate::rest::RestClient {
        crate::rest::RestClient::new(self.clone())
    }

    /// The PhoneBridge v3 client of this connection.
    pub fn phonebridge(&self) -> crate::phonebridge::PhoneBridgeClient {
        crate::phonebridge::PhoneBridgeClient::new(self.clone())
    }

    /// Sends a request: budget check, concurrency permit, cached token, one refresh
    /// and re-send on 401 INVALID_TOKEN, bounded backoff on 429/5xx/timeouts.
    /// Returns whatever Zoho answered last; interpreting it is the caller's job.
    pub async fn execute(&self, req: &ApiRequest) -> Result<RawResponse> {
        let inner = &self.inner;
        inner.metrics.check_budget(inner.clock.now(), req.credits)?;
        let mut token = inner.tokens.access_token().await?;
        let mut renewed = false;
        let mut retry = 0u32;
        loop {
            let api_domain = inner.tokens.api_domain();
            let request = req.build(&inner.http, &api_domain, &token, inner.timeout)?;
            inner.metrics.record_attempt(req.op);
            let outcome = {
                let _permit = inner.limiter.acquire(req.heavy).await;
                send(&inner.http, request).await
            };
            match outcome {
                Ok(resp) => {
                    if !(resp.is_success() || resp.status == 304) {
                        inner.metrics.record_error(req.op);
                    }
                    if resp.status == 401 && !renewed && is_invalid_token(&resp) {
                        renewed = true;
                        tracing::debug!(
                            op = req.op.as_str(),
                            "INVALID_TOKEN: refreshing once and re-sending"
                        );
                        token = inner.tokens.renew_after_rejection(&token).await?;
                        continue;
                    }
                    if resp.status == 429 {
                        inner.metrics.record_throttled();
                    } else {
                        inner
                            .metrics
                            .record_credits(req.op, inner.clock.now(), req.credits);
                    }
                    if RetryPolicy::retry_status(resp.status, req.idempotent)
                        && retry < inner.retry.max_retries
                    {
                        self.backoff(req, &mut retry, resp.status.to_string()).await;
                        continue;
                    }
                    return Ok(resp);
                }
                Err(e) => {
                    inner.metrics.record_error(req.op);
                    // A connect failure never reached Zoho; anything else may have.
                    let safe = e.is_connect() || req.idempotent;
                    if safe && retry < inner.retry.max_retries {
                        self.backoff(req, &mut retry, e.to_string()).await;
                        continue;
                    }
                    return Err(ZohoError::from_reqwest(e));
                }
            }
        }
    }

    async fn backoff(&self, req: &ApiRequest, retry: &mut u32, why: String) {
        let delay = self.inner.retry.delay(*retry);
        *retry += 1;
        self.inner.metrics.record_retry();
        tracing::debug!(op = req.op.as_str(), retry = *retry, ?delay, %why, "retrying Zoho call");
        tokio::time::sleep(delay).await;
    }
}

async fn send(
    http: &reqwest::Client,
    request: reqwest::Request,
) -> Result<RawResponse, reqwest::Error> {
    let resp = http.execute(request).await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await?.to_vec();
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

fn is_invalid_token(resp: &RawResponse) -> bool {
    serde_json::from_slice::<Value>(&resp.body)
        .ok()
        .and_then(|v| ApiError::from_value(resp.status, &v))
        .is_some_and(|e| e.code == ErrorCode::InvalidToken)
}
