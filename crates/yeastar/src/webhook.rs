//! The webhook event transport (docs/yeastar-api.md §4.2): the PBX POSTs the event envelope
//! with `X-Signature: Base64(HMAC-SHA256(secret, raw body))`. There is no
//! timestamp or nonce, so retries are byte-identical: they are recognised
//! by content and acknowledged without being delivered twice. With a
//! [`DeliveryLog`] (the store), that memory outlives restarts and is shared
//! by every node, so a captured signed body replayed later is still refused.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header::CONTENT_LENGTH};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono_tz::Tz;
use futures_core::Stream;
use hmac::{Hmac, Mac};
use ringbridge_core::pbx::{EventSourceItem, PbxEvent, PbxEventSource};
use ringbridge_core::replay::DeliveryLog;
use secrecy::{ExposeSecret, SecretString};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::dedupe::RecentSet;
use crate::events::parse_event;
use crate::stream::ItemStream;

/// The header the PBX signs with.
pub const SIGNATURE_HEADER: &str = "x-signature";
/// The default limit of one webhook delivery's body.
pub const DEFAULT_MAX_WEBHOOK_BODY_BYTES: usize = 1024 * 1024;
/// A suggested mount point for [`WebhookReceiver::router`].
pub const DEFAULT_WEBHOOK_PATH: &str = "/pbx/yeastar/webhook";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("missing X-Signature header")]
    MissingSignature,
    #[error("X-Signature does not match the body")]
    BadSignature,
    #[error("webhook body exceeds the {limit}-byte limit")]
    TooLarge { limit: usize },
    #[error("malformed webhook body: {0}")]
    Malformed(String),
}

/// Checks `signature` (the `X-Signature` value) against `body`, in
/// constant time.
pub fn verify_signature(
    secret: &SecretString,
    signature: Option<&str>,
    body: &[u8],
) -> Result<(), WebhookError> {
    let signature = signature
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(WebhookError::MissingSignature)?;
    let expected = STANDARD
        .decode(signature)
        .map_err(|_| WebhookError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| WebhookError::BadSignature)?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::BadSignature)
}

/// Verifies a webhook delivery and parses its events. The body is one
/// envelope (or, tolerated, an array of them); event types ringbridge does
/// not use are skipped, so the list may be empty. In an array, an unreadable
/// envelope is skipped (and logged) so it cannot cost the others.
pub fn verify_webhook(
    secret: &SecretString,
    signature: Option<&str>,
    body: &[u8],
    timezone: Tz,
) -> Result<Vec<PbxEvent>, WebhookError> {
    verify_signature(secret, signature, body)?;
    let delivery = parse_body(body, timezone)?;
    for reason in &delivery.malformed {
        tracing::warn!(%reason, "skipping an unreadable event of a webhook delivery");
    }
    Ok(delivery.events)
}

/// What one delivery held: its readable events and why the others were not.
#[derive(Debug, Default)]
struct Delivery {
    events: Vec<PbxEvent>,
    malformed: Vec<String>,
}

/// A body that is not JSON at all, or a lone unreadable envelope, is an
/// error; inside an array each envelope stands on its own.
fn parse_body(body: &[u8], timezone: Tz) -> Result<Delivery, WebhookError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| WebhookError::Malformed("body is not UTF-8".into()))?;
    if !text.trim_start().starts_with('[') {
        let event = parse_event(text, timezone).map_err(|e| WebhookError::Malformed(e.0))?;
        return Ok(Delivery {
            events: event.into_iter().collect(),
            malformed: Vec::new(),
        });
    }
    let list: Vec<&RawValue> =
        serde_json::from_str(text).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    let mut delivery = Delivery::default();
    for envelope in list {
        match parse_event(envelope.get(), timezone) {
            Ok(Some(event)) => delivery.events.push(event),
            Ok(None) => {}
            Err(e) => delivery.malformed.push(e.0),
        }
    }
    Ok(delivery)
}

/// Settings of the webhook endpoint.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// The secrets of the PBX webhooks pointing here (the PBX can
    /// regenerate one; list old and new while switching).
    pub secrets: Vec<SecretString>,
    /// The PBX's time zone (30012 `time_start` is PBX-local).
    pub timezone: Tz,
    pub max_body_bytes: usize,
    /// Identical deliveries within this window are acknowledged, not
    /// delivered again (the PBX retries up to 5 times, 3–10 s apart).
    pub dedupe_window: Duration,
    /// How long a delivery may wait for a slow consumer before the PBX is
    /// told to retry (it waits at most 3–10 s for our answer).
    pub forward_timeout: Duration,
    pub channel_capacity: usize,
}

