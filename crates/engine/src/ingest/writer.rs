//! Ingest's writes that make calls durable — ended calls' processing jobs
//! and the stream checkpoint — run beside ingest, not in its way.
//!
//! Awaited inline, every ringing frame that arrived during such a write
//! waited for it: on SQLite the enqueue takes its turn behind the outbox
//! workers' writes (7 ms at the median, 34 ms at worst in the busy hour),
//! and the busy hour's screen pops waited behind it. Now ingest hands ends
//! and checkpoints over and goes on tracking and popping; one write runs at
//! a time, taking everything handed over since the previous one began.
//!
//! What must not get ahead of the disk stays behind it:
//! - a call's `Ended` update goes out only once its write is done (ingest
//!   announces a write's ends when it completes);
//! - a checkpoint is written in the same write as, and after, every end
//!   handed over before it — never before an end it claims to cover;
//! - a write that fails writes nothing after its failure (its checkpoint
//!   included), and ends ingest as an inline failure did, so the restart
//!   catches the lost ends up from the checkpoint that still precedes them.
//!
//! Dropping the writer (ingest stopped, or its lease lost) aborts a write
//! under way: like a crash mid-write, its transaction commits whole or not
//! at all, and what it did not commit is caught up on the next connect.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ringbridge_core::job_key::JobKey;
use ringbridge_core::outbox::{JobKind, NewJob};
use ringbridge_core::store::Storage;
use ringbridge_core::tracker::CallOutcome;
use tokio::task::JoinSet;

use super::{IngestError, Origin};

/// What one write did, for ingest to announce.
#[derive(Debug)]
pub(super) struct Written {
    /// Each end of the write in the order handed over, and whether it was
    /// new (a call already queued got the newer outcome if its job was
    /// still pending).
    pub ends: Vec<(CallOutcome, Origin, bool)>,
}

pub(super) struct EndWriter {
    store: Arc<dyn Storage>,
    pbx_id: String,
    settle: chrono::Duration,
    /// Handed over since the running write began.
    ends: Vec<(CallOutcome, Origin)>,
    checkpoint: Option<DateTime<Utc>>,
    /// The running write: at most one, so writes land in order.
    running: JoinSet<Result<Written, IngestError>>,
}

impl EndWriter {
    pub fn new(store: Arc<dyn Storage>, pbx_id: String, settle: chrono::Duration) -> Self {
        Self {
            store,
            pbx_id,
            settle,
            ends: Vec::new(),
            checkpoint: None,
            running: JoinSet::new(),
        }
    }

    /// Hands an ended call over; its job is queued by the next write.
    pub fn end(&mut self, outcome: CallOutcome, origin: Origin) {
        self.ends.push((outcome, origin));
    }

    /// The stream was healthy up to `at`: written after every end handed
    /// over until now.
    pub fn checkpoint(&mut self, at: DateTime<Utc>) {
        self.checkpoint = Some(self.checkpoint.map_or(at, |before| before.max(at)));
    }

    /// Whether a write is under way or anything waits for one.
    pub fn is_idle(&self) -> bool {
        self.running.is_empty() && !self.has_handed_over()
    }

    /// Whether anything waits for the next write.
    fn has_handed_over(&self) -> bool {
        !self.ends.is_empty() || self.checkpoint.is_some()
    }

    /// Starts a write of what was handed over, unless one is under way
    /// (then it goes next, with whatever is handed over meanwhile).
    pub fn start(&mut self) {
        if !self.running.is_empty() || !self.has_handed_over() {
            return;
        }
        let ends = std::mem::take(&mut self.ends);
        let checkpoint = self.checkpoint.take();
        self.running.spawn(write(
            self.store.clone(),
            self.pbx_id.clone(),
            Utc::now() + self.settle,
            ends,
            checkpoint,
        ));
    }

    /// The running write's outcome; never ready while none runs. Safe to
    /// cancel (in a `select!`): the write goes on and is reported next time.
    pub async fn written(&mut self) -> Result<Written, IngestError> {
        match self.running.join_next().await {
            Some(Ok(result)) => result,
            Some(Err(err)) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            // Only dropping the writer cancels its task, and then nobody waits.
            Some(Err(_)) | None => std::future::pending().await,
        }
    }
}

/// One write: the ends' jobs in one transaction, then the checkpoint.
async fn write(
    store: Arc<dyn Storage>,
    pbx_id: String,
    due: DateTime<Utc>,
    ends: Vec<(CallOutcome, Origin)>,
    checkpoint: Option<DateTime<Utc>>,
) -> Result<Written, IngestError> {
    let jobs = ends
        .iter()
        .map(|(outcome, _)| {
            let key = JobKey::call(&pbx_id, outcome.call_id.as_str());
            NewJob::new(&key, outcome.clone(), due).map_err(IngestError::Encode)
        })
        .collect::<Result<Vec<_>, IngestError>>()?;
    let added = if jobs.is_empty() {
        Vec::new()
    } else {
        store.enqueue_many(JobKind::ProcessCall, &jobs).await?
    };
    for (job, added) in jobs.iter().zip(&added) {
        if !added {
            store
                .replace_pending(JobKind::ProcessCall, &job.key, &job.payload)
                .await?;
        }
    }
    if let Some(at) = checkpoint {
        store.set_stream_checkpoint(&pbx_id, at).await?;
    }
    Ok(Written {
        ends: ends
            .into_iter()
            .zip(added)
            .map(|((outcome, origin), added)| (outcome, origin, added))
            .collect(),
    })
}
