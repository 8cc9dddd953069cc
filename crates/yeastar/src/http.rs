//! One HTTP request to the PBX and the reading of its answer: URLs, the
//! mandatory User-Agent, the token in the query string, and
//! `errcode`-is-authoritative decoding. Knows nothing about renewing tokens.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::config::YeastarConfig;
use crate::error::{ApiError, ErrorDetail, Result, YeastarError};
use crate::wire::Preview;

/// Where the v1.0 API lives under the base URL.
const API_PREFIX: &str = "openapi/v1.0";

#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
    /// The base URL with a trailing slash, so joins keep any path prefix.
    base: Url,
    timeout: Duration,
}

#[derive(serde::Deserialize)]
struct Ack {
    errcode: i64,
    #[serde(default)]
    errmsg: Option<String>,
    /// `[{field, validation_type, value}]` on `40002` and refused logins;
    /// seen in the wild with only `value`.
    #[serde(default)]
    invalid_param_list: Option<Value>,
    #[serde(default)]
    submsg: Option<Value>,
    #[serde(default)]
    duplicate_field_list: Option<Value>,
}

/// At most this many names are kept from one answer (they end up in logs
/// and on the dashboard; the PBX's text is not trusted to be short).
const MAX_NAMED: usize = 10;

impl Ack {
    fn detail(self) -> ErrorDetail {
        ErrorDetail {
            message: self.errmsg.unwrap_or_default(),
            invalid_fields: names(self.invalid_param_list.as_ref(), &["field", "value"]),
            submsg: self
                .submsg
                .as_ref()
                .and_then(scalar_text)
                .filter(|t| !t.is_empty()),
            duplicate_fields: names(self.duplicate_field_list.as_ref(), &["field", "name"]),
        }
    }
}

/// Names from a list of strings or of objects (the first of `keys` an
/// object has); a lone string counts as a list of one.
fn names(list: Option<&Value>, keys: &[&str]) -> Vec<String> {
    let items = match list {
        Some(Value::Array(items)) => items.as_slice(),
        Some(one @ Value::String(_)) => std::slice::from_ref(one),
        _ => &[],
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::Object(map) => keys.iter().find_map(|k| map.get(*k).and_then(scalar_text)),
            other => scalar_text(other),
        })
        .filter(|name| !name.is_empty())
        .take(MAX_NAMED)
        .collect()
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(Preview(s.trim()).to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Http {
    pub fn new(cfg: &YeastarConfig) -> Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(cfg.connect_timeout)
            // Per read, so long recording streams are not cut off.
            .read_timeout(cfg.request_timeout)
            .tls_danger_accept_invalid_certs(cfg.accept_invalid_certs)
            .build()
            .map_err(|e| YeastarError::Config(format!("HTTP client: {e}")))?;
        let mut base = cfg.base_url.clone();
        base.set_query(None);
        base.set_fragment(None);
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Self {
            client,
            base,
            timeout: cfg.request_timeout,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// `{base}/openapi/v1.0/{endpoint}`.
    pub fn api_url(&self, endpoint: &str) -> Result<Url> {
        self.base
            .join(&format!("{API_PREFIX}/{endpoint}"))
            .map_err(|e| YeastarError::Invalid(format!("endpoint {endpoint}: {e}")))
    }

    /// The event WebSocket: `ws://` for an `http://` portal, else `wss://`.
    pub fn subscribe_url(&self, token: &SecretString) -> Result<Url> {
        let mut url = self.api_url("subscribe")?;
        let scheme = if url.scheme() == "http" { "ws" } else { "wss" };
        url.set_scheme(scheme)
            .map_err(|()| YeastarError::Config("cannot derive the WebSocket URL".into()))?;
        url.query_pairs_mut()
            .append_pair("access_token", token.expose_secret());
        Ok(url)
    }

    /// `{base}{path}?access_token=` for a download path the PBX handed out.
    /// Only paths on the PBX itself are followed: the token must never go to
    /// another host.
    pub fn resource_url(&self, path: &str, token: &SecretString) -> Result<Url> {
        let mut url = if path.starts_with('/') && !path.starts_with("//") {
            self.base.join(path.trim_start_matches('/')).map_err(|e| {
                YeastarError::Decode(ringbridge_core::cause::Cause::with_context(
                    "download path",
                    e,
                ))
            })?
        } else {
            let url = Url::parse(path).map_err(|e| {
                YeastarError::Decode(ringbridge_core::cause::Cause::with_context(
                    format!("download path {}", Preview(path)),
                    e,
                ))
            })?;
            if url.origin() != self.base.origin() {
                return Err(YeastarError::Decode(
                    "the PBX sent a download URL on another host".into(),
                ));
            }
            url
        };
        url.query_pairs_mut()
            .append_pair("access_token", token.expose_secret());
        Ok(url)
    }

    /// `GET` an endpoint with query parameters.
    pub async fn get<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        token: Option<&SecretString>,
        query: &[(&str, String)],
    ) -> Result<T> {
        let mut url = self.api_url(endpoint)?;
        {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
            if let Some(token) = token {
                pairs.append_pair("access_token", token.expose_secret());
            }
        }
        tracing::debug!(endpoint, "PBX GET");
        let response = self.client.get(url).timeout(self.timeout).send().await?;
        decode(endpoint, response).await
    }

    /// `POST` a JSON body to an endpoint.
    pub async fn post<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        endpoint: &str,
        token: Option<&SecretString>,
        body: &B,
    ) -> Result<T> {
        let mut url = self.api_url(endpoint)?;
        if let Some(token) = token {
            url.query_pairs_mut()
                .append_pair("access_token", token.expose_secret());
        }
        tracing::debug!(endpoint, "PBX POST");
        let response = self
            .client
            .post(url)
            .json(body)
            .timeout(self.timeout)
            .send()
            .await?;
        decode(endpoint, response).await
    }
}

