//! Client-side concurrency limits per org (docs/zoho-api.md §2.2).
//!
//! Zoho counts simultaneous in-flight calls per org and app: 5 on Free up to 25 on
//! Ultimate, and a sub-limit of 10 for "heavy" calls (COQL, search, big writes,
//! sorted lists). Going over earns a 429, so we queue locally instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Zoho CRM editions, as far as limits go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Edition {
    /// Unknown edition: the Free limits, the safe default.
    #[default]
    Free,
    Standard,
    Professional,
    Enterprise,
    Ultimate,
}

impl Edition {
    /// Maps `org.license_details.paid_type`. Zoho's exact strings per edition are
    /// unconfirmed, so this matches by keyword and falls back to Free.
    pub fn from_paid_type(paid_type: &str) -> Self {
        let p = paid_type.to_ascii_lowercase();
        if p.contains("ultimate") || p.contains("crmplus") || p.contains("crm plus") {
            Self::Ultimate
        } else if p.contains("enterprise") || p.contains("zohoone") || p.contains("zoho one") {
            Self::Enterprise
        } else if p.contains("professional") {
            Self::Professional
        } else if p.contains("standard") || p.contains("starter") {
            Self::Standard
        } else {
            Self::Free
        }
    }

    /// Documented concurrent calls per org per app.
    pub fn concurrency(self) -> usize {
        match self {
            Self::Free => 5,
            Self::Standard => 10,
            Self::Professional => 15,
            Self::Enterprise => 20,
            Self::Ultimate => 25,
        }
    }

    /// Documented credits per rolling 24 h, without add-ons (`None` = unlimited cap).
    pub fn daily_credits(self, user_licences: u64) -> Option<u64> {
        let (per_user, cap) = match self {
            Self::Free => return Some(5_000),
            Self::Standard => (250, Some(100_000)),
            Self::Professional => (500, Some(3_000_000)),
            Self::Enterprise => (1_000, Some(5_000_000)),
            Self::Ultimate => (2_000, None),
        };
        let base = 50_000 + per_user * user_licences;
        Some(cap.map_or(base, |c| base.min(c)))
    }
}

/// Sub-concurrency for heavy calls, the same on every edition.
pub const HEAVY_CONCURRENCY: usize = 10;

/// Two semaphores: every call takes a general permit; heavy calls also take a
/// heavy one first.
#[derive(Debug, Clone)]
pub struct Limiter {
    general: Arc<Gate>,
    heavy: Arc<Gate>,
}

#[derive(Debug)]
struct Gate {
    sem: Arc<Semaphore>,
    size: AtomicUsize,
    /// Permits still to withdraw after a shrink; taken from permits as they return.
    debt: AtomicUsize,
}

/// Held while a request is in flight.
#[derive(Debug)]
pub struct Permit {
    _heavy: Option<GatePermit>,
    _general: GatePermit,
}

#[derive(Debug)]
struct GatePermit {
    permit: Option<OwnedSemaphorePermit>,
    gate: Arc<Gate>,
}

impl Drop for GatePermit {
    fn drop(&mut self) {
        let Some(p) = self.permit.take() else { return };
        let paid = self
            .gate
            .debt
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |d| d.checked_sub(1))
            .is_ok();
        if paid {
            p.forget();
        }
    }
}

impl Gate {
    fn new(size: usize) -> Self {
        let size = size.max(1);
        Self {
            sem: Arc::new(Semaphore::new(size)),
            size: AtomicUsize::new(size),
            debt: AtomicUsize::new(0),
        }
    }

    async fn acquire(self: &Arc<Self>) -> GatePermit {
        // The semaphore is never closed, so acquiring cannot fail.
        let permit = Arc::clone(&self.sem)
            .acquire_owned()
            .await
            .expect("limiter semaphore is never closed");
        GatePermit {
            permit: Some(permit),
            gate: Arc::clone(self),
        }
    }

