//! What the admin console configures and stores: the PBX and CRM
//! connections, the CRM mode, the engine settings, manual user pairs and
//! the recording link policy. The running service overlays this on its
//! configuration file, so a fresh install needs no file at all.
//!
//! Secrets (client secrets, the refresh token) are stored encrypted; the
//! rest is plain JSON.

use async_trait::async_trait;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::settings::EngineSettings;
use crate::store::StoreError;

/// How calls reach the CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrmMode {
    /// ringbridge writes call logs through the CRM's REST API.
    Rest,
    /// Zoho PhoneBridge: Zoho shows the call bar and logs calls itself.
    #[serde(rename = "phonebridge")]
    PhoneBridge,
}

impl CrmMode {
    pub const ALL: [CrmMode; 2] = [Self::Rest, Self::PhoneBridge];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rest => "rest",
            Self::PhoneBridge => "phonebridge",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// The PBX's OpenAPI connection.
#[derive(Debug, Clone)]
pub struct PbxConnection {
    /// e.g. `https://pbx.example.com:8088`
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Accept a self-signed certificate (common on-premises).
    pub accept_invalid_certs: bool,
}

/// The CRM's OAuth client and, once the admin consented, its grant.
#[derive(Debug, Clone)]
pub struct CrmConnection {
    /// The data centre picked (`us`, `eu`, …) or `custom`.
    pub location: String,
    /// Where consent and tokens are asked for.
    pub accounts_server: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Set after consent.
    pub grant: Option<CrmGrant>,
}

/// What the OAuth code exchange gave.
#[derive(Debug, Clone)]
pub struct CrmGrant {
    pub refresh_token: SecretString,
    /// The accounts server the token belongs to (from the redirect).
    pub accounts_server: String,
    /// Where the APIs are (from the token response).
    pub api_domain: String,
}

/// Links to recordings put into call logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "policy", content = "days")]
pub enum RecordingLinkPolicy {
    /// No links in call logs.
    Off,
    /// Links valid until revoked.
    #[default]
    UntilRevoked,
    /// Links that expire this many days after the call.
    ExpireAfterDays(u32),
}

/// The settings page: the engine's settings and what sits beside them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsoleSettings {
    pub engine: EngineSettings,
    /// ISO country of national numbers the PBX reports (`US`, `DE`…).
    pub default_country: Option<String>,
    pub recording: RecordingLinkPolicy,
    /// Playing a recording link also needs a signed-in ringbridge account
    /// (the link alone is not enough).
    pub recording_sign_in: bool,
}

/// An extension paired with a CRM user by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserOverride {
    pub extension: String,
    pub crm_user_id: String,
    pub crm_user_name: String,
}

impl UserOverride {
    /// The CRM user this pair names, as the user map takes it.
    pub fn crm_user(&self) -> crate::crm::CrmUser {
        crate::crm::CrmUser {
            id: self.crm_user_id.clone(),
            email: None,
            name: self.crm_user_name.clone(),
            active: true,
        }
    }
}

/// Everything stored, read at once.
#[derive(Debug, Clone, Default)]
pub struct ConsoleConfig {
    pub pbx: Option<PbxConnection>,
    pub crm: Option<CrmConnection>,
    pub mode: Option<CrmMode>,
    /// `None` until the settings page was saved once.
    pub settings: Option<ConsoleSettings>,
    pub users: Vec<UserOverride>,
    /// Grows with every change, so a runtime can notice one cheaply.
    pub revision: i64,
}

impl ConsoleConfig {
    /// PBX connected, CRM consented and a mode chosen: enough to run.
    pub fn is_complete(&self) -> bool {
        self.pbx.is_some()
            && self.crm.as_ref().is_some_and(|c| c.grant.is_some())
            && self.mode.is_some()
    }
}

/// The console's storage.
#[async_trait]
pub trait ConsoleStore: Send + Sync {
    async fn console(&self) -> Result<ConsoleConfig, StoreError>;

    /// The revision only (see [`ConsoleConfig::revision`]).
    async fn console_revision(&self) -> Result<i64, StoreError>;
    /// Marks the configuration changed without changing it, so every node
    /// reloads what it derives from the store (after a key rotation).
    async fn mark_changed(&self) -> Result<(), StoreError>;

    async fn put_pbx(&self, pbx: &PbxConnection) -> Result<(), StoreError>;

    /// Replaces the CRM connection, grant included: a new client without a
    /// grant forgets the old one (it belonged to the old client).
    async fn put_crm(&self, crm: &CrmConnection) -> Result<(), StoreError>;

    /// Stores the grant of the CRM connection already stored.
    async fn put_crm_grant(&self, grant: &CrmGrant) -> Result<(), StoreError>;

    /// Forgets the grant (the admin disconnected the CRM), keeping the
    /// client for the next consent. `true` if there was a grant.
    async fn remove_crm_grant(&self) -> Result<bool, StoreError>;

    async fn put_mode(&self, mode: CrmMode) -> Result<(), StoreError>;

    async fn put_settings(&self, settings: &ConsoleSettings) -> Result<(), StoreError>;

    /// Pairs `extension` with a CRM user by hand.
    async fn put_user_override(&self, pair: &UserOverride) -> Result<(), StoreError>;

    /// Back to matching `extension` by e-mail. `true` if a pair was removed.
    async fn remove_user_override(&self, extension: &str) -> Result<bool, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_policies_serialize() {
        for mode in CrmMode::ALL {
            assert_eq!(CrmMode::parse(mode.as_str()), Some(mode));
            let json = serde_json::to_string(&mode).unwrap();
            assert_eq!(json, format!("\"{}\"", mode.as_str()));
        }
        let policy = RecordingLinkPolicy::ExpireAfterDays(30);
        let json = serde_json::to_string(&policy).unwrap();
        assert_eq!(json, r#"{"policy":"expire_after_days","days":30}"#);
        assert_eq!(
            serde_json::from_str::<RecordingLinkPolicy>(&json).unwrap(),
            policy
        );
        let partial: ConsoleSettings = serde_json::from_str(r#"{"default_country":"DE"}"#).unwrap();
        assert_eq!(partial.recording, RecordingLinkPolicy::UntilRevoked);
        assert_eq!(partial.engine, EngineSettings::default());
    }

    #[test]
    fn complete_needs_pbx_grant_and_mode() {
        let mut config = ConsoleConfig::default();
        assert!(!config.is_complete());
        config.pbx = Some(PbxConnection {
            base_url: "https://pbx.test".into(),
            client_id: "id".into(),
            client_secret: SecretString::from("s".to_owned()),
            accept_invalid_certs: false,
        });
        config.mode = Some(CrmMode::PhoneBridge);
        let mut crm = CrmConnection {
            location: "eu".into(),
            accounts_server: "https://accounts.zoho.eu".into(),
            client_id: "c".into(),
            client_secret: SecretString::from("s".to_owned()),
            grant: None,
        };
        config.crm = Some(crm.clone());
        assert!(!config.is_complete(), "no consent yet");
        crm.grant = Some(CrmGrant {
            refresh_token: SecretString::from("r".to_owned()),
            accounts_server: "https://accounts.zoho.eu".into(),
            api_domain: "https://www.zohoapis.eu".into(),
        });
        config.crm = Some(crm);
        assert!(config.is_complete());
    }
}
