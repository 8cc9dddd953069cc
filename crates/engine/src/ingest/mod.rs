//! The front door for PBX events.
//!
//! Live events go through the [`CallTracker`]; a call's end becomes a
//! durable `ProcessCall` job in the outbox, keyed by the PBX's call id —
//! enqueuing is the one step that makes a call "seen", so a crash before it
//! loses nothing (the call is caught up) and a repeat after it adds nothing.
//!
//! The enqueue and the checkpoint are written beside ingest ([`writer`]),
//! so a ringing frame never waits for the disk; what depends on them (a
//! call's `Ended` update, the checkpoint itself) waits for them instead.
//!
//! The PBX stream has no replay: events sent while ringbridge was
//! disconnected (or not running) are gone. So the stream's health is
//! checkpointed in the store, and on every (re)connect the PBX's call
//! records since the checkpoint are fetched and fed through the same path.

mod reconcile;
mod records;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use ringbridge_core::audit::AuditStore;
use ringbridge_core::pbx::{EventSourceItem, Pbx, PbxError, PbxEvent};
use ringbridge_core::store::{Storage, StoreError};
use ringbridge_core::tracker::{CallTracker, CallUpdate};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use self::reconcile::{Fetch, Fetched};
pub use self::records::group_by_call;
use self::writer::{EndWriter, Written};
use crate::journal::JournalWriter;

#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Which PBX this stream belongs to (call ids are unique per PBX only).
    pub pbx_id: String,
    /// How far before the checkpoint catch-up looks, so calls that started
    /// before a gap and ended during it are found too.
    pub catchup_lookback: chrono::Duration,
    /// How far past our own clock catch-up asks, since the PBX's clock may
    /// run ahead of ours (repeats are harmless: each call is queued once).
    pub clock_skew: chrono::Duration,
    /// How often the checkpoint advances while the stream is healthy, and
    /// how soon a failed catch-up is retried.
    pub tick: Duration,
    /// How often the PBX's recent call records are compared with what was
    /// queued, even without a reported gap: a safety net for events a PBX
    /// drops silently. `None` turns it off.
    pub reconcile_every: Option<Duration>,
    /// A finished call waits this long before processing, so a later, more
    /// complete end-of-call record from the PBX can replace the first.
    pub settle: chrono::Duration,
    /// How long the journal of raw PBX events is kept (it is for
    /// diagnosis; calls are durable through the outbox).
    pub journal_retention: chrono::Duration,
    /// How long the audit log of writes to outside systems is kept.
    pub audit_retention: chrono::Duration,
    /// The PBX's number plan: dialled numbers lose its outside-line prefix.
    pub number_plan: ringbridge_core::phone::NumberPlan,
}

impl IngestConfig {
    /// The default file's timing (`timing.default.toml`) for `pbx_id`.
    pub fn new(pbx_id: impl Into<String>) -> Self {
        crate::timing::Timing::default().ingest(pbx_id)
    }
}

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Live,
    /// Rebuilt from the PBX's call records after a gap.
    CatchUp,
}

/// A change of a live call, for people watching (panel, screen pops).
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub update: CallUpdate,
    pub origin: Origin,
}

/// The stream's state, for health checks and the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamStatus {
    Starting,
    Connected,
    Disconnected {
        since: DateTime<Utc>,
        reason: String,
    },
    /// The source gave up and needs a person (e.g. credentials refused).
    Failed {
        reason: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("the PBX event source failed permanently: {0}")]
    SourceFailed(String),
    #[error("cannot encode a call outcome: {0}")]
    Encode(#[source] ringbridge_core::job_payload::PayloadError),
}

pub struct Ingest {
    config: IngestConfig,
    store: Arc<dyn Storage>,
    pbx: Arc<dyn Pbx>,
    out: mpsc::Sender<Ingested>,
    status: watch::Sender<StreamStatus>,
    tracker: CallTracker,
    /// Start of a catch-up window that still has to be fetched.
    pending_catchup: Option<DateTime<Utc>>,
    /// The pending window is a routine reconciliation, not a gap repair.
    reconciling: bool,
    /// The reconciliation's request to the PBX, while it is in flight.
    reconciliation: Option<Fetch>,
    last_reconcile: tokio::time::Instant,
    connected: bool,
    /// Started with the first event (its task needs the runtime).
    journal: Option<JournalWriter>,
    /// Events of the burst being handled, journaled when it is done.
    to_journal: Vec<(DateTime<Utc>, PbxEvent)>,
    last_prune: Option<tokio::time::Instant>,
    /// The pruning of old entries, off ingest's path.
    chores: JoinSet<()>,
    /// Queues ended calls and writes the checkpoint, beside ingest.
    writer: EndWriter,
}

