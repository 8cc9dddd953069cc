//! Per-account rate limits on the signed-in routes that spend CRM API
//! credits on an agent's input (`/api/lookup`, `/api/records`): a script
//! holding one agent's session or token cannot drain the organisation's
//! daily Zoho allowance. Beyond the limit: 429 with Retry-After. Counted
//! with `governor`'s keyed GCRA limiter, kept in memory per node.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use ringbridge_core::accounts::AccountId;

use super::GuardConfig;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::panel::refusal;

/// Every this many checks, accounts with a full allowance again are forgotten.
const RETAIN_EVERY: u64 = 1024;

/// The CRM-credit limiter; `None` when turned off (a limit of 0).
pub struct AgentLimits {
    crm: Option<DefaultKeyedRateLimiter<AccountId>>,
    checks: AtomicU64,
}

impl std::fmt::Debug for AgentLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentLimits").finish_non_exhaustive()
    }
}

impl AgentLimits {
    pub fn new(config: &GuardConfig) -> Self {
        Self {
            crm: NonZeroU32::new(config.crm_requests_per_minute)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(seconds)` to wait when `account` is over its CRM allowance.
    pub fn check_crm(&self, account: AccountId) -> Result<(), u64> {
        let Some(limiter) = &self.crm else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % RETAIN_EVERY == RETAIN_EVERY - 1 {
            limiter.retain_recent();
        }
        limiter.check_key(&account).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

async fn crm(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let user = match CurrentUser::from_request_parts(&mut parts, &state).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    if let Err(seconds) = state.web.agent_limits.check_crm(user.account.id) {
        tracing::warn!(username = %user.account.username, "CRM requests rate limited");
        let mut response = refusal(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many CRM requests; try again later.",
        )
        .into_response();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return response;
    }
    next.run(Request::from_parts(parts, body)).await
}

/// `route`, limited per account by `crm_requests_per_minute`.
pub fn crm_limited(state: &AppState, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.route_layer(from_fn_with_state(state.clone(), crm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_has_its_own_allowance_and_zero_turns_it_off() {
        let limits = AgentLimits::new(&GuardConfig {
            crm_requests_per_minute: 2,
            ..GuardConfig::default()
        });
        let (ana, ben) = (AccountId(1), AccountId(2));
        assert_eq!(limits.check_crm(ana), Ok(()));
        assert_eq!(limits.check_crm(ana), Ok(()));
        let wait = limits.check_crm(ana).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert_eq!(limits.check_crm(ben), Ok(()));

        let off = AgentLimits::new(&GuardConfig {
            crm_requests_per_minute: 0,
            ..GuardConfig::default()
        });
        for _ in 0..1000 {
            assert_eq!(off.check_crm(ana), Ok(()));
        }
    }
}
