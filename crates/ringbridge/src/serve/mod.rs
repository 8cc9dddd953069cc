//! `ringbridge serve`: wires storage, the PBX adapter, the engine and the
//! HTTP surface together and runs them until Ctrl-C / SIGTERM. The admin
//! console's changes restart the wiring ([`runtime`]), not the process.

pub mod console;
pub mod crm;
pub mod pbx;
pub mod phonebridge;
pub mod runtime;
pub mod token_cache;
pub mod zoho_sign_in;

use std::sync::Arc;

use anyhow::{Context, Result};
use ringbridge_core::console::RecordingLinkPolicy;
use ringbridge_core::outbox::OutboxStore;
use ringbridge_core::pbx::Pbx;
use ringbridge_core::store::Storage;
use ringbridge_engine::live::LiveCalls;
use ringbridge_store::SqlStore;
use ringbridge_web::AppState;
use ringbridge_web::auth::{SystemClock, WebConfig, WebContext};
use ringbridge_web::metrics::{Metrics, MetricsSources};
use ringbridge_web::recordings::{
    PageSessions, RecordingLinker, RecordingService, load_or_create_keys,
};

use crate::config::Config;

pub async fn open_store(config: &Config) -> Result<SqlStore> {
    config.prepare_data_dir()?;
    let key = config.secret_key()?;
    SqlStore::open(&config.database_url(), key)
        .await
        .context("opening the database")
}

/// The database without migrating it (`migrate --check`, `backup`).
pub async fn open_store_unmigrated(config: &Config) -> Result<SqlStore> {
    config.prepare_data_dir()?;
    let key = config.secret_key()?;
    SqlStore::connect(&config.database_url(), key)
        .await
        .context("opening the database")
}

pub async fn run(config: Config) -> Result<()> {
    let listener = std::net::TcpListener::bind(config.http.listen)
        .with_context(|| format!("listening on {}", config.http.listen))?;
    tracing::info!(addr = %listener.local_addr()?, "ringbridge is serving");
    runtime::serve(config, listener, shutdown_signal()).await
}

