//! Login throttling: after `max_failures` wrong passwords for one username
//! from one address within `window`, that pair is refused until the oldest
//! failure leaves the window. Keyed by the pair, so an attacker elsewhere
//! cannot lock a person out from their own desk.
//!
//! Kept in memory: a restart forgets it, and several nodes each count their
//! own share. That bounds guessing well enough next to argon2's cost.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Above this many tracked pairs, pairs with no recent failure are dropped.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey {
    pub username: String,
    /// `None` when the server does not know the peer address.
    pub ip: Option<IpAddr>,
}

#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<ThrottleKey, VecDeque<DateTime<Utc>>>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: usize::try_from(max_failures.max(1)).unwrap_or(usize::MAX),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when `key` has used up its attempts; `wait` is how long
    /// until the next attempt is allowed.
    pub fn check(&self, key: &ThrottleKey, now: DateTime<Utc>) -> Result<(), Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some(times) = map.get_mut(key) else {
            return Ok(());
        };
        Self::forget_old(times, now - self.window);
        if times.len() < self.max_failures {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        Err((oldest + self.window - now).max(Duration::seconds(1)))
    }

    pub fn failed(&self, key: &ThrottleKey, now: DateTime<Utc>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > PRUNE_ABOVE {
            let cutoff = now - self.window;
            map.retain(|_, times| {
                Self::forget_old(times, cutoff);
                !times.is_empty()
            });
        }
        let times = map.entry(key.clone()).or_default();
        Self::forget_old(times, now - self.window);
        times.push_back(now);
        // Only the newest `max_failures` matter.
        while times.len() > self.max_failures {
            times.pop_front();
        }
    }

    /// A correct password clears the pair's count.
    pub fn succeeded(&self, key: &ThrottleKey) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }

    fn forget_old(times: &mut VecDeque<DateTime<Utc>>, cutoff: DateTime<Utc>) {
        while times.front().is_some_and(|t| *t <= cutoff) {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn key(user: &str, ip: &str) -> ThrottleKey {
        ThrottleKey {
            username: user.into(),
            ip: Some(ip.parse().unwrap()),
        }
    }

    #[test]
    fn five_failures_in_the_window_lock_the_pair_until_the_oldest_expires() {
        let t = LoginThrottle::new(5, Duration::minutes(15));
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let k = key("alice", "10.0.0.1");
        for n in 0..5 {
            assert_eq!(t.check(&k, t0 + Duration::minutes(n)), Ok(()));
            t.failed(&k, t0 + Duration::minutes(n));
        }
        let now = t0 + Duration::minutes(5);
        assert_eq!(t.check(&k, now), Err(Duration::minutes(10)));
        // Other pairs are not affected.
        assert_eq!(t.check(&key("alice", "10.0.0.2"), now), Ok(()));
        assert_eq!(t.check(&key("bob", "10.0.0.1"), now), Ok(()));
        // The first failure leaves the window at 15 minutes.
        assert!(
            t.check(&k, t0 + Duration::minutes(15) - Duration::seconds(1))
                .is_err()
        );
        assert_eq!(t.check(&k, t0 + Duration::minutes(15)), Ok(()));
    }

    #[test]
    fn success_clears_and_old_failures_do_not_count() {
        let t = LoginThrottle::new(2, Duration::minutes(15));
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let k = key("alice", "10.0.0.1");
        t.failed(&k, t0);
        t.succeeded(&k);
        t.failed(&k, t0);
        assert_eq!(t.check(&k, t0), Ok(()));
        t.failed(&k, t0 + Duration::minutes(20));
        assert_eq!(t.check(&k, t0 + Duration::minutes(20)), Ok(()));
        t.failed(&k, t0 + Duration::minutes(21));
        assert!(t.check(&k, t0 + Duration::minutes(21)).is_err());
    }
}