    fn resize(&self, new: usize) {
        let new = new.max(1);
        let old = self.size.swap(new, Ordering::AcqRel);
        if new > old {
            let mut grow = new - old;
            // Cancel outstanding debt before adding permits.
            while grow > 0 {
                match self
                    .debt
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |d| d.checked_sub(1))
                {
                    Ok(_) => grow -= 1,
                    Err(_) => break,
                }
            }
            self.sem.add_permits(grow);
        } else if new < old {
            let shrink = old - new;
            let forgotten = self.sem.forget_permits(shrink);
            self.debt.fetch_add(shrink - forgotten, Ordering::AcqRel);
        }
    }
}

impl Limiter {
    pub fn new(concurrency: usize, heavy: usize) -> Self {
        Self {
            general: Arc::new(Gate::new(concurrency)),
            heavy: Arc::new(Gate::new(heavy.min(concurrency.max(1)))),
        }
    }

    pub fn for_edition(edition: Edition) -> Self {
        Self::new(edition.concurrency(), HEAVY_CONCURRENCY)
    }

    /// Changes the limits, e.g. after reading the org's edition. Shrinking takes
    /// effect as in-flight calls finish.
    pub fn resize(&self, concurrency: usize, heavy: usize) {
        self.general.resize(concurrency);
        self.heavy.resize(heavy.min(concurrency.max(1)));
    }

    /// Current (general, heavy) limits.
    pub fn limits(&self) -> (usize, usize) {
        (
            self.general.size.load(Ordering::Acquire),
            self.heavy.size.load(Ordering::Acquire),
        )
    }

    /// Waits for room for one call.
    pub async fn acquire(&self, heavy: bool) -> Permit {
        let heavy = if heavy {
            Some(self.heavy.acquire().await)
        } else {
            None
        };
        Permit {
            _heavy: heavy,
            _general: self.general.acquire().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn editions() {
        assert_eq!(Edition::from_paid_type("enterprise"), Edition::Enterprise);
        assert_eq!(
            Edition::from_paid_type("Professional"),
            Edition::Professional
        );
        assert_eq!(Edition::from_paid_type("whatever"), Edition::Free);
        assert_eq!(Edition::Free.concurrency(), 5);
        assert_eq!(Edition::Ultimate.concurrency(), 25);
        assert_eq!(Edition::Free.daily_credits(100), Some(5_000));
        assert_eq!(Edition::Standard.daily_credits(10), Some(52_500));
        assert_eq!(Edition::Standard.daily_credits(1_000), Some(100_000));
        assert_eq!(Edition::Ultimate.daily_credits(10), Some(70_000));
    }

    async fn try_acquire(l: &Limiter, heavy: bool) -> Option<Permit> {
        tokio::time::timeout(Duration::from_millis(20), l.acquire(heavy))
            .await
            .ok()
    }

    #[tokio::test]
    async fn limits_general_and_heavy() {
        let l = Limiter::new(3, 2);
        let a = try_acquire(&l, true).await.expect("1");
        let b = try_acquire(&l, true).await.expect("2");
        assert!(try_acquire(&l, true).await.is_none(), "heavy limit 2");
        let c = try_acquire(&l, false).await.expect("light still fits");
        assert!(try_acquire(&l, false).await.is_none(), "general limit 3");
        drop(a);
        assert!(try_acquire(&l, false).await.is_some());
        drop((b, c));
    }

    #[tokio::test]
    async fn resize_grows_and_shrinks() {
        let l = Limiter::new(2, 2);
        let a = try_acquire(&l, false).await.expect("1");
        let b = try_acquire(&l, false).await.expect("2");
        l.resize(4, 2);
        let c = try_acquire(&l, false).await.expect("3");
        let d = try_acquire(&l, false).await.expect("4");
        assert!(try_acquire(&l, false).await.is_none());
        l.resize(1, 1);
        assert_eq!(l.limits(), (1, 1));
        drop((a, b, c));
        assert!(
            try_acquire(&l, false).await.is_none(),
            "still one in flight, limit is 1"
        );
        drop(d);
        let e = try_acquire(&l, false).await.expect("one fits again");
        assert!(try_acquire(&l, false).await.is_none());
        drop(e);
    }
}
