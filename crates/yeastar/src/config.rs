//! Settings for the client and the event stream. Secrets are
//! [`SecretString`]s, so `Debug` never prints them.

use std::time::Duration;

use chrono_tz::Tz;
use secrecy::SecretString;
use url::Url;

use crate::error::{Result, YeastarError};

/// The events a CRM bridge needs (docs/yeastar-api.md, "What a bridge needs"): extension
/// busy state, call state, new CDR, transfer, forwarding, failed calls.
pub const DEFAULT_TOPICS: [u32; 6] = [30008, 30011, 30012, 30013, 30014, 30015];

/// How to reach and log into one PBX.
#[derive(Debug, Clone)]
pub struct YeastarConfig {
    /// `https://{ip}:{port}`, the Yeastar FQDN or the Cloud tenant URL. A
    /// path prefix (reverse proxy) is kept.
    pub base_url: Url,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Sent on every request; the PBX refuses requests without one.
    pub user_agent: String,
    /// The PBX's own time zone: 30012 `time_start` is PBX-local.
    pub timezone: Tz,
    /// Whole-request limit for API calls (not for recording streams, which
    /// only get `connect_timeout` and a per-read limit of the same size).
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Accept any certificate (on-prem PBXs often have a self-signed one).
    /// Off by default: it removes protection against interception.
    pub accept_invalid_certs: bool,
    /// Renew the access token this long before it expires (at most half the
    /// token's lifetime early, for short-lived tokens).
    pub token_refresh_margin: Duration,
    /// How long a superseded access token stays usable by requests still in
    /// flight before it is revoked with `del_token` (the PBX caps live
    /// tokens at 8 per application).
    pub superseded_token_grace: Duration,
    /// Page size for CDR, extension and contact listings (PBX max 10 000).
    pub page_size: u32,
    /// `auto_answer` for click-to-call: the caller's phone answers the first
    /// leg by itself when it supports it.
    pub dial_auto_answer: bool,
}

impl YeastarConfig {
    /// A configuration with the defaults for everything but the essentials.
    pub fn new(
        base_url: &str,
        client_id: impl Into<String>,
        client_secret: SecretString,
        timezone: Tz,
    ) -> Result<Self> {
        let base_url = Url::parse(base_url)
            .map_err(|e| YeastarError::Config(format!("base URL {base_url:?}: {e}")))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(YeastarError::Config(format!(
                "base URL must be http(s), got {}",
                base_url.scheme()
            )));
        }
        if base_url.host_str().is_none() {
            return Err(YeastarError::Config("base URL has no host".into()));
        }
        Ok(Self {
            base_url,
            client_id: client_id.into(),
            client_secret,
            user_agent: default_user_agent(),
            timezone,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            accept_invalid_certs: false,
            token_refresh_margin: Duration::from_secs(5 * 60),
            superseded_token_grace: Duration::from_secs(60),
            page_size: 1000,
            dial_auto_answer: false,
        })
    }
}

/// `ringbridge/<version>`.
pub fn default_user_agent() -> String {
    format!("ringbridge/{}", env!("CARGO_PKG_VERSION"))
}

/// Reconnect delays: exponential from `initial` up to `max`, each with up to
/// `jitter` (0..=1) of it taken off at random so that many bridges do not
/// reconnect in lockstep after a PBX restart.
#[derive(Debug, Clone, PartialEq)]
pub struct BackoffConfig {
    pub initial: Duration,
    pub max: Duration,
    pub multiplier: f64,
    pub jitter: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(60),
            multiplier: 2.0,
            jitter: 0.5,
        }
    }
}

/// How the WebSocket event stream behaves.
#[derive(Debug, Clone)]
pub struct EventStreamConfig {
    /// Sent in full on every (re)connect: each subscribe replaces the set.
    pub topics: Vec<u32>,
    /// The PBX closes a socket idle for 60 s; the vendor suggests 30 s.
    pub heartbeat_interval: Duration,
    /// No frame at all within this long after a heartbeat → the socket is
    /// dead and is replaced.
    pub heartbeat_timeout: Duration,
    /// Handshake, and subscribe until its reply.
    pub connect_timeout: Duration,
    /// Larger frames become [`ringbridge_core::pbx::EventSourceItem::Malformed`].
    pub max_frame_bytes: usize,
    pub backoff: BackoffConfig,
    /// Identical frames within this window are delivered once (they arrive
    /// twice while an old and a new socket overlap during token rotation).
    pub dedupe_window: Duration,
    /// Batches of items (each what one socket read brought, at most 64)
    /// buffered for a slow consumer before the reader waits.
    pub channel_capacity: usize,
}

impl Default for EventStreamConfig {
    fn default() -> Self {
        Self {
            topics: DEFAULT_TOPICS.to_vec(),
            heartbeat_interval: Duration::from_secs(30),
            heartbeat_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(15),
            max_frame_bytes: 1024 * 1024,
            backoff: BackoffConfig::default(),
            dedupe_window: Duration::from_secs(10),
            channel_capacity: 256,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn secret_is_not_in_debug() {
        let cfg = YeastarConfig::new(
            "https://pbx.example.test:8088",
            "id",
            SecretString::from("s3cr3t-value"),
            chrono_tz::Europe::Berlin,
        )
        .expect("valid config");
        let debug = format!("{cfg:?}");
        assert!(!debug.contains("s3cr3t-value"), "{debug}");
        assert_eq!(cfg.client_secret.expose_secret(), "s3cr3t-value");
        assert!(cfg.user_agent.starts_with("ringbridge/"));
    }

    #[test]
    fn rejects_bad_base_urls() {
        let tz = chrono_tz::UTC;
        for bad in ["ftp://pbx", "not a url", "ws://pbx:80"] {
            assert!(
                YeastarConfig::new(bad, "id", SecretString::from("s"), tz).is_err(),
                "{bad}"
            );
        }
    }
}
