//! Latency recording (HdrHistogram, nanoseconds) and its summary.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latencies of one path, recorded in nanoseconds with 3 significant digits.
pub struct Recorder(Histogram<u64>);

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    pub fn new() -> Self {
        // 1 ns .. 10 min at 3 significant digits: any bench latency fits.
        Self(Histogram::new_with_bounds(1, 600_000_000_000, 3).expect("valid histogram bounds"))
    }

    pub fn record(&mut self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        // Values past the upper bound are clamped rather than lost.
        self.0.saturating_record(nanos.max(1));
    }

    pub fn summary(&self) -> Latency {
        Latency::of(&self.0)
    }
}

/// The percentiles a bench reports, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    pub count: u64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

impl Latency {
    fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        let us = |nanos: u64| nanos as f64 / 1_000.0;
        Self {
            count: h.len(),
            p50_us: us(h.value_at_quantile(0.50)),
            p99_us: us(h.value_at_quantile(0.99)),
            max_us: us(h.max()),
        }
    }

    pub fn p50_ms(&self) -> f64 {
        self.p50_us / 1_000.0
    }

    pub fn p99_ms(&self) -> f64 {
        self.p99_us / 1_000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.max_us / 1_000.0
    }
}

/// `a / b`, or `None` when `b` is not a positive number.
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && b.is_finite()).then(|| a / b)
}

/// The median (the mean of the middle two for an even count); `None` when empty.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Rounds to `digits` decimals, so reports do not print float noise.
pub fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_recorder_summarizes_to_zeroes() {
        assert_eq!(Recorder::new().summary(), Latency::default());
    }

    #[test]
    fn percentiles_come_from_the_recorded_values() {
        let mut r = Recorder::new();
        for ms in 1..=100 {
            r.record(Duration::from_millis(ms));
        }
        let s = r.summary();
        assert_eq!(s.count, 100);
        // Three significant digits: within 0.1 % of the exact value.
        assert!((s.p50_ms() - 50.0).abs() < 0.1, "{s:?}");
        assert!((s.p99_ms() - 99.0).abs() < 0.1, "{s:?}");
        assert!((s.max_ms() - 100.0).abs() < 0.1, "{s:?}");
    }

    #[test]
    fn a_zero_latency_still_counts() {
        let mut r = Recorder::new();
        r.record(Duration::ZERO);
        assert_eq!(r.summary().count, 1);
    }

    #[test]
    fn ratio_refuses_a_zero_floor() {
        assert_eq!(ratio(3.0, 2.0), Some(1.5));
        assert_eq!(ratio(3.0, 0.0), None);
    }

    #[test]
    fn median_takes_the_middle() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![f64::NAN]), None);
        assert_eq!(median(Vec::new()), None);
    }

    #[test]
    fn round_keeps_the_given_decimals() {
        assert_eq!(round(1.23456, 2), 1.23);
        assert_eq!(round(0.049999, 3), 0.05);
    }
}
