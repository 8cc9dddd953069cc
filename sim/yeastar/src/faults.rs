//! Faults switched on by a scenario step, the `/_sim/faults` endpoint or the Rust handle:
//! the event WebSocket dropped or refused, access tokens expired, CDRs written late.
//!
//! Durations are wall-clock seconds whatever the scenario pace: they model what the
//! connected client lives through (a reconnect loop, a late CDR), not PBX-internal time.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::cdr::CallRecord;
use crate::events::Event;
use crate::state::Shared;

/// One fault. Written like a scenario step: `{ do = "refuse_websockets", secs = 30 }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Drops every open WebSocket without a close handshake; with `secs`, also refuses new
    /// ones for that long (the PBX's event service down).
    DropWebsockets {
        /// Refusal after the drop (0: clients may reconnect at once).
        #[serde(default)]
        secs: u64,
    },
    /// Refuses WebSocket upgrades (`503`) for `secs`; open sockets stay. 0 ends a refusal.
    RefuseWebsockets {
        /// Seconds.
        secs: u64,
    },
    /// Every access token expires now: REST calls get `10004`, open sockets the 10004 push.
    ExpireTokens,
    /// CDRs (the 30012 event and the `cdr/*` rows) of calls ending from now on appear only
    /// `secs` after the call ends. 0 switches the delay off.
    DelayCdrs {
        /// Seconds.
        secs: u64,
    },
}

/// A finished call whose CDR is held back by [`Fault::DelayCdrs`].
#[derive(Debug, Clone)]
pub struct DelayedCdr {
    /// When it appears.
    pub due: Instant,
    /// The record.
    pub record: CallRecord,
    /// Its 30012.
    pub event: Event,
}

/// The faults in force, as `GET /_sim/faults` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultReport {
    /// Seconds WebSocket upgrades stay refused (rounded up; 0: accepted).
    pub ws_refused_secs: u64,
    /// Refused until switched back on (Rust handle only).
    pub ws_refused_indefinitely: bool,
    /// Open WebSockets.
    pub ws_open: usize,
    /// CDR delay for calls ending now.
    pub cdr_delay_secs: u64,
    /// CDRs held back right now.
    pub cdrs_pending: usize,
    /// Access tokens valid now.
    pub live_access_tokens: usize,
}

/// Applies one fault.
pub fn apply(shared: &Shared, fault: &Fault) {
    match fault {
        Fault::DropWebsockets { secs } => {
            refuse_for(shared, *secs);
            shared.ws_kill.send_modify(|n| *n = n.wrapping_add(1));
        }
        Fault::RefuseWebsockets { secs } => refuse_for(shared, *secs),
        Fault::ExpireTokens => {
            let n = shared.auth().expire_access_tokens(shared.clock.now());
            tracing::debug!(expired = n, "access tokens expired");
            shared
                .tokens_expired
                .send_modify(|n| *n = n.wrapping_add(1));
        }
        Fault::DelayCdrs { secs } => shared.lock().cdr_delay_secs = *secs,
    }
}

fn refuse_for(shared: &Shared, secs: u64) {
    let until = (secs > 0).then(|| Instant::now() + Duration::from_secs(secs));
    *shared.ws_refused_until() = until;
}

/// Whether a WebSocket upgrade is refused now.
pub fn ws_refused(shared: &Shared) -> bool {
    shared.ws_refuse.load(Ordering::SeqCst)
        || shared
            .ws_refused_until()
            .is_some_and(|until| Instant::now() < until)
}

/// The faults in force.
pub fn report(shared: &Shared) -> FaultReport {
    let ws_refused_secs = shared.ws_refused_until().map_or(0, |until| {
        let left = until.saturating_duration_since(Instant::now());
        left.as_secs() + u64::from(left.subsec_nanos() > 0)
    });
    let (cdr_delay_secs, cdrs_pending) = {
        let st = shared.lock();
        (st.cdr_delay_secs, st.delayed_cdrs.len())
    };
    FaultReport {
        ws_refused_secs,
        ws_refused_indefinitely: shared.ws_refuse.load(Ordering::SeqCst),
        ws_open: shared.ws_open(),
        cdr_delay_secs,
        cdrs_pending,
        live_access_tokens: shared.auth().live_access_tokens(shared.clock.now()),
    }
}

/// Moves held-back CDRs that are due into the CDR list and publishes their 30012s.
pub fn release_due(shared: &Shared) {
    let now = Instant::now();
    let due: Vec<DelayedCdr> = {
        let mut st = shared.lock();
        let (due, later) = std::mem::take(&mut st.delayed_cdrs)
            .into_iter()
            .partition(|d| d.due <= now);
        st.delayed_cdrs = later;
        let mut due: Vec<DelayedCdr> = due;
        due.sort_by_key(|d| d.due);
        st.records.extend(due.iter().map(|d| d.record.clone()));
        due
    };
    for d in due {
        shared.bus.publish(d.event);
    }
}

/// The task that releases delayed CDRs (a short poll keeps it simple and cheap).
pub fn spawn_releaser(shared: Arc<Shared>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            release_due(&shared);
        }
    })
}
