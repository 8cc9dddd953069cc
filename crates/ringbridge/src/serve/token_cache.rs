//! One Zoho access token per grant, kept in the database: every generation
//! of the integration, the console's own connection and every node on the
//! same database use it until it nears expiry, so applying console changes
//! costs no token request (Zoho allows 10 per 10 minutes).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ringbridge_core::store::Store;
use ringbridge_store::SqlStore;
use ringbridge_zoho::oauth::TokenCache;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The secret's name: sealed like every stored secret.
pub const ACCESS_TOKEN_SECRET: &str = "zoho.access_token";

/// The stored form. `grant` ties the token to the refresh token it was
/// minted from (a hash: the refresh token itself is stored once, apart).
#[derive(Serialize, Deserialize)]
struct Stored {
    grant: String,
    access_token: String,
    expires_at: DateTime<Utc>,
}

/// The access token cache of the grant `refresh_token`, in `store`.
#[derive(Debug)]
pub struct StoredTokenCache {
    store: SqlStore,
    grant: String,
}

impl StoredTokenCache {
    pub fn new(store: SqlStore, refresh_token: &SecretString) -> Arc<Self> {
        let digest = Sha256::digest(refresh_token.expose_secret().as_bytes());
        let grant = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        Arc::new(Self { store, grant })
    }
}

#[async_trait::async_trait]
impl TokenCache for StoredTokenCache {
    async fn load(&self) -> Option<(SecretString, DateTime<Utc>)> {
        let sealed = match self.store.secret(ACCESS_TOKEN_SECRET).await {
            Ok(sealed) => sealed?,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the stored Zoho access token");
                return None;
            }
        };
        let stored: Stored = serde_json::from_str(sealed.expose_secret()).ok()?;
        (stored.grant == self.grant)
            .then(|| (SecretString::from(stored.access_token), stored.expires_at))
    }

    async fn store(&self, access_token: &SecretString, expires_at: DateTime<Utc>) {
        let stored = Stored {
            grant: self.grant.clone(),
            access_token: access_token.expose_secret().to_owned(),
            expires_at,
        };
        let Ok(text) = serde_json::to_string(&stored) else {
            return;
        };
        if let Err(err) = self
            .store
            .put_secret(ACCESS_TOKEN_SECRET, &SecretString::from(text))
            .await
        {
            tracing::warn!(error = %err, "cannot store the Zoho access token; the next start mints another");
        }
    }
}
