//! PhoneBridge mode: Zoho pops and logs calls from our `callnotify` events.
//!
//! [`PhoneBridgeNotifier`] reads ingest's live [`Ingested`] updates (a tee of
//! the panel's stream) and follows the core [`NotifyPlan`]:
//! - `ringing`/`answered` go out right away, best-effort: a failure is logged
//!   and dropped (a late pop is worthless), and they never wait behind queued
//!   work (they are not outbox jobs);
//! - the one terminal notification per call goes to a [`TerminalSink`] — in
//!   production [`OutboxTerminalSink`], the same durable outbox as REST call
//!   logs (`NotifyPhoneBridge` jobs, worker `jobs::notify`).
//!
//! **Ring groups and queues** (the rule in [`plan`]):
//! every mapped agent who rings gets `ringing`, all under one Zoho `id` (the
//! PBX call id); the one who answers gets `answered`. Every terminal state
//! makes Zoho write a Calls record, so the call gets exactly one terminal,
//! on that shared `id`: it closes the pop of every agent who rang (the ones
//! who did not answer see it go away) and files one log, owned per the owner
//! policy (for a missed group call: the group-missed owner, else the first
//! mapped agent who rang). A transfer hands the call to a new `id`
//! (`{call_id}-{extension}`, `transferredcallid` = the previous `id`), and
//! the terminal goes on the last `id`.
//!
//! **A call is logged once.** In PhoneBridge mode the terminal notification
//! IS the call's log: the call's `ProcessCall` job queues
//! [`crate::phonebridge::plan::terminal`] instead of a `WriteCallLog`
//! job, under the same key as the live path ([`JobKey::phonebridge_terminal`], one outbox
//! job per call): whichever comes first is kept, so a call is logged even if
//! the live stream dropped its end, and never twice. The REST path writes
//! nothing for such a call; matching, record creation for unknown numbers
//! and contact sync still run in the processing job. (Zoho has no lookup for
//! notifications, so only a retry after a lost answer could log twice.)
//!
//! **New records and the log.** Zoho links the Calls record it writes for a
//! terminal to the Lead/Contact whose number matches *at that moment*. So
//! when the settings create a record for an unknown number in the call's
//! direction (`unknown_inbound` / `unknown_outbound`), the queued terminal
//! waits — the `NotifyPhoneBridge` job is released and looked at again
//! every `Tuning::creation_wait`, without counting as an attempt — while
//! the `CreateRecord` job for the customer's number is pending or in
//! flight, or, when none is queued, while the call's `ProcessCall` job (the
//! one that finds the number unknown and queues the creation) has not
//! finished. It goes once the creation is done or failed (failed: logged
//! without a link, as in REST mode), and in any case once it has waited
//! `Tuning::terminal_record_wait` since it was queued. With no creation
//! configured, terminals never wait (the `linking` module).
//!
//! **Failed click-to-dials.** Click-to-dials the PBX accepted are followed
//! ([`ClickToDials`], fed by the click-to-dial route); a `CallUpdate::Failed`
//! (Yeastar 30015) for one becomes Zoho's `clicktodialerror` — the call's
//! terminal when Zoho was never shown the call, else sent beside it. The
//! rule is on [`crate::phonebridge::plan::dial_failure`].

mod dials;
mod linking;
mod outbox;
pub mod plan;
mod send;
mod sink;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::phonebridge::plan::{NotifyPlan, PlanConfig, dial_failure};
use chrono::Utc;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::telephony::PbNotification;
use ringbridge_core::tracker::CallUpdate;
use ringbridge_core::usermap::UserMap;

pub use dials::{ClickToDials, FailedDial};
pub(crate) use linking::{Gate, record_gate};
pub use outbox::OutboxTerminalSink;
pub(crate) use outbox::queue_terminal;
pub use send::{Outgoing, PhoneBridgeSender, SendError, deliver_terminal, outgoing};
pub use sink::{MemoryTerminalSink, SinkError, TerminalSink};

use crate::context::{EngineContext, RecordingLinks};
use crate::ingest::{Ingested, Origin};

/// The current user map and settings, read for every update (both change
/// while calls are live).
pub trait PlanSource: Send + Sync {
    fn users(&self) -> UserMap;
    fn config(&self) -> PlanConfig;
}

impl PlanSource for EngineContext {
    fn users(&self) -> UserMap {
        EngineContext::users(self)
    }

    fn config(&self) -> PlanConfig {
        PlanConfig::from_settings(&self.settings())
    }
}

/// A fixed map and settings (tests, the demo).
#[derive(Debug, Clone, Default)]
pub struct FixedPlan {
    pub users: UserMap,
    pub config: PlanConfig,
}

impl PlanSource for FixedPlan {
    fn users(&self) -> UserMap {
        self.users.clone()
    }

    fn config(&self) -> PlanConfig {
        self.config.clone()
    }
}

/// What one update led to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Handled {
    pub sent: usize,
    /// Best-effort notifications that failed (logged, not retried).
    pub dropped: usize,
    /// Terminal notifications newly queued.
    pub queued: usize,
    /// Terminal notifications that could not be queued (the call's
    /// processing job submits them again).
    pub queue_failed: usize,
}

