//! `serve` as the admin console needs it: one HTTP server for the whole
//! life of the process ([`front`]), and the integration (PBX, CRM, engine, PhoneBridge)
//! run in *generations* (each one a `ringbridge_engine::Generation`). Each generation runs the configuration file
//! overlaid with what the console stored. A console change to user pairs
//! or engine settings goes into the running engine; one to what the
//! generation connected with stops it and the next one starts with the
//! new configuration ([`changes`]). With nothing configured a generation serves the pages
//! only (first-run setup); one that cannot start serves the pages only
//! too, with the reason on the console's dashboard.

mod changes;
mod front;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use ringbridge_core::console::{ConsoleStore, UserOverride};
use ringbridge_core::store::Store;
use ringbridge_engine::EngineContext;
use ringbridge_store::SqlStore;
use ringbridge_web::auth::WebContext;
use ringbridge_web::console::Console;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use self::front::Front;
use super::console::{ConsoleRuntime, Links};
use super::crm::REFRESH_TOKEN_SECRET;
use crate::config::Config;

/// How long the server waits for open requests at shutdown (live feeds
/// stay open forever) before they are cut.
const GRACE: Duration = Duration::from_secs(2);

/// How often the TLS certificate files are checked for a renewal.
const TLS_RELOAD_CHECK: Duration = Duration::from_secs(5);

/// What one generation of the integration is given.
pub struct GenerationEnv {
    pub console: Console,
    pub runtime: Arc<ConsoleRuntime>,
    /// The process's sign-in state (throttle, hashing slots).
    pub web: Arc<WebContext>,
    /// Extensions the admin paired by hand.
    pub users: Vec<UserOverride>,
    front: Front,
    /// Cancelled when this generation must stop.
    stop: CancellationToken,
}

impl GenerationEnv {
    /// A new generation's pipeline, stopped with this generation.
    pub fn pipeline(&self) -> ringbridge_engine::Generation {
        ringbridge_engine::Generation::new(self.stop.child_token())
    }

    /// Serves `app` until the generation must stop.
    pub async fn serve(self, app: axum::Router) -> std::io::Result<()> {
        self.front.install(app, self.stop.clone());
        self.stop.cancelled().await;
        Ok(())
    }
}

/// Pairs the admin's manual choices into the engine's user map (the
/// engine's periodic e-mail matching keeps manual pairs).
pub fn seed_users(ctx: &EngineContext, overrides: &[UserOverride]) {
    let pairs: Vec<_> = overrides
        .iter()
        .map(|pair| (pair.extension.clone(), pair.crm_user()))
        .collect();
    ctx.set_manual_pairs(&pairs);
}

/// The configuration a generation runs: the file's overlaid with the
/// console's, without a CRM that has no refresh token anywhere yet (the
/// admin has not consented: the console is how they will).
async fn effective(config: &Config, store: &SqlStore, runtime: &ConsoleRuntime) -> Result<Config> {
    let console = store.console().await?;
    let mut out = config.with_console(&console, runtime.redirect_url())?;
    if let Some(zoho) = &out.zoho
        && zoho.refresh_token()?.is_none()
        && store.secret(REFRESH_TOKEN_SECRET).await?.is_none()
    {
        tracing::warn!("Zoho is not connected yet: connect it in the admin console");
        out.zoho = None;
    }
    Ok(out)
}

/// Runs `serve` on `listener` until `shutdown` resolves.
pub async fn serve(
    config: Config,
    listener: std::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    listener.set_nonblocking(true)?;
    let store = super::open_store(&config).await?;
    let web = super::web_context(&config)?;
    let (runtime, mut restarts) = ConsoleRuntime::new(store.clone(), config.clone())?;
    let console = Console {
        store: Arc::new(store.clone()),
        backend: runtime.clone(),
    };
    let (quit_tx, quit) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        quit_tx.send_replace(true);
    });
    let front = Front::default();
    let certificates = ringbridge_web::tls::Certificates::load(&config.http.tls)
        .context("http.tls_cert_file / http.tls_key_file")?;
    let (tls, tls_watch) = match &certificates {
        Some(certs) => (
            Some(certs.server_config()?),
            Some(certs.watch(TLS_RELOAD_CHECK)),
        ),
        None => (None, None),
    };
    let http = {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let (app, mut graceful, mut cut) = (front.app(), quit.clone(), quit.clone());
        let limits = config.http.limits.clone();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = graceful.wait_for(|q| *q).await;
            };
            tokio::select! {
                served = ringbridge_web::server::serve_tls(listener, app, &limits, tls, stopped) => served,
                _ = async move {
                    let _ = cut.wait_for(|q| *q).await;
                    tokio::time::sleep(GRACE).await;
                } => Ok(()),
            }
        })
    };
    let mut failed: Option<String> = None;
    let result = loop {
        restarts.borrow_and_update();
        // Read before the configuration: a change in between restarts again.
        let revision = store.console_revision().await?;
        let stored = store.console().await?;
        let stop = CancellationToken::new();
        let generation = GenerationEnv {
            console: console.clone(),
            runtime: runtime.clone(),
            web: web.clone(),
            users: stored.users.clone(),
            front: front.clone(),
            stop: stop.clone(),
        };
        // Stop this generation on shutdown or a change it cannot take running.
        let watch = changes::Watch {
            store: store.clone(),
            runtime: runtime.clone(),
            restarts: restarts.clone(),
            quit: quit.clone(),
            revision,
            started: changes::RestartKey::of(&stored),
        };
        let watcher = tokio::spawn({
            let stop = stop.clone();
            async move {
                changes::until_restart(watch).await;
                stop.cancel();
            }
        });
        let run = match (&failed, effective(&config, &store, &runtime).await) {
            // The last configuration failed and nothing changed since: pages only.
            (Some(why), Ok(mut effective)) => {
                runtime.publish(Links {
                    failed: Some(why.clone()),
                    pbx_configured: effective.pbx.is_some(),
                    crm_configured: effective.zoho.is_some(),
                    ..Links::default()
                });
                effective.pbx = None;
                effective.zoho = None;
                super::run_generation(&effective, &store, generation).await
            }
            (None, Ok(effective)) => {
                runtime.publish(Links {
                    pbx_configured: effective.pbx.is_some(),
                    crm_configured: effective.zoho.is_some(),
                    ..Links::default()
                });
                super::run_generation(&effective, &store, generation).await
            }
            (_, Err(err)) => Err(err),
        };
        watcher.abort();
        // Whatever ended the generation ends its live feeds too.
        stop.cancel();
        if *quit.borrow() {
            break run;
        }
        failed = match run {
            // Stopped for a change: the next generation tries again.
            Ok(()) => None,
            Err(err) if failed.is_none() => {
                tracing::error!(
                    error = format!("{err:#}"),
                    "the integration could not start; serving the pages only until the configuration changes"
                );
                Some(format!("{err:#}"))
            }
            Err(err) => return Err(err).context("serving the pages"),
        };
        if failed.is_some() {
            // Retry with the pages only at once; wait for a change otherwise.
            continue;
        }
    };
    let served = http.await.context("the HTTP server")?;
    if let Some(watch) = tls_watch {
        watch.abort();
    }
    store.close().await;
    result.and(served.context("serving HTTP"))
}
