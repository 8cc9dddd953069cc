//! Click-to-dials in flight, so a later Yeastar 30015 for one can be told
//! to Zoho (`clicktodialerror`, see `crate::phonebridge::plan::dial_failure`).
//!
//! Kept in memory for a while after the PBX accepted the dial: a failure
//! comes within seconds, and one lost to a restart costs only the message.
//! The PBX may report the failure before `call/dial`'s answer (with the
//! call id) is back: such a failure waits here for its dial, which then
//! comes out on [`ClickToDials::late`] for the notifier.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ringbridge_core::pbx::CallId;
use ringbridge_core::telephony::DialStart;
use tokio::sync::mpsc;

/// A click-to-dial the PBX failed, with its reason; `announced`: Zoho had
/// been shown the call when it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedDial {
    pub dial: DialStart,
    pub reason: String,
    pub announced: bool,
}

#[derive(Debug, Default)]
struct Inner {
    dials: HashMap<String, (Instant, DialStart)>,
    /// Failures whose dial is not known yet: (seen at, reason, announced).
    failures: HashMap<String, (Instant, String, bool)>,
}

#[derive(Debug)]
pub struct ClickToDials {
    keep: Duration,
    inner: Mutex<Inner>,
    late_tx: mpsc::UnboundedSender<FailedDial>,
    late_rx: Mutex<Option<mpsc::UnboundedReceiver<FailedDial>>>,
}

impl Default for ClickToDials {
    fn default() -> Self {
        Self::new(Duration::from_secs(10 * 60))
    }
}

impl ClickToDials {
    /// Dials (and early failures) are forgotten `keep` after they came.
    pub fn new(keep: Duration) -> Self {
        let (late_tx, late_rx) = mpsc::unbounded_channel();
        Self {
            keep,
            inner: Mutex::new(Inner::default()),
            late_tx,
            late_rx: Mutex::new(Some(late_rx)),
        }
    }

    /// The PBX accepted `dial`. If it already reported the call failed, the
    /// failure goes out on [`Self::late`] now.
    pub fn remember(&self, dial: DialStart) {
        let key = same_call(&dial.call_id);
        let mut inner = self.lock();
        self.forget_old(&mut inner);
        match inner.failures.remove(&key) {
            Some((_, reason, announced)) => {
                drop(inner);
                let failed = FailedDial {
                    dial,
                    reason,
                    announced,
                };
                if self.late_tx.send(failed).is_err() {
                    tracing::debug!("no notifier follows click-to-dials");
                }
            }
            None => {
                inner.dials.insert(key, (Instant::now(), dial));
            }
        }
    }

    /// The PBX failed `call_id`: its dial, once, when it is a click-to-dial
    /// ringbridge placed. An unknown call's failure is kept a while in case
    /// its dial is not known yet.
    pub fn failed(&self, call_id: &CallId, reason: &str, announced: bool) -> Option<FailedDial> {
        let key = same_call(call_id);
        let mut inner = self.lock();
        self.forget_old(&mut inner);
        match inner.dials.remove(&key) {
            Some((_, dial)) => Some(FailedDial {
                dial,
                reason: reason.to_owned(),
                announced,
            }),
            None => {
                let seen = (Instant::now(), reason.to_owned(), announced);
                inner.failures.insert(key, seen);
                None
            }
        }
    }

    /// Failures matched to their dial after the fact; `None` once taken
    /// (one notifier reads them).
    pub fn late(&self) -> Option<mpsc::UnboundedReceiver<FailedDial>> {
        self.late_rx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    fn forget_old(&self, inner: &mut Inner) {
        let keep = self.keep;
        inner.dials.retain(|_, (at, _)| at.elapsed() < keep);
        inner.failures.retain(|_, (at, _, _)| at.elapsed() < keep);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One key per call: 30015 may zero-pad the sequence part of the id that
/// `call/dial` returned (`1767258100.000012` for `1767258100.12`).
fn same_call(call_id: &CallId) -> String {
    let id = call_id.as_str().trim();
    match id.split_once('.') {
        Some((secs, seq)) if seq.chars().all(|c| c.is_ascii_digit()) && !seq.is_empty() => {
            let seq = seq.trim_start_matches('0');
            format!("{secs}.{}", if seq.is_empty() { "0" } else { seq })
        }
        _ => id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dial(id: &str) -> DialStart {
        DialStart {
            call_id: CallId(id.into()),
            zoho_user: "u".into(),
            extension: "1005".into(),
            number: "4155550123".into(),
        }
    }

    #[test]
    fn a_zero_padded_failure_id_finds_its_dial_once() {
        let dials = ClickToDials::default();
        dials.remember(dial("1767258100.12"));
        let found = dials.failed(&CallId("1767258100.000012".into()), "User Busy", false);
        assert_eq!(found.map(|f| f.dial), Some(dial("1767258100.12")));
        assert_eq!(
            dials.failed(&CallId("1767258100.12".into()), "x", false),
            None
        );
    }

    #[test]
    fn a_failure_before_its_dial_comes_out_late() {
        let dials = ClickToDials::default();
        let mut late = dials.late().expect("receiver");
        assert!(dials.late().is_none(), "one reader");
        assert_eq!(dials.failed(&CallId("9.000003".into()), "DND", true), None);
        dials.remember(dial("9.4"));
        assert!(late.try_recv().is_err(), "another call");
        dials.remember(dial("9.3"));
        let failed = late.try_recv().expect("matched");
        assert_eq!(failed.dial, dial("9.3"));
        assert_eq!((failed.reason.as_str(), failed.announced), ("DND", true));
    }

    #[test]
    fn old_dials_are_forgotten() {
        let dials = ClickToDials::new(Duration::ZERO);
        dials.remember(dial("1.2"));
        assert_eq!(dials.failed(&CallId("1.2".into()), "x", false), None);
    }
}
