//! Which node ingests: the PBX stream's lease. Of several nodes on one
//! database exactly one consumes the PBX's event stream (two would queue
//! every call twice and split the live pops); the others stand by. The
//! holder renews the lease every third of its time to live; when it dies
//! the lease expires and a standby takes over, catching the gap up from
//! the PBX's call records like after any other gap.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ringbridge_core::pbx::{Pbx, PbxEventSource};
use ringbridge_core::store::Storage;
use tokio::sync::{mpsc, watch};

use crate::context::host_name;
use crate::ingest::{Ingest, IngestConfig, IngestError, Ingested, StreamStatus};

/// The lease a generation holds (or waits for): `ingest:<pbx id>`.
pub(crate) struct StreamLease {
    pub(crate) store: Arc<dyn Storage>,
    pub(crate) name: String,
    pub(crate) holder: String,
}

impl StreamLease {
    pub(crate) fn new(store: Arc<dyn Storage>, pbx_id: &str) -> Self {
        Self {
            store,
            name: format!("ingest:{pbx_id}"),
            holder: node_id(),
        }
    }

    /// Gives the lease up, so that the next generation (the admin console
    /// applying a change) consumes the stream at once instead of standing
    /// by until the lease expires. Stop the ingest task first.
    pub(crate) async fn release(&self) {
        if let Err(err) = self.store.release_lease(&self.name, &self.holder).await {
            tracing::warn!(error = %err, "could not give up the PBX stream lease; it expires by itself");
        }
    }
}

/// A lease holder's id: the host, the process, and the start, so that a
/// restarted process is a new holder (it waits for its old lease to expire
/// or be given up).
pub fn node_id() -> String {
    format!(
        "{}-{}-{}",
        host_name(),
        std::process::id(),
        Utc::now().timestamp_millis()
    )
}

/// What a node that does not hold the lease reports.
fn standby() -> StreamStatus {
    StreamStatus::Disconnected {
        since: Utc::now(),
        reason: "standby: another node consumes the PBX stream".into(),
    }
}

/// Consumes the PBX's event stream while this node holds the stream's lease.
pub(crate) struct Leader {
    pub(crate) lease: String,
    pub(crate) holder: String,
    pub(crate) ttl: Duration,
    pub(crate) store: Arc<dyn Storage>,
    pub(crate) pbx: Arc<dyn Pbx>,
    pub(crate) source: Arc<dyn PbxEventSource>,
    pub(crate) ingest: IngestConfig,
    pub(crate) updates: mpsc::Sender<Ingested>,
    pub(crate) status: watch::Sender<StreamStatus>,
}

impl Leader {
    pub(crate) async fn run(self) {
        let renew_every = self.ttl / 3;
        loop {
            match self
                .store
                .try_lease(&self.lease, &self.holder, self.ttl, Utc::now())
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    self.status.send_replace(standby());
                    tokio::time::sleep(renew_every).await;
                    continue;
                }
                Err(err) => {
                    tracing::error!(error = %err, "cannot take the PBX stream lease");
                    tokio::time::sleep(renew_every).await;
                    continue;
                }
            }
            tracing::info!(holder = %self.holder, "this node consumes the PBX event stream");
            let ingest = Ingest::new(
                self.ingest.clone(),
                self.store.clone(),
                self.pbx.clone(),
                self.updates.clone(),
            );
            let mut term_status = ingest.status();
            let forward = {
                let status = self.status.clone();
                tokio::spawn(async move {
                    loop {
                        status.send_replace(term_status.borrow_and_update().clone());
                        if term_status.changed().await.is_err() {
                            return;
                        }
                    }
                })
            };
            let stream = self.source.events();
            let outcome = tokio::select! {
                result = ingest.run(stream) => Some(result),
                () = self.hold_lease(renew_every) => None,
            };
            forward.abort();
            match outcome {
                Some(Err(IngestError::SourceFailed(reason))) => {
                    self.status.send_replace(StreamStatus::Failed { reason });
                    let _ = self.store.release_lease(&self.lease, &self.holder).await;
                    return;
                }
                Some(Err(err)) => {
                    tracing::error!(error = %err, "PBX event ingest stopped; restarting")
                }
                Some(Ok(())) => tracing::warn!("PBX event stream ended; restarting"),
                None => {
                    // Said at once: another node may be consuming already.
                    self.status.send_replace(standby());
                    tracing::warn!("lost the PBX stream lease; standing by")
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Renews the lease until it is lost.
    async fn hold_lease(&self, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            match self
                .store
                .try_lease(&self.lease, &self.holder, self.ttl, Utc::now())
                .await
            {
                Ok(true) => {}
                Ok(false) => return,
                // A database hiccup: keep going while the lease may still be ours.
                Err(err) => tracing::warn!(error = %err, "could not renew the PBX stream lease"),
            }
        }
    }
}