impl WebhookConfig {
    pub fn new(secret: SecretString, timezone: Tz) -> Self {
        Self {
            secrets: vec![secret],
            timezone,
            max_body_bytes: DEFAULT_MAX_WEBHOOK_BODY_BYTES,
            dedupe_window: Duration::from_secs(10 * 60),
            forward_timeout: Duration::from_secs(2),
            channel_capacity: 256,
        }
    }
}

/// Receives webhook deliveries (mount [`Self::router`]) and hands them out
/// as a [`PbxEventSource`]. With no stream open, deliveries get 503 so the
/// PBX retries instead of the events being dropped.
#[derive(Clone)]
pub struct WebhookReceiver {
    shared: Arc<Shared>,
}

struct Shared {
    cfg: WebhookConfig,
    subscribers: Mutex<Vec<mpsc::Sender<EventSourceItem>>>,
    recent: Mutex<RecentSet>,
    /// The deliveries accepted, shared by every node; the name this
    /// webhook's deliveries are kept under.
    log: Option<(Arc<dyn DeliveryLog>, String)>,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver").finish_non_exhaustive()
    }
}

impl WebhookReceiver {
    pub fn new(cfg: WebhookConfig) -> Self {
        Self::build(cfg, None)
    }

    /// A receiver that also keeps accepted deliveries in `log` under
    /// `source`, for `dedupe_window`: a replay is refused after a restart
    /// and on another node sharing the log.
    pub fn with_delivery_log(cfg: WebhookConfig, log: Arc<dyn DeliveryLog>, source: &str) -> Self {
        Self::build(cfg, Some((log, source.to_owned())))
    }

    fn build(cfg: WebhookConfig, log: Option<(Arc<dyn DeliveryLog>, String)>) -> Self {
        let recent = RecentSet::new(cfg.dedupe_window, 16 * 1024);
        Self {
            shared: Arc::new(Shared {
                cfg,
                subscribers: Mutex::new(Vec::new()),
                recent: Mutex::new(recent),
                log,
            }),
        }
    }

    /// A router answering `POST {path}` and `GET {path}` (the PBX admin
    /// picks the method; a GET delivery carries the same signed body), to
    /// merge into the HTTP server.
    pub fn router(&self, path: &str) -> Router {
        Router::new()
            .route(path, post(receive).get(receive))
            .with_state(Arc::clone(&self.shared))
    }
}

impl PbxEventSource for WebhookReceiver {
    /// Starts with `Connected` (a webhook has no connection to lose; gaps
    /// are covered by the PBX's retries and by CDR catch-up).
    fn events(&self) -> Pin<Box<dyn Stream<Item = EventSourceItem> + Send>> {
        let (tx, rx) = mpsc::channel(self.shared.cfg.channel_capacity.max(1));
        // Cannot fail: the channel is new and has room.
        let _ = tx.try_send(EventSourceItem::Connected);
        lock(&self.shared.subscribers).push(tx);
        Box::pin(ItemStream::new(rx, None))
    }
}

impl WebhookError {
    /// The answer the PBX gets.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MissingSignature | Self::BadSignature => StatusCode::UNAUTHORIZED,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
        }
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> StatusCode {
    match accept(&shared, &headers, body).await {
        Ok(status) => status,
        Err(e) => {
            tracing::warn!(error = %e, "refused a PBX webhook");
            if let WebhookError::Malformed(_) = e {
                let reason = e.to_string();
                forward(&shared, vec![EventSourceItem::Malformed { reason }]).await;
            }
            e.status()
        }
    }
}

async fn accept(
    shared: &Shared,
    headers: &HeaderMap,
    body: Body,
) -> Result<StatusCode, WebhookError> {
    let cfg = &shared.cfg;
    let limit = cfg.max_body_bytes;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|size| size > limit) {
        return Err(WebhookError::TooLarge { limit });
    }
    let body = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| WebhookError::TooLarge { limit })?;
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let mut verdict = Err(WebhookError::MissingSignature);
    for secret in &cfg.secrets {
        verdict = verify_signature(secret, signature, &body);
        if verdict.is_ok() {
            break;
        }
    }
    verdict?;
    let delivery = parse_body(&body, cfg.timezone)?;
    if delivery.events.is_empty() && delivery.malformed.is_empty() {
        return Ok(StatusCode::OK);
    }
    let key = RecentSet::key(&body);
    if !lock(&shared.recent).insert(key, Instant::now()) {
        tracing::debug!("webhook re-delivery acknowledged, not forwarded again");
        return Ok(StatusCode::OK);
    }
    let digest: [u8; 32] = Sha256::digest(&body).into();
    if let Some((log, source)) = &shared.log {
        let window = chrono::Duration::from_std(cfg.dedupe_window)
            .unwrap_or_else(|_| chrono::Duration::minutes(10));
        match log
            .first_delivery(source, &digest, chrono::Utc::now(), window)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(
                    "webhook delivery already accepted (a retry or a replay): not forwarded again"
                );
                return Ok(StatusCode::OK);
            }
            Err(err) => {
                // Unknown whether it is a replay: the PBX retries later.
                tracing::warn!(error = %err, "webhook delivery log unavailable");
                lock(&shared.recent).remove(key);
                return Ok(StatusCode::SERVICE_UNAVAILABLE);
            }
        }
    }
    for reason in &delivery.malformed {
        tracing::warn!(%reason, "skipping an unreadable event of a webhook delivery");
    }
    // A retry would bring the same unreadable envelopes: report them, keep
    // the good events beside them.
    let malformed = delivery
        .malformed
        .into_iter()
        .map(|reason| EventSourceItem::Malformed { reason });
    let items = delivery
        .events
        .into_iter()
        .map(EventSourceItem::Event)
        .chain(malformed)
        .collect();
    if forward(shared, items).await {
        Ok(StatusCode::OK)
    } else {
        // Nobody took it: let the PBX retry later.
        lock(&shared.recent).remove(key);
        if let Some((log, source)) = &shared.log
            && let Err(err) = log.forget_delivery(source, &digest).await
        {
            tracing::warn!(error = %err, "a webhook delivery not handled stays marked as accepted");
        }
        Ok(StatusCode::SERVICE_UNAVAILABLE)
    }
}

