//! One WebSocket connection to the PBX: handshake, subscribe, heartbeat,
//! read. It reports to the supervisor through a channel and ends on the
//! first problem; replacing it is the supervisor's job.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures_util::{FutureExt, SinkExt, StreamExt};
use ringbridge_core::pbx::EventSourceItem;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep_until, timeout, timeout_at};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};
use tokio_tungstenite::{
    Connector, MaybeTlsStream, WebSocketStream, connect_async_tls_with_config,
};
use url::Url;

use crate::config::EventStreamConfig;
use crate::dedupe::RecentSet;
use crate::error::ApiError;
use crate::events::{WsFrame, classify_ws_frame, parse_event};

/// Frames read at once when more are already waiting: handed on as one
/// message, so a burst costs one hop to the supervisor (and on to ingest)
/// instead of one per frame.
pub(crate) const READ_BATCH: usize = 64;

/// An item and the hash of the frame it came from.
pub(crate) type Keyed = (Option<u64>, EventSourceItem);

/// What a connection tells the supervisor.
#[derive(Debug)]
pub(crate) enum ConnMsg {
    /// The subscribe was acknowledged: events flow from here on.
    Subscribed { id: u64 },
    /// Items read from the socket in one go (at most [`READ_BATCH`]), each
    /// with the hash of its raw frame (for dropping the copy a second
    /// socket delivers during a rotation).
    Items { id: u64, items: Vec<Keyed> },
    Ended {
        id: u64,
        end: ConnEnd,
        /// When the PBX was last heard on this socket: events after that may
        /// be lost (a dead socket is only noticed a heartbeat later).
        last_heard: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnEnd {
    /// 10004 frame, or the handshake refused the token: renew, reconnect.
    TokenExpired,
    /// The PBX refused this host (70004 / 70087): stop.
    Denied(String),
    /// Anything else: reconnect with backoff.
    Lost(String),
    /// The supervisor asked it to close.
    Stopped,
}

/// Everything a connection needs that does not change between attempts.
#[derive(Debug, Clone)]
pub(crate) struct ConnSettings {
    pub cfg: Arc<EventStreamConfig>,
    pub timezone: Tz,
    pub user_agent: String,
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

/// Handle to a running connection; dropping it closes the socket.
#[derive(Debug)]
pub(crate) struct ConnHandle {
    pub id: u64,
    stop: Option<oneshot::Sender<()>>,
}

impl ConnHandle {
    /// Closes the socket politely.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            // Err: the connection already ended; nothing to stop.
            let _ = stop.send(());
        }
    }
}

pub(crate) fn spawn(
    id: u64,
    url: Url,
    settings: ConnSettings,
    out: mpsc::Sender<ConnMsg>,
) -> ConnHandle {
    let (stop_tx, stop_rx) = oneshot::channel();
    tokio::spawn(async move {
        let mut last_heard = Utc::now();
        let end = run(id, url, &settings, &out, stop_rx, &mut last_heard).await;
        // Err: the supervisor is gone and needs no news.
        let _ = out
            .send(ConnMsg::Ended {
                id,
                end,
                last_heard,
            })
            .await;
    });
    ConnHandle {
        id,
        stop: Some(stop_tx),
    }
}

async fn run(
    id: u64,
    url: Url,
    settings: &ConnSettings,
    out: &mpsc::Sender<ConnMsg>,
    mut stop: oneshot::Receiver<()>,
    last_heard: &mut DateTime<Utc>,
) -> ConnEnd {
    let cfg = &settings.cfg;
    let mut request = match url.as_str().into_client_request() {
        Ok(request) => request,
        Err(e) => return ConnEnd::Lost(format!("bad WebSocket URL: {e}")),
    };
    match settings.user_agent.parse() {
        Ok(ua) => {
            request.headers_mut().insert("User-Agent", ua);
        }
        Err(_) => return ConnEnd::Lost("User-Agent is not a valid header value".into()),
    }
    let connector = match &settings.tls {
        Some(tls) => Connector::Rustls(Arc::clone(tls)),
        None => Connector::Plain,
    };
    // Frames over our limit are reported and skipped; tungstenite's own
    // limit (a multiple of ours) only guards memory against absurd frames.
    let hard_limit = cfg.max_frame_bytes.saturating_mul(4).max(64 * 1024);
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(hard_limit))
        .max_frame_size(Some(hard_limit));
    let connect = connect_async_tls_with_config(request, Some(ws_config), true, Some(connector));
    let mut socket = match timeout(cfg.connect_timeout, connect).await {
        Err(_) => return ConnEnd::Lost("WebSocket handshake timed out".into()),
        Ok(Err(tungstenite::Error::Http(response))) => {
            return refused_handshake(response.status().as_u16(), response.body().as_deref());
        }
        Ok(Err(e)) => return ConnEnd::Lost(format!("WebSocket handshake: {e}")),
        Ok(Ok((socket, _response))) => socket,
    };
    let subscribe = serde_json::json!({ "topic_list": cfg.topics }).to_string();
    if let Err(e) = socket.send(Message::text(subscribe)).await {
        return ConnEnd::Lost(format!("sending subscribe: {e}"));
    }
    let mut subscribed = false;
    let subscribe_deadline = Instant::now() + cfg.connect_timeout;
    let mut heartbeat = interval_at(
        Instant::now() + cfg.heartbeat_interval,
        cfg.heartbeat_interval,
    );
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Set while a heartbeat waits for an answer (any frame counts).
    let mut answer_due: Option<Instant> = None;
    let far = || Instant::now() + Duration::from_secs(365 * 24 * 3600);

