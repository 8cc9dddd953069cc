//! Zoho OAuth 2.0: consent URL, redirect, code exchange, refresh, revoke, and the
//! shared access-token cache of a connection.

mod flow;
mod manager;
mod token;

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

pub use flow::{AuthorizationRedirect, StateSigner, authorization_url, parse_redirect};
pub use manager::{ConnectionState, THROTTLE_LOCKOUT, TokenCache, TokenManager};
pub use token::{TokenResponse, TokenSet};

use crate::clock::{Clock, SystemClock};
use crate::dc::{DcTable, endpoint};
use crate::error::{Result, ZohoError};

/// Scopes ringbridge asks for (docs/zoho-api.md §1.4, docs/zoho-phonebridge.md §1).
pub const DEFAULT_SCOPES: &[&str] = &[
    "ZohoCRM.modules.calls.ALL",
    "ZohoCRM.modules.contacts.ALL",
    "ZohoCRM.modules.leads.ALL",
    "ZohoCRM.modules.accounts.READ",
    "ZohoCRM.modules.deals.READ",
    // Missed-call follow-ups (`missed_call_tasks`).
    "ZohoCRM.modules.tasks.ALL",
    "ZohoCRM.users.READ",
    "ZohoCRM.org.READ",
    "ZohoCRM.settings.modules.READ",
    "ZohoCRM.settings.fields.READ",
    "ZohoCRM.settings.layouts.READ",
    "ZohoCRM.coql.READ",
    "ZohoSearch.securesearch.READ",
    "ZohoCRM.notifications.ALL",
    "ZohoCRM.bulk.READ",
    "PhoneBridge.call.log",
    "PhoneBridge.zohoone.search",
];

/// The registered OAuth client.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub client_id: String,
    pub client_secret: SecretString,
    /// Must match a redirect URI registered in Zoho's API console exactly.
    pub redirect_uri: Url,
    pub scopes: Vec<String>,
    pub dc: DcTable,
}

impl OAuthConfig {
    /// A config with [`DEFAULT_SCOPES`] and Zoho's production data centres.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: Url,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            redirect_uri,
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            dc: DcTable::default(),
        }
    }
}

/// Talks to Zoho Accounts for one OAuth client.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    cfg: Arc<OAuthConfig>,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl OAuthClient {
    pub fn new(cfg: OAuthConfig, http: reqwest::Client) -> Self {
        Self {
            cfg: Arc::new(cfg),
            http,
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses another clock for computing token expiry (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The HTTP client shared with the API clients of connections built from this.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn config(&self) -> &OAuthConfig {
        &self.cfg
    }

    /// The consent URL. `location` picks the user's DC when known; otherwise the
    /// default (US) accounts server, which redirects multi-DC users itself.
    pub fn authorization_url(&self, state: &str, location: Option<&str>) -> Url {
        let dc = location
            .and_then(|l| self.cfg.dc.by_location(l))
            .unwrap_or_else(|| self.cfg.dc.default_dc());
        authorization_url(
            &dc.accounts_server,
            &self.cfg.client_id,
            &self.cfg.redirect_uri,
            &self.cfg.scopes,
            state,
        )
    }

    /// Exchanges the grant code of a (state-verified) redirect for tokens.
    /// The accounts server comes from the redirect but must be in the DC table.
    pub async fn exchange_code(&self, redirect: &AuthorizationRedirect) -> Result<TokenSet> {
        let dc =
            match (&redirect.accounts_server, &redirect.location) {
                (Some(server), _) => self.cfg.dc.trusted_accounts_server(server)?,
                (None, Some(loc)) => self.cfg.dc.by_location(loc).ok_or_else(|| {
                    ZohoError::InvalidInput(format!("unknown Zoho location {loc:?}"))
                })?,
                (None, None) => self.cfg.dc.default_dc(),
            };
        let accounts_server = dc.accounts_server.clone();
        let resp = self
            .token_call(
                &accounts_server,
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", &self.cfg.client_id),
                    ("client_secret", self.cfg.client_secret.expose_secret()),
                    ("redirect_uri", self.cfg.redirect_uri.as_str()),
                    ("code", redirect.code.expose_secret()),
                ],
            )
            .await?;
        let refresh_token = resp.refresh_token.clone().ok_or_else(|| {
            ZohoError::unexpected(
                200,
                "code exchange returned no refresh_token (access_type=offline missing?)",
            )
        })?;
        let api_domain = match &resp.api_domain {
            Some(d) => Url::parse(d)
                .map_err(|_| ZohoError::unexpected(200, format!("bad api_domain {d:?}")))?,
            None => dc.api_domain.clone(),
        };
        Ok(TokenSet {
            access_token: resp.access_token,
            expires_at: self.clock.now() + resp.expires_in,
            refresh_token,
            api_domain,
            accounts_server,
            location: redirect
                .location
                .clone()
                .or_else(|| Some(dc.location.clone())),
            scopes: resp.scopes,
        })
    }

    /// `grant_type=refresh_token` against the connection's accounts server.
    pub async fn refresh(
        &self,
        accounts_server: &Url,
        refresh_token: &SecretString,
    ) -> Result<TokenResponse> {
        self.token_call(
            accounts_server,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &self.cfg.client_id),
                ("client_secret", self.cfg.client_secret.expose_secret()),
                ("refresh_token", refresh_token.expose_secret()),
            ],
        )
        .await
    }

    /// Revokes a refresh token (and its access tokens). The token goes in the form
    /// body, as the SDK does, so it never lands in URL logs.
    pub async fn revoke(&self, accounts_server: &Url, refresh_token: &SecretString) -> Result<()> {
        let url = endpoint(accounts_server, "/oauth/v2/token/revoke");
        let resp = self
            .http
            .post(url)
            .form(&[("token", refresh_token.expose_secret())])
            .send()
            .await
            .map_err(ZohoError::from_reqwest)?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(ZohoError::from_reqwest)?;
        let v: Value = serde_json::from_slice(&body)
            .map_err(|_| ZohoError::unexpected(status, "revoke: body is not JSON"))?;
        if status == 200 && v.get("status").and_then(Value::as_str) == Some("success") {
            return Ok(());
        }
        if let Some(err) = v.get("error").and_then(Value::as_str) {
            return Err(crate::error::OAuthError::from_token_error(err).into());
        }
        Err(ZohoError::unexpected(status, format!("revoke failed: {v}")))
    }

    async fn token_call(
        &self,
        accounts_server: &Url,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse> {
        let resp = self
            .http
            .post(endpoint(accounts_server, "/oauth/v2/token"))
            .form(form)
            .send()
            .await
            .map_err(ZohoError::from_reqwest)?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(ZohoError::from_reqwest)?;
        TokenResponse::parse(status, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_url_picks_dc() {
        let c = OAuthClient::new(
            OAuthConfig::new(
                "id",
                "secret".into(),
                Url::parse("https://rb.example.com/cb").expect("url"),
            ),
            reqwest::Client::new(),
        );
        assert_eq!(
            c.authorization_url("s", Some("eu")).host_str(),
            Some("accounts.zoho.eu")
        );
        assert_eq!(
            c.authorization_url("s", None).host_str(),
            Some("accounts.zoho.com")
        );
        assert!(!format!("{:?}", c.config()).contains("secret\""));
    }
}