/// Live events handled before their ended calls are queued together.
const BURST: usize = 512;

/// How often old journal entries are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

impl Ingest {
    /// `out` receives live call updates; it is best-effort (a full channel
    /// drops updates, never blocks ingest). Durable work goes to the outbox.
    pub fn new(
        config: IngestConfig,
        store: Arc<dyn Storage>,
        pbx: Arc<dyn Pbx>,
        out: mpsc::Sender<Ingested>,
    ) -> Self {
        let (status, _) = watch::channel(StreamStatus::Starting);
        let tracker = CallTracker::with_plan(config.number_plan.clone());
        let writer = EndWriter::new(store.clone(), config.pbx_id.clone(), config.settle);
        Self {
            config,
            store,
            pbx,
            out,
            status,
            tracker,
            pending_catchup: None,
            reconciling: false,
            reconciliation: None,
            last_reconcile: tokio::time::Instant::now(),
            connected: false,
            journal: None,
            to_journal: Vec::new(),
            last_prune: None,
            chores: JoinSet::new(),
            writer,
        }
    }

    pub fn status(&self) -> watch::Receiver<StreamStatus> {
        self.status.subscribe()
    }

    /// Runs until the source ends. Returns an error if the source failed
    /// permanently or storage failed.
    pub async fn run(
        mut self,
        source: impl Stream<Item = EventSourceItem> + Send,
    ) -> Result<(), IngestError> {
        // Whatever has already arrived is handled as one burst, so the
        // calls it ends are queued in one transaction, not one each (and
        // bursts that arrive during a write share the next one).
        let mut source = std::pin::pin!(source.ready_chunks(BURST));
        let mut tick = tokio::time::interval(self.config.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                // A finished write first: announcing it is quick, and the
                // next write starts at once. Then events: a tick's work
                // (checkpoint, reconciliation) must see every event that
                // has already arrived.
                biased;
                written = self.writer.written() => {
                    self.announce(written?);
                    self.writer.start();
                }
                burst = source.next() => match burst {
                    Some(items) => {
                        for item in items {
                            self.handle(item).await?;
                        }
                        self.writer.start();
                        self.flush_journal().await;
                    }
                    None => {
                        self.flush_journal().await;
                        return self.drain().await.map(drop);
                    }
                },
                fetched = reconcile::fetched(&mut self.reconciliation) => {
                    self.caught_up(fetched).await?;
                }
                _ = tick.tick() => self.on_tick().await?,
            }
        }
    }

    async fn handle(&mut self, item: EventSourceItem) -> Result<(), IngestError> {
        if !matches!(item, EventSourceItem::Event(_)) {
            // A gap, a reconnect or a catch-up sees every call end queued;
            // so does a source that stops.
            self.drain().await?;
        }
        match item {
            EventSourceItem::Connected => {
                tracing::info!(pbx = %self.config.pbx_id, "PBX event stream connected");
                self.connected = true;
                self.status.send_replace(StreamStatus::Connected);
                // A gap repair now covers whatever a reconciliation in
                // flight was asking for, and calls still live count.
                self.reconciliation = None;
                self.reconciling = false;
                let checkpoint = self.store.stream_checkpoint(&self.config.pbx_id).await?;
                if let Some(checkpoint) = checkpoint {
                    self.pending_catchup = Some(checkpoint - self.config.catchup_lookback);
                }
                self.try_catch_up().await?;
            }
            EventSourceItem::Disconnected { since, reason } => {
                tracing::warn!(pbx = %self.config.pbx_id, %since, %reason, "PBX event stream disconnected; will catch up from call records");
                self.connected = false;
                self.status
                    .send_replace(StreamStatus::Disconnected { since, reason });
            }
            EventSourceItem::Event(event) => {
                metrics::counter!("ringbridge_pbx_events_total", "type" => event.kind())
                    .increment(1);
                self.accept(event, Origin::Live)
            }
            EventSourceItem::Malformed { reason } => {
                metrics::counter!("ringbridge_pbx_events_total", "type" => "malformed")
                    .increment(1);
                tracing::warn!(pbx = %self.config.pbx_id, %reason, "skipped malformed PBX event");
            }
            EventSourceItem::Fatal { reason } => {
                tracing::error!(pbx = %self.config.pbx_id, %reason, "PBX event source stopped; a person must act");
                self.status.send_replace(StreamStatus::Failed {
                    reason: reason.clone(),
                });
                return Err(IngestError::SourceFailed(reason));
            }
        }
        Ok(())
    }

    async fn on_tick(&mut self) -> Result<(), IngestError> {
        // Calls whose end never came are caught up from call records.
        self.tracker
            .expire(Utc::now() - self.config.catchup_lookback);
        self.prune_old_entries();
        if !self.connected || self.reconciliation.is_some() {
            return Ok(());
        }
        if self.pending_catchup.is_none()
            && self
                .config
                .reconcile_every
                .is_some_and(|every| self.last_reconcile.elapsed() >= every)
        {
            self.pending_catchup = Some(Utc::now() - self.config.catchup_lookback);
            self.reconciling = true;
        }
        if self.reconciling {
            self.start_reconciliation();
            Ok(())
        } else if self.pending_catchup.is_some() {
            self.try_catch_up().await
        } else {
            self.advance_checkpoint(Utc::now());
            Ok(())
        }
    }

    /// The stream was healthy until `at`: written after the ends handed
    /// over before it, not waited for.
    fn advance_checkpoint(&mut self, at: DateTime<Utc>) {
        self.writer.checkpoint(at);
        self.writer.start();
    }

    /// Fetches call records since the pending window start, in turn: the
    /// events after a gap wait for its repair. On success the checkpoint
    /// advances to the moment the fetch began. On a PBX error the window
    /// stays pending and the next tick retries.
    async fn try_catch_up(&mut self) -> Result<(), IngestError> {
        let Some(fetch) = self.fetch_pending() else {
            self.advance_checkpoint(Utc::now());
            return Ok(());
        };
        self.caught_up(fetch.finish().await).await
    }

    /// Asks for the reconciliation window's records without waiting: the
    /// answer comes back through `run`'s loop ([`Self::caught_up`]).
    fn start_reconciliation(&mut self) {
        if self.reconciliation.is_none() {
            self.reconciliation = self.fetch_pending();
        }
    }

    /// A request for the pending window's records, up to now (and the
    /// PBX's clock skew).
    fn fetch_pending(&self) -> Option<Fetch> {
        let from = self.pending_catchup?;
        let now = Utc::now();
        let to = now + self.config.clock_skew;
        Some(Fetch::start(self.pbx.clone(), from, now, to))
    }

    /// Queues the calls a fetch of call records found.
    async fn caught_up(&mut self, fetched: Fetched) -> Result<(), IngestError> {
        let Fetched {
            from,
            began,
            records,
        } = fetched;
        let records = match records {
            Ok(records) => records,
            Err(err) => {
                log_catchup_failure(&self.config.pbx_id, &err);
                return Ok(());
            }
        };
        // The live ends handed over before go first (and are not counted
        // as caught up).
        self.drain().await?;
        for record in group_by_call(records) {
            // A reconciliation leaves calls the stream is still following
            // to it: their end event is on its way.
            if self.reconciling && self.tracker.is_live(&record.call_id) {
                continue;
            }
            self.track(&PbxEvent::CallEnded(Box::new(record)), Origin::CatchUp);
        }
        // The checkpoint goes with the caught-up calls, after them.
        self.writer.checkpoint(began);
        let replayed = self.drain().await?;
        // A periodic reconciliation that finds nothing is routine: at info
        // it would print every few seconds.
        if replayed > 0 {
            tracing::info!(pbx = %self.config.pbx_id, %from, to = %began, replayed, "catch-up from call records done");
        } else {
            tracing::debug!(pbx = %self.config.pbx_id, %from, to = %began, "catch-up from call records found nothing new");
        }
        self.pending_catchup = None;
        self.reconciling = false;
        self.last_reconcile = tokio::time::Instant::now();
        Ok(())
    }

    /// Tracks the event (a ringing agent's pop goes out now), then keeps it
    /// for the journal writer, which gets the burst's events at once and
    /// batches the disk writes.
    fn accept(&mut self, event: PbxEvent, origin: Origin) {
        let received_at = Utc::now();
        self.track(&event, origin);
        self.to_journal.push((received_at, event));
    }

    /// Hands the burst's events to the journal writer.
    async fn flush_journal(&mut self) {
        if self.to_journal.is_empty() {
            return;
        }
        let (store, pbx) = (&self.store, &self.config.pbx_id);
        let events = std::mem::take(&mut self.to_journal);
        self.journal
            .get_or_insert_with(|| JournalWriter::spawn(store.clone(), pbx.clone()))
            .record_many(events)
            .await;
    }

    /// Deletes journal and audit entries past their retention, at most
    /// hourly (the node that holds the PBX stream does it, so one does),
    /// in a task of its own: ingest does not wait for the deletes.
    fn prune_old_entries(&mut self) {
        if self.last_prune.is_some_and(|at| at.elapsed() < PRUNE_EVERY) {
            return;
        }
        self.last_prune = Some(tokio::time::Instant::now());
        // The previous round has long finished; reap it.
        while self.chores.try_join_next().is_some() {}
        let (store, pbx) = (self.store.clone(), self.config.pbx_id.clone());
        let now = Utc::now();
        let (journal_before, audit_before) = (
            now - self.config.journal_retention,
            now - self.config.audit_retention,
        );
        self.chores.spawn(async move {
            let journal = store.prune_journal(journal_before).await;
            let audit = AuditStore::prune(store.as_ref(), audit_before).await;
            for (what, result) in [("journal", journal), ("audit", audit)] {
                match result {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(%pbx, what, deleted = n, "old entries pruned"),
                    Err(e) => {
                        tracing::warn!(%pbx, what, error = %e, "pruning failed; retried later")
                    }
                }
            }
        });
    }

    /// Feeds the tracker. Live updates go out at once; ended calls go to
    /// the writer, and out once their jobs are queued ([`Self::announce`]).
    fn track(&mut self, event: &PbxEvent, origin: Origin) {
        for update in self.tracker.apply(event, Utc::now()) {
            match update {
                CallUpdate::Ended(outcome) => self.writer.end(*outcome, origin),
                update => self.emit(update, origin),
            }
        }
    }

    /// Writes everything handed to the writer and announces it. Returns
    /// how many caught-up call ends were new.
    async fn drain(&mut self) -> Result<usize, IngestError> {
        let mut caught_up = 0;
        loop {
            self.writer.start();
            if self.writer.is_idle() {
                return Ok(caught_up);
            }
            let written = self.writer.written().await?;
            caught_up += self.announce(written);
        }
    }

    /// Tells watchers that the calls of a finished write ended — now that
    /// their jobs are queued, the step that makes them "seen". A call whose
    /// job already existed is not announced again. Returns how many
    /// caught-up call ends were new.
    fn announce(&self, written: Written) -> usize {
        let mut caught_up = 0;
        for (outcome, origin, added) in written.ends {
            let pbx = &self.config.pbx_id;
            if !added {
                tracing::debug!(%pbx, call_id = %outcome.call_id, "call end already queued");
                continue;
            }
            let origin_label = match origin {
                Origin::Live => "live",
                Origin::CatchUp => {
                    caught_up += 1;
                    tracing::info!(%pbx, call_id = %outcome.call_id, "caught up a call end missed by the stream");
                    "catch_up"
                }
            };
            metrics::counter!("ringbridge_calls_queued_total", "origin" => origin_label)
                .increment(1);
            self.emit(CallUpdate::Ended(Box::new(outcome)), origin);
        }
        caught_up
    }

    fn emit(&self, update: CallUpdate, origin: Origin) {
        if let Err(mpsc::error::TrySendError::Full(_)) =
            self.out.try_send(Ingested { update, origin })
        {
            tracing::warn!(pbx = %self.config.pbx_id, "live call updates are not being read fast enough; one dropped");
        }
    }
}

fn log_catchup_failure(pbx: &str, err: &PbxError) {
    if err.is_retryable() {
        tracing::warn!(pbx, error = %err, "catch-up from call records failed; retrying");
    } else {
        tracing::error!(pbx, error = %err, "catch-up from call records failed; retrying, but this needs attention");
    }
}
