//! Fault injection: the next N requests, or a seeded percentage of them, fail or stall.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::error::ApiError;
use crate::state::Shared;

/// What an affected request experiences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 `TOO_MANY_REQUESTS`.
    TooManyRequests,
    /// 500 `INTERNAL_ERROR`.
    InternalError,
    /// No answer for `SimConfig::hang_duration` (clients should time out), then 500.
    Hang,
    /// Normal answer after this delay (on the API listener the request holds a concurrency
    /// slot meanwhile).
    Slow(Duration),
}

/// Which listener a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    Accounts,
    Api,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultTarget {
    Api,
    Accounts,
    Both,
}

#[derive(Debug, Clone)]
enum Trigger {
    Next(u32),
    Rate { percent: u8, rng: Box<StdRng> },
}

/// One injection rule; build with [`FaultRule::next`] or [`FaultRule::rate`].
#[derive(Debug, Clone)]
pub struct FaultRule {
    fault: Fault,
    target: FaultTarget,
    path_prefix: Option<String>,
    trigger: Trigger,
}

impl FaultRule {
    /// The next `n` matching requests (API listener unless [`FaultRule::on`] says otherwise).
    pub fn next(n: u32, fault: Fault) -> Self {
        Self {
            fault,
            target: FaultTarget::Api,
            path_prefix: None,
            trigger: Trigger::Next(n),
        }
    }

    /// `percent`% of matching requests, decided by an RNG seeded with `seed` (reproducible).
    pub fn rate(percent: u8, seed: u64, fault: Fault) -> Self {
        Self {
            fault,
            target: FaultTarget::Api,
            path_prefix: None,
            trigger: Trigger::Rate {
                percent: percent.min(100),
                rng: Box::new(StdRng::seed_from_u64(seed)),
            },
        }
    }

    pub fn on(mut self, target: FaultTarget) -> Self {
        self.target = target;
        self
    }

    /// Only requests whose path starts with `prefix`.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    fn applies(&self, listener: Listener, path: &str) -> bool {
        let target_ok = matches!(
            (self.target, listener),
            (FaultTarget::Both, _)
                | (FaultTarget::Api, Listener::Api)
                | (FaultTarget::Accounts, Listener::Accounts)
        );
        target_ok
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}

/// Active rules, consulted in insertion order.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
}

impl Faults {
    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The fault for this request, if any rule fires (consuming one of a `next` budget).
    pub fn pick(&mut self, listener: Listener, path: &str) -> Option<Fault> {
        let mut hit = None;
        for rule in self.rules.iter_mut().filter(|r| r.applies(listener, path)) {
            let fires = match &mut rule.trigger {
                Trigger::Next(0) => false,
                Trigger::Next(n) => {
                    *n -= 1;
                    true
                }
                Trigger::Rate { percent, rng } => rng.random_range(0..100u8) < *percent,
            };
            if fires {
                hit = Some(rule.fault);
                break;
            }
        }
        self.rules
            .retain(|r| !matches!(r.trigger, Trigger::Next(0)));
        hit
    }
}

/// Carries out a fault: `Some(response)` ends the request, `None` lets it continue.
pub async fn apply(shared: &Shared, fault: Fault) -> Option<Response> {
    match fault {
        Fault::TooManyRequests => {
            Some(ApiError::too_many_requests("the request limit has been exceeded").into_response())
        }
        Fault::InternalError => Some(ApiError::internal().into_response()),
        Fault::Hang => {
            let mut stop = shared.shutdown.clone();
            tokio::select! {
                () = tokio::time::sleep(shared.config.hang_duration) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
            Some(ApiError::internal().into_response())
        }
        Fault::Slow(d) => {
            tokio::time::sleep(d).await;
            None
        }
    }
}
