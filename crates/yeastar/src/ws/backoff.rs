//! Exponential reconnect delays with jitter.

use std::time::Duration;

use crate::config::BackoffConfig;

#[derive(Debug)]
pub(crate) struct Backoff {
    cfg: BackoffConfig,
    attempt: u32,
}

impl Backoff {
    pub fn new(cfg: BackoffConfig) -> Self {
        Self { cfg, attempt: 0 }
    }

    /// After a connection worked: start from `initial` again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    pub fn next_delay(&mut self) -> Duration {
        let delay = delay_for(&self.cfg, self.attempt, rand::random::<f64>());
        self.attempt = self.attempt.saturating_add(1);
        delay
    }
}

/// The delay before retry number `attempt` (0-based); `unit` in `[0, 1)` is
/// the random draw, so the formula is testable.
pub fn delay_for(cfg: &BackoffConfig, attempt: u32, unit: f64) -> Duration {
    let exponent = i32::try_from(attempt.min(64)).unwrap_or(64);
    let base = cfg.initial.as_secs_f64() * cfg.multiplier.max(1.0).powi(exponent);
    let capped = base.min(cfg.max.as_secs_f64());
    let jitter = cfg.jitter.clamp(0.0, 1.0) * unit.clamp(0.0, 1.0);
    Duration::from_secs_f64((capped * (1.0 - jitter)).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> BackoffConfig {
        BackoffConfig {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: 0.5,
        }
    }

    #[test]
    fn grows_then_caps() {
        let c = cfg();
        let secs: Vec<f64> = (0..7)
            .map(|a| delay_for(&c, a, 0.0).as_secs_f64())
            .collect();
        assert_eq!(secs, [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]);
        assert_eq!(delay_for(&c, u32::MAX, 0.0), Duration::from_secs(30));
    }

    #[test]
    fn jitter_only_shortens_within_bounds() {
        let c = cfg();
        assert_eq!(delay_for(&c, 3, 0.999_999).as_millis(), 4000);
        assert_eq!(delay_for(&c, 3, 0.5), Duration::from_secs(6));
        let mut b = Backoff::new(c.clone());
        for attempt in 0..10 {
            let d = b.next_delay();
            let max = delay_for(&c, attempt, 0.0);
            assert!(d <= max && d >= max / 2, "{attempt}: {d:?}");
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(1));
    }
}