/// Hands items to every open stream; true if at least one took them all.
async fn forward(shared: &Shared, items: Vec<EventSourceItem>) -> bool {
    let subscribers: Vec<_> = lock(&shared.subscribers).clone();
    let mut delivered = false;
    for tx in subscribers {
        let mut ok = true;
        for item in &items {
            if tx
                .send_timeout(item.clone(), shared.cfg.forward_timeout)
                .await
                .is_err()
            {
                ok = false;
                break;
            }
        }
        delivered |= ok;
    }
    lock(&shared.subscribers).retain(|tx| !tx.is_closed());
    delivered
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "NArDaguorcDjBGlTrGgKVAfrTN6xqyOC";

    fn sign(body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
        mac.update(body);
        STANDARD.encode(mac.finalize().into_bytes())
    }

    fn secret() -> SecretString {
        SecretString::from(SECRET)
    }

    const BODY: &[u8] =
        br#"{"type":30008,"sn":"x","msg":"{\"extension\":\"1005\",\"status\":\"Idle\"}"}"#;

    #[test]
    fn genuine_signature_is_accepted() {
        let events =
            verify_webhook(&secret(), Some(&sign(BODY)), BODY, chrono_tz::UTC).expect("verified");
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn forged_or_missing_signature_is_refused() {
        let tz = chrono_tz::UTC;
        assert_eq!(
            verify_webhook(&secret(), None, BODY, tz),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_webhook(&secret(), Some(""), BODY, tz),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_webhook(&secret(), Some("not base64!"), BODY, tz),
            Err(WebhookError::BadSignature)
        );
        let other = SecretString::from("another-secret");
        let forged = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"another-secret").expect("key");
            mac.update(BODY);
            STANDARD.encode(mac.finalize().into_bytes())
        };
        assert!(verify_webhook(&other, Some(&forged), BODY, tz).is_ok());
        assert_eq!(
            verify_webhook(&secret(), Some(&forged), BODY, tz),
            Err(WebhookError::BadSignature)
        );
        // A valid signature for a different body.
        let tampered =
            br#"{"type":30008,"sn":"x","msg":"{\"extension\":\"1006\",\"status\":\"Idle\"}"}"#;
        assert_eq!(
            verify_webhook(&secret(), Some(&sign(BODY)), tampered, tz),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn body_shapes() {
        let tz = chrono_tz::UTC;
        let body = format!(
            "[{}, {}]",
            String::from_utf8_lossy(BODY),
            String::from_utf8_lossy(BODY)
        );
        let events = verify_webhook(&secret(), Some(&sign(body.as_bytes())), body.as_bytes(), tz)
            .expect("array");
        assert_eq!(events.len(), 2);
        let unknown = br#"{"type":30009,"msg":{"extension":"1005","status":"away"}}"#;
        assert_eq!(
            verify_webhook(&secret(), Some(&sign(unknown)), unknown, tz),
            Ok(vec![])
        );
        // One unreadable envelope does not cost the good ones beside it.
        let mixed = format!(
            r#"[{}, {{"type":30008,"msg":"{{not json"}}, 17, {}]"#,
            String::from_utf8_lossy(BODY),
            String::from_utf8_lossy(BODY)
        );
        let parsed = parse_body(mixed.as_bytes(), tz).expect("array");
        assert_eq!((parsed.events.len(), parsed.malformed.len()), (2, 2));
        let garbage = b"{nope";
        assert!(matches!(
            verify_webhook(&secret(), Some(&sign(garbage)), garbage, tz),
            Err(WebhookError::Malformed(_))
        ));
    }
}
