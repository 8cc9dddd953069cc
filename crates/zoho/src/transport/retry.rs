//! Bounded retries with exponential backoff and jitter.

use std::time::Duration;

use rand::Rng;

/// When and how often to retry 429s, 5xx and timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Delay before the first retry, doubled each time.
    pub base_delay: Duration,
    /// Upper bound of one delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The delay before retry number `retry` (0-based): "equal jitter", a random
    /// value in `[d/2, d]` with `d = min(max, base * 2^retry)`, so many clients
    /// throttled together do not come back together.
    pub fn delay(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(20)))
            .min(self.max_delay);
        let half = exp / 2;
        let jitter_ns =
            rand::rng().random_range(0..=half.as_nanos().min(u128::from(u64::MAX)) as u64);
        half + Duration::from_nanos(jitter_ns)
    }

    /// Whether an HTTP status is worth retrying. Only 429 is safe for requests that
    /// are not idempotent: a 5xx may come after the write happened.
    pub fn retry_status(status: u16, idempotent: bool) -> bool {
        status == 429 || (idempotent && matches!(status, 500 | 502 | 503 | 504))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_with_jitter_and_cap() {
        let p = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
        };
        for _ in 0..50 {
            let d0 = p.delay(0);
            assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100));
            let d2 = p.delay(2);
            assert!(d2 >= Duration::from_millis(200) && d2 <= Duration::from_millis(400));
            let d9 = p.delay(9);
            assert!(d9 >= Duration::from_millis(500) && d9 <= Duration::from_millis(1000));
        }
        assert!(p.delay(40) <= Duration::from_millis(1000), "no overflow");
    }

    #[test]
    fn which_statuses() {
        assert!(RetryPolicy::retry_status(429, false));
        assert!(RetryPolicy::retry_status(503, true));
        assert!(!RetryPolicy::retry_status(500, false));
        assert!(!RetryPolicy::retry_status(400, true));
        assert!(!RetryPolicy::retry_status(401, true));
    }
}
