//! Pre-encoded frames for load tests: a bench that encodes each frame once
//! hands batches of them to the subscribed WebSocket, which writes a batch
//! and flushes once, instead of the bus encoding every event per delivery
//! and flushing it alone. Everything else is the ordinary session: the same
//! path, the token checked at the handshake, the subscribe (only subscribed
//! topics go out), heartbeats and the 10004 push at token expiry.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::state::Shared;

/// One frame as the PBX sends it: the envelope's text and its event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedFrame {
    pub type_id: u32,
    pub text: String,
}

/// Where a feed waits for the socket that takes it.
pub(crate) type FeedSlot = Mutex<Option<mpsc::Receiver<Vec<EncodedFrame>>>>;

/// The sending side of a feed (see [`crate::SimYeastar::frame_feed`]).
#[derive(Debug, Clone)]
pub struct FrameFeed {
    tx: mpsc::Sender<Vec<EncodedFrame>>,
}

impl FrameFeed {
    pub(crate) fn install(shared: &Shared, batches: usize) -> Self {
        let (tx, rx) = mpsc::channel(batches.max(1));
        *relock(&shared.feed) = Some(rx);
        Self { tx }
    }

    /// Queues a batch for the socket; waits while `batches` are queued.
    /// Err: the simulator is gone.
    pub async fn send(&self, batch: Vec<EncodedFrame>) -> Result<(), FeedClosed> {
        self.tx.send(batch).await.map_err(|_| FeedClosed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the simulator's frame feed is closed")]
pub struct FeedClosed;

/// A socket's hold on the feed: given back when the session ends, so a
/// replacement socket (reconnect, token rotation) carries on with it.
pub(crate) struct Taken {
    shared: Arc<Shared>,
    pub rx: Option<mpsc::Receiver<Vec<EncodedFrame>>>,
}

impl Taken {
    pub fn take(shared: &Arc<Shared>) -> Self {
        Self {
            rx: relock(&shared.feed).take(),
            shared: shared.clone(),
        }
    }

    /// The next batch; pending forever without a feed.
    pub async fn next(&mut self) -> Option<Vec<EncodedFrame>> {
        match &mut self.rx {
            Some(rx) => rx.recv().await,
            None => std::future::pending().await,
        }
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        if let Some(rx) = self.rx.take() {
            let mut slot = relock(&self.shared.feed);
            if slot.is_none() {
                *slot = Some(rx);
            }
        }
    }
}

fn relock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
