//! An injectable clock: real time plus an offset that tests can advance, or a frozen instant.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, DurationRound, Utc};

/// The simulator's notion of "now". Cloning shares the same clock.
#[derive(Debug, Clone, Default)]
pub struct SimClock {
    inner: Arc<Mutex<ClockState>>,
}

#[derive(Debug, Default)]
struct ClockState {
    offset: Duration,
    frozen: Option<DateTime<Utc>>,
}

impl SimClock {
    /// Current simulated time, truncated to whole seconds (Zoho's timestamps have no fractions).
    pub fn now(&self) -> DateTime<Utc> {
        let st = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let base = st.frozen.unwrap_or_else(Utc::now) + st.offset;
        base.duration_trunc(Duration::seconds(1)).unwrap_or(base)
    }

    /// Moves the clock forward (token expiry, rolling credit windows, code lifetime).
    pub fn advance(&self, by: std::time::Duration) {
        let mut st = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        st.offset += Duration::from_std(by).unwrap_or(Duration::MAX);
    }

    /// Stops the clock at `at`; only [`SimClock::advance`] moves it afterwards.
    pub fn freeze_at(&self, at: DateTime<Utc>) {
        let mut st = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        st.frozen = Some(at);
        st.offset = Duration::zero();
    }
}
