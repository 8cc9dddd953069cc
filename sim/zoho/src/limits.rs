//! API credits over a rolling 24 h window and the (sub-)concurrency limits
//! (docs/zoho-api.md §2.2).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::error::ApiError;
use crate::state::Shared;

/// Heavy calls (COQL, search, big writes, sorted lists) share this limit in every edition.
pub const SUB_CONCURRENCY: u32 = 10;
const WINDOW: Duration = Duration::hours(24);

#[derive(Debug, Default)]
pub struct Limits {
    inflight: AtomicU32,
    heavy: AtomicU32,
    credits: Mutex<VecDeque<(DateTime<Utc>, u64)>>,
}

/// Holds one concurrency slot until dropped.
#[derive(Debug)]
pub struct Slot {
    shared: Arc<Shared>,
    heavy: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.limits.inflight.fetch_sub(1, Ordering::SeqCst);
        if self.heavy {
            self.shared.limits.heavy.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Takes a slot or answers 429 (message unconfirmed).
pub fn acquire(shared: &Arc<Shared>, max: u32, heavy: bool) -> Result<Slot, ApiError> {
    let l = &shared.limits;
    if l.inflight.fetch_add(1, Ordering::SeqCst) >= max {
        l.inflight.fetch_sub(1, Ordering::SeqCst);
        return Err(ApiError::too_many_requests(
            &shared.config.rate_limit_code,
            "concurrency limit exceeded",
        ));
    }
    if heavy && l.heavy.fetch_add(1, Ordering::SeqCst) >= SUB_CONCURRENCY {
        l.heavy.fetch_sub(1, Ordering::SeqCst);
        l.inflight.fetch_sub(1, Ordering::SeqCst);
        return Err(ApiError::too_many_requests(
            &shared.config.rate_limit_code,
            "sub-concurrency limit exceeded",
        ));
    }
    Ok(Slot {
        shared: Arc::clone(shared),
        heavy,
    })
}

impl Limits {
    fn window(
        &self,
        now: DateTime<Utc>,
    ) -> std::sync::MutexGuard<'_, VecDeque<(DateTime<Utc>, u64)>> {
        let mut w = self.credits.lock().unwrap_or_else(PoisonError::into_inner);
        while w.front().is_some_and(|(t, _)| now - *t >= WINDOW) {
            w.pop_front();
        }
        w
    }

    /// Credits used in the 24 h before `now`.
    pub fn used(&self, now: DateTime<Utc>) -> u64 {
        self.window(now).iter().map(|(_, c)| c).sum()
    }

    /// Charges `cost` unless that would pass `limit` (then the call is refused whole).
    pub fn charge(&self, now: DateTime<Utc>, cost: u64, limit: u64) -> bool {
        let mut w = self.window(now);
        let used: u64 = w.iter().map(|(_, c)| c).sum();
        if used + cost > limit {
            return false;
        }
        w.push_back((now, cost));
        true
    }

    /// Books credits spent elsewhere (other apps of the org), unconditionally.
    pub fn consume(&self, now: DateTime<Utc>, cost: u64) {
        self.window(now).push_back((now, cost));
    }
}
