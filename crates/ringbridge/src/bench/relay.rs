//! The floor for screen-pop latency: a bare relay that holds the same
//! Yeastar WebSocket subscription as ringbridge and forwards every frame,
//! untouched, as one Server-Sent Event. No parsing, no storage, no lookup:
//! whatever ringbridge takes beyond this is its own cost.

use std::convert::Infallible;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::response::sse::{Event, Sse};
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use ringbridge_sim_yeastar::SimYeastar;
use ringbridge_sim_yeastar::events::ids;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Frames the relay may buffer for a slow reader (a lagging reader skips).
const BUFFER: usize = 4096;
/// Well inside the simulator's idle timeout.
const HEARTBEAT: Duration = Duration::from_secs(20);

pub struct Relay {
    /// The SSE endpoint clients read.
    pub url: String,
    socket: JoinHandle<()>,
    http: JoinHandle<std::io::Result<()>>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.socket.abort();
        self.http.abort();
    }
}

/// Logs in to the simulated PBX, subscribes to call-state frames and
/// starts serving them as SSE on loopback.
pub async fn start(sim: &SimYeastar) -> Result<Relay> {
    let token = access_token(sim).await?;
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("{}?access_token={token}", sim.ws_url()))
            .await
            .context("the relay's WebSocket to the simulator")?;
    let subscribe = serde_json::json!({ "topic_list": [ids::CALL_STATE] }).to_string();
    ws.send(Message::Text(subscribe.into())).await?;
    // The subscription holds once the PBX answered it.
    match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
        Ok(Some(Ok(Message::Text(reply)))) if reply.as_str().contains("\"errcode\":0") => {}
        other => bail!("the relay's subscription was not accepted: {other:?}"),
    }
    let (sender, _) = broadcast::channel::<String>(BUFFER);
    let forward = sender.clone();
    let socket = tokio::spawn(async move {
        let mut beat = tokio::time::interval(HEARTBEAT);
        loop {
            tokio::select! {
                _ = beat.tick() => {
                    if ws.send(Message::Text("heartbeat".into())).await.is_err() {
                        return;
                    }
                }
                frame = ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        // Nobody reading is fine: the frame is dropped.
                        let _ = forward.send(text.as_str().to_owned());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return,
                },
            }
        }
    });
    let app = Router::new().route(
        "/stream",
        get(move || {
            let receiver = sender.subscribe();
            async move { Sse::new(frames(receiver)) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/stream", listener.local_addr()?);
    let http = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Relay { url, socket, http })
}

fn frames(
    receiver: broadcast::Receiver<String>,
) -> impl futures_util::Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(text) => return Some((Ok(Event::default().data(text)), receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

/// `POST get_token` with the API client's credentials, as any Yeastar
/// OpenAPI client does.
async fn access_token(sim: &SimYeastar) -> Result<String> {
    let reply: serde_json::Value = reqwest::Client::builder()
        // The OpenAPI refuses requests without a User-Agent.
        .user_agent("ringbridge-bench-relay")
        .build()?
        .post(format!("{}/openapi/v1.0/get_token", sim.base_url()))
        .json(&serde_json::json!({
            "username": sim.client_id(),
            "password": sim.client_secret(),
        }))
        .send()
        .await?
        .json()
        .await?;
    reply["access_token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no access token from the simulator: {reply}"))
}

/// The call id of a relayed 30011 frame, `msg` being a JSON string or an object.
pub fn call_state_id(frame: &str) -> Option<String> {
    let envelope: serde_json::Value = serde_json::from_str(frame).ok()?;
    if envelope["type"] != ids::CALL_STATE {
        return None;
    }
    let msg = match &envelope["msg"] {
        serde_json::Value::String(text) => serde_json::from_str(text).ok()?,
        other => other.clone(),
    };
    msg["call_id"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_id_is_read_from_string_and_object_messages() {
        let string = r#"{"type":30011,"sn":"X","msg":"{\"call_id\":\"9.1\"}"}"#;
        let object = r#"{"type":30011,"sn":"X","msg":{"call_id":"9.2"}}"#;
        assert_eq!(call_state_id(string).as_deref(), Some("9.1"));
        assert_eq!(call_state_id(object).as_deref(), Some("9.2"));
        assert_eq!(
            call_state_id(r#"{"type":30012,"msg":{"call_id":"9.3"}}"#),
            None
        );
        assert_eq!(call_state_id("heartbeat response"), None);
    }
}
