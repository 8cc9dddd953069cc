//! What Zoho sends to our click-to-dial and call-control URLs, as pure functions
//! over (method, headers, query, body) so any HTTP layer can call them.
//!
//! Zoho's exact request format is only partly documented: POST with a form body is
//! most likely, but GET/query strings and a JSON body are accepted too, and the
//! shared secret may arrive as a header or as a parameter (unconfirmed which).

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use rand::RngCore;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::Sha256;

/// One incoming HTTP request, borrowed from the HTTP layer.
#[derive(Debug, Clone, Copy)]
pub struct InboundRequest<'a> {
    pub method: &'a Method,
    pub headers: &'a HeaderMap,
    /// Raw query string without `?`.
    pub query: Option<&'a str>,
    pub body: &'a [u8],
}

/// Why we refuse an inbound request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundRefusal {
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("malformed request body")]
    MalformedBody,
    #[error("no authorization value")]
    MissingAuthorization,
    #[error("authorization value does not match")]
    BadAuthorization,
    #[error("request does not identify a known user")]
    UnknownUser,
    #[error("missing parameter `{0}`")]
    MissingParameter(&'static str),
}

impl InboundRefusal {
    /// Suggested HTTP status for the answer.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::MethodNotAllowed => 405,
            Self::MalformedBody | Self::MissingParameter(_) => 400,
            Self::MissingAuthorization | Self::BadAuthorization | Self::UnknownUser => 401,
        }
    }
}

/// All parameters of an inbound request (body first, then query) plus its headers.
#[derive(Debug, Clone, Default)]
pub struct InboundParams {
    params: Vec<(String, String)>,
    headers: HeaderMap,
}

impl InboundParams {
    /// First value of a parameter (body wins over query).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// First non-empty value among several possible parameter names.
    pub fn get_any(&self, names: &[String]) -> Option<&str> {
        names
            .iter()
            .find_map(|n| self.get(n).filter(|v| !v.trim().is_empty()))
    }

    pub fn all(&self) -> &[(String, String)] {
        &self.params
    }

    /// The secret Zoho sent under `name`: header first (case-insensitive), then parameter.
    pub fn authorization(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .or_else(|| self.get(name))
            .filter(|v| !v.is_empty())
    }
}

/// Reads parameters from the query string and a form or JSON body. Only GET and
/// POST are accepted.
pub fn parse_inbound(req: InboundRequest<'_>) -> Result<InboundParams, InboundRefusal> {
    if req.method != Method::GET && req.method != Method::POST {
        return Err(InboundRefusal::MethodNotAllowed);
    }
    let mut params = Vec::new();
    let body = req.body;
    if !body.iter().all(u8::is_ascii_whitespace) {
        let ct = req
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let looks_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if ct.contains("json") || (looks_json && !ct.contains("form")) {
            let v: Value =
                serde_json::from_slice(body).map_err(|_| InboundRefusal::MalformedBody)?;
            let Value::Object(m) = v else {
                return Err(InboundRefusal::MalformedBody);
            };
            for (k, v) in m {
                let s = match v {
                    Value::String(s) => s,
                    Value::Null => continue,
                    other => other.to_string(),
                };
                params.push((k, s));
            }
        } else {
            std::str::from_utf8(body).map_err(|_| InboundRefusal::MalformedBody)?;
            params.extend(url::form_urlencoded::parse(body).into_owned());
        }
    }
    if let Some(q) = req.query {
        params
            .extend(url::form_urlencoded::parse(q.trim_start_matches('?').as_bytes()).into_owned());
    }
    Ok(InboundParams {
        params,
        headers: req.headers.clone(),
    })
}

/// Compares a received secret with the expected one in constant time: both are
/// MACed with a per-process random key and the MACs compared with `verify_slice`,
/// so neither content nor length leaks through timing.
pub fn verify_secret(received: &str, expected: &SecretString) -> bool {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        k
    });
    let mac = |data: &[u8]| {
        let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        m.update(data);
        m
    };
    let expected_tag = mac(expected.expose_secret().as_bytes())
        .finalize()
        .into_bytes();
    !expected.expose_secret().is_empty()
        && mac(received.as_bytes()).verify_slice(&expected_tag).is_ok()
}