    loop {
        let deadline = match (subscribed, answer_due) {
            (false, due) => due.map_or(subscribe_deadline, |d| d.min(subscribe_deadline)),
            (true, Some(due)) => due,
            (true, None) => far(),
        };
        tokio::select! {
            _ = &mut stop => {
                if socket.close(None).await.is_ok() {
                    drain(id, &mut socket, settings, out).await;
                }
                return ConnEnd::Stopped;
            }
            _ = heartbeat.tick() => {
                if let Err(e) = socket.send(Message::text("heartbeat")).await {
                    return ConnEnd::Lost(format!("sending heartbeat: {e}"));
                }
                answer_due.get_or_insert(Instant::now() + cfg.heartbeat_timeout);
            }
            _ = sleep_until(deadline) => {
                return ConnEnd::Lost(if subscribed {
                    "no answer to the heartbeat: the socket is dead".into()
                } else {
                    "no answer to the subscribe".into()
                });
            }
            message = socket.next() => {
                answer_due = None;
                *last_heard = Utc::now();
                // This frame and those already read behind it, in order.
                let mut batch = Vec::new();
                let mut next = Some(message);
                let mut read = 0;
                while let Some(message) = next.take() {
                    read += 1;
                    let step = on_message(id, message, settings, &mut subscribed, &mut batch);
                    if !matches!(step, Step::Go) && !send_items(id, &mut batch, out).await {
                        return ConnEnd::Stopped;
                    }
                    match step {
                        Step::Go => {}
                        Step::Subscribed => {
                            if out.send(ConnMsg::Subscribed { id }).await.is_err() {
                                return ConnEnd::Stopped;
                            }
                        }
                        Step::End(end) => return end,
                    }
                    if read < READ_BATCH {
                        next = socket.next().now_or_never();
                    }
                }
                if !send_items(id, &mut batch, out).await {
                    return ConnEnd::Stopped;
                }
            }
        }
    }
}

/// What reading one message leads to.
enum Step {
    Go,
    Subscribed,
    End(ConnEnd),
}

/// Handles one message from the socket; items go to `batch`.
fn on_message(
    id: u64,
    message: Option<Result<Message, tungstenite::Error>>,
    settings: &ConnSettings,
    subscribed: &mut bool,
    batch: &mut Vec<Keyed>,
) -> Step {
    let text = match message {
        None => return Step::End(ConnEnd::Lost("the PBX closed the stream".into())),
        Some(Err(tungstenite::Error::Capacity(e))) => {
            let item = EventSourceItem::Malformed {
                reason: format!("WebSocket frame too large: {e}"),
            };
            // The socket cannot go on after this; report, then reconnect.
            batch.push((None, item));
            return Step::End(ConnEnd::Lost(format!("frame too large: {e}")));
        }
        Some(Err(e)) => return Step::End(ConnEnd::Lost(format!("WebSocket: {e}"))),
        Some(Ok(Message::Close(frame))) => {
            let why = frame.map_or_else(
                || "no reason".to_owned(),
                |f| format!("{} {}", f.code, f.reason),
            );
            return Step::End(ConnEnd::Lost(format!("the PBX closed the socket ({why})")));
        }
        // Read in place: no copy of the frame per message.
        Some(Ok(Message::Text(text))) => text,
        Some(Ok(Message::Binary(bytes))) => match Utf8Bytes::try_from(bytes.clone()) {
            Ok(text) => text,
            Err(_) => {
                let item = EventSourceItem::Malformed {
                    reason: format!("binary WebSocket frame of {} bytes", bytes.len()),
                };
                batch.push((Some(RecentSet::key(&bytes)), item));
                return Step::Go;
            }
        },
        // Pings are answered by tungstenite; both prove life.
        Some(Ok(_)) => return Step::Go,
    };
    match handle_text(id, &text, settings, subscribed) {
        Handled::Nothing => Step::Go,
        Handled::Subscribed => Step::Subscribed,
        Handled::Item(item) => {
            batch.push((Some(RecentSet::key(text.as_bytes())), item));
            Step::Go
        }
        Handled::End(end) => Step::End(end),
    }
}

