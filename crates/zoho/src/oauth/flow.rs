//! The browser half of the authorization-code flow: consent URL, CSRF `state`,
//! and parsing of Zoho's redirect back to us.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::SecretString;
use sha2::Sha256;
use url::Url;

use crate::dc::endpoint;
use crate::error::OAuthError;

type HmacSha256 = Hmac<Sha256>;

/// Builds `GET {accounts}/oauth/v2/auth?...` (docs/zoho-api.md §1.2).
///
/// `access_type=offline` is what makes Zoho issue a refresh token; `prompt=consent`
/// makes it issue one again when an org re-authorizes.
pub fn authorization_url(
    accounts_server: &Url,
    client_id: &str,
    redirect_uri: &Url,
    scopes: &[String],
    state: &str,
) -> Url {
    let mut url = endpoint(accounts_server, "/oauth/v2/auth");
    url.query_pairs_mut()
        .append_pair("scope", &scopes.join(","))
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("access_type", "offline")
        .append_pair("redirect_uri", redirect_uri.as_str())
        .append_pair("prompt", "consent")
        .append_pair("state", state);
    url
}

/// Issues and verifies CSRF `state` values without server-side storage:
/// `nonce.issued_at.mac`, where the MAC (HMAC-SHA256) also covers a caller-chosen
/// binding (e.g. the admin's session id), so a state stolen from one browser
/// session is useless in another.
#[derive(Clone)]
pub struct StateSigner {
    key: [u8; 32],
    ttl: chrono::Duration,
}

impl std::fmt::Debug for StateSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateSigner")
            .field("key", &"[REDACTED]")
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl StateSigner {
    /// A signer with a fresh random key (states do not survive a restart).
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self::from_key(key)
    }

    /// A signer with a persistent key (states survive a restart).
    pub fn from_key(key: [u8; 32]) -> Self {
        Self {
            key,
            // Zoho's grant code lives 2-3 minutes; the consent page may take longer.
            ttl: chrono::Duration::minutes(15),
        }
    }

    /// Changes how long an issued state stays valid.
    pub fn with_ttl(mut self, ttl: chrono::Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// A new random state bound to `binding`.
    pub fn issue(&self, binding: &str, now: DateTime<Utc>) -> String {
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        let payload = format!("{}.{}", URL_SAFE_NO_PAD.encode(nonce), now.timestamp());
        let mac = URL_SAFE_NO_PAD.encode(self.mac(&payload, binding).finalize().into_bytes());
        format!("{payload}.{mac}")
    }

    /// Checks a state from the redirect: well-formed, MAC valid for `binding`
    /// (constant-time), not expired and not from the future.
    pub fn verify(&self, state: &str, binding: &str, now: DateTime<Utc>) -> Result<(), OAuthError> {
        let (payload, mac_b64) = state
            .rsplit_once('.')
            .ok_or(OAuthError::InvalidState("malformed"))?;
        let (_, issued) = payload
            .split_once('.')
            .ok_or(OAuthError::InvalidState("malformed"))?;
        let issued: i64 = issued
            .parse()
            .map_err(|_| OAuthError::InvalidState("malformed"))?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac_b64)
            .map_err(|_| OAuthError::InvalidState("malformed"))?;
        self.mac(payload, binding)
            .verify_slice(&mac)
            .map_err(|_| OAuthError::InvalidState("signature mismatch"))?;
        let issued =
            DateTime::from_timestamp(issued, 0).ok_or(OAuthError::InvalidState("malformed"))?;
        // One minute of tolerance for clock skew between cluster nodes.
        if issued > now + chrono::Duration::minutes(1) {
            return Err(OAuthError::InvalidState("issued in the future"));
        }
        if now - issued > self.ttl {
            return Err(OAuthError::InvalidState("expired"));
        }
        Ok(())
    }

    fn mac(&self, payload: &str, binding: &str) -> HmacSha256 {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload.as_bytes());
        mac.update(b"|");
        mac.update(binding.as_bytes());
        mac
    }
}

/// What Zoho sends back to the redirect URI after consent.
#[derive(Debug, Clone)]
pub struct AuthorizationRedirect {
    /// Single-use grant code, valid 2-3 minutes.
    pub code: SecretString,
    pub state: String,
    /// `location` (`us`, `eu`, ...), when Zoho sent it.
    pub location: Option<String>,
    /// `accounts-server`, when Zoho sent it: use it for all later token calls.
    pub accounts_server: Option<String>,
}

