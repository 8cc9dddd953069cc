//! One shared, cached access token per connection.
//!
//! Zoho allows at most 10 access tokens per refresh token per 10 minutes, so the
//! token is refreshed a few minutes before expiry under a lock: concurrent callers
//! wait for that one refresh instead of each starting their own. A
//! [`TokenCache`] keeps the token beyond one manager (a restart, another
//! node): a manager asks it before minting, and tells it what it minted.
//! When the token endpoint throttles anyway, the manager asks it nothing
//! more until the lockout is over ([`ConnectionState::Throttled`]).

use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::Arc;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{Mutex, watch};
use url::Url;

use super::{OAuthClient, TokenSet};
use crate::error::{OAuthError, Result, ZohoError};

/// How long the token endpoint is left alone after it throttled: Zoho
/// counts token requests per 10 minutes.
pub const THROTTLE_LOCKOUT: chrono::Duration = chrono::Duration::minutes(10);

/// Where a grant's access token outlives one manager (a restart, another
/// node). Implementations keep it as secret as the refresh token.
#[async_trait::async_trait]
pub trait TokenCache: Send + Sync + std::fmt::Debug {
    /// The last access token minted for this grant, and when it expires.
    async fn load(&self) -> Option<(SecretString, DateTime<Utc>)>;
    /// Remembers a token just minted.
    async fn store(&self, access_token: &SecretString, expires_at: DateTime<Utc>);
}

/// Whether a connection can call Zoho, observable through [`TokenManager::subscribe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Tokens are (as far as we know) usable.
    Connected,
    /// The refresh token was revoked or rejected: an admin must authorize again.
    ReconnectNeeded { reason: String },
    /// The token endpoint refused to mint more tokens; no token is asked
    /// for before `until` (a still-valid access token keeps working).
    Throttled { until: DateTime<Utc> },
}

type RefreshHook = Box<dyn Fn(&TokenSet) + Send + Sync>;

