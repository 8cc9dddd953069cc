//! The durable [`TerminalSink`]: each call's terminal notification becomes
//! one `NotifyPhoneBridge` outbox job keyed by [`JobKey::phonebridge_terminal`],
//! delivered by the worker in `jobs::notify`. The same key is what a call's
//! processing job uses, so whichever submits first wins and the other is a
//! no-op.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::outbox::JobKind;
use ringbridge_core::store::StoreError;
use ringbridge_core::telephony::PbNotification;

use super::sink::{SinkError, TerminalSink};
use crate::context::EngineContext;

pub struct OutboxTerminalSink {
    ctx: Arc<EngineContext>,
}

impl OutboxTerminalSink {
    pub fn new(ctx: Arc<EngineContext>) -> Self {
        Self { ctx }
    }
}

/// Queues `n` under `key`; `Ok(false)` when the call's terminal was queued before.
pub(crate) async fn queue_terminal(
    ctx: &EngineContext,
    key: &JobKey,
    n: &PbNotification,
) -> Result<bool, StoreError> {
    let payload = JobPayload::NotifyPhoneBridge(Box::new(n.clone()));
    let new = ctx.store.enqueue_job(key, &payload, Utc::now()).await?;
    if new {
        ctx.notify(JobKind::NotifyPhoneBridge);
    }
    Ok(new)
}

#[async_trait]
impl TerminalSink for OutboxTerminalSink {
    async fn submit(&self, key: &JobKey, n: &PbNotification) -> Result<bool, SinkError> {
        queue_terminal(&self.ctx, key, n).await.map_err(SinkError)
    }
}
