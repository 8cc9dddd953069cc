//! Who is asking, as far as it can be believed, and how often they may ask
//! for what costs something before any sign-in: `client` reads the
//! client's address (forwarded headers only from trusted proxies), `rate`
//! limits the unauthenticated routes that write to the database, hash a
//! password or may spend Zoho credits; `agent` limits each signed-in
//! account's requests that spend CRM API credits.

mod agent;
mod client;
mod rate;

use serde::Deserialize;

pub use agent::{AgentLimits, crm_limited};
pub use client::{ProxyNet, client_ip};
pub use rate::{RateLimits, limit};

/// `[http]` settings of this module. Every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct GuardConfig {
    /// Reverse proxies (addresses or CIDR ranges) whose `Forwarded` /
    /// `X-Forwarded-For` headers are believed. Empty: never believed.
    pub trusted_proxies: Vec<ProxyNet>,
    /// Sign-in and first-run setup posts per client address and minute.
    pub sign_in_per_minute: u32,
    /// PBX webhook and Zoho PhoneBridge requests per client address and second.
    pub callbacks_per_second: u32,
    /// Recording link requests per client address and minute.
    pub recordings_per_minute: u32,
    /// CRM look-ups and record creations per signed-in account and minute
    /// (each spends Zoho API credits).
    pub crm_requests_per_minute: u32,
}

impl Default for GuardConfig {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            sign_in_per_minute: 30,
            // A busy PBX sends a few events per call; Zoho a few per click.
            callbacks_per_second: 100,
            // A player seeks with several range requests per recording.
            recordings_per_minute: 300,
            // An agent types a few numbers a minute; a script far more.
            crm_requests_per_minute: 30,
        }
    }
}
