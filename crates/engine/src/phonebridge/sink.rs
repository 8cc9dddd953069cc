//! Where terminal notifications go to be delivered exactly once.
//!
//! [`super::OutboxTerminalSink`] backs [`TerminalSink`] with the durable
//! outbox (a `JobKind::NotifyPhoneBridge` job per call, keyed by
//! [`JobKey::phonebridge_terminal`], whose worker calls [`super::deliver_terminal`]);
//! [`MemoryTerminalSink`] serves tests and keeps the same contract.

use std::collections::HashSet;
use std::sync::Mutex;

use async_trait::async_trait;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::telephony::PbNotification;

#[derive(Debug, thiserror::Error)]
#[error("cannot queue the PhoneBridge notification: {0}")]
pub struct SinkError(#[source] pub ringbridge_core::store::StoreError);

#[async_trait]
pub trait TerminalSink: Send + Sync {
    /// Stores `n` for delivery under `key` (per call, not per leg: the live
    /// path and the call's processing may both submit it); `Ok(false)` if
    /// that key was already submitted (nothing more happens).
    async fn submit(&self, key: &JobKey, n: &PbNotification) -> Result<bool, SinkError>;
}

/// In-memory sink: remembers every key, hands pending notifications out once.
#[derive(Debug, Default)]
pub struct MemoryTerminalSink {
    inner: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    seen: HashSet<String>,
    pending: Vec<(String, PbNotification)>,
}

impl MemoryTerminalSink {
    pub fn new() -> Self {
        Self::default()
    }

    /// The notifications submitted since the last call, in order.
    pub fn take_pending(&self) -> Vec<(String, PbNotification)> {
        std::mem::take(&mut self.lock().pending)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl TerminalSink for MemoryTerminalSink {
    async fn submit(&self, key: &JobKey, n: &PbNotification) -> Result<bool, SinkError> {
        let mut m = self.lock();
        if !m.seen.insert(key.to_string()) {
            return Ok(false);
        }
        m.pending.push((key.to_string(), n.clone()));
        Ok(true)
    }
}
