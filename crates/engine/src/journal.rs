//! The PBX event journal, written off the hot path.
//!
//! The journal records what the PBX said (for diagnosis); nothing reads it
//! to decide what to do — calls are made durable by their outbox job, and
//! a gap is repaired from the PBX's call records. So ingest tracks a frame
//! (and pops it to the agents) first, and hands it to this writer, which
//! stores whatever has accumulated in one transaction: one disk sync for a
//! burst of frames instead of one each, and a screen pop that never waits
//! for the disk.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ringbridge_core::pbx::PbxEvent;
use ringbridge_core::store::Storage;
use tokio::sync::mpsc;

/// Bursts of frames buffered before ingest waits for the writer
/// (backpressure keeps the journal complete rather than dropping entries
/// under load); ingest hands over a burst at a time, one hop per burst.
const BUFFER: usize = 64;
/// At most this many frames per transaction.
const BATCH: usize = 1_024;

/// Ingest's side of the journal writer.
#[derive(Clone)]
pub struct JournalWriter {
    tx: mpsc::Sender<Vec<(DateTime<Utc>, PbxEvent)>>,
}

impl JournalWriter {
    /// Starts the writer task for `pbx`'s events; it ends when every
    /// handle is dropped, after writing what was sent.
    pub fn spawn(store: Arc<dyn Storage>, pbx: String) -> Self {
        Self::start(store, pbx).0
    }

    fn start(store: Arc<dyn Storage>, pbx: String) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(BUFFER);
        let task = tokio::spawn(write_batches(store, pbx, rx));
        (Self { tx }, task)
    }

    /// Queues one event; waits only when the writer is far behind.
    pub async fn record(&self, received_at: DateTime<Utc>, event: PbxEvent) {
        self.record_many(vec![(received_at, event)]).await;
    }

    /// Queues events in their order; waits only when the writer is far behind.
    pub async fn record_many(&self, events: Vec<(DateTime<Utc>, PbxEvent)>) {
        if events.is_empty() {
            return;
        }
        let n = events.len();
        if self.tx.send(events).await.is_err() {
            tracing::warn!(
                events = n,
                "the event journal writer has stopped; events are not journaled"
            );
        }
    }
}

async fn write_batches(
    store: Arc<dyn Storage>,
    pbx: String,
    mut rx: mpsc::Receiver<Vec<(DateTime<Utc>, PbxEvent)>>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = rx.recv().await {
        batch.extend(first);
        // Whatever else is waiting goes in the same transaction.
        while batch.len() < BATCH
            && let Ok(more) = rx.try_recv()
        {
            batch.extend(more);
        }
        match store.journal_events(&pbx, &batch).await {
            Ok(()) => {
                metrics::counter!("ringbridge_journal_events_total", "result" => "written")
                    .increment(batch.len() as u64);
            }
            Err(e) => {
                // Diagnostic data only: log and go on rather than stall calls.
                tracing::warn!(%pbx, error = %e, events = batch.len(), "events not journaled");
                metrics::counter!("ringbridge_journal_events_total", "result" => "failed")
                    .increment(batch.len() as u64);
            }
        }
        batch.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringbridge_core::pbx::{CallId, CallSnapshot};
    use ringbridge_store::testing::fresh_stores;

    fn event(id: &str) -> PbxEvent {
        PbxEvent::CallState(CallSnapshot {
            call_id: CallId::from(id),
            participants: vec![],
        })
    }

    #[tokio::test]
    async fn every_queued_event_is_written_once_and_old_ones_are_pruned() {
        for (store, _db) in fresh_stores().await {
            let store: Arc<dyn Storage> = Arc::new(store);
            let (writer, task) = JournalWriter::start(store.clone(), "pbx1".into());
            let old = Utc::now() - chrono::Duration::days(30);
            for i in 0..2_500 {
                let at = if i < 500 { old } else { Utc::now() };
                writer.record(at, event(&format!("c{i}"))).await;
            }
            drop(writer);
            task.await.unwrap();
            let week_ago = Utc::now() - chrono::Duration::days(7);
            assert_eq!(store.prune_journal(week_ago).await.unwrap(), 500);
            let tomorrow = Utc::now() + chrono::Duration::days(1);
            assert_eq!(store.prune_journal(tomorrow).await.unwrap(), 2_000);
        }
    }
}