/// Parameter names used to read inbound requests; all configurable because Zoho's
/// call-control payload is undocumented.
#[derive(Debug, Clone)]
pub struct InboundNames {
    /// Header or parameter carrying our secret (the `authorizationparam` name).
    pub authorization: String,
    /// Callee number of click-to-dial (`tonumber` unless renamed via `'{to}'`).
    pub to_number: Vec<String>,
    /// Call id on call-control requests.
    pub call_id: Vec<String>,
    /// Digits on keypress.
    pub digits: Vec<String>,
}

impl InboundNames {
    pub fn new(authorization: &str) -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect();
        Self {
            authorization: authorization.to_owned(),
            to_number: v(&["tonumber"]),
            call_id: v(&["id", "callid", "callrefid", "call_id"]),
            digits: v(&["digit", "digits", "keys", "key", "dtmf"]),
        }
    }
}

/// A verified click-to-dial request.
#[derive(Debug, Clone)]
pub struct ClickToDial {
    /// As stored in the CRM record (may hold spaces, dashes, no country code).
    pub to_number: String,
    /// Everything Zoho sent (our `clicktodialparam` pairs included).
    pub params: InboundParams,
}

/// Call-control actions, one per registered URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallControlAction {
    Answer,
    Hangup,
    Mute,
    Unmute,
    Hold,
    Unhold,
    Keypress,
}

/// A verified call-control request.
#[derive(Debug, Clone)]
pub struct CallControl {
    pub action: CallControlAction,
    /// The `id` we used in `callnotify`, when Zoho sends one.
    pub call_id: Option<String>,
    /// Keypress digits.
    pub digits: Option<String>,
    pub params: InboundParams,
}

/// Parses and authenticates a request without knowing the user up front:
/// `secret_for` picks the user from the parameters (e.g. our `ext` pair) and
/// returns that user's expected secret.
fn authenticate(
    req: InboundRequest<'_>,
    names: &InboundNames,
    secret_for: impl FnOnce(&InboundParams) -> Option<SecretString>,
) -> Result<InboundParams, InboundRefusal> {
    let params = parse_inbound(req)?;
    let received = params
        .authorization(&names.authorization)
        .ok_or(InboundRefusal::MissingAuthorization)?
        .to_owned();
    let Some(expected) = secret_for(&params) else {
        // Compare anyway: an unknown user takes as long as a wrong value.
        verify_secret(&received, &SecretString::from(String::new()));
        return Err(InboundRefusal::UnknownUser);
    };
    if !verify_secret(&received, &expected) {
        return Err(InboundRefusal::BadAuthorization);
    }
    Ok(params)
}

/// A click-to-dial request, authenticated.
pub fn authenticate_click_to_dial(
    req: InboundRequest<'_>,
    names: &InboundNames,
    secret_for: impl FnOnce(&InboundParams) -> Option<SecretString>,
) -> Result<ClickToDial, InboundRefusal> {
    let params = authenticate(req, names, secret_for)?;
    let to_number = params
        .get_any(&names.to_number)
        .ok_or(InboundRefusal::MissingParameter("tonumber"))?
        .trim()
        .to_owned();
    Ok(ClickToDial { to_number, params })
}

