//! The agent panel's live feed: `GET /api/calls/stream`, Server-Sent Events
//! of the calls at the signed-in agent's extension — the current ones
//! first, then every change. One JSON [`AgentEvent`] per `data:` line.
//!
//! The stream ends when the reader falls too far behind; the browser's
//! `EventSource` reconnects by itself and gets a fresh snapshot, which is
//! simpler and safer than replaying a gap.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use ringbridge_engine::live::{AgentEvent, AgentFeed, LiveCalls};
use tokio::sync::mpsc;

use super::{Refusal, agent_extension, refusal};
use crate::AppState;
use crate::auth::CurrentUser;

/// Comments sent on a quiet stream so proxies do not close it.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Events buffered between the hub and one slow connection.
const BUFFER: usize = 64;

pub async fn stream(user: CurrentUser, State(state): State<AppState>) -> Result<Response, Refusal> {
    let Some(live) = state.live.clone() else {
        return Err(refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "live_calls_unavailable",
            "Live calls are not available: no PBX is connected.",
        ));
    };
    let extension = agent_extension(&user)?;
    Ok(Sse::new(feed(&live, &extension))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}

/// Starts forwarding the extension's snapshot and live events into a stream.
fn feed(live: &Arc<LiveCalls>, extension: &str) -> EventStream {
    let (snapshot, agent_feed) = live.subscribe(extension);
    let (tx, rx) = mpsc::channel(BUFFER);
    tokio::spawn(forward(snapshot, agent_feed, tx));
    EventStream(rx)
}

async fn forward(snapshot: Vec<AgentEvent>, mut feed: AgentFeed, tx: mpsc::Sender<Event>) {
    for event in snapshot {
        if tx.send(to_sse(&event)).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            // The connection closed: stop now rather than at the next call.
            () = tx.closed() => return,
            next = feed.recv() => match next {
                Ok(event) => {
                    if tx.send(to_sse(&event)).await.is_err() {
                        return;
                    }
                }
                Err(err) => {
                    tracing::debug!(error = %err, "live call stream ends; the panel reconnects");
                    return;
                }
            },
        }
    }
}

fn to_sse(event: &AgentEvent) -> Event {
    match serde_json::to_string(event) {
        Ok(json) => Event::default().data(json),
        // Plain strings, bools and enums cannot fail to serialize; say so
        // on the stream instead of dropping an event silently.
        Err(err) => Event::default().event("error").data(err.to_string()),
    }
}

/// The SSE body: the receiving end of [`forward`].
struct EventStream(mpsc::Receiver<Event>);

impl futures_core::Stream for EventStream {
    type Item = Result<Event, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|event| event.map(Ok))
    }
}
