//! Who is asking: passwords, the login throttle, and the extractors that
//! give handlers the signed-in account ([`CurrentUser`], [`RequireAdmin`]),
//! from a session cookie or, on `/api/*`, an agent's bearer token.

pub mod api_tokens;
mod extract;
pub mod offboard;
mod password;
pub mod scope;
mod throttle;
pub mod zoho_sign_in;

use std::sync::Arc;

use chrono::Duration;
use serde::Deserialize;

pub use extract::{AuthMethod, CurrentUser, RequireAdmin};
pub(crate) use password::check_new as check_new_password;
pub use password::{HashGate, PasswordError, PasswordParams, PasswordProblem, Passwords};
pub use ringbridge_core::clock::{Clock, ManualClock, SystemClock};
pub use throttle::{ACCOUNT_SLOWDOWN, FailedSignIn, LoginThrottle, Pace, ThrottleKey};

use crate::csrf::CsrfKey;
use crate::guard::{AgentLimits, GuardConfig, RateLimits};

/// How the pages sign people in. Every field has a default, so a
/// configuration file names only what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct WebConfig {
    /// Cookies are `Secure` (sent over HTTPS only). Turn off only to serve
    /// plain HTTP on localhost; browsers drop Secure cookies over HTTP
    /// elsewhere, and nobody could sign in.
    pub secure_cookies: bool,
    /// A session unused this long ends.
    pub session_idle_minutes: u32,
    /// A session ends this long after sign-in, however busy.
    pub session_max_hours: u32,
    /// Wrong passwords allowed per username and address before each
    /// further attempt waits (1 minute, doubling, up to the window)...
    pub login_max_failures: u32,
    /// ...within this many minutes.
    pub login_window_minutes: u32,
    /// Wrong passwords for one username from all addresses within the
    /// window beyond which every attempt at it is slowed (never refused).
    pub login_account_ceiling: u32,
    pub password: PasswordParams,
    /// Which clients' forwarded addresses are believed, and rate limits.
    pub guard: GuardConfig,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            // A working day with breaks: agents keep the panel open all day.
            session_idle_minutes: 12 * 60,
            session_max_hours: 7 * 24,
            login_max_failures: 5,
            login_window_minutes: 15,
            login_account_ceiling: 20,
            password: PasswordParams::default(),
            guard: GuardConfig::default(),
        }
    }
}

impl WebConfig {
    pub fn session_idle(&self) -> Duration {
        Duration::minutes(i64::from(self.session_idle_minutes.max(1)))
    }

    pub fn session_max(&self) -> Duration {
        Duration::hours(i64::from(self.session_max_hours.max(1)))
    }
}

/// The pages' running state: configuration, clock, throttle, password
/// hasher, and the CSRF key (loaded from the store on first use).
pub struct WebContext {
    pub(crate) config: WebConfig,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) throttle: LoginThrottle,
    pub(crate) passwords: Passwords,
    pub(crate) rate_limits: RateLimits,
    pub(crate) agent_limits: AgentLimits,
    pub(crate) csrf_key: tokio::sync::OnceCell<CsrfKey>,
}

impl std::fmt::Debug for WebContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebContext")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl WebContext {
    pub fn new(config: WebConfig, clock: Arc<dyn Clock>) -> Result<Self, PasswordError> {
        Ok(Self {
            throttle: LoginThrottle::new(
                config.login_max_failures,
                config.login_account_ceiling,
                Duration::minutes(i64::from(config.login_window_minutes.max(1))),
            ),
            passwords: Passwords::new(config.password)?,
            rate_limits: RateLimits::new(&config.guard),
            agent_limits: AgentLimits::new(&config.guard),
            config,
            clock,
            csrf_key: tokio::sync::OnceCell::new(),
        })
    }

    pub fn config(&self) -> &WebConfig {
        &self.config
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The address a request comes from, as far as it can be believed:
    /// the TCP peer, or what a trusted proxy forwarded.
    pub fn client_ip(
        &self,
        peer: Option<std::net::IpAddr>,
        headers: &axum::http::HeaderMap,
    ) -> Option<std::net::IpAddr> {
        crate::guard::client_ip(peer, headers, &self.config.guard.trusted_proxies)
    }

    /// The latest failed sign-ins, newest first (for the admin's dashboard).
    pub fn recent_failed_sign_ins(&self, limit: usize) -> Vec<FailedSignIn> {
        self.throttle.recent_failures(limit)
    }
}
