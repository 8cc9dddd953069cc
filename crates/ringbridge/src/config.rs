//! Configuration: built-in defaults ← an optional TOML file ← `RINGBRIDGE_*`
//! environment variables. Secrets never print (`SecretString`), and each
//! may come from a `*_file` path instead of the value itself.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use ringbridge_store::SecretKey;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

mod files;
mod overlay;
mod pbx;
mod secrets;
mod stream;

pub use pbx::PbxConfig;
pub use ringbridge_engine::timing::Timing;
pub use stream::StreamTuning;

const DEFAULTS: &str = include_str!("../config.default.toml");

/// The built-in defaults: the engine's `[timing]` (written once, in the
/// engine's `timing.default.toml`), then the binary's own file.
fn defaults() -> Figment {
    Figment::from(Toml::string(ringbridge_engine::timing::DEFAULTS)).merge(Toml::string(DEFAULTS))
}

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub data_dir: PathBuf,
    /// May hold a password (`postgres://user:pass@…`), so it is kept out of
    /// `Debug`; logs use [`Config::database_for_log`].
    database_url: SecretString,
    secret_key: SecretString,
    pub http: HttpConfig,
    pub log: LogConfig,
    pub pbx: Option<PbxConfig>,
    pub zoho: Option<ZohoConfig>,
    /// What is logged and how (see `ringbridge_core::settings::EngineSettings`).
    #[serde(default)]
    pub engine: ringbridge_core::settings::EngineSettings,
    /// Links to recordings in call logs (the admin console sets it too).
    #[serde(default)]
    pub recording_links: ringbridge_core::console::RecordingLinkPolicy,
    /// Recording links also need a signed-in account (the console sets it too).
    #[serde(default)]
    pub recording_sign_in: bool,
    pub timing: Timing,
}

/// A Zoho CRM org (REST or PhoneBridge mode). `refresh_token` comes from the admin's OAuth
/// consent; it is kept encrypted in the database once seen, so it may be
/// removed from the configuration afterwards.
#[derive(Debug, Clone, Deserialize)]
pub struct ZohoConfig {
    pub client_id: String,
    #[serde(default)]
    client_secret: Option<SecretString>,
    #[serde(default)]
    refresh_token: Option<SecretString>,
    /// `accounts-server` from the consent redirect, e.g. https://accounts.zoho.eu
    #[serde(deserialize_with = "parse")]
    pub accounts_server: url::Url,
    /// `api_domain` from the token response, e.g. https://www.zohoapis.eu
    #[serde(deserialize_with = "parse")]
    pub api_domain: url::Url,
    /// The redirect URL registered with the Zoho client.
    #[serde(default = "default_redirect", deserialize_with = "parse")]
    pub redirect_uri: url::Url,
    /// A custom unique Calls field holding ringbridge's call key (recommended).
    #[serde(default)]
    pub call_key_field: Option<String>,
    /// `rest` (ringbridge writes call logs) or `phonebridge` (Zoho pops and
    /// logs calls from ringbridge's PhoneBridge notifications).
    #[serde(default = "rest_mode")]
    pub mode: ringbridge_core::console::CrmMode,
}

fn rest_mode() -> ringbridge_core::console::CrmMode {
    ringbridge_core::console::CrmMode::Rest
}

fn default_redirect() -> url::Url {
    url::Url::parse("http://127.0.0.1:8080/oauth/zoho/callback").expect("a valid URL")
}

impl ZohoConfig {
    pub fn client_secret(&self) -> Result<SecretString> {
        non_empty(self.client_secret.as_ref())
            .context("zoho.client_secret (or zoho.client_secret_file) is required")
    }

