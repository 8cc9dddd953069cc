//! The CRM side of `serve`: the Zoho connection (REST mode), the local
//! phone directory and the engine's workers.

use std::sync::Arc;

use anyhow::{Context, Result};
use ringbridge_core::crm::Crm;
use ringbridge_core::directory::DirectoryStore;
use ringbridge_core::pbx::Pbx;
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::store::{Storage, Store};
use ringbridge_engine::CrmHealth;
use ringbridge_engine::directory::{DirectoryConfig, DirectoryService, RefreshTask};
use ringbridge_engine::visibility::Visibility;
use ringbridge_engine::{Engine, EngineContext, RecordingLinks, Tuning};
use ringbridge_store::SqlStore;
use ringbridge_web::metrics::{CrmClientCounters, CrmCountersFn};
use ringbridge_zoho::crm::visibility::{AgentClient, ZohoVisibility};
use ringbridge_zoho::crm::{CallMarkerKey, ZohoCrm, ZohoCrmConfig};
use ringbridge_zoho::dc::DcTable;
use ringbridge_zoho::oauth::{ConnectionState, OAuthClient, OAuthConfig, TokenManager, TokenSet};
use ringbridge_zoho::{ConnectionOptions, ZohoConnection};
use secrecy::SecretString;
use url::Url;

use super::token_cache::StoredTokenCache;
use crate::config::{Timing, ZohoConfig};

/// Where a Zoho connection's tokens live and go.
pub struct ZohoEndpoints {
    pub client_id: String,
    pub client_secret: SecretString,
    pub redirect_uri: Url,
    pub accounts_server: Url,
    pub api_domain: Url,
}

/// A connection from a stored refresh token. With a `store`, its access
/// token is the one stored for this grant while that is fresh (see [`super::token_cache`]);
/// a new one is minted only near expiry or when Zoho rejects it, and
/// stored for everyone else.
pub fn zoho_connection(
    endpoints: ZohoEndpoints,
    refresh_token: SecretString,
    options: ConnectionOptions,
    store: Option<&SqlStore>,
) -> ZohoConnection {
    let mut oauth = OAuthConfig::new(
        endpoints.client_id,
        endpoints.client_secret,
        endpoints.redirect_uri,
    );
    oauth.dc = DcTable::single(
        endpoints.accounts_server.clone(),
        endpoints.api_domain.clone(),
    );
    let client = OAuthClient::new(oauth, accounts_http(options.timeout));
    let cache = store.map(|store| StoredTokenCache::new(store.clone(), &refresh_token));
    let tokens = TokenSet::from_refresh_token(
        refresh_token,
        endpoints.api_domain,
        endpoints.accounts_server,
    );
    let mut manager = TokenManager::new(client.clone(), tokens);
    if let Some(cache) = cache {
        manager = manager.with_cache(cache);
    }
    ZohoConnection::with_token_manager(client, Arc::new(manager), options)
}

/// Tells the engine's health (hence `/readyz`, the metric and the
/// dashboard) when Zoho's token endpoint throttles the connection.
fn report_throttling(connection: &ZohoConnection, ctx: &Arc<EngineContext>) {
    let mut state = connection.subscribe_state();
    let health = ctx.health.clone();
    tokio::spawn(async move {
        loop {
            if let ConnectionState::Throttled { until } = *state.borrow_and_update() {
                health.send_replace(CrmHealth::Throttled { until });
            }
            // Ends with the connection (its generation).
            if state.changed().await.is_err() {
                return;
            }
        }
    });
}

/// The HTTP client for Zoho's accounts server. The OAuth client takes the
/// caller's, so the timeout is set here: a token request gets the same as any
/// Zoho request, and a hung accounts server cannot hold a refresh, a code
/// exchange or a revocation (and all CRM work behind it) forever.
///
/// One client per timeout for the whole process (clones share it): each
/// new client reads and parses the system's trust store (~150 roots, a few
/// ms in release, far more on a loaded machine), and `serve` asked for four
/// of them before it was ready — the console, the Zoho connection, agents'
/// visibility and sign-in with Zoho.
pub fn accounts_http(timeout: std::time::Duration) -> reqwest::Client {
    static CLIENTS: std::sync::Mutex<Vec<(std::time::Duration, reqwest::Client)>> =
        std::sync::Mutex::new(Vec::new());
    let mut clients = CLIENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, client)) = clients.iter().find(|(t, _)| *t == timeout) {
        return client.clone();
    }
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .unwrap_or_else(|_| reqwest::Client::new());
    clients.push((timeout, client.clone()));
    client
}

pub const REFRESH_TOKEN_SECRET: &str = "zoho.refresh_token";

/// The running CRM side.
pub struct CrmRuntime {
    pub engine: Engine,
    pub directory: Arc<DirectoryService>,
    /// The CRM client's request and credit counters, for /metrics.
    pub counters: Option<CrmCountersFn>,
    /// The directory's periodic refresh; it stops when dropped.
    pub refresh: RefreshTask,
    /// The Zoho connection (PhoneBridge uses it too), when the CRM is Zoho.
    pub zoho: Option<ZohoConnection>,
}

