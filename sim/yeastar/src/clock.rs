//! The simulated PBX clock.
//!
//! Token lifetimes, download-URL validity, CDR times and scenario waits all read this clock, so
//! tests can jump 30 minutes ahead in a microsecond instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// Where the clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStart {
    /// Follows the system clock (plus any manual advance). For the demo CLI.
    System,
    /// Frozen at this epoch second; moves only through [`SimClock::advance`] / [`SimClock::set`]
    /// (and scenario waits). For deterministic tests.
    Fixed(i64),
}

/// A cheaply cloneable handle to the simulated time (epoch seconds, UTC).
#[derive(Clone, Debug)]
pub struct SimClock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    frozen: AtomicBool,
    /// Fixed mode: the current epoch second. System mode: offset added to system time.
    value: AtomicI64,
    /// Bumped on every manual change so waiters (WebSocket token-expiry watchers) re-check.
    changed: watch::Sender<u64>,
}

fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl SimClock {
    /// A new clock.
    pub fn new(start: ClockStart) -> Self {
        let (frozen, value) = match start {
            ClockStart::System => (false, 0),
            ClockStart::Fixed(epoch) => (true, epoch),
        };
        let (changed, _) = watch::channel(0);
        Self {
            inner: Arc::new(Inner {
                frozen: AtomicBool::new(frozen),
                value: AtomicI64::new(value),
                changed,
            }),
        }
    }

    /// Current simulated epoch second.
    pub fn now(&self) -> i64 {
        let v = self.inner.value.load(Ordering::SeqCst);
        if self.is_frozen() {
            v
        } else {
            system_now().saturating_add(v)
        }
    }

    /// True when the clock only moves by hand.
    pub fn is_frozen(&self) -> bool {
        self.inner.frozen.load(Ordering::SeqCst)
    }

    /// Moves simulated time forward.
    pub fn advance(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.inner.value.fetch_add(secs, Ordering::SeqCst);
        self.notify();
    }

    /// Jumps to an absolute epoch second (also in system mode, by adjusting the offset).
    pub fn set(&self, epoch: i64) {
        if self.is_frozen() {
            self.inner.value.store(epoch, Ordering::SeqCst);
        } else {
            self.inner
                .value
                .store(epoch.saturating_sub(system_now()), Ordering::SeqCst);
        }
        self.notify();
    }

    fn notify(&self) {
        self.inner.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Resolves after the next manual change of the clock. In system mode time also flows on
    /// its own, so watchers should additionally poll (see [`SimClock::sleep_until`]).
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    /// Waits until simulated time reaches `epoch`.
    pub async fn sleep_until(&self, epoch: i64) {
        let mut rx = self.subscribe();
        loop {
            let now = self.now();
            if now >= epoch {
                return;
            }
            if self.is_frozen() {
                if rx.changed().await.is_err() {
                    // The sender lives as long as the clock; a closed channel means shutdown.
                    std::future::pending::<()>().await;
                }
            } else {
                let real = Duration::from_secs(u64::try_from(epoch - now).unwrap_or(1));
                tokio::select! {
                    _ = tokio::time::sleep(real.min(Duration::from_secs(1))) => {}
                    _ = rx.changed() => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_by_hand() {
        let c = SimClock::new(ClockStart::Fixed(1000));
        assert_eq!(c.now(), 1000);
        c.advance(Duration::from_secs(30));
        assert_eq!(c.now(), 1030);
        c.set(5);
        assert_eq!(c.now(), 5);
    }

    #[test]
    fn system_clock_can_be_shifted() {
        let c = SimClock::new(ClockStart::System);
        let before = c.now();
        c.advance(Duration::from_secs(3600));
        assert!(c.now() >= before + 3600);
    }

    #[tokio::test]
    async fn sleep_until_wakes_on_advance() {
        let c = SimClock::new(ClockStart::Fixed(0));
        let c2 = c.clone();
        let t = tokio::spawn(async move { c2.sleep_until(10).await });
        tokio::task::yield_now().await;
        c.advance(Duration::from_secs(10));
        tokio::time::timeout(Duration::from_secs(2), t)
            .await
            .expect("woke")
            .expect("joined");
    }
}