    pub fn refresh_token(&self) -> Result<Option<SecretString>> {
        Ok(non_empty(self.refresh_token.as_ref()))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct HttpConfig {
    pub listen: SocketAddr,
    /// The URL people and Zoho reach ringbridge at (recording links in call
    /// logs point here). Default: `http://{listen}`.
    #[serde(default, deserialize_with = "parse_some")]
    public_url: Option<url::Url>,
    /// Mark session cookies `Secure` (browsers then send them over https and
    /// to localhost only). Turn off only for plain HTTP on a trusted LAN.
    #[serde(default = "yes")]
    pub secure_cookies: bool,
    /// Timeouts and the connection cap (`header_read_timeout_secs`, …).
    #[serde(flatten)]
    pub limits: ringbridge_web::server::ServerLimits,
    /// Trusted proxies and rate limits (`trusted_proxies`, `sign_in_per_minute`, …).
    #[serde(flatten)]
    pub guard: ringbridge_web::guard::GuardConfig,
    /// Built-in HTTPS (`tls_cert_file`, `tls_key_file`).
    #[serde(flatten)]
    pub tls: ringbridge_web::tls::TlsFiles,
}

fn yes() -> bool {
    true
}

impl HttpConfig {
    /// Without a trailing slash, for appending paths.
    pub fn public_url(&self) -> String {
        self.public_url.as_ref().map_or_else(
            || format!("http://{}", self.listen),
            |url| url.as_str().trim_end_matches('/').to_owned(),
        )
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogConfig {
    pub format: LogFormat,
    pub filter: String,
}

/// How ringbridge receives the PBX's events.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum EventTransport {
    /// ringbridge keeps a WebSocket open to the PBX (works behind NAT).
    #[default]
    Websocket,
    /// The PBX posts to ringbridge's webhook URL (needs ringbridge reachable).
    Webhook,
}

/// A value parsed from its text at load (a bad one fails the load, and
/// figment names its key).
fn parse<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text = String::deserialize(deserializer)?;
    text.parse()
        .map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
}

/// [`parse`] for an optional value.
fn parse_some<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    parse(deserializer).map(Some)
}

impl Config {
    /// Loads defaults, then `file` (if given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut figment = defaults();
        if let Some(file) = file {
            if !file.exists() {
                bail!("config file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(Env::prefixed("RINGBRIDGE_").split("__"));
        secrets::read_secret_files(figment)?
            .extract()
            .context("invalid configuration")
    }

    /// The database URL; SQLite in the data directory unless configured.
    pub fn database_url(&self) -> String {
        let configured = self.database_url.expose_secret();
        if configured.is_empty() {
            format!("sqlite://{}", self.data_dir.join("ringbridge.db").display())
        } else {
            configured.to_owned()
        }
    }

    /// False only for a SQLite file that is not there yet (a server
    /// database is taken to exist).
    pub fn database_exists(&self) -> bool {
        let url = self.database_url();
        match url.strip_prefix("sqlite://") {
            Some(rest) => Path::new(rest.split('?').next().unwrap_or(rest)).exists(),
            None => true,
        }
    }

    /// The database URL without its password, for logs.
    pub fn database_for_log(&self) -> String {
        let full = self.database_url();
        match url::Url::parse(&full) {
            Ok(mut url) if url.password().is_some() => {
                // Err only for URLs that cannot have a password at all.
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            Ok(_) => full,
            Err(_) => "(unparsable database URL)".to_owned(),
        }
    }

    /// The key that encrypts stored secrets: from `secret_key_file`, else
    /// `secret_key`, else `data_dir/secret.key`, created (mode 0600) on
    /// first start.
    pub fn secret_key(&self) -> Result<SecretKey> {
        if let Some(key) = self.existing_secret_key()? {
            return Ok(key);
        }
        let path = self.secret_key_path();
        if !path.exists() {
            std::fs::create_dir_all(&self.data_dir)
                .with_context(|| format!("creating {}", self.data_dir.display()))?;
            write_private(&path, SecretKey::generate_base64())?;
            tracing::warn!(path = %path.display(), "generated a new secret key; back it up: stored secrets cannot be read without it");
        }
        self.existing_secret_key()?
            .with_context(|| format!("no secret key in {}", path.display()))
    }

    /// The secret key if one is configured or was generated before; never
    /// creates one (`doctor` and `backup` only look).
    pub fn existing_secret_key(&self) -> Result<Option<SecretKey>> {
        if let Some(key) = non_empty(Some(&self.secret_key)) {
            return SecretKey::from_base64(key.expose_secret())
                .context("secret_key")
                .map(Some);
        }
        let path = self.secret_key_path();
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        SecretKey::from_base64(&text)
            .with_context(|| format!("secret key in {}", path.display()))
            .map(Some)
    }

    /// Where a generated secret key lives: `data_dir/secret.key`.
    pub fn secret_key_path(&self) -> PathBuf {
        self.data_dir.join("secret.key")
    }

    /// Whether the key comes from the configuration (`secret_key` or
    /// `secret_key_file`) rather than `data_dir/secret.key`.
    pub fn secret_key_configured(&self) -> bool {
        !self.secret_key.expose_secret().is_empty()
    }
}

/// A secret (inline, or read from its `_file` at load); empty counts as unset.
fn non_empty(secret: Option<&SecretString>) -> Option<SecretString> {
    secret.filter(|s| !s.expose_secret().is_empty()).cloned()
}

/// Creates `path` (it must not exist) readable by its owner only.
pub(crate) fn write_private(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_ref())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests;
