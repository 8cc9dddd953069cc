//! Request and API-credit counters, readable by callers (e.g. for `/metrics`).
//!
//! Credits follow the documented costs (docs/zoho-api.md §2.2). Zoho does not say
//! whether rejected calls are charged; we count every answered call except 429s,
//! so the numbers are an upper-bound estimate.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use crate::error::{Result, ZohoError};

/// What a request does, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    SearchRecords,
    Coql,
    GetRecord,
    GetRecords,
    ListRecords,
    InsertRecords,
    UpdateRecords,
    DeleteRecords,
    ListUsers,
    GetOrg,
    GetFields,
    GetLayouts,
    PbIntegrate,
    PbUsers,
    PbClickToDial,
    PbCallControl,
    PbCallNotify,
    PbClickToDialError,
}

impl Operation {
    pub const ALL: [Operation; 18] = [
        Self::SearchRecords,
        Self::Coql,
        Self::GetRecord,
        Self::GetRecords,
        Self::ListRecords,
        Self::InsertRecords,
        Self::UpdateRecords,
        Self::DeleteRecords,
        Self::ListUsers,
        Self::GetOrg,
        Self::GetFields,
        Self::GetLayouts,
        Self::PbIntegrate,
        Self::PbUsers,
        Self::PbClickToDial,
        Self::PbCallControl,
        Self::PbCallNotify,
        Self::PbClickToDialError,
    ];

    /// Stable label for metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SearchRecords => "search_records",
            Self::Coql => "coql",
            Self::GetRecord => "get_record",
            Self::GetRecords => "get_records",
            Self::ListRecords => "list_records",
            Self::InsertRecords => "insert_records",
            Self::UpdateRecords => "update_records",
            Self::DeleteRecords => "delete_records",
            Self::ListUsers => "list_users",
            Self::GetOrg => "get_org",
            Self::GetFields => "get_fields",
            Self::GetLayouts => "get_layouts",
            Self::PbIntegrate => "pb_integrate",
            Self::PbUsers => "pb_users",
            Self::PbClickToDial => "pb_clicktodial",
            Self::PbCallControl => "pb_callcontrol",
            Self::PbCallNotify => "pb_callnotify",
            Self::PbClickToDialError => "pb_clicktodialerror",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }
}

/// Documented credit costs.
pub mod cost {
    /// Insert/update/upsert: 1 credit per 10 records, at most 10.
    pub fn write(records: usize) -> u32 {
        (records.div_ceil(10)).clamp(1, 10) as u32
    }

    /// COQL: 1 / 2 / 3 credits for LIMIT ≤ 200 / ≤ 1000 / ≤ 2000.
    pub fn coql(limit: u32) -> u32 {
        match limit {
            0..=200 => 1,
            201..=1000 => 2,
            _ => 3,
        }
    }

    /// Most other calls.
    pub const DEFAULT: u32 = 1;
}

#[derive(Debug, Default)]
struct OpCounters {
    requests: AtomicU64,
    credits: AtomicU64,
    errors: AtomicU64,
}

/// Per-operation counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpSnapshot {
    /// HTTP attempts (retries and the re-send after a token refresh included).
    pub requests: u64,
    /// Estimated credits.
    pub credits: u64,
    /// Attempts answered with a non-2xx/304 status or failed in transport.
    pub errors: u64,
}

/// A copy of all counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSnapshot {
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
    pub credits_total: u64,
    pub credits_last_24h: u64,
    pub per_operation: Vec<(Operation, OpSnapshot)>,
}

impl MetricsSnapshot {
    pub fn op(&self, op: Operation) -> OpSnapshot {
        self.per_operation
            .iter()
            .find(|(o, _)| *o == op)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }
}

/// Counters of one connection.
#[derive(Debug)]
pub struct ApiMetrics {
    ops: [OpCounters; Operation::ALL.len()],
    retries: AtomicU64,
    throttled: AtomicU64,
    window: Mutex<CreditWindow>,
    budget: Mutex<Option<u64>>,
}

/// Rolling 24-hour credit window in 15-minute buckets (so credits free up at most
/// 15 minutes late: errs on the safe side).
#[derive(Debug, Default)]
struct CreditWindow {
    buckets: VecDeque<(i64, u64)>,
}

const BUCKET_SECS: i64 = 15 * 60;
const WINDOW_SECS: i64 = 24 * 3600;

impl CreditWindow {
    fn prune(&mut self, now: DateTime<Utc>) {
        let oldest = now.timestamp() - WINDOW_SECS;
        while self
            .buckets
            .front()
            .is_some_and(|(start, _)| start + BUCKET_SECS <= oldest)
        {
            self.buckets.pop_front();
        }
    }