/// Hands the batch (if any) to the supervisor; false: it is gone.
async fn send_items(id: u64, batch: &mut Vec<Keyed>, out: &mpsc::Sender<ConnMsg>) -> bool {
    if batch.is_empty() {
        return true;
    }
    let items = std::mem::take(batch);
    out.send(ConnMsg::Items { id, items }).await.is_ok()
}

/// After our Close, frames the PBX sent before it saw it still arrive; they
/// may exist nowhere else (the replacement socket subscribed a moment
/// later), so they are passed on until the PBX closes or goes quiet.
async fn drain(
    id: u64,
    socket: &mut WebSocketStream<MaybeTlsStream<TcpStream>>,
    settings: &ConnSettings,
    out: &mpsc::Sender<ConnMsg>,
) {
    let deadline = Instant::now() + settings.cfg.heartbeat_timeout;
    let mut subscribed = true;
    while let Ok(Some(Ok(message))) = timeout_at(deadline, socket.next()).await {
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        if let Handled::Item(item) = handle_text(id, &text, settings, &mut subscribed) {
            let mut batch = vec![(Some(RecentSet::key(text.as_bytes())), item)];
            if !send_items(id, &mut batch, out).await {
                break;
            }
        }
    }
}

/// The PBX answered the upgrade with something else than `101`: how it
/// refuses a bad token there is undocumented (an HTTP 200 `errcode` body
/// or a 401/403 are both plausible), so the body's `errcode` decides.
fn refused_handshake(status: u16, body: Option<&[u8]>) -> ConnEnd {
    #[derive(serde::Deserialize)]
    struct Refusal {
        errcode: i64,
        #[serde(default)]
        errmsg: String,
    }
    let refusal = body.and_then(|b| serde_json::from_slice::<Refusal>(b).ok());
    match refusal.map(|r| ApiError::from_code(r.errcode, r.errmsg)) {
        Some(ApiError::TokenExpired(_)) => ConnEnd::TokenExpired,
        Some(api) if api.is_ip_refusal() => {
            ConnEnd::Denied(format!("the PBX refused this host: {api}"))
        }
        Some(api) => ConnEnd::Lost(format!("WebSocket handshake refused: {api}")),
        None if matches!(status, 401 | 403) => ConnEnd::TokenExpired,
        None => ConnEnd::Lost(format!("WebSocket handshake answered HTTP {status}")),
    }
}

enum Handled {
    Nothing,
    Subscribed,
    Item(EventSourceItem),
    End(ConnEnd),
}

fn handle_text(id: u64, text: &str, settings: &ConnSettings, subscribed: &mut bool) -> Handled {
    let limit = settings.cfg.max_frame_bytes;
    if text.len() > limit {
        return Handled::Item(EventSourceItem::Malformed {
            reason: format!(
                "frame of {} bytes exceeds the {limit}-byte limit",
                text.len()
            ),
        });
    }
    match classify_ws_frame(text) {
        WsFrame::HeartbeatResponse => Handled::Nothing,
        WsFrame::Reply { errcode: 0, .. } if !*subscribed => {
            *subscribed = true;
            Handled::Subscribed
        }
        WsFrame::Reply { errcode: 0, .. } => Handled::Nothing,
        WsFrame::Reply { errcode, errmsg } => {
            let api = ApiError::from_code(errcode, errmsg);
            if matches!(api, ApiError::TokenExpired(_)) {
                Handled::End(ConnEnd::TokenExpired)
            } else if api.is_ip_refusal() {
                Handled::End(ConnEnd::Denied(format!("the PBX refused this host: {api}")))
            } else if !*subscribed {
                Handled::End(ConnEnd::Lost(format!("subscribe refused: {api}")))
            } else {
                tracing::warn!(conn = id, error = %api, "PBX sent an error on the event socket");
                Handled::Nothing
            }
        }
        WsFrame::Event(event) => match parse_event(event, settings.timezone) {
            Ok(Some(event)) => Handled::Item(EventSourceItem::Event(event)),
            Ok(None) => Handled::Nothing,
            Err(e) => Handled::Item(EventSourceItem::Malformed { reason: e.0 }),
        },
    }
}