pub struct PhoneBridgeNotifier {
    pbx_id: String,
    sender: Arc<dyn PhoneBridgeSender>,
    terminals: Arc<dyn TerminalSink>,
    source: Arc<dyn PlanSource>,
    links: Option<Arc<dyn RecordingLinks>>,
    dials: Option<Arc<ClickToDials>>,
    plan: Mutex<NotifyPlan>,
    live_timeout: Duration,
    /// Live calls with no update for this long are forgotten.
    max_call_age: chrono::Duration,
}

impl PhoneBridgeNotifier {
    pub fn new(
        pbx_id: impl Into<String>,
        sender: Arc<dyn PhoneBridgeSender>,
        terminals: Arc<dyn TerminalSink>,
        source: Arc<dyn PlanSource>,
    ) -> Self {
        Self {
            pbx_id: pbx_id.into(),
            sender,
            terminals,
            source,
            links: None,
            dials: None,
            plan: Mutex::new(NotifyPlan::new()),
            live_timeout: Duration::from_secs(5),
            max_call_age: chrono::Duration::hours(12),
        }
    }

    /// Recording links for live sends (terminals get theirs when delivered).
    pub fn with_links(mut self, links: Arc<dyn RecordingLinks>) -> Self {
        self.links = Some(links);
        self
    }

    /// Click-to-dials in flight: a 30015 for one is reported to Zoho.
    pub fn with_dials(mut self, dials: Arc<ClickToDials>) -> Self {
        self.dials = Some(dials);
        self
    }

    /// How long one best-effort send may take before it is given up.
    pub fn with_live_timeout(mut self, timeout: Duration) -> Self {
        self.live_timeout = timeout;
        self
    }

    /// Handles one update. Terminal notifications are queued, others sent.
    pub async fn handle(&self, item: &Ingested) -> Handled {
        let (users, config, now) = (self.source.users(), self.source.config(), Utc::now());
        let (planned, failed_dial) = {
            let mut plan = self.plan.lock().unwrap_or_else(|e| e.into_inner());
            plan.expire(now - self.max_call_age);
            // A failed click-to-dial (the rule is on `dial_failure`).
            let failed_dial = match (&item.update, &self.dials) {
                (CallUpdate::Failed { call_id, reason }, Some(dials)) => {
                    dials.failed(call_id, reason, plan.announced(call_id))
                }
                _ => None,
            };
            (plan.apply(&item.update, &users, &config, now), failed_dial)
        };
        let mut done = Handled::default();
        if let Some(failed) = failed_dial {
            self.report_failed_dial(&failed, &mut done).await;
        }
        for n in planned {
            if n.is_terminal() {
                self.queue_terminal(&n, &mut done).await;
                continue;
            }
            // A pop for a call caught up after a gap is long over.
            if item.origin == Origin::CatchUp {
                continue;
            }
            self.send_live(&n, &mut done).await;
        }
        done
    }

    /// Tells Zoho a click-to-dial failed: the call's terminal when Zoho was
    /// not shown the call, else best-effort beside it (see `dial_failure`).
    pub async fn report_failed_dial(&self, failed: &FailedDial, done: &mut Handled) {
        let report = dial_failure(&failed.dial, &failed.reason);
        tracing::info!(call = %failed.dial.call_id, reason = %failed.reason, "click-to-dial failed at the PBX");
        if failed.announced {
            self.send_live(&report, done).await;
        } else {
            self.queue_terminal(&report, done).await;
        }
    }

    async fn queue_terminal(&self, n: &PbNotification, done: &mut Handled) {
        let key = JobKey::phonebridge_terminal(&self.pbx_id, n.call_id.as_str());
        match self.terminals.submit(&key, n).await {
            Ok(true) => done.queued += 1,
            Ok(false) => tracing::debug!(%key, "PhoneBridge terminal already queued"),
            Err(e) => {
                tracing::error!(%key, error = %e, "PhoneBridge terminal not queued");
                done.queue_failed += 1;
            }
        }
    }

    /// Sends best-effort: a failure is logged and dropped.
    async fn send_live(&self, n: &PbNotification, done: &mut Handled) {
        let out = outgoing(&self.pbx_id, n, self.links.as_deref());
        let result = tokio::time::timeout(self.live_timeout, self.sender.send(&out)).await;
        let label = match result {
            Ok(Ok(())) => {
                done.sent += 1;
                "sent"
            }
            Ok(Err(e)) => {
                tracing::warn!(leg = %n.leg_id, error = %e, "PhoneBridge live notification dropped");
                done.dropped += 1;
                "dropped"
            }
            Err(_) => {
                tracing::warn!(leg = %n.leg_id, "PhoneBridge live notification timed out; dropped");
                done.dropped += 1;
                "dropped"
            }
        };
        metrics::counter!("ringbridge_phonebridge_live_total", "result" => label).increment(1);
    }

    /// Reads updates (and click-to-dial failures matched late) until the
    /// update stream ends.
    pub async fn run(&self, mut updates: tokio::sync::mpsc::Receiver<Ingested>) {
        let mut late = self.dials.as_ref().and_then(|d| d.late());
        loop {
            tokio::select! {
                item = updates.recv() => match item {
                    Some(item) => {
                        self.handle(&item).await;
                    }
                    None => return,
                },
                Some(failed) = recv(&mut late) => {
                    self.report_failed_dial(&failed, &mut Handled::default()).await;
                }
            }
        }
    }
}

/// The next late failure, or never when there is no receiver.
async fn recv(
    late: &mut Option<tokio::sync::mpsc::UnboundedReceiver<FailedDial>>,
) -> Option<FailedDial> {
    match late {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests;
