//! Rate limits per client address on the routes anyone may call without
//! signing in and that cost something: sign-in and first-run setup (a
//! password hash, a database write), the PBX webhook and Zoho PhoneBridge
//! callbacks (database writes, PBX and Zoho calls), recording links (a PBX
//! download). Beyond the limit: 429 with Retry-After. Counted with
//! `governor`'s keyed GCRA limiters, kept in memory.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::GuardConfig;
use crate::auth::WebContext;

/// Every this many checks, addresses with a full allowance again are forgotten.
const RETAIN_EVERY: u64 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    SignIn,
    Callback,
    Recording,
}

fn classify(method: &Method, path: &str) -> Option<Class> {
    if *method == Method::POST && (path == "/login" || path == "/setup") {
        Some(Class::SignIn)
    } else if path.starts_with("/pbx/") || path.starts_with("/zoho/phonebridge/") {
        Some(Class::Callback)
    } else if path.starts_with("/recordings/") {
        Some(Class::Recording)
    } else {
        None
    }
}

/// The limiters; a limit of 0 turns its class off.
pub struct RateLimits {
    sign_in: Option<DefaultKeyedRateLimiter<IpAddr>>,
    callbacks: Option<DefaultKeyedRateLimiter<IpAddr>>,
    recordings: Option<DefaultKeyedRateLimiter<IpAddr>>,
    checks: AtomicU64,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits").finish_non_exhaustive()
    }
}

impl RateLimits {
    pub fn new(config: &GuardConfig) -> Self {
        let keyed = |quota: Option<Quota>| quota.map(DefaultKeyedRateLimiter::keyed);
        Self {
            sign_in: keyed(NonZeroU32::new(config.sign_in_per_minute).map(Quota::per_minute)),
            callbacks: keyed(NonZeroU32::new(config.callbacks_per_second).map(Quota::per_second)),
            recordings: keyed(NonZeroU32::new(config.recordings_per_minute).map(Quota::per_minute)),
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(seconds)` to wait when `client` is over the class's limit.
    fn check(&self, class: Class, client: IpAddr) -> Result<(), u64> {
        let limiter = match class {
            Class::SignIn => &self.sign_in,
            Class::Callback => &self.callbacks,
            Class::Recording => &self.recordings,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % RETAIN_EVERY == RETAIN_EVERY - 1 {
            for limiter in [&self.sign_in, &self.callbacks, &self.recordings]
                .into_iter()
                .flatten()
            {
                limiter.retain_recent();
            }
        }
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// The middleware: passes what is not limited or within its limit.
pub async fn limit(State(web): State<Arc<WebContext>>, request: Request, next: Next) -> Response {
    let Some(class) = classify(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    // Without a known address, every such request shares one allowance.
    let client = web
        .client_ip(peer, request.headers())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match web.rate_limits.check(class, client) {
        Ok(()) => next.run(request).await,
        Err(seconds) => {
            tracing::warn!(%client, ?class, "rate limited");
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(RETRY_AFTER, HeaderValue::from(seconds.max(1)))],
                "too many requests; try again later\n",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_costly_unauthenticated_routes_are_limited() {
        assert_eq!(classify(&Method::POST, "/login"), Some(Class::SignIn));
        assert_eq!(classify(&Method::POST, "/setup"), Some(Class::SignIn));
        assert_eq!(classify(&Method::GET, "/login"), None);
        assert_eq!(
            classify(&Method::POST, "/pbx/yeastar/webhook"),
            Some(Class::Callback)
        );
        assert_eq!(
            classify(&Method::POST, "/zoho/phonebridge/clicktodial"),
            Some(Class::Callback)
        );
        assert_eq!(
            classify(&Method::GET, "/recordings/abc"),
            Some(Class::Recording)
        );
        assert_eq!(classify(&Method::GET, "/healthz"), None);
        assert_eq!(classify(&Method::GET, "/api/calls/stream"), None);
    }

    #[test]
    fn each_address_has_its_own_allowance() {
        let limits = RateLimits::new(&GuardConfig {
            sign_in_per_minute: 3,
            ..GuardConfig::default()
        });
        let (a, b) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(limits.check(Class::SignIn, a), Ok(()));
        }
        let wait = limits.check(Class::SignIn, a).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(limits.check(Class::SignIn, b), Ok(()));
        // Another class has its own count.
        assert_eq!(limits.check(Class::Recording, a), Ok(()));
    }

    #[test]
    fn a_zero_limit_turns_the_class_off() {
        let limits = RateLimits::new(&GuardConfig {
            sign_in_per_minute: 0,
            ..GuardConfig::default()
        });
        let a = "192.0.2.1".parse().unwrap();
        for _ in 0..1000 {
            assert_eq!(limits.check(Class::SignIn, a), Ok(()));
        }
    }
}
