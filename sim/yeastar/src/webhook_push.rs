//! Webhook Event Push (docs/yeastar-api.md §4.2): every event also goes to matching webhook
//! targets, signed with `X-Signature` = Base64(HMAC-SHA256(secret, raw body)), retried on
//! non-2xx or timeout.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::config::WebhookTarget;
use crate::state::{Shared, WebhookDelivery};

/// `X-Signature` for a body.
pub fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// One signed request; returns the HTTP status (`None` on timeout / connection error).
pub async fn send_once(
    shared: &Shared,
    target: &WebhookTarget,
    body: &str,
    timeout: Duration,
    attempt: u32,
) -> Option<u16> {
    let signature = sign(&target.secret, body.as_bytes());
    let method = if target.request_method.eq_ignore_ascii_case("GET") {
        // Where a GET webhook carries its data is undocumented; it gets the same body.
        reqwest::Method::GET
    } else {
        reqwest::Method::POST
    };
    let result = shared
        .http
        .request(method, &target.url)
        .header("Content-Type", "application/json")
        .header("X-Signature", &signature)
        .body(body.to_owned())
        .timeout(timeout)
        .send()
        .await;
    let status = result.ok().map(|r| r.status().as_u16());
    let mut st = shared.lock();
    if st.deliveries.len() >= 10_000 {
        // Bounded log: oldest attempts go first.
        st.deliveries.remove(0);
    }
    st.deliveries.push(WebhookDelivery {
        url: target.url.clone(),
        attempt,
        status,
        body: body.to_owned(),
        signature,
    });
    status
}

/// Delivers with retries: `1 + retry_count` attempts at most.
async fn deliver(shared: &Shared, target: &WebhookTarget, body: &str) {
    let (timeout, retries) = {
        let st = shared.lock();
        (st.webhooks.timeout_secs, st.webhooks.retry_count)
    };
    for attempt in 1..=retries + 1 {
        let status = send_once(shared, target, body, Duration::from_secs(timeout), attempt).await;
        if status.is_some_and(|s| (200..300).contains(&s)) {
            return;
        }
    }
    tracing::debug!(url = %target.url, "webhook delivery gave up");
}

/// Fans events out to per-target workers so each target sees events in order.
pub fn spawn_dispatcher(shared: Arc<Shared>) -> JoinHandle<()> {
    let mut rx = shared.bus.subscribe();
    tokio::spawn(async move {
        let mut workers: HashMap<(String, String, String), mpsc::UnboundedSender<String>> =
            HashMap::new();
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let settings = shared.lock().webhooks.clone();
            if !settings.enabled {
                continue;
            }
            let body = event
                .envelope(&shared.settings.serial, shared.settings.msg_as_object)
                .to_string();
            for t in settings
                .targets
                .iter()
                .filter(|t| t.event_ids.contains(&0) || t.event_ids.contains(&event.type_id))
            {
                let key = (t.url.clone(), t.secret.clone(), t.request_method.clone());
                let tx = workers.entry(key).or_insert_with(|| {
                    let (tx, mut jobs) = mpsc::unbounded_channel::<String>();
                    let shared = shared.clone();
                    let target = t.clone();
                    tokio::spawn(async move {
                        while let Some(body) = jobs.recv().await {
                            deliver(&shared, &target, &body).await;
                        }
                    });
                    tx
                });
                // A closed worker only happens at shutdown.
                let _ = tx.send(body.clone());
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_known_vector() {
        // RFC 4231 test case 2 (key "Jefe"): hex 5bdcc146…64ec3843, in Base64.
        let sig = sign("Jefe", b"what do ya want for nothing?");
        assert_eq!(sig, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    }
}
