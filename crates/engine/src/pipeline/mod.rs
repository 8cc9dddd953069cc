//! The running integration's pipeline, as `serve`, the demo, the bench and
//! the tests all build it: which node ingests the PBX stream ([`lease`]),
//! ingest itself, and **one broadcast** of the call updates ingest produces,
//! read by the agents' live hub, PhoneBridge's notifier, the log and any
//! watcher.
//!
//! A running integration is one [`Generation`]: every task it starts runs
//! in its `JoinSet` under its `CancellationToken`, so stopping it (a console
//! change, shutdown, the end of a test) stops all of them, and gives the
//! stream's lease up so the next generation, or another node, takes the
//! stream at once. A generation dropped without [`Generation::stop`] (a
//! start that failed half-way) aborts its tasks too; its lease expires.
//!
//! ```text
//! PBX events ─► Leader (lease) ─► Ingest ─► outbox (durable: jobs)
//!                                   │
//!                                   └─► live hub ─► broadcast ─┬─► PhoneBridge notifier
//!                                                              ├─► log
//!                                                              └─► feeds (demo view, tests)
//! ```

mod fanout;
mod lease;

pub use lease::node_id;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ringbridge_core::pbx::{Pbx, PbxEventSource};
use ringbridge_core::store::Storage;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use self::lease::{Leader, StreamLease};
use crate::context::EngineContext;
use crate::ingest::{IngestConfig, Ingested, StreamStatus};
use crate::live::LiveCalls;
use crate::phonebridge::PhoneBridgeNotifier;

/// How many updates the broadcast keeps for a slow subscriber.
const BROADCAST: usize = 4096;

/// How many updates ingest may get ahead of the fan-out (updates are
/// best-effort: ingest drops one rather than wait).
const INGEST_BACKLOG: usize = 1024;

/// How many live updates may wait for PhoneBridge's notifier before new
/// ones are dropped (their terminals are still queued by the calls'
/// processing).
const NOTIFY_BACKLOG: usize = 1024;

/// The PBX side a generation ingests.
pub struct PbxStream {
    pub store: Arc<dyn Storage>,
    pub pbx: Arc<dyn Pbx>,
    pub source: Arc<dyn PbxEventSource>,
    pub ingest: IngestConfig,
    /// The stream lease's time to live: how soon a standby node takes over
    /// from one that died.
    pub lease_ttl: Duration,
}

/// One running integration: its tasks, its call updates, its stream lease.
pub struct Generation {
    cancel: CancellationToken,
    tasks: JoinSet<()>,
    updates: broadcast::Sender<Ingested>,
    /// Ingest's output until [`Self::fan_out`] starts moving it.
    ingested: Option<(mpsc::Sender<Ingested>, mpsc::Receiver<Ingested>)>,
    live: Option<Arc<LiveCalls>>,
    lease: Option<StreamLease>,
}

impl Generation {
    /// A generation stopped when `cancel` is (or by [`Self::stop`]).
    pub fn new(cancel: CancellationToken) -> Self {
        Self {
            cancel,
            tasks: JoinSet::new(),
            updates: broadcast::channel(BROADCAST).0,
            ingested: Some(mpsc::channel(INGEST_BACKLOG)),
            live: None,
            lease: None,
        }
    }

    /// The token that stops this generation.
    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Runs `task` until it ends or the generation stops.
    pub fn spawn(&mut self, task: impl Future<Output = ()> + Send + 'static) {
        let cancel = self.cancel.clone();
        self.spawn_until(&cancel, task);
    }

    /// Runs `task` until it ends, `stop` is cancelled or the generation
    /// stops (`stop` should be a child of [`Self::cancel_token`]).
    pub fn spawn_until(
        &mut self,
        stop: &CancellationToken,
        task: impl Future<Output = ()> + Send + 'static,
    ) {
        let stop = stop.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = task => {}
            }
        });
    }

    /// Starts consuming `stream` under its lease (standing by while another
    /// node holds it). Updates wait for [`Self::fan_out`].
    pub fn ingest(&mut self, stream: PbxStream) -> watch::Receiver<StreamStatus> {
        let (status_tx, status) = watch::channel(StreamStatus::Starting);
        let Some((tx, _)) = &self.ingested else {
            tracing::error!("ingest started after the fan-out; its updates go nowhere");
            return status;
        };
        let lease = StreamLease::new(stream.store.clone(), &stream.ingest.pbx_id);
        let leader = Leader {
            lease: lease.name.clone(),
            holder: lease.holder.clone(),
            ttl: stream.lease_ttl,
            store: stream.store,
            pbx: stream.pbx,
            source: stream.source,
            ingest: stream.ingest,
            updates: tx.clone(),
            status: status_tx,
        };
        self.lease = Some(lease);
        self.spawn(leader.run());
        status
    }

    /// The agents' live hub: it sees each update before the subscribers do.
    pub fn with_live(&mut self, live: Arc<LiveCalls>) {
        self.live = Some(live);
    }

    /// A receiver of every call update from now on. Subscribe before
    /// [`Self::fan_out`] to see the first.
    pub fn subscribe(&self) -> broadcast::Receiver<Ingested> {
        self.updates.subscribe()
    }

    /// Every update into a channel of `capacity` (a full one drops it).
    pub fn feed(&mut self, capacity: usize) -> mpsc::Receiver<Ingested> {
        let (tx, rx) = mpsc::channel(capacity);
        let updates = self.subscribe();
        self.spawn(fanout::feed(updates, tx));
        rx
    }

    /// One log line per call change.
    pub fn log_calls(&mut self) {
        let updates = self.subscribe();
        self.spawn(fanout::log_calls(updates));
    }

    /// Runs PhoneBridge's notifier on the updates (while the engine is in
    /// PhoneBridge mode). Returns the token that stops it alone.
    pub fn notify_phonebridge(
        &mut self,
        notifier: PhoneBridgeNotifier,
        ctx: Arc<EngineContext>,
    ) -> CancellationToken {
        let stop = self.cancel.child_token();
        let (tx, rx) = mpsc::channel(NOTIFY_BACKLOG);
        let updates = self.subscribe();
        self.spawn_until(&stop, async move { notifier.run(rx).await });
        self.spawn_until(&stop, fanout::offer_phonebridge(updates, ctx, tx));
        stop
    }

    /// Starts moving ingest's updates to the live hub and the subscribers.
    pub fn fan_out(&mut self) {
        if let Some((_, rx)) = self.ingested.take() {
            let (live, updates) = (self.live.clone(), self.updates.clone());
            self.spawn(fanout::pump(rx, live, updates));
        }
    }

    /// Stops every task, then gives the stream's lease up (after ingest
    /// stopped, so it cannot renew it after).
    pub async fn stop(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
        if let Some(lease) = &self.lease {
            lease.release().await;
        }
    }
}
