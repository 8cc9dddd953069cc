//! This installation: the secret key, the database and its migrations, and
//! the admin console's stored connections (laid over the file like `serve`
//! does). Nothing is created or migrated here.

use ringbridge_core::console::ConsoleStore;
use ringbridge_core::store::Store;
use ringbridge_store::SqlStore;
use secrecy::ExposeSecret;

use super::report::{Area, Report, Status};
use crate::config::Config;
use crate::serve::crm::REFRESH_TOKEN_SECRET;

/// What the rest of the doctor works with.
pub(super) struct Local {
    /// The file's configuration with the console's stored choices over it.
    pub config: Config,
    /// The database, when it exists, is readable and is up to date.
    pub store: Option<SqlStore>,
}

pub(super) async fn check(report: &mut Report, config: &Config) -> Local {
    let mut local = Local {
        config: config.clone(),
        store: None,
    };
    let key = match config.existing_secret_key() {
        Ok(Some(key)) => {
            let whence = if config.secret_key_configured() {
                "from the configuration (secret_key / secret_key_file)".to_owned()
            } else {
                format!(
                    "{} (back it up with the database)",
                    config.secret_key_path().display()
                )
            };
            report.push(Area::Setup, "secret key", Status::Ok, whence);
            Some(key)
        }
        Ok(None) => {
            report.push(
                Area::Setup,
                "secret key",
                Status::Warn,
                format!(
                    "none yet: serve generates {} on first start",
                    config.secret_key_path().display()
                ),
            );
            None
        }
        Err(err) => {
            report.push(Area::Setup, "secret key", Status::Fail, format!("{err:#}"));
            None
        }
    };
    let url = config.database_url();
    let shown = config.database_for_log();
    if !config.database_exists() {
        report.push(
            Area::Setup,
            "database",
            Status::Warn,
            format!("{shown} does not exist yet: serve (or `ringbridge migrate`) creates it"),
        );
        return local;
    }
    let Some(key) = key else {
        report.push(
            Area::Setup,
            "database",
            Status::Fail,
            format!(
                "{shown} exists but there is no secret key: the secrets stored in it cannot be read; restore secret.key from the backup made with this database"
            ),
        );
        return local;
    };
    let store = match SqlStore::connect(&url, key).await {
        Ok(store) => store,
        Err(err) => {
            report.push(
                Area::Setup,
                "database",
                Status::Fail,
                format!("{shown}: {err}"),
            );
            return local;
        }
    };
    report.push(
        Area::Setup,
        "database",
        Status::Ok,
        format!("{shown} opens"),
    );
    match store.pending_migrations().await {
        Ok(pending) if pending.is_empty() => {
            report.push(Area::Setup, "migrations", Status::Ok, "up to date");
        }
        Ok(pending) => {
            let names: Vec<String> = pending.iter().map(ToString::to_string).collect();
            report.push(
                Area::Setup,
                "migrations",
                Status::Warn,
                format!(
                    "{} pending ({}); `ringbridge migrate` applies them, and so does serve at start. The console's stored connections are not read until then",
                    pending.len(),
                    names.join(", ")
                ),
            );
            store.close().await;
            return local;
        }
        Err(err) => {
            report.push(Area::Setup, "migrations", Status::Fail, err.to_string());
            store.close().await;
            return local;
        }
    }
    match overlay(config, &store).await {
        Ok((effective, what)) => {
            report.push(Area::Setup, "console settings", Status::Ok, what);
            local.config = effective;
        }
        Err(err) => report.push(
            Area::Setup,
            "console settings",
            Status::Fail,
            format!("cannot read what the admin console stored: {err:#}"),
        ),
    }
    local.store = Some(store);
    local
}

/// The configuration `serve` would run (the console's choices over the
/// file), and a sentence on where the connections come from.
async fn overlay(config: &Config, store: &SqlStore) -> anyhow::Result<(Config, String)> {
    let console = store.console().await?;
    let redirect = match &config.zoho {
        Some(z) => z.redirect_uri.clone(),
        None => url::Url::parse("http://127.0.0.1/")?,
    };
    let effective = config.with_console(&console, &redirect)?;
    let source = |console_has: bool, configured: bool| match (console_has, configured) {
        (true, _) => "the admin console",
        (false, true) => "the configuration file / environment",
        (false, false) => "nowhere",
    };
    let has_token = store.secret(REFRESH_TOKEN_SECRET).await?.is_some();
    let what = format!(
        "PBX connection from {}; Zoho connection from {}{}",
        source(console.pbx.is_some(), config.pbx.is_some()),
        source(
            console.crm.as_ref().is_some_and(|c| c.grant.is_some()),
            config.zoho.is_some()
        ),
        if has_token {
            " (a refresh token is stored)"
        } else {
            ""
        }
    );
    Ok((effective, what))
}

/// Every secret the report must not show: of the file and of the console.
pub(super) fn secrets(file: &Config, effective: &Config) -> Vec<String> {
    let mut out = Vec::new();
    for config in [file, effective] {
        if let Some(pbx) = &config.pbx {
            out.extend(
                pbx.client_secret()
                    .ok()
                    .map(|s| s.expose_secret().to_owned()),
            );
            out.extend(
                pbx.webhook_secret()
                    .ok()
                    .flatten()
                    .map(|s| s.expose_secret().to_owned()),
            );
        }
        if let Some(zoho) = &config.zoho {
            out.extend(
                zoho.client_secret()
                    .ok()
                    .map(|s| s.expose_secret().to_owned()),
            );
            out.extend(
                zoho.refresh_token()
                    .ok()
                    .flatten()
                    .map(|s| s.expose_secret().to_owned()),
            );
        }
        if let Ok(url) = url::Url::parse(&config.database_url())
            && let Some(password) = url.password()
        {
            out.push(password.to_owned());
        }
    }
    out
}