/// One generation of the service (see [`runtime`]): `config` is the file
/// overlaid with the console's choices.
pub async fn run_generation(
    config: &Config,
    store: &SqlStore,
    env: runtime::GenerationEnv,
) -> Result<()> {
    let shared: Arc<dyn Storage> = Arc::new(store.clone());
    let Some(pbx_config) = &config.pbx else {
        tracing::warn!("no PBX configured: serving the web pages and health endpoints only");
        let state = AppState::new(shared, Arc::new(store.clone()), None)
            .with_web_context(env.web.clone())
            .with_console(env.console.clone());
        return serve_http(env, state, None).await;
    };
    // The recorder must exist before ingest counts its first event.
    let metrics = Metrics::global();
    // What can fail is checked before the PBX side starts: a generation
    // that fails later stops its tasks (dropped) but holds the stream's
    // lease until it expires.
    let keys = load_or_create_keys(store)
        .await
        .context("recording link keys")?;
    let plan = pbx_config.number_plan.clone();
    let pbx = pbx::connect_pbx(pbx_config, Arc::new(store.clone()))?;
    let stream = pbx::stream(pbx_config, &config.timing, shared.clone(), &pbx)?;
    // Everything this generation runs from here on is in `generation`.
    let mut generation = env.pipeline();
    let stream_status = generation.ingest(stream);
    pbx::log_firmware(
        pbx.client.clone(),
        config
            .zoho
            .as_ref()
            .map_or(ringbridge_core::console::CrmMode::Rest, |z| z.mode),
        pbx_config.events == crate::config::EventTransport::Webhook,
    );
    let pbx_port: Arc<dyn Pbx> = Arc::new(pbx.client.clone());
    let linker = RecordingLinker::new(&config.http.public_url(), keys.clone());
    let links: Option<Arc<dyn ringbridge_engine::RecordingLinks>> = match config.recording_links {
        RecordingLinkPolicy::Off => None,
        RecordingLinkPolicy::UntilRevoked => Some(Arc::new(linker)),
        RecordingLinkPolicy::ExpireAfterDays(days) => Some(Arc::new(
            linker.with_ttl(chrono::Duration::days(i64::from(days))),
        )),
    };
    let mut crm_failed = None;
    let crm = match &config.zoho {
        Some(zoho) => {
            let inputs = crm::EngineInputs {
                pbx: pbx_port.clone(),
                pbx_id: pbx_config.id.clone(),
                plan,
                settings: config.engine.clone(),
                tuning: config.timing.tuning(),
                recordings: links,
            };
            match crm::start_crm(zoho, store, &config.timing, inputs).await {
                Ok(crm) => Some(crm),
                // The console shows why; the PBX side keeps running.
                Err(err) => {
                    tracing::error!(error = format!("{err:#}"), "the CRM side could not start");
                    crm_failed = Some(format!("{err:#}"));
                    None
                }
            }
        }
        None => {
            tracing::warn!(
                "no [zoho] configured: call events are logged here but not written to a CRM"
            );
            None
        }
    };
    metrics.set_sources(MetricsSources {
        outbox: Some(Arc::new(store.clone()) as Arc<dyn OutboxStore>),
        pbx_stream: Some(stream_status.clone()),
        crm_health: crm.as_ref().map(|c| c.engine.context().health.subscribe()),
        directory: crm.as_ref().map(|c| c.directory.clone()),
        crm_client: crm.as_ref().and_then(|c| c.counters.clone()),
    });
    if let Some(crm) = &crm {
        runtime::seed_users(crm.engine.context(), &env.users);
    }
    env.runtime.publish(console::Links {
        pbx: Some(stream_status.clone()),
        crm: crm.as_ref().map(|c| c.engine.context().health.subscribe()),
        failed: crm_failed,
        pbx_configured: true,
        crm_configured: config.zoho.is_some(),
        zoho: crm.as_ref().and_then(|c| c.zoho.clone()),
        engine: crm.as_ref().map(|c| c.engine.context().clone()),
        pbx_client: Some(pbx.client.clone()),
    });
    // The PBX side runs without a CRM too: agents see their calls, marked
    // as not linked yet (their `ProcessCall` jobs wait in the outbox for
    // the engine of the generation that has Zoho connected).
    let live = Arc::new(match &crm {
        Some(c) => LiveCalls::new(c.directory.clone(), c.engine.context().crm.clone())
            .with_engine(c.engine.context().clone()),
        None => LiveCalls::unlinked(),
    });
    let phonebridge = match (&crm, &config.zoho) {
        (Some(runtime), Some(zoho)) => match &runtime.zoho {
            Some(conn) => match phonebridge::start(
                runtime.engine.context().clone(),
                conn,
                shared.clone(),
                &config.http.public_url(),
                zoho.mode,
                &mut generation,
            )
            .await
            {
                Ok(pb) => Some(pb),
                Err(err) => {
                    tracing::error!(error = %err, "PhoneBridge could not start");
                    None
                }
            },
            None => None,
        },
        _ => None,
    };
    generation.with_live(live.clone());
    generation.log_calls();
    generation.fan_out();
    let state = AppState::new(shared, Arc::new(store.clone()), Some(stream_status))
        .with_web_context(env.web.clone())
        .with_console(env.console.clone());
    // When an admin requires sign-in for recordings, links check the pages' sessions.
    let recordings = RecordingService::new(
        keys,
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        pbx_port,
    )
    .with_session_check(Arc::new(PageSessions::new(&state)))
    // A key rotation on any node ends old links on this one at once.
    .with_stored_keys(Arc::new(store.clone()));
    recordings.set_require_sign_in(config.recording_sign_in);
    recordings.set_policy(config.recording_links);
    let state = state.with_recordings(Arc::new(recordings));
    let state = state
        .with_live(live)
        .with_outbox(Arc::new(store.clone()) as Arc<dyn OutboxStore>);
    let state = match &crm {
        Some(crm) => state.with_engine(crm.engine.context().clone()),
        None => state,
    };
    let state = match &phonebridge {
        Some(pb) => state.with_phonebridge(pb.registration.clone()),
        None => state,
    };
    let result = serve_http(env, state, pbx.webhook.clone()).await;
    // Ingest, the fan-out and PhoneBridge stop; the stream lease is given up.
    generation.stop().await;
    if let Some(crm) = crm {
        crm.engine.stop();
    }
    // Revoke our PBX token: the PBX allows only a few live ones.
    pbx.client.shutdown().await;
    result
}

/// The pages' sign-in state, one per process: the login throttle and the
/// password hashing slots outlive the integration's generations.
pub fn web_context(config: &Config) -> Result<Arc<WebContext>> {
    let web = WebConfig {
        secure_cookies: config.http.secure_cookies,
        guard: config.http.guard.clone(),
        ..WebConfig::default()
    };
    Ok(Arc::new(WebContext::new(web, Arc::new(SystemClock))?))
}

async fn serve_http(
    env: runtime::GenerationEnv,
    state: AppState,
    webhook: Option<axum::Router>,
) -> Result<()> {
    let state = match env.runtime.zoho_sign_in() {
        Ok(sign_in) => state.with_zoho_sign_in(Arc::new(sign_in)),
        Err(err) => {
            tracing::warn!(err = %format!("{err:#}"), "sign in with Zoho is off");
            state
        }
    };
    env.serve(ringbridge_web::router(state, webhook))
        .await
        .context("serving HTTP")
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
