//! [`YeastarClient`]: authenticated API calls with the client policy of
//! docs/yeastar-api.md §3 applied in one place — 10004 → renew and retry once;
//! 70004 / 70087 → stop everything and wait for a person.

use std::sync::Arc;

use secrecy::SecretString;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::{AccessState, AccessToken, Auth};
use crate::config::{EventStreamConfig, YeastarConfig};
use crate::error::{Result, YeastarError};
use crate::http::Http;
use crate::ws::YeastarEventSource;

/// A client for one PBX. Cheap to clone; clones share one access token.
#[derive(Clone)]
pub struct YeastarClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub cfg: YeastarConfig,
    pub http: Arc<Http>,
    pub auth: Auth,
}

impl std::fmt::Debug for YeastarClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YeastarClient")
            .field("base_url", &self.inner.cfg.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl YeastarClient {
    /// Builds the client; no request is sent until the first call.
    pub fn new(cfg: YeastarConfig) -> Result<Self> {
        let http = Arc::new(Http::new(&cfg)?);
        let auth = Auth::new(&cfg, Arc::clone(&http));
        Ok(Self {
            inner: Arc::new(Inner { cfg, http, auth }),
        })
    }

    pub fn config(&self) -> &YeastarConfig {
        &self.inner.cfg
    }

    /// A WebSocket event source sharing this client's token.
    pub fn event_source(&self, cfg: EventStreamConfig) -> YeastarEventSource {
        YeastarEventSource::new(self.clone(), cfg)
    }

    /// Whether the client may talk to the PBX, or waits for a person.
    pub async fn access_state(&self) -> AccessState {
        self.inner.auth.access_state().await
    }

    /// After credentials were fixed or the IP unblocked: allows exactly one
    /// new login attempt.
    pub async fn reset_access(&self) {
        self.inner.auth.reset().await;
    }

    /// Revokes the tokens (`del_token`); every later call and event stream
    /// ends with [`YeastarError::ShutDown`].
    pub async fn shutdown(&self) {
        self.inner.auth.shutdown().await;
    }

    /// The current access token, renewed when due.
    pub(crate) async fn token(&self) -> Result<AccessToken> {
        self.inner.auth.token().await
    }

    /// `GET {endpoint}?{query}` with the token policy applied.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        self.with_token(
            |token| async move { self.inner.http.get(endpoint, Some(&token), query).await },
        )
        .await
    }

    /// `POST {endpoint}` with a JSON body and the token policy applied.
    pub(crate) async fn post<T: DeserializeOwned, B: Serialize + ?Sized + Sync>(
        &self,
        endpoint: &str,
        body: &B,
    ) -> Result<T> {
        self.with_token(
            |token| async move { self.inner.http.post(endpoint, Some(&token), body).await },
        )
        .await
    }

    /// Runs `call` with the token; on 10004 renews and runs it once more; on
    /// an IP refusal moves the client to the denied state.
    pub(crate) async fn with_token<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let token = self.token().await?;
        let first = call(token.value.clone()).await;
        let result = match first {
            Err(err) if err.is_token_expired() => {
                tracing::debug!("PBX said TOKEN EXPIRED; renewing and retrying once");
                let renewed = self.inner.auth.renew_from(&token).await?;
                call(renewed.value).await
            }
            other => other,
        };
        match result {
            Err(YeastarError::Api(api)) if api.is_ip_refusal() => {
                let reason = format!("the PBX refused this host: {api}");
                self.inner.auth.deny(reason.clone()).await;
                Err(YeastarError::AccessDenied(reason))
            }
            other => other,
        }
    }

    pub(crate) fn http(&self) -> &Http {
        &self.inner.http
    }
}