/// The token cache of one connection (one Zoho org).
pub struct TokenManager {
    oauth: OAuthClient,
    tokens: RwLock<TokenSet>,
    refresh_lock: Mutex<()>,
    state: watch::Sender<ConnectionState>,
    margin: chrono::Duration,
    refreshes: AtomicU64,
    on_refresh: Option<RefreshHook>,
    cache: Option<Arc<dyn TokenCache>>,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("tokens", &*self.read())
            .field("state", &*self.state.borrow())
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenManager {
    /// Starts from a token set (fresh from [`OAuthClient::exchange_code`] or from storage).
    pub fn new(oauth: OAuthClient, tokens: TokenSet) -> Self {
        let (state, _) = watch::channel(ConnectionState::Connected);
        Self {
            oauth,
            tokens: RwLock::new(tokens),
            refresh_lock: Mutex::new(()),
            state,
            margin: chrono::Duration::minutes(5),
            refreshes: AtomicU64::new(0),
            on_refresh: None,
            cache: None,
        }
    }

    /// Shares access tokens through `cache`: one is minted only when the
    /// cache has none fresh either.
    pub fn with_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// How long before expiry the token is renewed (default 5 minutes).
    pub fn with_refresh_margin(mut self, margin: chrono::Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Called after every successful refresh, e.g. to persist the new access token.
    pub fn on_refresh(mut self, hook: impl Fn(&TokenSet) + Send + Sync + 'static) -> Self {
        self.on_refresh = Some(Box::new(hook));
        self
    }

    /// Watches the connection state.
    pub fn subscribe(&self) -> watch::Receiver<ConnectionState> {
        self.state.subscribe()
    }

    pub fn state(&self) -> ConnectionState {
        self.state.borrow().clone()
    }

    /// A snapshot of the tokens, for the caller to persist.
    pub fn token_set(&self) -> TokenSet {
        self.read().clone()
    }

    /// Base URL of this connection's API calls.
    pub fn api_domain(&self) -> Url {
        self.read().api_domain.clone()
    }

    /// How many refreshes this manager has done.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// The cached access token, refreshed first if it is within the margin of expiry.
    pub async fn access_token(&self) -> Result<SecretString> {
        if let Some(t) = self.fresh_token()? {
            return Ok(t);
        }
        let _guard = self.refresh_lock.lock().await;
        // Another caller may have refreshed while we waited for the lock.
        if let Some(t) = self.fresh_token()? {
            return Ok(t);
        }
        if let Some(t) = self.cached_token(None).await {
            return Ok(t);
        }
        self.refresh_locked().await
    }

    /// Zoho rejected `rejected` (401 INVALID_TOKEN): refresh, unless a concurrent
    /// caller already replaced that token.
    pub async fn renew_after_rejection(&self, rejected: &SecretString) -> Result<SecretString> {
        let _guard = self.refresh_lock.lock().await;
        self.ensure_connected()?;
        {
            let t = self.read();
            if t.access_token.expose_secret() != rejected.expose_secret()
                && t.is_fresh(self.oauth.clock().now(), self.margin)
            {
                return Ok(t.access_token.clone());
            }
        }
        if let Some(t) = self.cached_token(Some(rejected)).await {
            return Ok(t);
        }
        self.refresh_locked().await
    }

    /// Installs new tokens (after the admin authorized again) and marks the
    /// connection usable.
    pub fn replace_tokens(&self, tokens: TokenSet) {
        *self.tokens.write().unwrap_or_else(|p| p.into_inner()) = tokens;
        self.state.send_replace(ConnectionState::Connected);
    }

    /// Revokes the refresh token at Zoho; the connection then needs a reconnect.
    pub async fn revoke(&self) -> Result<()> {
        let _guard = self.refresh_lock.lock().await;
        let (server, refresh) = {
            let t = self.read();
            (t.accounts_server.clone(), t.refresh_token.clone())
        };
        self.oauth.revoke(&server, &refresh).await?;
        self.mark_reconnect_needed("refresh token revoked".to_owned());
        Ok(())
    }

    fn fresh_token(&self) -> Result<Option<SecretString>> {
        self.ensure_connected()?;
        let t = self.read();
        Ok(t.is_fresh(self.oauth.clock().now(), self.margin)
            .then(|| t.access_token.clone()))
    }

    fn ensure_connected(&self) -> Result<()> {
        match &*self.state.borrow() {
            ConnectionState::Connected | ConnectionState::Throttled { .. } => Ok(()),
            ConnectionState::ReconnectNeeded { reason } => Err(ZohoError::ReconnectNeeded {
                reason: reason.clone(),
            }),
        }
    }

    /// A fresh token from the cache other than `rejected`, installed here.
    /// Caller holds `refresh_lock`.
    async fn cached_token(&self, rejected: Option<&SecretString>) -> Option<SecretString> {
        let (token, expires_at) = self.cache.as_ref()?.load().await?;
        let now = self.oauth.clock().now();
        let usable = !token.expose_secret().is_empty()
            && now + self.margin < expires_at
            && rejected.is_none_or(|r| r.expose_secret() != token.expose_secret());
        if !usable {
            return None;
        }
        let mut t = self.tokens.write().unwrap_or_else(|p| p.into_inner());
        t.access_token = token.clone();
        t.expires_at = expires_at;
        Some(token)
    }

    /// Caller holds `refresh_lock`.
    async fn refresh_locked(&self) -> Result<SecretString> {
        if let ConnectionState::Throttled { until } = *self.state.borrow()
            && self.oauth.clock().now() < until
        {
            return Err(OAuthError::Throttled(format!("until {until}")).into());
        }
        let result = self.mint().await;
        match &result {
            Ok(_) => {
                self.state.send_if_modified(|s| {
                    let was_throttled = matches!(s, ConnectionState::Throttled { .. });
                    if was_throttled {
                        *s = ConnectionState::Connected;
                    }
                    was_throttled
                });
            }
            Err(ZohoError::OAuth(OAuthError::Throttled(_))) => {
                let until = self.oauth.clock().now() + THROTTLE_LOCKOUT;
                tracing::warn!(%until, "Zoho's token endpoint throttled ringbridge");
                self.state
                    .send_replace(ConnectionState::Throttled { until });
            }
            Err(_) => {}
        }
        result
    }

    /// Asks the token endpoint for a new access token. Caller holds `refresh_lock`.
    async fn mint(&self) -> Result<SecretString> {
        let (server, refresh) = {
            let t = self.read();
            (t.accounts_server.clone(), t.refresh_token.clone())
        };
        tracing::debug!(accounts_server = %server, "refreshing Zoho access token");
        match self.oauth.refresh(&server, &refresh).await {
            Ok(resp) => {
                self.refreshes.fetch_add(1, Ordering::Relaxed);
                let snapshot = {
                    let mut t = self.tokens.write().unwrap_or_else(|p| p.into_inner());
                    t.access_token = resp.access_token.clone();
                    t.expires_at = self.oauth.clock().now() + resp.expires_in;
                    if let Some(r) = resp.refresh_token {
                        t.refresh_token = r;
                    }
                    if !resp.scopes.is_empty() {
                        t.scopes = resp.scopes;
                    }
                    // api_domain deliberately stays the one from the code exchange.
                    t.clone()
                };
                if let Some(hook) = &self.on_refresh {
                    hook(&snapshot);
                }
                if let Some(cache) = &self.cache {
                    cache
                        .store(&snapshot.access_token, snapshot.expires_at)
                        .await;
                }
                Ok(resp.access_token)
            }
            Err(ZohoError::OAuth(e)) if e.needs_reconnect() => {
                let reason = format!("token refresh rejected: {e}");
                tracing::warn!(%reason, "Zoho connection needs to be re-authorized");
                self.mark_reconnect_needed(reason.clone());
                Err(ZohoError::ReconnectNeeded { reason })
            }
            Err(e) => Err(e),
        }
    }

    fn mark_reconnect_needed(&self, reason: String) {
        self.state
            .send_replace(ConnectionState::ReconnectNeeded { reason });
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, TokenSet> {
        self.tokens.read().unwrap_or_else(|p| p.into_inner())
    }
}
