//! The subscribers of a generation's call updates: the log, PhoneBridge's
//! notifier, and plain feeds (the demo's view, tests).

use std::sync::Arc;

use ringbridge_core::console::CrmMode;
use ringbridge_core::tracker::CallUpdate;
use tokio::sync::{broadcast, mpsc};

use crate::context::EngineContext;
use crate::ingest::Ingested;
use crate::live::LiveCalls;

/// The next update for subscriber `who`; `None` once the generation's
/// broadcast is gone. A subscriber that fell behind loses the oldest
/// updates (they are best-effort; the durable work is in the outbox).
pub(crate) async fn next(
    updates: &mut broadcast::Receiver<Ingested>,
    who: &'static str,
) -> Option<Ingested> {
    loop {
        match updates.recv().await {
            Ok(item) => return Some(item),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    subscriber = who,
                    missed,
                    "behind the live call updates; some dropped"
                );
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

/// Moves ingest's updates into the broadcast, the live hub first: whoever
/// hears of a change finds the agents' panel state already showing it.
pub(crate) async fn pump(
    mut from: mpsc::Receiver<Ingested>,
    live: Option<Arc<LiveCalls>>,
    to: broadcast::Sender<Ingested>,
) {
    while let Some(item) = from.recv().await {
        if let Some(live) = &live {
            live.apply(&item.update).await;
        }
        // No subscriber is fine: nobody is watching.
        let _ = to.send(item);
    }
}

/// Forwards every update to PhoneBridge's notifier while the engine is in
/// PhoneBridge mode, never waiting on it (a full backlog drops the update;
/// the call's terminal is still queued by its processing job).
pub(crate) async fn offer_phonebridge(
    mut updates: broadcast::Receiver<Ingested>,
    ctx: Arc<EngineContext>,
    notifier: mpsc::Sender<Ingested>,
) {
    while let Some(item) = next(&mut updates, "phonebridge").await {
        if ctx.crm_mode() == CrmMode::PhoneBridge && notifier.try_send(item).is_err() {
            tracing::warn!("PhoneBridge notifier behind; a live update was dropped");
        }
    }
}

/// Forwards every update to `to` without waiting (a full channel drops it).
pub(crate) async fn feed(mut updates: broadcast::Receiver<Ingested>, to: mpsc::Sender<Ingested>) {
    while let Some(item) = next(&mut updates, "feed").await {
        if to.try_send(item).is_err() && to.is_closed() {
            return;
        }
    }
}

/// Logs what happens to calls, one line per change.
pub(crate) async fn log_calls(mut updates: broadcast::Receiver<Ingested>) {
    while let Some(item) = next(&mut updates, "log").await {
        log_update(&item);
    }
}

fn log_update(Ingested { update, origin }: &Ingested) {
    match update {
        CallUpdate::Ringing {
            call_id,
            extension,
            other_party,
            direction,
        } => {
            tracing::info!(%call_id, %extension, from = other_party.as_deref().unwrap_or("-"), ?direction, "ringing")
        }
        CallUpdate::Answered {
            call_id,
            extension,
            other_party,
        } => {
            tracing::info!(%call_id, %extension, with = other_party.as_deref().unwrap_or("-"), "answered")
        }
        CallUpdate::RingStopped {
            call_id,
            extension,
            answered_elsewhere,
        } => {
            tracing::info!(%call_id, %extension, answered_elsewhere, "stopped ringing")
        }
        CallUpdate::Left { call_id, extension } => {
            tracing::info!(%call_id, %extension, "hung up")
        }
        CallUpdate::Failed { call_id, reason } => {
            tracing::info!(%call_id, %reason, "call failed at the PBX")
        }
        CallUpdate::Ended(outcome) => tracing::info!(
            ?origin,
            call_id = %outcome.call_id,
            direction = ?outcome.direction,
            answered = outcome.answered,
            other_party = outcome.other_party.as_deref().unwrap_or("-"),
            talked = %outcome.talked.join(","),
            talk_s = outcome.record.talk_s,
            "call ended"
        ),
    }
}
