//! The front door for PBX events.
//!
//! Live events go through the [`CallTracker`]; a call's end becomes a
//! durable `ProcessCall` job in the outbox, keyed by the PBX's call id —
//! enqueuing is the one step that makes a call "seen", so a crash before it
//! loses nothing (the call is caught up) and a repeat after it adds nothing.
//!
//! The PBX stream has no replay: events sent while ringbridge was
//! disconnected (or not running) are gone. So the stream's health is
//! checkpointed in the store, and on every (re)connect the PBX's call
//! records since the checkpoint are fetched and fed through the same path.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use ringbridge_core::audit::AuditStore;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::outbox::{JobKind, NewJob};
use ringbridge_core::pbx::{CallRecord, EventSourceItem, Pbx, PbxError, PbxEvent};
use ringbridge_core::store::{Storage, StoreError};
use ringbridge_core::tracker::{CallOutcome, CallTracker, CallUpdate};
use tokio::sync::{mpsc, watch};

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
    last_reconcile: tokio::time::Instant,
    connected: bool,
    /// Started with the first event (its task needs the runtime).
    journal: Option<JournalWriter>,
    /// Events of the burst being handled, journaled when it is done.
    to_journal: Vec<(DateTime<Utc>, PbxEvent)>,
    last_prune: Option<tokio::time::Instant>,
    /// Calls that ended in the burst of live events being handled; queued
    /// together when the burst is done (see [`Ingest::flush_ends`]).
    ends: Vec<CallOutcome>,
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
        Self {
            config,
            store,
            pbx,
            out,
            status,
            tracker,
            pending_catchup: None,
            reconciling: false,
            last_reconcile: tokio::time::Instant::now(),
            connected: false,
            journal: None,
            to_journal: Vec::new(),
            last_prune: None,
            ends: Vec::new(),
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
        // calls it ends are queued in one transaction, not one each.
        let mut source = std::pin::pin!(source.ready_chunks(BURST));
        let mut tick = tokio::time::interval(self.config.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                // Events first: a tick's work (checkpoint, reconciliation)
                // must see every event that has already arrived.
                biased;
                burst = source.next() => match burst {
                    Some(items) => {
                        for item in items {
                            self.handle(item).await?;
                        }
                        self.flush_ends().await?;
                        self.flush_journal().await;
                    }
                    None => {
                        self.flush_journal().await;
                        return self.flush_ends().await.map(drop);
                    }
                },
                _ = tick.tick() => self.on_tick().await?,
            }
        }
    }

    async fn handle(&mut self, item: EventSourceItem) -> Result<(), IngestError> {
        if !matches!(item, EventSourceItem::Event(_)) {
            // A gap, a reconnect or a catch-up sees every call end queued.
            self.flush_ends().await?;
        }
        match item {
            EventSourceItem::Connected => {
                tracing::info!(pbx = %self.config.pbx_id, "PBX event stream connected");
                self.connected = true;
                self.status.send_replace(StreamStatus::Connected);
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
                self.accept(event, Origin::Live).await?
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
        self.prune_old_entries().await;
        if !self.connected {
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
        if self.pending_catchup.is_some() {
            self.try_catch_up().await
        } else {
            self.store
                .set_stream_checkpoint(&self.config.pbx_id, Utc::now())
                .await
                .map_err(Into::into)
        }
    }

    /// Fetches call records since the pending window start; on success the
    /// checkpoint advances to the moment the fetch began. On a PBX error the
    /// window stays pending and the next tick retries.
    async fn try_catch_up(&mut self) -> Result<(), IngestError> {
        let now = Utc::now();
        let Some(from) = self.pending_catchup else {
            return self
                .store
                .set_stream_checkpoint(&self.config.pbx_id, now)
                .await
                .map_err(Into::into);
        };
        match self
            .pbx
            .call_records(from, now + self.config.clock_skew)
            .await
        {
            Ok(records) => {
                let calls = group_by_call(records);
                let mut replayed = 0usize;
                for record in calls {
                    let id = record.call_id.clone();
                    // A reconciliation leaves calls the stream is still following
                    // to it: their end event is on its way.
                    if self.reconciling && self.tracker.is_live(&id) {
                        continue;
                    }
                    if self
                        .track(&PbxEvent::CallEnded(Box::new(record)), Origin::CatchUp)
                        .await?
                    {
                        replayed += 1;
                        tracing::info!(pbx = %self.config.pbx_id, call_id = %id, "caught up a call end missed by the stream");
                    }
                }
                // A periodic reconciliation that finds nothing is routine:
                // at info it would print every few seconds.
                if replayed > 0 {
                    tracing::info!(pbx = %self.config.pbx_id, %from, to = %now, replayed, "catch-up from call records done");
                } else {
                    tracing::debug!(pbx = %self.config.pbx_id, %from, to = %now, "catch-up from call records found nothing new");
                }
                self.pending_catchup = None;
                self.reconciling = false;
                self.last_reconcile = tokio::time::Instant::now();
                self.store
                    .set_stream_checkpoint(&self.config.pbx_id, now)
                    .await?;
            }
            Err(err) => log_catchup_failure(&self.config.pbx_id, &err),
        }
        Ok(())
    }

    /// Tracks the event (a ringing agent's pop goes out now), then keeps it
    /// for the journal writer, which gets the burst's events at once and
    /// batches the disk writes.
    async fn accept(&mut self, event: PbxEvent, origin: Origin) -> Result<(), IngestError> {
        let received_at = Utc::now();
        self.track(&event, origin).await?;
        self.to_journal.push((received_at, event));
        Ok(())
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
    /// hourly (the node that holds the PBX stream does it, so one does).
    async fn prune_old_entries(&mut self) {
        if self.last_prune.is_some_and(|at| at.elapsed() < PRUNE_EVERY) {
            return;
        }
        self.last_prune = Some(tokio::time::Instant::now());
        let now = Utc::now();
        let journal = self
            .store
            .prune_journal(now - self.config.journal_retention)
            .await;
        let audit = AuditStore::prune(self.store.as_ref(), now - self.config.audit_retention).await;
        for (what, result) in [("journal", journal), ("audit", audit)] {
            match result {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(pbx = %self.config.pbx_id, what, deleted = n, "old entries pruned")
                }
                Err(e) => {
                    tracing::warn!(pbx = %self.config.pbx_id, what, error = %e, "pruning failed; retried later")
                }
            }
        }
    }

    /// Feeds the tracker. Live updates go out at once; ended calls wait in
    /// `ends` for [`Self::flush_ends`] (live events: at the end of their
    /// burst; caught-up calls: right away). Returns whether a caught-up
    /// call end was new.
    async fn track(&mut self, event: &PbxEvent, origin: Origin) -> Result<bool, IngestError> {
        for update in self.tracker.apply(event, Utc::now()) {
            match update {
                CallUpdate::Ended(outcome) => self.ends.push(*outcome),
                update => self.emit(update, origin),
            }
        }
        if origin == Origin::CatchUp {
            return Ok(self.flush_ends_from(Origin::CatchUp).await? > 0);
        }
        Ok(false)
    }

    async fn flush_ends(&mut self) -> Result<usize, IngestError> {
        self.flush_ends_from(Origin::Live).await
    }

    /// Queues the ended calls' processing jobs in one transaction — the
    /// step that makes them "seen" — then tells watchers they ended. A call
    /// whose job already exists gets the newer outcome if its job is still
    /// pending, and is not announced again. Returns how many were new.
    async fn flush_ends_from(&mut self, origin: Origin) -> Result<usize, IngestError> {
        if self.ends.is_empty() {
            return Ok(0);
        }
        let ends = std::mem::take(&mut self.ends);
        let due = Utc::now() + self.config.settle;
        let jobs = ends
            .iter()
            .map(|outcome| {
                let key = JobKey::call(&self.config.pbx_id, outcome.call_id.as_str());
                NewJob::new(&key, outcome.clone(), due).map_err(IngestError::Encode)
            })
            .collect::<Result<Vec<_>, IngestError>>()?;
        let added = self.store.enqueue_many(JobKind::ProcessCall, &jobs).await?;
        let origin_label = match origin {
            Origin::Live => "live",
            Origin::CatchUp => "catch_up",
        };
        let mut new = 0;
        for ((outcome, job), added) in ends.into_iter().zip(&jobs).zip(added) {
            if !added {
                tracing::debug!(pbx = %self.config.pbx_id, call_id = %outcome.call_id, "call end already queued");
                self.store
                    .replace_pending(JobKind::ProcessCall, &job.key, &job.payload)
                    .await?;
                continue;
            }
            new += 1;
            metrics::counter!("ringbridge_calls_queued_total", "origin" => origin_label)
                .increment(1);
            self.emit(CallUpdate::Ended(Box::new(outcome)), origin);
        }
        Ok(new)
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

/// One record per call: PBXs that write a row per leg share the call id
/// across legs. The call's record is its earliest leg, answered if any leg
/// was, with the longest durations.
pub fn group_by_call(records: Vec<CallRecord>) -> Vec<CallRecord> {
    let mut calls: BTreeMap<String, CallRecord> = BTreeMap::new();
    for leg in records {
        match calls.get_mut(leg.call_id.as_str()) {
            None => {
                calls.insert(leg.call_id.0.clone(), leg);
            }
            Some(call) => merge_leg(call, leg),
        }
    }
    let mut out: Vec<_> = calls.into_values().collect();
    out.sort_by_key(|c| c.started_at);
    out
}

fn merge_leg(call: &mut CallRecord, leg: CallRecord) {
    use ringbridge_core::pbx::CallStatus;
    let answered = leg.disposition == CallStatus::Answered;
    call.duration_s = call.duration_s.max(leg.duration_s);
    call.talk_s = call.talk_s.max(leg.talk_s);
    if call.recording.is_none() {
        call.recording = leg.recording.clone();
    }
    if leg.started_at < call.started_at {
        let mut earlier = leg;
        earlier.duration_s = call.duration_s;
        earlier.talk_s = call.talk_s;
        earlier.recording = earlier.recording.or(call.recording.take());
        if call.disposition == CallStatus::Answered {
            earlier.disposition = CallStatus::Answered;
        }
        *call = earlier;
    } else if answered {
        call.disposition = CallStatus::Answered;
    }
}