    fn add(&mut self, now: DateTime<Utc>, credits: u64) {
        self.prune(now);
        let start = now.timestamp().div_euclid(BUCKET_SECS) * BUCKET_SECS;
        match self.buckets.back_mut() {
            Some((s, c)) if *s == start => *c += credits,
            _ => self.buckets.push_back((start, credits)),
        }
    }

    fn used(&mut self, now: DateTime<Utc>) -> u64 {
        self.prune(now);
        self.buckets.iter().map(|(_, c)| c).sum()
    }
}

impl Default for ApiMetrics {
    fn default() -> Self {
        Self {
            ops: Default::default(),
            retries: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            window: Mutex::new(CreditWindow::default()),
            budget: Mutex::new(None),
        }
    }
}

impl ApiMetrics {
    /// Sets (or clears) the 24-hour credit budget enforced before each call.
    pub fn set_credit_budget(&self, budget: Option<u64>) {
        *self.budget.lock().unwrap_or_else(|p| p.into_inner()) = budget;
    }

    /// The 24-hour credit budget in force (`None`: not enforced locally).
    pub fn credit_budget(&self) -> Option<u64> {
        *self.budget.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Refuses a call that would exceed the budget.
    pub fn check_budget(&self, now: DateTime<Utc>, credits: u32) -> Result<()> {
        let Some(budget) = *self.budget.lock().unwrap_or_else(|p| p.into_inner()) else {
            return Ok(());
        };
        let used = self
            .window
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .used(now);
        if used + u64::from(credits) > budget {
            return Err(ZohoError::CreditBudgetExhausted { used, budget });
        }
        Ok(())
    }

    pub(crate) fn record_attempt(&self, op: Operation) {
        self.ops[op.index()]
            .requests
            .fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_error(&self, op: Operation) {
        self.ops[op.index()].errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_credits(&self, op: Operation, now: DateTime<Utc>, credits: u32) {
        if credits == 0 {
            return;
        }
        self.ops[op.index()]
            .credits
            .fetch_add(u64::from(credits), Ordering::Relaxed);
        self.window
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .add(now, u64::from(credits));
    }

    /// Credits used in the 24 hours before `now`.
    pub fn credits_last_24h(&self, now: DateTime<Utc>) -> u64 {
        self.window
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .used(now)
    }

    /// All counters at `now`.
    pub fn snapshot(&self, now: DateTime<Utc>) -> MetricsSnapshot {
        let per_operation: Vec<_> = Operation::ALL
            .iter()
            .map(|op| {
                let c = &self.ops[op.index()];
                (
                    *op,
                    OpSnapshot {
                        requests: c.requests.load(Ordering::Relaxed),
                        credits: c.credits.load(Ordering::Relaxed),
                        errors: c.errors.load(Ordering::Relaxed),
                    },
                )
            })
            .collect();
        MetricsSnapshot {
            requests: per_operation.iter().map(|(_, s)| s.requests).sum(),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            credits_total: per_operation.iter().map(|(_, s)| s.credits).sum(),
            credits_last_24h: self.credits_last_24h(now),
            per_operation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_741_600_000, 0).expect("ts")
    }

    #[test]
    fn documented_costs() {
        assert_eq!(cost::write(1), 1);
        assert_eq!(cost::write(10), 1);
        assert_eq!(cost::write(11), 2);
        assert_eq!(cost::write(100), 10);
        assert_eq!(cost::write(250), 10);
        assert_eq!(cost::coql(200), 1);
        assert_eq!(cost::coql(201), 2);
        assert_eq!(cost::coql(1000), 2);
        assert_eq!(cost::coql(2000), 3);
    }

    #[test]
    fn rolling_window_and_budget() {
        let m = ApiMetrics::default();
        m.record_credits(Operation::Coql, t0(), 3);
        m.record_credits(
            Operation::InsertRecords,
            t0() + chrono::Duration::hours(12),
            10,
        );
        let now = t0() + chrono::Duration::hours(12);
        assert_eq!(m.credits_last_24h(now), 13);
        m.set_credit_budget(Some(12));
        assert!(matches!(
            m.check_budget(now, 1),
            Err(ZohoError::CreditBudgetExhausted {
                used: 13,
                budget: 12
            })
        ));
        let s = m.snapshot(now);
        assert_eq!(s.op(Operation::Coql).credits, 3);
        assert_eq!(s.credits_total, 13);
        // The first call's credits free up 24 h (+ at most one bucket) later.
        let later = t0() + chrono::Duration::hours(25);
        assert_eq!(m.credits_last_24h(later), 10);
        assert!(m.check_budget(later, 2).is_ok());
        assert_eq!(m.snapshot(later).credits_total, 13, "totals never shrink");
    }
}