/// Reads a Zoho connection's counters in the web crate's terms.
pub fn zoho_counters(zoho: ZohoConnection) -> CrmCountersFn {
    Arc::new(move || {
        let s = zoho.metrics_snapshot();
        CrmClientCounters {
            requests: s.requests,
            retries: s.retries,
            throttled: s.throttled,
            credits_total: s.credits_total,
            credits_last_24h: s.credits_last_24h,
        }
    })
}

/// What the engine runs with, besides the CRM and the store.
pub struct EngineInputs {
    pub pbx: Arc<dyn Pbx>,
    pub pbx_id: String,
    pub plan: NumberPlan,
    pub settings: EngineSettings,
    pub tuning: Tuning,
    /// Links to recordings put into call logs, when ringbridge serves them.
    pub recordings: Option<Arc<dyn RecordingLinks>>,
    /// Whether the start waits for the first extension-to-user mapping (a
    /// PBX and a CRM request). `serve` does not: /readyz does not depend on
    /// it, and a slow CRM token refresh held the start for up to 300 ms;
    /// its job workers start once that mapping has been tried.
    pub wait_for_users: bool,
}

pub async fn start_crm(
    zoho: &ZohoConfig,
    store: &SqlStore,
    timing: &Timing,
    inputs: EngineInputs,
) -> Result<CrmRuntime> {
    // A refresh token given in the configuration is kept encrypted in the
    // database, so the configuration need not hold it after the first start.
    if let Some(token) = zoho.refresh_token()? {
        store.put_secret(REFRESH_TOKEN_SECRET, &token).await?;
    }
    let refresh_token = store
        .secret(REFRESH_TOKEN_SECRET)
        .await?
        .context("no Zoho refresh token: set zoho.refresh_token (or _file) once")?;
    let endpoints = ZohoEndpoints {
        client_id: zoho.client_id.clone(),
        client_secret: zoho.client_secret()?,
        redirect_uri: zoho.redirect_uri.clone(),
        accounts_server: zoho.accounts_server.clone(),
        api_domain: zoho.api_domain.clone(),
    };
    let options = ConnectionOptions {
        timeout: std::time::Duration::from_secs(timing.crm_timeout_secs),
        ..ConnectionOptions::default()
    };
    let agents = AgentClient {
        client_id: zoho.client_id.clone(),
        client_secret: zoho.client_secret()?,
        redirect_uri: endpoints.redirect_uri.clone(),
        http: accounts_http(options.timeout),
        options: options.clone(),
    };
    let connection = zoho_connection(endpoints, refresh_token, options, Some(store));
    let crm_config = ZohoCrmConfig {
        call_key_field: zoho.call_key_field.clone(),
        marker_key: call_marker_key(store),
        ..ZohoCrmConfig::default()
    };
    let crm: Arc<dyn Crm> = Arc::new(ZohoCrm::new(connection.rest(), crm_config));
    let mut runtime = start_engine(crm, store, inputs).await?;
    report_throttling(&connection, runtime.engine.context());
    // Agents who signed in with Zoho see records through their own grants.
    let agents = ZohoVisibility::new(Arc::new(store.clone()), agents);
    let visibility = Arc::new(Visibility::new(Arc::new(agents)));
    runtime.directory.on_owner_change(visibility.clone());
    runtime.engine.context().set_visibility(Some(visibility));
    runtime.counters = Some(zoho_counters(connection.clone()));
    runtime.zoho = Some(connection);
    Ok(runtime)
}

/// The secret of call-log markers: derived from the secret key, so every
/// node and every restart recognise the markers written before.
pub fn call_marker_key(store: &SqlStore) -> CallMarkerKey {
    CallMarkerKey::new(store.derived_key("call-log-marker"))
}

/// The directory and the engine over any CRM and PBX.
pub async fn start_engine(
    crm: Arc<dyn Crm>,
    store: &SqlStore,
    inputs: EngineInputs,
) -> Result<CrmRuntime> {
    let EngineInputs {
        pbx,
        pbx_id,
        plan,
        settings,
        tuning,
        recordings,
        wait_for_users,
    } = inputs;
    let directory_store: Arc<dyn DirectoryStore> = Arc::new(store.clone());
    let directory_config = DirectoryConfig {
        modules: settings.match_modules.clone(),
        ..DirectoryConfig::default()
    };
    let directory = Arc::new(DirectoryService::new(
        directory_config,
        crm.clone(),
        directory_store,
        plan.clone(),
    ));
    let refresh = directory
        .start()
        .await
        .context("loading the phone directory")?;
    let storage: Arc<dyn Storage> = Arc::new(store.clone());
    let mut ctx = EngineContext::new(
        pbx_id,
        storage,
        crm,
        pbx,
        directory.clone(),
        settings,
        plan,
        tuning,
    );
    ctx.recordings = recordings;
    let remap_every = std::time::Duration::from_secs(10 * 60);
    let engine = if wait_for_users {
        Engine::start_mapped(Arc::new(ctx), remap_every).await
    } else {
        Engine::start_after_first_mapping(Arc::new(ctx), remap_every)
    };
    Ok(CrmRuntime {
        engine,
        directory,
        counters: None,
        refresh,
        zoho: None,
    })
}
