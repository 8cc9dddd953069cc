//! Fault injection: the next N requests, a seeded percentage of them, or an exact share
//! of them fail, stall, or are carried out with their answer lost.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
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
    /// The request is carried out (a write is stored), then the connection is dropped
    /// before the answer arrives: the client cannot tell whether it happened.
    ApplyThenDrop,
    /// The request is carried out, then no answer for `SimConfig::hang_duration` (clients
    /// time out), then the connection is dropped.
    ApplyThenHang,
}

impl Fault {
    /// A stable name per kind, the key of [`Faults::injected`].
    pub fn name(&self) -> &'static str {
        match self {
            Self::TooManyRequests => "too_many_requests",
            Self::InternalError => "internal_error",
            Self::Hang => "hang",
            Self::Slow(_) => "slow",
            Self::ApplyThenDrop => "apply_then_drop",
            Self::ApplyThenHang => "apply_then_hang",
        }
    }

    /// Takes effect after the request was handled.
    fn waits_for_the_handler(&self) -> bool {
        matches!(self, Self::ApplyThenDrop | Self::ApplyThenHang)
    }
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
    Rate {
        percent: u8,
        rng: Box<StdRng>,
    },
    /// Exactly `floor(seen * num / den)` of the first `seen` matching requests, spread
    /// evenly: a rate that holds over a few dozen requests, which a random draw does not.
    Share {
        num: u32,
        den: u32,
        seen: u64,
    },
}

/// One injection rule; build with [`FaultRule::next`], [`FaultRule::rate`] or
/// [`FaultRule::share`].
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// Taken in turn, one per firing.
    faults: Vec<Fault>,
    fired: usize,
    target: FaultTarget,
    method: Option<String>,
    path_prefix: Option<String>,
    trigger: Trigger,
}

impl FaultRule {
    fn with(faults: Vec<Fault>, trigger: Trigger) -> Self {
        Self {
            faults,
            fired: 0,
            target: FaultTarget::Api,
            method: None,
            path_prefix: None,
            trigger,
        }
    }

    /// The next `n` matching requests (API listener unless [`FaultRule::on`] says otherwise).
    pub fn next(n: u32, fault: Fault) -> Self {
        Self::with(vec![fault], Trigger::Next(n))
    }

    /// `percent`% of matching requests, decided by an RNG seeded with `seed` (reproducible).
    pub fn rate(percent: u8, seed: u64, fault: Fault) -> Self {
        Self::with(
            vec![fault],
            Trigger::Rate {
                percent: percent.min(100),
                rng: Box::new(StdRng::seed_from_u64(seed)),
            },
        )
    }

    /// Exactly `num` in every `den` matching requests, evenly spread, taking `faults` in
    /// turn (so each kind occurs once the rule fired `faults.len()` times). An empty list
    /// or `den == 0` never fires.
    pub fn share(num: u32, den: u32, faults: &[Fault]) -> Self {
        Self::with(
            faults.to_vec(),
            Trigger::Share {
                num: num.min(den),
                den,
                seen: 0,
            },
        )
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

    /// Only requests with this HTTP method (e.g. `POST`: inserts, not reads).
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    fn applies(&self, listener: Listener, method: &str, path: &str) -> bool {
        let target_ok = matches!(
            (self.target, listener),
            (FaultTarget::Both, _)
                | (FaultTarget::Api, Listener::Api)
                | (FaultTarget::Accounts, Listener::Accounts)
        );
        target_ok
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }

    fn fires(&mut self) -> bool {
        match &mut self.trigger {
            Trigger::Next(0) => false,
            Trigger::Next(n) => {
                *n -= 1;
                true
            }
            Trigger::Rate { percent, rng } => rng.random_range(0..100u8) < *percent,
            Trigger::Share { den: 0, .. } => false,
            Trigger::Share { num, den, seen } => {
                let before = *seen * u64::from(*num) / u64::from(*den);
                *seen += 1;
                *seen * u64::from(*num) / u64::from(*den) > before
            }
        }
    }

    fn take(&mut self) -> Option<Fault> {
        let fault = self
            .faults
            .get(self.fired % self.faults.len().max(1))
            .copied();
        self.fired += 1;
        fault
    }
}

/// Active rules, consulted in insertion order, and what they injected.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
    injected: BTreeMap<&'static str, u64>,
}

impl Faults {
    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    /// Removes the rules (the counts of what was injected stay).
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// How many faults of each kind ([`Fault::name`]) were injected so far.
    pub fn injected(&self) -> BTreeMap<&'static str, u64> {
        self.injected.clone()
    }

    /// The fault for this request, if any rule fires (consuming one of a `next` budget).
    pub fn pick(&mut self, listener: Listener, method: &str, path: &str) -> Option<Fault> {
        let mut hit = None;
        for rule in self
            .rules
            .iter_mut()
            .filter(|r| r.applies(listener, method, path))
        {
            if rule.fires() {
                hit = rule.take();
                if hit.is_some() {
                    break;
                }
            }
        }
        self.rules
            .retain(|r| !matches!(r.trigger, Trigger::Next(0)));
        // An applied-then-lost fault counts once the answer is thrown away
        // ([`after`]): a request refused before its handler ran (an expired
        // token) is answered normally.
        if let Some(fault) = hit
            && !fault.waits_for_the_handler()
        {
            self.count(fault);
        }
        hit
    }

    fn count(&mut self, fault: Fault) {
        *self.injected.entry(fault.name()).or_default() += 1;
    }
}

/// Carries out the part of a fault that comes before the request is handled:
/// `Some(response)` ends the request, `None` lets it continue.
pub async fn apply(shared: &Shared, fault: Fault) -> Option<Response> {
    match fault {
        Fault::TooManyRequests => Some(
            ApiError::too_many_requests(
                &shared.config.rate_limit_code,
                "the request limit has been exceeded",
            )
            .into_response(),
        ),
        Fault::InternalError => Some(ApiError::internal().into_response()),
        Fault::Hang => {
            hang(shared).await;
            Some(ApiError::internal().into_response())
        }
        Fault::Slow(d) => {
            tokio::time::sleep(d).await;
            None
        }
        Fault::ApplyThenDrop | Fault::ApplyThenHang => None,
    }
}

/// The part after the request was handled: an applied-then-lost fault throws the
/// handler's answer away; anything else passes it on.
pub async fn after(shared: &Shared, fault: Option<Fault>, answer: Response) -> Response {
    if let Some(fault) = fault
        && fault.waits_for_the_handler()
    {
        shared.faults().count(fault);
    }
    match fault {
        Some(Fault::ApplyThenDrop) => dropped_connection(),
        Some(Fault::ApplyThenHang) => {
            hang(shared).await;
            dropped_connection()
        }
        _ => answer,
    }
}

async fn hang(shared: &Shared) {
    let mut stop = shared.shutdown.clone();
    tokio::select! {
        () = tokio::time::sleep(shared.config.hang_duration) => {}
        _ = stop.wait_for(|s| *s) => {}
    }
}

/// A response whose body fails at once: the server aborts the connection, so the
/// client gets no complete answer (as when a proxy or the network drops it).
fn dropped_connection() -> Response {
    let broken = futures_util::stream::iter([Err::<Bytes, _>(std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "simulated dropped connection",
    ))]);
    Response::new(Body::from_stream(broken))
}
