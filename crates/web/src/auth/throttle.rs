//! Login throttling, two ways:
//!
//! - Per username *and* client address: after `max_failures` wrong
//!   passwords, that pair waits before its next attempt — one minute, then
//!   twice as long after each further failure, up to `window`. A pair with
//!   no failure for a whole `window` after its last wait starts afresh. An attacker elsewhere
//!   therefore never locks a person out from their own desk.
//! - Per username from every address: beyond `account_ceiling` failures
//!   within `window`, every attempt at that account is slowed by
//!   [`ACCOUNT_SLOWDOWN`] — never refused, so the right password from a
//!   new address still signs in, only later.
//!
//! The client address is the one the HTTP layer trusts (see
//! [`crate::guard`]): behind a reverse proxy, the proxy's forwarded
//! address, otherwise the TCP peer.
//!
//! Kept in memory: a restart forgets it, and several nodes each count their
//! own share. That bounds guessing well enough next to argon2's cost.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Above this many tracked pairs or accounts, the stale ones are dropped.
const PRUNE_ABOVE: usize = 10_000;
/// The first wait of a pair that used up its attempts.
const FIRST_WAIT_SECS: i64 = 60;
/// How long each attempt at an account under attack is held back.
pub const ACCOUNT_SLOWDOWN: std::time::Duration = std::time::Duration::from_secs(2);
/// Failed sign-ins remembered for the admin's dashboard.
const RECENT_KEPT: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey {
    pub username: String,
    /// `None` when the server does not know the client's address.
    pub ip: Option<IpAddr>,
}

/// Whether an attempt may go ahead, and how fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    Normal,
    /// The account is under attack from many addresses: answer only after this.
    Slowed(std::time::Duration),
}

/// One wrong password, as the admin's dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedSignIn {
    pub username: String,
    pub ip: Option<IpAddr>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct State {
    pairs: HashMap<ThrottleKey, Failures>,
    accounts: HashMap<String, VecDeque<DateTime<Utc>>>,
    recent: VecDeque<FailedSignIn>,
}

#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: u32,
    account_ceiling: usize,
    window: Duration,
    state: Mutex<State>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, account_ceiling: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures.max(1),
            account_ceiling: usize::try_from(account_ceiling.max(1)).unwrap_or(usize::MAX),
            window,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long the pair waits after `count` failures, the last at `last`.
    fn wait_after(&self, failures: Failures) -> Duration {
        let beyond = failures.count.saturating_sub(self.max_failures).min(20);
        let wait = Duration::seconds(FIRST_WAIT_SECS.saturating_mul(1 << beyond));
        wait.min(self.window)
    }

    /// When a pair starts afresh: a whole window without failures after
    /// its last wait.
    fn forgotten_at(&self, failures: Failures) -> DateTime<Utc> {
        let wait = if failures.count >= self.max_failures {
            self.wait_after(failures)
        } else {
            Duration::zero()
        };
        failures.last + wait + self.window
    }

    /// `Err(wait)` when `key` must wait that long before its next attempt;
    /// otherwise how fast to answer it.
    pub fn check(&self, key: &ThrottleKey, now: DateTime<Utc>) -> Result<Pace, Duration> {
        let mut state = self.state();
        if let Some(failures) = state.pairs.get(key).copied() {
            if now >= self.forgotten_at(failures) {
                state.pairs.remove(key);
            } else if failures.count >= self.max_failures {
                let until = failures.last + self.wait_after(failures);
                if until > now {
                    return Err((until - now).max(Duration::seconds(1)));
                }
            }
        }
        let cutoff = now - self.window;
        let attacked = state.accounts.get_mut(&key.username).is_some_and(|times| {
            forget_before(times, cutoff);
            times.len() >= self.account_ceiling
        });
        Ok(if attacked {
            Pace::Slowed(ACCOUNT_SLOWDOWN)
        } else {
            Pace::Normal
        })
    }

    pub fn failed(&self, key: &ThrottleKey, now: DateTime<Utc>) {
        let window = self.window;
        let mut state = self.state();
        if state.pairs.len() > PRUNE_ABOVE {
            let stale: Vec<_> = state
                .pairs
                .iter()
                .filter(|(_, f)| now >= self.forgotten_at(**f))
                .map(|(k, _)| k.clone())
                .collect();
            for key in stale {
                state.pairs.remove(&key);
            }
        }
        if state.accounts.len() > PRUNE_ABOVE {
            state.accounts.retain(|_, times| {
                forget_before(times, now - window);
                !times.is_empty()
            });
        }
        let pair = state.pairs.entry(key.clone()).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now >= self.forgotten_at(*pair) {
            pair.count = 0;
        }
        pair.count = pair.count.saturating_add(1);
        pair.last = now;
        let times = state.accounts.entry(key.username.clone()).or_default();
        forget_before(times, now - window);
        times.push_back(now);
        // Only whether the ceiling is reached matters.
        while times.len() > self.account_ceiling {
            times.pop_front();
        }
        if state.recent.len() >= RECENT_KEPT {
            state.recent.pop_front();
        }
        state.recent.push_back(FailedSignIn {
            username: key.username.clone(),
            ip: key.ip,
            at: now,
        });
    }

    /// A correct password clears the pair's count (not the account's: the
    /// attack elsewhere may go on).
    pub fn succeeded(&self, key: &ThrottleKey) {
        self.state().pairs.remove(key);
    }

    /// The latest failed sign-ins, newest first.
    pub fn recent_failures(&self, limit: usize) -> Vec<FailedSignIn> {
        self.state()
            .recent
            .iter()
            .rev()
            .take(limit)
            .cloned()
            .collect()
    }
}

