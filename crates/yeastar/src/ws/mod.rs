//! The WebSocket event transport (docs/yeastar-api.md §4.1) behind core's
//! [`PbxEventSource`].

mod backoff;
mod conn;
mod supervisor;

use std::pin::Pin;
use std::sync::Arc;

use futures_core::Stream;
use ringbridge_core::pbx::{EventSourceItem, PbxEventSource};
use tokio::sync::mpsc;

pub use backoff::delay_for as backoff_delay;

use crate::client::YeastarClient;
use crate::config::EventStreamConfig;
use crate::stream::BatchStream;

/// Live PBX events over the OpenAPI WebSocket, sharing the client's token.
///
/// Every call to [`PbxEventSource::events`] opens its own socket (run by a
/// tokio task; call it inside a runtime). Dropping the stream closes it.
#[derive(Debug, Clone)]
pub struct YeastarEventSource {
    client: YeastarClient,
    cfg: Arc<EventStreamConfig>,
}

impl YeastarEventSource {
    pub fn new(client: YeastarClient, cfg: EventStreamConfig) -> Self {
        Self {
            client,
            cfg: Arc::new(cfg),
        }
    }
}

impl PbxEventSource for YeastarEventSource {
    fn events(&self) -> Pin<Box<dyn Stream<Item = EventSourceItem> + Send>> {
        let (tx, rx) = mpsc::channel(batches(self.cfg.channel_capacity));
        let task = tokio::spawn(supervisor::run(
            self.client.clone(),
            Arc::clone(&self.cfg),
            tx,
        ));
        Box::pin(BatchStream::new(rx, task))
    }
}

/// Channel slots: one per batch read from a socket (sparse traffic: one
/// item each, as before batching), each of at most [`conn::READ_BATCH`].
fn batches(capacity: usize) -> usize {
    capacity.max(1)
}
