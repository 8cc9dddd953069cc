//! WebSocket event subscription (docs/yeastar-api.md §4.1):
//! `/openapi/v1.0/subscribe?access_token=`.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::ws::{
    Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use crate::codes::ApiError;
use crate::state::Shared;

#[derive(Deserialize)]
struct Subscribe {
    topic_list: Vec<u32>,
}

/// Upgrade handler: the token is checked at the handshake; a bad one gets the usual HTTP 200
/// errcode body instead of `101`.
pub fn upgrade(
    shared: Arc<Shared>,
    token: Option<&str>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if crate::faults::ws_refused(&shared) {
        return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let info = match shared.auth().validate(token, shared.clock.now()) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    match ws {
        Ok(ws) => ws
            .on_upgrade(move |socket| session(shared, socket, info))
            .into_response(),
        Err(_) => ApiError::ParameterError.into_response(),
    }
}

/// Keeps the open-socket counter right however the session ends.
struct Open(Arc<Shared>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.ws_open.fetch_sub(1, Ordering::SeqCst);
    }
}

fn text(v: &serde_json::Value) -> Message {
    Message::Text(v.to_string().into())
}

async fn session(shared: Arc<Shared>, socket: WebSocket, info: crate::auth::AccessInfo) {
    shared.ws_open.fetch_add(1, Ordering::SeqCst);
    let _open = Open(shared.clone());
    let (mut tx, mut rx) = socket.split();
    // Subscribed only from now on: nothing published earlier is replayed.
    let mut events = shared.bus.subscribe();
    let mut kill = shared.ws_kill.subscribe();
    let mut tokens_expired = shared.tokens_expired.subscribe();
    let mut topics: HashSet<u32> = HashSet::new();
    let mut feed = crate::feed::Taken::take(&shared);
    let idle = shared.settings.ws_idle_timeout;
    let mut deadline = Instant::now() + idle;
    let mut expired = false;
    let clock = shared.clock.clone();
    let expiry = clock.sleep_until(info.expires_at);
    tokio::pin!(expiry);
    loop {
        let out = tokio::select! {
            () = tokio::time::sleep_until(deadline) => {
                // Idle timeout: the PBX closes the socket.
                let _ = tx.send(Message::Close(None)).await;
                return;
            }
            _ = kill.changed() => return, // server-side drop, no close handshake
            () = &mut expiry, if !expired => {
                expired = true;
                Some(text(&ApiError::TokenExpired.body()))
            }
            _ = tokens_expired.changed(), if !expired => {
                // Expired by a fault: same push as a natural expiry.
                let token = Some(info.token.as_str());
                let valid = shared.auth().validate(token, shared.clock.now()).is_ok();
                expired = !valid;
                (!valid).then(|| text(&ApiError::TokenExpired.body()))
            }
            batch = feed.next(), if feed.rx.is_some() => {
                let Some(batch) = batch else {
                    feed.rx = None; // the feeding side is done
                    continue;
                };
                if expired {
                    continue;
                }
                // The whole batch is written, then flushed once.
                for frame in batch.into_iter().filter(|f| topics.contains(&f.type_id)) {
                    if tx.feed(Message::Text(frame.text.into())).await.is_err() {
                        return;
                    }
                }
                if tx.flush().await.is_err() {
                    return;
                }
                None
            }
            ev = events.recv() => match ev {
                Ok(e) if !expired && topics.contains(&e.type_id) => Some(text(
                    &e.envelope(&shared.settings.serial, shared.settings.msg_as_object),
                )),
                Ok(_) | Err(RecvError::Lagged(_)) => None,
                Err(RecvError::Closed) => return,
            },
            msg = rx.next() => {
                let Some(Ok(msg)) = msg else { return };
                deadline = Instant::now() + idle;
                match msg {
                    // Surrounding whitespace (a trailing newline) still makes a heartbeat.
                    Message::Text(t) if t.as_str().trim() == "heartbeat" => {
                        Some(Message::Text("heartbeat response".into()))
                    }
                    Message::Text(t) => Some(text(&match serde_json::from_str::<Subscribe>(t.as_str()) {
                        Ok(_) if expired => ApiError::TokenExpired.body(),
                        Ok(s) => {
                            // Each subscribe replaces the previous set.
                            topics = s.topic_list.into_iter().collect();
                            json!({"errcode": 0, "errmsg": "SUCCESS"})
                        }
                        Err(_) => ApiError::ParameterError.body(),
                    })),
                    Message::Binary(_) => Some(text(&ApiError::ParameterError.body())),
                    Message::Close(_) => return,
                    Message::Ping(_) | Message::Pong(_) => None,
                }
            }
        };
        if let Some(m) = out
            && tx.send(m).await.is_err()
        {
            return;
        }
    }
}