/// Reads an API answer: non-2xx is a transport fault, `errcode ≠ 0` an
/// [`ApiError`], anything else is decoded into `T`.
async fn decode<T: DeserializeOwned>(endpoint: &str, response: reqwest::Response) -> Result<T> {
    let status = response.status();
    if !status.is_success() {
        return Err(YeastarError::Status {
            status: status.as_u16(),
        });
    }
    let body = response.bytes().await?;
    decode_body(endpoint, &body)
}

pub(crate) fn decode_body<T: DeserializeOwned>(endpoint: &str, body: &[u8]) -> Result<T> {
    let ack: Ack = serde_json::from_slice(body).map_err(|e| {
        // The answer's start before the parser's complaint, so the message
        // ends with the error the chain continues with.
        YeastarError::Decode(ringbridge_core::cause::Cause::with_context(
            format!("{endpoint} ({})", Preview(&String::from_utf8_lossy(body))),
            e,
        ))
    })?;
    if ack.errcode != 0 {
        return Err(ApiError::from_detail(ack.errcode, ack.detail()).into());
    }
    serde_json::from_slice(body)
        .map_err(|e| YeastarError::Decode(ringbridge_core::cause::Cause::with_context(endpoint, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(base: &str) -> Http {
        let cfg = YeastarConfig::new(base, "id", SecretString::from("s"), chrono_tz::UTC)
            .expect("config");
        Http::new(&cfg).expect("http")
    }

    #[test]
    fn urls_keep_prefix_and_scheme() {
        let h = http("https://pbx.example.test:8088/pbx");
        assert_eq!(
            h.api_url("call/dial").expect("url").as_str(),
            "https://pbx.example.test:8088/pbx/openapi/v1.0/call/dial"
        );
        let ws = h.subscribe_url(&SecretString::from("T")).expect("ws");
        assert_eq!(
            ws.as_str(),
            "wss://pbx.example.test:8088/pbx/openapi/v1.0/subscribe?access_token=T"
        );
        let plain = http("http://10.0.0.5").subscribe_url(&SecretString::from("T"));
        assert_eq!(
            plain.expect("ws").as_str(),
            "ws://10.0.0.5/openapi/v1.0/subscribe?access_token=T"
        );
    }

    #[test]
    fn download_urls_stay_on_the_pbx() {
        let h = http("https://pbx.example.test:8088");
        let t = SecretString::from("T");
        let url = h.resource_url("/api/download/Rec-1.wav", &t).expect("url");
        assert_eq!(
            url.as_str(),
            "https://pbx.example.test:8088/api/download/Rec-1.wav?access_token=T"
        );
        assert!(h.resource_url("https://evil.example.test/x", &t).is_err());
        assert!(h.resource_url("//evil.example.test/x", &t).is_err());
        assert!(
            h.resource_url("https://pbx.example.test:8088/api/x.wav", &t)
                .is_ok()
        );
    }

    fn refusal(body: &str) -> ApiError {
        match decode_body::<serde_json::Value>("x", body.as_bytes()) {
            Err(YeastarError::Api(api)) => api,
            other => panic!("expected an API error, got {other:?}"),
        }
    }

    #[test]
    fn error_details_name_the_fields() {
        let login = refusal(
            r#"{"errcode":-1,"errmsg":"FAILURE","invalid_param_list":[{"field":"password","validation_type":"INVALID"}]}"#,
        );
        assert!(matches!(login, ApiError::Failure(_)));
        assert_eq!(login.detail().invalid_fields, ["password"]);
        assert_eq!(login.to_string(), "-1 FAILURE (FAILURE; refused: password)");
        let dup = refusal(
            r#"{"errcode":40003,"errmsg":"DUPLICATE KEY VALUE","submsg":"number already exists","duplicate_field_list":["number",{"field":"email"}]}"#,
        );
        assert_eq!(dup.detail().duplicate_fields, ["number", "email"]);
        assert_eq!(
            dup.detail().submsg.as_deref(),
            Some("number already exists")
        );
        let pbx = dup.to_pbx_error().to_string();
        assert!(pbx.contains("number, email"), "{pbx}");
        // Seen in the wild: only `value`; odd shapes are ignored, long text clipped.
        let odd = refusal(&format!(
            r#"{{"errcode":-2,"errmsg":"INTERNAL SERVER ERROR","invalid_param_list":[{{"value":"{}"}},7,null,{{}}],"submsg":{{}}}}"#,
            "x".repeat(500)
        ));
        assert_eq!(odd.detail().invalid_fields.len(), 2);
        assert!(odd.detail().invalid_fields[0].len() < 80);
        assert_eq!(odd.detail().submsg, None);
    }

    #[test]
    fn errcode_is_authoritative() {
        #[derive(serde::Deserialize, Debug)]
        struct Dial {
            call_id: String,
        }
        let ok: Dial = decode_body(
            "call/dial",
            br#"{"errcode":0,"errmsg":"SUCCESS","call_id":"1.2"}"#,
        )
        .expect("ok");
        assert_eq!(ok.call_id, "1.2");
        let err = decode_body::<Dial>(
            "call/dial",
            br#"{"errcode":10004,"errmsg":"TOKEN EXPIRED"}"#,
        )
        .expect_err("api error");
        assert!(err.is_token_expired());
        let err = decode_body::<Dial>("call/dial", b"<html>").expect_err("garbage");
        assert!(matches!(err, YeastarError::Decode(_)));
    }
}
