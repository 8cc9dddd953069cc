//! `[pbx]`: a Yeastar P-Series PBX. Its address and number plan are
//! parsed when the file is loaded, so a bad value fails the start with its
//! key named instead of the first call that needs it.

use anyhow::{Context, Result};
use ringbridge_core::phone::NumberPlan;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use super::{EventTransport, StreamTuning, non_empty, parse};

/// A Yeastar P-Series PBX.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "PbxFile")]
pub struct PbxConfig {
    /// A short name for this PBX, used as the key of its stored state.
    pub id: String,
    pub base_url: Url,
    pub client_id: String,
    pub(super) client_secret: Option<SecretString>,
    /// The PBX's time zone (IANA name): its event times are local.
    pub time_zone: chrono_tz::Tz,
    pub events: EventTransport,
    /// `[pbx.stream]`: heartbeat and reconnect timing of the WebSocket.
    pub stream: StreamTuning,
    /// The secret the PBX signs webhooks with (Webhook Event Push settings).
    pub(super) webhook_secret: Option<SecretString>,
    /// Accept a self-signed PBX certificate (common on-premises).
    pub accept_invalid_certs: bool,
    /// How the PBX's numbers are read and click-to-call numbers dialled:
    /// `default_country`, `outside_line_prefixes`, `[pbx.dialing]` and
    /// `[pbx.dial_policy]` of the file, checked at load.
    pub number_plan: NumberPlan,
}

/// `[pbx]` as written in the file.
#[derive(Deserialize)]
struct PbxFile {
    #[serde(default = "default_pbx_id")]
    id: String,
    #[serde(deserialize_with = "parse")]
    base_url: Url,
    client_id: String,
    #[serde(default)]
    client_secret: Option<SecretString>,
    #[serde(default = "default_time_zone", deserialize_with = "parse")]
    time_zone: chrono_tz::Tz,
    #[serde(default)]
    events: EventTransport,
    #[serde(default)]
    stream: StreamTuning,
    #[serde(default)]
    webhook_secret: Option<SecretString>,
    #[serde(default)]
    accept_invalid_certs: bool,
    /// ISO country of national numbers the PBX reports, e.g. "US", "DE".
    #[serde(default)]
    default_country: Option<String>,
    /// Digits dialled to reach an outside line, stripped before matching.
    #[serde(default)]
    outside_line_prefixes: Vec<String>,
    /// `format` = "as_typed" | "e164" | "local", `outside_line_prefix`,
    /// `international_prefix`, to match the PBX's outbound routes.
    #[serde(default)]
    dialing: ringbridge_core::dialing::DialRules,
    /// `allowed_countries`, `blocked_types`, `allow_prefixes`, `deny_prefixes`.
    #[serde(default)]
    dial_policy: ringbridge_core::dialing::policy::DialPolicy,
}

impl TryFrom<PbxFile> for PbxConfig {
    type Error = String;

    fn try_from(file: PbxFile) -> Result<Self, String> {
        // serde gives this error no key of its own: the message names it.
        let mut plan = match &file.default_country {
            Some(country) => NumberPlan::new(country)
                .map_err(|e| format!("pbx.default_country: unknown region: {e}"))?,
            None => NumberPlan::default(),
        };
        plan.outside_line_prefixes = file.outside_line_prefixes;
        plan.dialing = file.dialing;
        file.dial_policy
            .validate()
            .map_err(|e| format!("pbx.dial_policy: {e}"))?;
        plan.dial_policy = file.dial_policy;
        Ok(Self {
            id: file.id,
            base_url: file.base_url,
            client_id: file.client_id,
            client_secret: file.client_secret,
            time_zone: file.time_zone,
            events: file.events,
            stream: file.stream,
            webhook_secret: file.webhook_secret,
            accept_invalid_certs: file.accept_invalid_certs,
            number_plan: plan,
        })
    }
}

pub(super) fn default_pbx_id() -> String {
    "pbx".to_owned()
}

pub(super) fn default_time_zone() -> chrono_tz::Tz {
    chrono_tz::UTC
}

impl PbxConfig {
    pub fn client_secret(&self) -> Result<SecretString> {
        non_empty(self.client_secret.as_ref())
            .context("pbx.client_secret (or pbx.client_secret_file) is required")
    }

    pub fn webhook_secret(&self) -> Result<Option<SecretString>> {
        Ok(non_empty(self.webhook_secret.as_ref()))
    }

    /// Parsed at load: a name that is not an IANA zone fails the start.
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.time_zone
    }
}
