//! "Seen recently?" for identical deliveries: frames that arrive on both
//! sockets while one replaces the other, and webhook retries (the PBX signs
//! no nonce, so a retry is byte-identical).

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use tokio::time::Instant;

/// Remembers content hashes for `window`, at most `capacity` of them.
#[derive(Debug)]
pub(crate) struct RecentSet {
    window: Duration,
    capacity: usize,
    seen: HashMap<u64, Instant>,
    order: VecDeque<(u64, Instant)>,
}

impl RecentSet {
    pub fn new(window: Duration, capacity: usize) -> Self {
        Self {
            window,
            capacity: capacity.max(1),
            seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    pub fn key(content: &[u8]) -> u64 {
        let mut hasher = DefaultHasher::new();
        content.hash(&mut hasher);
        hasher.finish()
    }

    /// Records `key`; true if it was new.
    pub fn insert(&mut self, key: u64, now: Instant) -> bool {
        self.expire(now);
        if self.seen.contains_key(&key) {
            return false;
        }
        while self.order.len() >= self.capacity {
            if let Some((old, at)) = self.order.pop_front()
                && self.seen.get(&old) == Some(&at)
            {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(key, now);
        self.order.push_back((key, now));
        true
    }

    /// Forgets `key` (a delivery that was recorded but then failed).
    pub fn remove(&mut self, key: u64) {
        self.seen.remove(&key);
    }

    fn expire(&mut self, now: Instant) {
        while let Some(&(key, at)) = self.order.front() {
            if now.duration_since(at) < self.window {
                break;
            }
            self.order.pop_front();
            if self.seen.get(&key) == Some(&at) {
                self.seen.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_after_the_window() {
        let mut set = RecentSet::new(Duration::from_secs(10), 100);
        let t0 = Instant::now();
        let k = RecentSet::key(b"frame");
        assert!(set.insert(k, t0));
        assert!(!set.insert(k, t0 + Duration::from_secs(9)));
        assert!(set.insert(k, t0 + Duration::from_secs(10)));
        set.remove(k);
        assert!(
            set.insert(k, t0 + Duration::from_secs(11)),
            "removed keys are new"
        );
    }

    #[test]
    fn capacity_is_bounded() {
        let mut set = RecentSet::new(Duration::from_secs(60), 2);
        let t0 = Instant::now();
        assert!(set.insert(1, t0));
        assert!(set.insert(2, t0));
        assert!(set.insert(3, t0));
        assert!(set.insert(1, t0), "oldest was evicted");
        assert!(!set.insert(3, t0));
    }
}
