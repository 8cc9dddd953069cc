//! The one access token a process holds (docs/yeastar-api.md §2).
//!
//! - Renewed ahead of expiry under a lock: concurrent callers wait for one
//!   renewal instead of each logging in (the PBX allows 8 live tokens).
//! - Renewal prefers `refresh_token`; a fresh `get_token` only when the
//!   refresh token is gone, expired or refused.
//! - A refused login (or an IP block on any call) moves to `Fatal`: no
//!   credential is sent again until [`Auth::reset`], because 5 failed logins
//!   block the bridge's IP until an admin clears it.
//! - Superseded tokens are revoked after a grace period (in case the PBX
//!   keeps them alive), and the live one on shutdown.

use std::sync::{Arc, Mutex as SyncMutex};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::YeastarConfig;
use crate::error::{ApiError, Result, YeastarError};
use crate::http::Http;

/// Lifetimes assumed when the PBX leaves them out (the documented ones).
const DEFAULT_ACCESS_LIFETIME: u64 = 1800;
const DEFAULT_REFRESH_LIFETIME: u64 = 86400;

/// An access token handed to a caller, with when it should be replaced.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub(crate) value: SecretString,
    /// Increases with every renewal; lets a caller that saw 10004 renew only
    /// if nobody else did already.
    pub generation: u64,
    /// From here on the token is renewed ahead of its expiry.
    pub rotate_at: Instant,
    pub expires_at: Instant,
}

/// Whether the client may talk to the PBX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessState {
    /// Holding a token, or free to get one.
    Ready,
    /// Credentials refused or IP blocked: a person must act, then call
    /// [`crate::YeastarClient::reset_access`].
    Denied {
        reason: String,
    },
    ShutDown,
}

enum State {
    Empty,
    Live(Tokens),
    Fatal(String),
    ShutDown,
}

struct Tokens {
    token: AccessToken,
    refresh: Option<(SecretString, Instant)>,
}

#[derive(Deserialize)]
struct TokenPair {
    access_token: SecretString,
    #[serde(default)]
    access_token_expire_time: Option<u64>,
    #[serde(default)]
    refresh_token: Option<SecretString>,
    #[serde(default)]
    refresh_token_expire_time: Option<u64>,
}

#[derive(Deserialize)]
struct Empty {}

pub(crate) struct Auth {
    http: Arc<Http>,
    client_id: String,
    secret: SecretString,
    margin: Duration,
    grace: Duration,
    state: Mutex<State>,
    generation: SyncMutex<u64>,
    /// Superseded tokens waiting for their grace period to end.
    superseded: Arc<SyncMutex<Vec<(u64, SecretString)>>>,
    /// Turns true on shutdown, so event streams end with the client.
    shut_down: tokio::sync::watch::Sender<bool>,
}