/// A call-control request for `action`, authenticated.
pub fn authenticate_call_control(
    action: CallControlAction,
    req: InboundRequest<'_>,
    names: &InboundNames,
    secret_for: impl FnOnce(&InboundParams) -> Option<SecretString>,
) -> Result<CallControl, InboundRefusal> {
    let params = authenticate(req, names, secret_for)?;
    let call_id = params.get_any(&names.call_id).map(str::to_owned);
    let digits = params.get_any(&names.digits).map(str::to_owned);
    if action == CallControlAction::Keypress && digits.is_none() {
        return Err(InboundRefusal::MissingParameter("digits"));
    }
    Ok(CallControl {
        action,
        call_id,
        digits,
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn secret() -> SecretString {
        SecretString::from("s3cr3t-token".to_owned())
    }

    fn names() -> InboundNames {
        InboundNames::new("X-RB-Token")
    }

    fn lookup(p: &InboundParams) -> Option<SecretString> {
        (p.get("ext") == Some("1001")).then(secret)
    }

    #[test]
    fn form_post_with_header_secret() {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        h.insert("x-rb-token", HeaderValue::from_static("s3cr3t-token"));
        let req = InboundRequest {
            method: &Method::POST,
            headers: &h,
            query: None,
            body: b"tonumber=%2B1+415-555&ext=1001",
        };
        let c = authenticate_click_to_dial(req, &names(), lookup).expect("ok");
        assert_eq!(c.to_number, "+1 415-555");
    }

    #[test]
    fn get_with_param_secret_and_renamed_number() {
        let h = HeaderMap::new();
        let mut n = names();
        n.to_number = vec!["callee".into(), "tonumber".into()];
        let req = InboundRequest {
            method: &Method::GET,
            headers: &h,
            query: Some("callee=%2B4930&ext=1001&X-RB-Token=s3cr3t-token"),
            body: b"",
        };
        assert_eq!(
            authenticate_click_to_dial(req, &n, lookup)
                .expect("ok")
                .to_number,
            "+4930"
        );
    }

    #[test]
    fn json_body_is_tolerated() {
        let h = HeaderMap::new();
        let body = br#"{"tonumber":"+4930","ext":1001,"X-RB-Token":"s3cr3t-token"}"#;
        let req = InboundRequest {
            method: &Method::POST,
            headers: &h,
            query: None,
            body,
        };
        assert_eq!(
            authenticate_click_to_dial(req, &names(), lookup)
                .expect("ok")
                .to_number,
            "+4930"
        );
    }

    #[test]
    fn refusals() {
        let h = HeaderMap::new();
        let req = |q: &'static str| InboundRequest {
            method: &Method::POST,
            headers: &h,
            query: Some(q),
            body: b"",
        };
        assert_eq!(
            authenticate_click_to_dial(req("tonumber=1&ext=1001"), &names(), lookup).err(),
            Some(InboundRefusal::MissingAuthorization)
        );
        assert_eq!(
            authenticate_click_to_dial(
                req("tonumber=1&ext=1001&X-RB-Token=s3cr3t-tokeN"),
                &names(),
                lookup
            )
            .err(),
            Some(InboundRefusal::BadAuthorization)
        );
        assert_eq!(
            authenticate_click_to_dial(
                req("tonumber=1&ext=1001&X-RB-Token=s3cr3t"),
                &names(),
                lookup
            )
            .err(),
            Some(InboundRefusal::BadAuthorization)
        );
        assert_eq!(
            authenticate_click_to_dial(
                req("tonumber=1&ext=9&X-RB-Token=s3cr3t-token"),
                &names(),
                lookup
            )
            .err(),
            Some(InboundRefusal::UnknownUser)
        );
        assert_eq!(
            authenticate_click_to_dial(req("ext=1001&X-RB-Token=s3cr3t-token"), &names(), lookup)
                .err(),
            Some(InboundRefusal::MissingParameter("tonumber"))
        );
        let put = InboundRequest {
            method: &Method::PUT,
            headers: &h,
            query: None,
            body: b"",
        };
        assert_eq!(
            parse_inbound(put).err(),
            Some(InboundRefusal::MethodNotAllowed)
        );
        let bad = InboundRequest {
            method: &Method::POST,
            headers: &h,
            query: None,
            body: b"{not json",
        };
        assert_eq!(
            parse_inbound(bad).err(),
            Some(InboundRefusal::MalformedBody)
        );
        assert_eq!(InboundRefusal::BadAuthorization.http_status(), 401);
    }

    #[test]
    fn call_control() {
        let h = HeaderMap::new();
        let req = InboundRequest {
            method: &Method::POST,
            headers: &h,
            query: None,
            body: b"callrefid=1718.42&digit=5&ext=1001&X-RB-Token=s3cr3t-token",
        };
        let c = authenticate_call_control(CallControlAction::Keypress, req, &names(), lookup)
            .expect("ok");
        assert_eq!(c.call_id.as_deref(), Some("1718.42"));
        assert_eq!(c.digits.as_deref(), Some("5"));
        let req = InboundRequest {
            method: &Method::POST,
            headers: &h,
            query: None,
            body: b"id=1&ext=1001&X-RB-Token=s3cr3t-token",
        };
        assert_eq!(
            authenticate_call_control(CallControlAction::Keypress, req, &names(), lookup).err(),
            Some(InboundRefusal::MissingParameter("digits"))
        );
        let c = authenticate_call_control(CallControlAction::Hangup, req, &names(), lookup)
            .expect("ok");
        assert_eq!(c.call_id.as_deref(), Some("1"));
    }

    #[test]
    fn constant_time_compare_semantics() {
        assert!(verify_secret("abc", &SecretString::from("abc".to_owned())));
        assert!(!verify_secret("abd", &SecretString::from("abc".to_owned())));
        assert!(
            !verify_secret("", &SecretString::from(String::new())),
            "an empty expected secret never matches"
        );
    }
}
