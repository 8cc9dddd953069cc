//! Which console changes need a new generation. User pairs and the engine's
//! settings (logging rules, templates, owners, pops) are swapped into the
//! running engine; a change to what the generation connected with (PBX,
//! Zoho grant, mode, number country, recording links) restarts it.

use std::sync::Arc;
use std::time::Duration;

use ringbridge_core::console::{ConsoleConfig, ConsoleStore};
use ringbridge_store::SqlStore;
use secrecy::ExposeSecret;
use tokio::sync::watch;

use crate::serve::console::ConsoleRuntime;

/// How often the stored configuration's revision is read, so that a change
/// made on another node (same database) reaches this one too.
const REVISION_POLL: Duration = Duration::from_secs(5);

/// What a generation was started with that cannot change under it. Holds
/// secrets only to compare them; never printed.
#[derive(PartialEq, Eq)]
pub struct RestartKey(Vec<String>);

impl RestartKey {
    pub fn of(console: &ConsoleConfig) -> Self {
        let mut parts = Vec::new();
        if let Some(pbx) = &console.pbx {
            parts.extend([
                pbx.base_url.clone(),
                pbx.client_id.clone(),
                pbx.client_secret.expose_secret().to_owned(),
                pbx.accept_invalid_certs.to_string(),
            ]);
        }
        parts.push("|crm".into());
        if let Some(crm) = &console.crm {
            parts.extend([
                crm.location.clone(),
                crm.accounts_server.clone(),
                crm.client_id.clone(),
                crm.client_secret.expose_secret().to_owned(),
            ]);
            if let Some(grant) = &crm.grant {
                parts.extend([
                    grant.refresh_token.expose_secret().to_owned(),
                    grant.accounts_server.clone(),
                    grant.api_domain.clone(),
                ]);
            }
        }
        parts.push(format!("|mode {:?}", console.mode));
        if let Some(settings) = &console.settings {
            parts.push(format!(
                "|settings {:?} {:?} {}",
                settings.default_country, settings.recording, settings.recording_sign_in
            ));
        }
        Self(parts)
    }
}

/// Resolves with the stored configuration's revision once it is not `seen`.
async fn changed_elsewhere(store: SqlStore, seen: i64) -> i64 {
    loop {
        tokio::time::sleep(REVISION_POLL).await;
        match store.console_revision().await {
            Ok(now) if now != seen => return now,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "cannot read the console's revision"),
        }
    }
}

/// What a generation's watcher needs.
pub struct Watch {
    pub store: SqlStore,
    pub runtime: Arc<ConsoleRuntime>,
    pub restarts: watch::Receiver<u64>,
    pub quit: watch::Receiver<bool>,
    /// The revision the generation started from.
    pub revision: i64,
    pub started: RestartKey,
}

/// Returns when the generation must stop: on shutdown, or on a console
/// change (here or on another node) that the running engine cannot take
/// as it runs. Other changes are applied in place.
pub async fn until_restart(mut w: Watch) {
    let mut seen = w.revision;
    loop {
        tokio::select! {
            changed = w.restarts.changed() => if changed.is_err() { return },
            _ = w.quit.wait_for(|quit| *quit) => return,
            now = changed_elsewhere(w.store.clone(), seen) => seen = now,
        }
        let console = match w.store.console().await {
            Ok(console) => console,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the console's configuration; restarting");
                return;
            }
        };
        if RestartKey::of(&console) != w.started || !w.runtime.apply_live(&console) {
            return;
        }
        seen = seen.max(console.revision);
        tracing::info!("console change applied to the running integration");
    }
}
