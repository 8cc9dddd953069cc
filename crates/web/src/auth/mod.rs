//! Who is asking: passwords, the login throttle, and the extractors that
//! give handlers the signed-in account ([`CurrentUser`], [`RequireAdmin`]),
//! from a session cookie or, on `/api/*`, an agent's bearer token.

pub mod api_tokens;
mod clock;
mod extract;
mod password;
mod throttle;

use std::sync::Arc;

use chrono::Duration;
use serde::Deserialize;

pub use clock::{Clock, ManualClock, SystemClock};
pub use extract::{AuthMethod, CurrentUser, RequireAdmin};
pub(crate) use password::check_new as check_new_password;
pub use password::{PasswordError, PasswordParams, PasswordProblem, Passwords};
pub use throttle::{LoginThrottle, ThrottleKey};

use crate::csrf::CsrfKey;

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
    /// Wrong passwords allowed per username and address...
    pub login_max_failures: u32,
    /// ...within this many minutes.
    pub login_window_minutes: u32,
    pub password: PasswordParams,
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
            password: PasswordParams::default(),
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
                Duration::minutes(i64::from(config.login_window_minutes.max(1))),
            ),
            passwords: Passwords::new(config.password)?,
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
}