fn forget_before(times: &mut VecDeque<DateTime<Utc>>, cutoff: DateTime<Utc>) {
    while times.front().is_some_and(|t| *t <= cutoff) {
        times.pop_front();
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

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_pair_waits_longer_after_each_failure_beyond_the_allowance() {
        let t = LoginThrottle::new(5, 100, Duration::minutes(15));
        let k = key("alice", "10.0.0.1");
        let mut now = t0();
        for _ in 0..5 {
            assert_eq!(t.check(&k, now), Ok(Pace::Normal));
            t.failed(&k, now);
        }
        // 1, 2, 4, 8 minutes, then the 15-minute window at most.
        for minutes in [1, 2, 4, 8, 15, 15] {
            assert_eq!(t.check(&k, now), Err(Duration::minutes(minutes)));
            // Other pairs are not affected.
            assert_eq!(t.check(&key("alice", "10.0.0.2"), now), Ok(Pace::Normal));
            assert_eq!(t.check(&key("bob", "10.0.0.1"), now), Ok(Pace::Normal));
            now += Duration::minutes(minutes);
            assert_eq!(t.check(&k, now), Ok(Pace::Normal));
            t.failed(&k, now);
        }
        // A quiet window after the last wait starts the pair afresh.
        now += Duration::minutes(30);
        assert_eq!(t.check(&k, now), Ok(Pace::Normal));
        t.failed(&k, now);
        assert_eq!(t.check(&k, now), Ok(Pace::Normal));
    }

    #[test]
    fn success_clears_the_pair() {
        let t = LoginThrottle::new(2, 100, Duration::minutes(15));
        let k = key("alice", "10.0.0.1");
        t.failed(&k, t0());
        t.succeeded(&k);
        t.failed(&k, t0());
        assert_eq!(t.check(&k, t0()), Ok(Pace::Normal));
        t.failed(&k, t0());
        assert!(t.check(&k, t0()).is_err());
    }

    #[test]
    fn failures_from_many_addresses_slow_the_account_but_never_lock_it() {
        let t = LoginThrottle::new(5, 20, Duration::minutes(15));
        for n in 0..100 {
            let k = key("admin", &format!("198.51.100.{n}"));
            t.failed(&k, t0());
        }
        // The admin at a new address: slowed, not refused.
        let admin = key("admin", "203.0.113.9");
        assert_eq!(t.check(&admin, t0()), Ok(Pace::Slowed(ACCOUNT_SLOWDOWN)));
        // Other accounts are not slowed.
        assert_eq!(t.check(&key("bob", "203.0.113.9"), t0()), Ok(Pace::Normal));
        // When the attack stops, the account's pace returns.
        let later = t0() + Duration::minutes(15);
        assert_eq!(t.check(&admin, later), Ok(Pace::Normal));
    }

    #[test]
    fn the_dashboard_sees_the_latest_failures_first() {
        let t = LoginThrottle::new(5, 20, Duration::minutes(15));
        for n in 0..60 {
            t.failed(&key("admin", "10.0.0.1"), t0() + Duration::seconds(n));
        }
        let recent = t.recent_failures(3);
        assert_eq!(recent.len(), 3);
        assert_eq!(recent[0].at, t0() + Duration::seconds(59));
        assert_eq!(recent[0].username, "admin");
        assert_eq!(recent[0].ip, Some("10.0.0.1".parse().unwrap()));
    }
}