impl Auth {
    pub fn new(cfg: &YeastarConfig, http: Arc<Http>) -> Self {
        Self {
            http,
            client_id: cfg.client_id.clone(),
            secret: cfg.client_secret.clone(),
            margin: cfg.token_refresh_margin,
            grace: cfg.superseded_token_grace,
            state: Mutex::new(State::Empty),
            generation: SyncMutex::new(0),
            superseded: Arc::new(SyncMutex::new(Vec::new())),
            shut_down: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Watches for [`Auth::shutdown`].
    pub fn shut_down(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shut_down.subscribe()
    }

    /// A usable token: the current one, or a renewed one once it is due.
    pub async fn token(&self) -> Result<AccessToken> {
        let mut state = self.state.lock().await;
        let still_valid = match &*state {
            State::Live(tokens) if Instant::now() < tokens.token.rotate_at => {
                return Ok(tokens.token.clone());
            }
            State::Live(tokens) => {
                (Instant::now() < tokens.token.expires_at).then(|| tokens.token.clone())
            }
            State::Empty => None,
            State::Fatal(reason) => return Err(YeastarError::AccessDenied(reason.clone())),
            State::ShutDown => return Err(YeastarError::ShutDown),
        };
        match (self.renew(&mut state).await, still_valid) {
            // Renewing early failed for a passing reason (network, token
            // cap): keep using the current token while it lasts.
            (Err(err), Some(current))
                if !matches!(err, YeastarError::AccessDenied(_) | YeastarError::ShutDown) =>
            {
                tracing::warn!(error = %err, "token renewal failed; using the current token");
                Ok(current)
            }
            (result, _) => result,
        }
    }

    /// Replaces `stale` (answered 10004, or due for rotation), unless another
    /// caller already did; then that newer token is returned.
    pub async fn renew_from(&self, stale: &AccessToken) -> Result<AccessToken> {
        let mut state = self.state.lock().await;
        match &*state {
            State::Live(tokens) if tokens.token.generation != stale.generation => {
                return Ok(tokens.token.clone());
            }
            State::Live(_) | State::Empty => {}
            State::Fatal(reason) => return Err(YeastarError::AccessDenied(reason.clone())),
            State::ShutDown => return Err(YeastarError::ShutDown),
        }
        self.renew(&mut state).await
    }

    /// The PBX refused us on some call (IP blocked / not allowed): stop.
    pub async fn deny(&self, reason: String) {
        let mut state = self.state.lock().await;
        if !matches!(*state, State::ShutDown) {
            tracing::error!(%reason, "PBX access denied; no more requests until reset");
            *state = State::Fatal(reason);
        }
    }

    /// After a person fixed credentials or unblocked the IP: allows one
    /// new login attempt.
    pub async fn reset(&self) {
        let mut state = self.state.lock().await;
        if matches!(*state, State::Fatal(_)) {
            *state = State::Empty;
        }
    }

    pub async fn access_state(&self) -> AccessState {
        match &*self.state.lock().await {
            State::Empty | State::Live(_) => AccessState::Ready,
            State::Fatal(reason) => AccessState::Denied {
                reason: reason.clone(),
            },
            State::ShutDown => AccessState::ShutDown,
        }
    }

    /// Revokes every token this process holds; later calls fail with
    /// [`YeastarError::ShutDown`].
    pub async fn shutdown(&self) {
        let mut state = self.state.lock().await;
        self.shut_down.send_replace(true);
        let previous = std::mem::replace(&mut *state, State::ShutDown);
        let mut doomed: Vec<SecretString> = lock(&self.superseded)
            .drain(..)
            .map(|(_, token)| token)
            .collect();
        if let State::Live(tokens) = previous {
            doomed.push(tokens.token.value);
        }
        for token in doomed {
            revoke(&self.http, &token).await;
        }
    }

    /// Refresh if possible, else log in. Holds the state lock throughout, so
    /// concurrent callers wait for this one renewal.
    async fn renew(&self, state: &mut State) -> Result<AccessToken> {
        let old = match std::mem::replace(state, State::Empty) {
            State::Live(tokens) => Some(tokens),
            other => {
                *state = other;
                None
            }
        };
        let mut pair = None;
        if let Some((refresh, refresh_expires)) = old.as_ref().and_then(|t| t.refresh.as_ref())
            && Instant::now() < *refresh_expires
        {
            let body = serde_json::json!({ "refresh_token": refresh.expose_secret() });
            match self
                .http
                .post::<TokenPair, _>("refresh_token", None, &body)
                .await
            {
                Ok(p) => pair = Some(p),
                Err(YeastarError::Api(api)) if api.is_ip_refusal() => {
                    return Err(self.fatal(state, &api));
                }
                Err(YeastarError::Api(api)) => {
                    tracing::info!(error = %api, "refresh token refused; logging in afresh");
                }
                Err(other) => {
                    if let Some(old) = old {
                        *state = State::Live(old);
                    }
                    return Err(other);
                }
            }
        }
        let pair = match pair {
            Some(pair) => pair,
            None => match self.login().await {
                Ok(pair) => pair,
                Err(YeastarError::Api(api)) if !api.is_transient_on_login() => {
                    return Err(self.fatal(state, &api));
                }
                Err(other) => {
                    if let Some(old) = old {
                        *state = State::Live(old);
                    }
                    return Err(match other {
                        YeastarError::Api(ApiError::MaxLimitationExceeded(m)) => {
                            YeastarError::TokenCap(m.to_string())
                        }
                        other => other,
                    });
                }
            },
        };
        let tokens = self.tokens_from(pair);
        let token = tokens.token.clone();
        if let Some(old) = old
            && Instant::now() < old.token.expires_at
        {
            self.retire(old.token);
        }
        *state = State::Live(tokens);
        tracing::debug!(generation = token.generation, "PBX access token renewed");
        Ok(token)
    }

    async fn login(&self) -> Result<TokenPair> {
        let body = serde_json::json!({
            "username": self.client_id,
            "password": self.secret.expose_secret(),
        });
        self.http.post("get_token", None, &body).await
    }

    fn fatal(&self, state: &mut State, api: &ApiError) -> YeastarError {
        let reason = format!("the PBX refused the API login: {api}");
        tracing::error!(%reason, "no further login attempts until reset");
        *state = State::Fatal(reason.clone());
        YeastarError::AccessDenied(reason)
    }

    fn tokens_from(&self, pair: TokenPair) -> Tokens {
        let now = Instant::now();
        let lifetime = Duration::from_secs(
            pair.access_token_expire_time
                .filter(|s| *s > 0)
                .unwrap_or(DEFAULT_ACCESS_LIFETIME),
        );
        let ahead = lifetime.saturating_sub(self.margin).max(lifetime / 2);
        let refresh_lifetime = Duration::from_secs(
            pair.refresh_token_expire_time
                .filter(|s| *s > 0)
                .unwrap_or(DEFAULT_REFRESH_LIFETIME),
        );
        let generation = {
            let mut g = lock(&self.generation);
            *g += 1;
            *g
        };
        Tokens {
            token: AccessToken {
                value: pair.access_token,
                generation,
                rotate_at: now + ahead,
                expires_at: now + lifetime,
            },
            // Stop using the refresh token a little early: a refresh sent
            // just as it expires would fail and cost a login anyway.
            refresh: pair
                .refresh_token
                .map(|r| (r, now + refresh_lifetime.mul_f64(0.95))),
        }
    }

    /// Revokes a superseded token once in-flight users had time to finish.
    fn retire(&self, token: AccessToken) {
        lock(&self.superseded).push((token.generation, token.value));
        let pending = Arc::clone(&self.superseded);
        let http = Arc::clone(&self.http);
        let grace = self.grace;
        let generation = token.generation;
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            let taken = {
                let mut list = lock(&pending);
                list.iter()
                    .position(|(g, _)| *g == generation)
                    .map(|i| list.swap_remove(i).1)
            };
            // Absent: shutdown revoked it already.
            if let Some(token) = taken {
                revoke(&http, &token).await;
            }
        });
    }
}

async fn revoke(http: &Http, token: &SecretString) {
    match http.get::<Empty>("del_token", Some(token), &[]).await {
        Ok(Empty {}) => tracing::debug!("PBX access token revoked"),
        // Already expired or retired by a refresh: nothing to free.
        Err(err) => tracing::debug!(error = %err, "del_token failed"),
    }
}

/// A poisoned lock only means another thread panicked mid-push; the list is
/// still usable.
fn lock<T>(mutex: &SyncMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