/// Parses the redirect's query string (`code`, `state`, `location`,
/// `accounts-server`, or `error=access_denied`).
pub fn parse_redirect(query: &str) -> Result<AuthorizationRedirect, OAuthError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut code = None;
    let mut state = None;
    let mut location = None;
    let mut accounts_server = None;
    let mut error = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "code" => code = Some(v),
            "state" => state = Some(v),
            "location" => location = Some(v),
            "accounts-server" => accounts_server = Some(v),
            "error" => error = Some(v),
            _ => {}
        }
    }
    if let Some(e) = error {
        return Err(if e == "access_denied" {
            OAuthError::AccessDenied
        } else {
            OAuthError::Authorization(e)
        });
    }
    let code = code
        .filter(|c| !c.is_empty())
        .ok_or(OAuthError::MissingParameter("code"))?;
    let state = state.ok_or(OAuthError::MissingParameter("state"))?;
    Ok(AuthorizationRedirect {
        code: SecretString::from(code),
        state,
        location: location.filter(|l| !l.is_empty()),
        accounts_server: accounts_server.filter(|a| !a.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_741_600_000, 0).expect("ts")
    }

    #[test]
    fn consent_url_has_every_parameter() {
        let url = authorization_url(
            &Url::parse("https://accounts.zoho.com").expect("url"),
            "1000.CLIENT",
            &Url::parse("https://rb.example.com/zoho/callback").expect("url"),
            &[
                "ZohoCRM.modules.ALL".to_owned(),
                "ZohoCRM.users.READ".to_owned(),
            ],
            "st8",
        );
        assert_eq!(url.path(), "/oauth/v2/auth");
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("scope"), Some("ZohoCRM.modules.ALL,ZohoCRM.users.READ"));
        assert_eq!(get("client_id"), Some("1000.CLIENT"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("access_type"), Some("offline"));
        assert_eq!(get("prompt"), Some("consent"));
        assert_eq!(get("state"), Some("st8"));
        assert_eq!(
            get("redirect_uri"),
            Some("https://rb.example.com/zoho/callback")
        );
    }

    #[test]
    fn state_round_trip_and_refusals() {
        let s = StateSigner::random();
        let st = s.issue("session-a", t0());
        assert!(
            s.verify(&st, "session-a", t0() + chrono::Duration::minutes(3))
                .is_ok()
        );
        assert_eq!(
            s.verify(&st, "session-b", t0()),
            Err(OAuthError::InvalidState("signature mismatch"))
        );
        assert_eq!(
            s.verify(&st, "session-a", t0() + chrono::Duration::minutes(16)),
            Err(OAuthError::InvalidState("expired"))
        );
        assert!(
            StateSigner::random()
                .verify(&st, "session-a", t0())
                .is_err()
        );
        let mut forged = st.clone();
        forged.replace_range(0..1, if st.starts_with('A') { "B" } else { "A" });
        assert!(s.verify(&forged, "session-a", t0()).is_err());
        assert!(s.verify("garbage", "session-a", t0()).is_err());
        assert_ne!(s.issue("x", t0()), s.issue("x", t0()), "states are random");
    }

    #[test]
    fn redirect_parsing() {
        let r = parse_redirect(
            "?state=abc&code=1000.grant&location=eu&accounts-server=https%3A%2F%2Faccounts.zoho.eu",
        )
        .expect("ok");
        assert_eq!(r.code.expose_secret(), "1000.grant");
        assert_eq!(r.state, "abc");
        assert_eq!(r.location.as_deref(), Some("eu"));
        assert_eq!(
            r.accounts_server.as_deref(),
            Some("https://accounts.zoho.eu")
        );

        assert_eq!(
            parse_redirect("error=access_denied&state=x").err(),
            Some(OAuthError::AccessDenied)
        );
        assert_eq!(
            parse_redirect("state=x").err(),
            Some(OAuthError::MissingParameter("code"))
        );
        assert_eq!(
            parse_redirect("code=c").err(),
            Some(OAuthError::MissingParameter("state"))
        );
    }
}
