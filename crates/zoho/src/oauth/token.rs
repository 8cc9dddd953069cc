//! Token sets and the token endpoint's response format.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use crate::error::{OAuthError, Result, ZohoError};

/// Everything one Zoho connection needs to call the API, and what the caller
/// persists (encrypted) to survive restarts. Secrets never show in `Debug`.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: SecretString,
    /// When the access token stops working (Zoho: 1 h after issue).
    pub expires_at: DateTime<Utc>,
    pub refresh_token: SecretString,
    /// `api_domain` from the code exchange: base of every API call of this connection.
    pub api_domain: Url,
    /// `accounts-server` from the redirect: base of every later token call.
    pub accounts_server: Url,
    /// `location` from the redirect (`us`, `eu`, ...), when known.
    pub location: Option<String>,
    /// Granted scopes (Zoho answers them space-separated).
    pub scopes: Vec<String>,
}

impl TokenSet {
    /// Rebuilds a connection from stored values when no access token was stored:
    /// the first API call refreshes.
    pub fn from_refresh_token(
        refresh_token: SecretString,
        api_domain: Url,
        accounts_server: Url,
    ) -> Self {
        Self {
            access_token: SecretString::from(String::new()),
            expires_at: DateTime::<Utc>::MIN_UTC,
            refresh_token,
            api_domain,
            accounts_server,
            location: None,
            scopes: Vec::new(),
        }
    }

    /// Whether the access token is usable at `now` with `margin` to spare.
    pub fn is_fresh(&self, now: DateTime<Utc>, margin: chrono::Duration) -> bool {
        !self.access_token.expose_secret().is_empty() && now + margin < self.expires_at
    }
}

/// A successful token-endpoint answer.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub api_domain: Option<String>,
    pub scopes: Vec<String>,
    /// Access-token lifetime.
    pub expires_in: chrono::Duration,
}

/// Lifetime Zoho documents when a response lacks one.
const DEFAULT_LIFETIME_SECS: i64 = 3600;

impl TokenResponse {
    /// Interprets a token-endpoint body. Zoho reports errors as HTTP 200 with
    /// `{"error": ...}`, so success is decided by the presence of `access_token`
    /// (as the official SDK does), never by the status code.
    pub fn parse(status: u16, body: &[u8]) -> Result<Self> {
        let v: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                // Throttling answers "Access Denied" (exact body unconfirmed), maybe not JSON.
                if text.to_ascii_lowercase().contains("access denied") {
                    return Err(OAuthError::Throttled(truncate(&text)).into());
                }
                return Err(ZohoError::unexpected(
                    status,
                    format!("token endpoint: {}", truncate(&text)),
                ));
            }
        };
        if let Some(at) = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            return Ok(Self {
                access_token: SecretString::from(at.to_owned()),
                refresh_token: v
                    .get("refresh_token")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(|s| SecretString::from(s.to_owned())),
                api_domain: v
                    .get("api_domain")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                scopes: v
                    .get("scope")
                    .and_then(Value::as_str)
                    .map(|s| {
                        s.split([' ', ','])
                            .filter(|p| !p.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                expires_in: chrono::Duration::seconds(lifetime_secs(&v)),
            });
        }
        if let Some(err) = v.get("error").and_then(Value::as_str) {
            return Err(OAuthError::from_token_error(err).into());
        }
        Err(ZohoError::unexpected(
            status,
            "token endpoint answered without access_token or error",
        ))
    }
}

/// `expires_in` is seconds; the old form has `expires_in_sec` (seconds) and then
/// `expires_in` is milliseconds (per the SDK). Numbers may arrive as strings.
fn lifetime_secs(v: &Value) -> i64 {
    let num = |k: &str| -> Option<i64> {
        match v.get(k)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    num("expires_in_sec")
        .or_else(|| num("expires_in"))
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_LIFETIME_SECS)
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_body() {
        let body = br#"{"access_token":"1000.xxxx.yyyy","refresh_token":"1000.aaaa.bbbb","scope":"ZohoCRM.modules.ALL ZohoCRM.users.READ","api_domain":"https://www.zohoapis.eu","token_type":"Bearer","expires_in":3600}"#;
        let t = TokenResponse::parse(200, body).expect("ok");
        assert_eq!(t.access_token.expose_secret(), "1000.xxxx.yyyy");
        assert_eq!(
            t.refresh_token
                .as_ref()
                .map(|r| r.expose_secret().to_owned())
                .as_deref(),
            Some("1000.aaaa.bbbb")
        );
        assert_eq!(t.api_domain.as_deref(), Some("https://www.zohoapis.eu"));
        assert_eq!(t.scopes, vec!["ZohoCRM.modules.ALL", "ZohoCRM.users.READ"]);
        assert_eq!(t.expires_in, chrono::Duration::seconds(3600));
        assert!(
            !format!("{t:?}").contains("1000.xxxx"),
            "secrets stay out of Debug"
        );
    }

    #[test]
    fn old_expires_in_sec_form() {
        let body = br#"{"access_token":"a","expires_in_sec":3600,"expires_in":3600000}"#;
        assert_eq!(
            TokenResponse::parse(200, body).expect("ok").expires_in,
            chrono::Duration::seconds(3600)
        );
        let body = br#"{"access_token":"a","expires_in":"1800"}"#;
        assert_eq!(
            TokenResponse::parse(200, body).expect("ok").expires_in,
            chrono::Duration::seconds(1800)
        );
    }

    #[test]
    fn errors_come_as_http_200() {
        let e = TokenResponse::parse(200, br#"{"error":"invalid_code"}"#).expect_err("error");
        assert!(matches!(e, ZohoError::OAuth(OAuthError::InvalidCode)));
        let e = TokenResponse::parse(200, br#"{"error":"invalid_client"}"#).expect_err("error");
        assert!(matches!(e, ZohoError::OAuth(OAuthError::InvalidClient)));
        let e = TokenResponse::parse(200, b"Access Denied").expect_err("error");
        assert!(e.is_retryable());
        let e = TokenResponse::parse(200, b"{}").expect_err("error");
        assert!(matches!(e, ZohoError::UnexpectedResponse { .. }));
        let e = TokenResponse::parse(200, b"").expect_err("error");
        assert!(matches!(e, ZohoError::UnexpectedResponse { .. }));
    }

    #[test]
    fn freshness_uses_margin() {
        let now = DateTime::from_timestamp(1_741_600_000, 0).expect("ts");
        let url = Url::parse("https://www.zohoapis.com").expect("url");
        let mut t = TokenSet::from_refresh_token("r".into(), url.clone(), url);
        assert!(!t.is_fresh(now, chrono::Duration::zero()));
        t.access_token = "a".into();
        t.expires_at = now + chrono::Duration::minutes(10);
        assert!(t.is_fresh(now, chrono::Duration::minutes(5)));
        assert!(!t.is_fresh(
            now + chrono::Duration::minutes(6),
            chrono::Duration::minutes(5)
        ));
    }
}
