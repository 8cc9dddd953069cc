//! The admin console's view of the running service ([`ConsoleBackend`]):
//! testing a PBX connection, Zoho's consent, code exchange and revocation
//! (disconnecting), the PBX's extensions and the CRM's users for the
//! mapping page, the links' states, and "apply" — which asks the
//! [`super::runtime`] to restart the integration with the stored
//! configuration.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ringbridge_core::console::ConsoleConfig;
use ringbridge_core::console::{ConsoleStore, CrmConnection, CrmGrant, PbxConnection};
use ringbridge_core::crm::{Crm, CrmUser};
use ringbridge_core::pbx::Extension;
use ringbridge_core::store::Store;
use ringbridge_engine::{CrmHealth, EngineContext, StreamStatus};
use ringbridge_store::SqlStore;
use ringbridge_web::console::{
    BackendError, ConsoleBackend, DataCentre, LinkState, LinkStates, PbxInfo, ZohoDisconnect,
};
use ringbridge_yeastar::YeastarClient;
use ringbridge_zoho::crm::{ZohoCrm, ZohoCrmConfig};
use ringbridge_zoho::dc::DcTable;
use ringbridge_zoho::oauth::ConnectionState;
use ringbridge_zoho::oauth::{
    DEFAULT_SCOPES, OAuthClient, OAuthConfig, authorization_url, parse_redirect,
};
use ringbridge_zoho::rest::RestClient;
use ringbridge_zoho::{ZohoConnection, ZohoError};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::watch;
use url::Url;

use super::crm::{REFRESH_TOKEN_SECRET, ZohoEndpoints, accounts_http, zoho_connection};
use super::phonebridge::REGISTRATIONS_SECRET;
use crate::config::Config;

mod disconnect;
mod lists;
mod pbx_access;

use pbx_access::{with_pbx, zone_of_offset};

/// The PBX phonebook the console's setup offers for CRM contacts.
pub const OFFERED_PHONEBOOK: &str = "CRM Contacts";

/// Zoho's data centres, in the order the page offers them.
const ZOHO_LOCATIONS: [&str; 8] = ["us", "eu", "in", "au", "jp", "ca", "sa", "cn"];

/// The location name of an accounts server given in the configuration
/// (a simulator, a sandbox) rather than picked from Zoho's table.
pub const CUSTOM_LOCATION: &str = "custom";

/// What the running integration reports about its links; the runtime
/// publishes a new set with each start.
#[derive(Default)]
pub struct Links {
    pub pbx: Option<watch::Receiver<StreamStatus>>,
    pub crm: Option<watch::Receiver<CrmHealth>>,
    /// Why the integration could not start, if it could not.
    pub failed: Option<String>,
    pub pbx_configured: bool,
    pub crm_configured: bool,
    /// The running integration's Zoho connection: the console's own Zoho
    /// calls share its cached access token instead of minting their own.
    pub zoho: Option<ZohoConnection>,
    /// The running engine, which takes user pairs and settings as it runs.
    pub engine: Option<Arc<EngineContext>>,
    /// The running integration's PBX client: the console's own questions
    /// to the PBX use its token instead of logging in for each page.
    pub pbx_client: Option<YeastarClient>,
}

/// A Zoho connection the console built for one grant, kept while the grant
/// stays the same: Zoho allows few token refreshes per refresh token, and a
/// page render must not spend one.
struct ConsoleZoho {
    grant: GrantKey,
    connection: ZohoConnection,
}

/// What identifies a grant: the client and its refresh token.
#[derive(PartialEq, Eq)]
struct GrantKey {
    client_id: String,
    accounts_server: String,
    api_domain: String,
    refresh_token: String,
}

/// The console backend of one `ringbridge serve`.
pub struct ConsoleRuntime {
    store: SqlStore,
    /// The configuration file's settings (the console's are laid over them).
    file: Config,
    /// Where Zoho sends the admin back: `{public_url}/console/zoho/callback`.
    redirect_uri: Url,
    /// `[zoho] accounts_server` of the configuration file, when it is not
    /// one of Zoho's own (the simulator).
    custom_accounts: Option<Url>,
    restart: watch::Sender<u64>,
    links: Mutex<Links>,
    /// The console's own connection while no running one fits.
    zoho: Mutex<Option<ConsoleZoho>>,
    /// The PBX's extensions and Zoho's users, shown on every page view.
    lists: lists::ListCache,
    http: reqwest::Client,
}

impl ConsoleRuntime {
    pub fn new(store: SqlStore, file: Config) -> anyhow::Result<(Arc<Self>, watch::Receiver<u64>)> {
        let redirect_uri = Url::parse(&format!(
            "{}/console/zoho/callback",
            file.http.public_url().trim_end_matches('/')
        ))?;
        let zoho = DcTable::default();
        let custom_accounts = file
            .zoho
            .as_ref()
            .map(|z| z.accounts_server.clone())
            .filter(|url| zoho.trusted_accounts_server(url.as_str()).is_err());
        let (restart, rx) = watch::channel(0);
        // The consent's code exchange must not hang the admin's page.
        let http = accounts_http(std::time::Duration::from_secs(file.timing.crm_timeout_secs));
        let runtime = Self {
            store,
            file,
            redirect_uri,
            custom_accounts,
            restart,
            links: Mutex::new(Links::default()),
            zoho: Mutex::new(None),
            lists: lists::ListCache::default(),
            http,
        };
        Ok((Arc::new(runtime), rx))
    }

    /// Where Zoho sends the admin back after consent.
    pub fn redirect_uri(&self) -> String {
        self.redirect_uri.to_string()
    }

    pub fn redirect_url(&self) -> &Url {
        &self.redirect_uri
    }

    /// "Sign in with Zoho", over the same client and data centre.
    pub fn zoho_sign_in(&self) -> anyhow::Result<super::zoho_sign_in::ZohoSignInService> {
        super::zoho_sign_in::ZohoSignInService::new(
            self.store.clone(),
            self.file.clone(),
            self.redirect_uri.clone(),
        )
    }

    /// Something of the running integration's links, read under the lock.
    fn running<T>(&self, pick: impl FnOnce(&Links) -> T) -> T {
        pick(&self.links.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The links of the integration just started (or not).
    pub fn publish(&self, links: Links) {
        *self.links.lock().unwrap_or_else(|e| e.into_inner()) = links;
        self.lists.forget();
    }

    /// Puts `console`'s user pairs and engine settings into the running
    /// engine; `false` when none runs (a restart will apply them).
    pub fn apply_live(&self, console: &ConsoleConfig) -> bool {
        let engine = self.running(|links| links.engine.clone());
        let Some(engine) = engine else {
            return false;
        };
        let effective = match self.file.with_console(console, &self.redirect_uri) {
            Ok(effective) => effective,
            Err(err) => {
                tracing::error!(
                    "the console's settings cannot be applied: {}",
                    crate::logging::chain(&err)
                );
                return false;
            }
        };
        engine.set_settings(effective.engine);
        super::runtime::seed_users(&engine, &console.users);
        true
    }

    /// A Zoho connection for `endpoints` and `refresh_token`: the running
    /// integration's when it holds the same grant, else the console's own,
    /// built once per grant.
    fn zoho_connection(
        &self,
        endpoints: ZohoEndpoints,
        refresh_token: SecretString,
    ) -> ZohoConnection {
        let grant = GrantKey {
            client_id: endpoints.client_id.clone(),
            accounts_server: endpoints.accounts_server.to_string(),
            api_domain: endpoints.api_domain.to_string(),
            refresh_token: refresh_token.expose_secret().to_owned(),
        };
        let running = self.running(|links| links.zoho.clone());
        if let Some(running) = running {
            let tokens = running.tokens().token_set();
            let same = tokens.refresh_token.expose_secret() == grant.refresh_token
                && tokens.api_domain.as_str() == grant.api_domain
                && running.state() == ConnectionState::Connected;
            if same {
                return running;
            }
        }
        let mut cached = self.zoho.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cached.as_ref().filter(|c| c.grant == grant) {
            return c.connection.clone();
        }
        let connection = zoho_connection(
            endpoints,
            refresh_token,
            ringbridge_zoho::ConnectionOptions::default(),
            Some(&self.store),
        );
        *cached = Some(ConsoleZoho {
            grant,
            connection: connection.clone(),
        });
        connection
    }

    /// The data-centre table a stored connection trusts.
    fn dc_table(&self, crm: &CrmConnection) -> Result<DcTable, BackendError> {
        if crm.location == CUSTOM_LOCATION {
            let url = url(&crm.accounts_server)?;
            // The simulator's accounts server also serves the token's
            // api_domain; the token response names it anyway.
            Ok(DcTable::single(url.clone(), url))
        } else {
            Ok(DcTable::default())
        }
    }

    /// The file's configuration with the console's laid over it.
    async fn effective(&self) -> Result<Config, BackendError> {
        let console = self.store.console().await?;
        self.file
            .with_console(&console, &self.redirect_uri)
            .map_err(|e| BackendError::NotReady(crate::logging::chain(&e)))
    }

    /// The PBX the service runs with (the console's, else the file's).
    async fn current_pbx(&self) -> Result<PbxConnection, BackendError> {
        let Some(pbx) = self.effective().await?.pbx else {
            return Err(BackendError::NotReady(
                "connect the phone system first".into(),
            ));
        };
        Ok(PbxConnection {
            client_secret: pbx
                .client_secret()
                .map_err(|e| BackendError::NotReady(crate::logging::chain(&e)))?,
            base_url: pbx.base_url.to_string(),
            client_id: pbx.client_id,
            accept_invalid_certs: pbx.accept_invalid_certs,
        })
    }
}

fn url(text: &str) -> Result<Url, BackendError> {
    Url::parse(text).map_err(|e| BackendError::Refused(format!("{text:?} is not a URL: {e}")))
}

fn zoho_error(err: ZohoError) -> BackendError {
    match err {
        ZohoError::Transport(_) | ZohoError::Timeout | ZohoError::UnexpectedResponse { .. } => {
            BackendError::Unreachable(err.to_string())
        }
        other => BackendError::Refused(other.to_string()),
    }
}

impl ConsoleRuntime {
    /// A REST client of the stored CRM connection, for the console's own
    /// questions to Zoho (its users, a field's picklist).
    async fn crm_rest(&self) -> Result<RestClient, BackendError> {
        let not_ready = || BackendError::NotReady("connect Zoho CRM first".into());
        let zoho = self.effective().await?.zoho.ok_or_else(not_ready)?;
        let configured = zoho
            .refresh_token()
            .map_err(|e| BackendError::NotReady(crate::logging::chain(&e)))?;
        let refresh_token = match configured {
            Some(token) => token,
            None => self
                .store
                .secret(REFRESH_TOKEN_SECRET)
                .await?
                .ok_or_else(not_ready)?,
        };
        let endpoints = ZohoEndpoints {
            client_secret: zoho
                .client_secret()
                .map_err(|e| BackendError::NotReady(crate::logging::chain(&e)))?,
            client_id: zoho.client_id,
            redirect_uri: zoho.redirect_uri,
            accounts_server: zoho.accounts_server,
            api_domain: zoho.api_domain,
        };
        let connection = self.zoho_connection(endpoints, refresh_token);
        Ok(connection.rest())
    }
}

#[async_trait]
impl ConsoleBackend for ConsoleRuntime {
    async fn test_pbx(&self, pbx: &PbxConnection) -> Result<PbxInfo, BackendError> {
        // The mode the console chose, else the file's: the firmware is
        // judged against what that mode needs (a warning, never a refusal).
        let stored_mode = self.store.console().await.ok().and_then(|c| c.mode);
        let mode = stored_mode
            .or(self.file.zoho.as_ref().map(|z| z.mode))
            .unwrap_or(ringbridge_core::console::CrmMode::Rest);
        let webhooks = self
            .file
            .pbx
            .as_ref()
            .is_some_and(|p| p.events == crate::config::EventTransport::Webhook);
        with_pbx(pbx, |client| async move {
            let info = client.system_information().await?;
            let extensions = client.extension_list().await?;
            let verdict =
                ringbridge_yeastar::firmware::assess(&info.firmware_version, mode, webhooks);
            Ok(PbxInfo {
                model: info.model,
                version: info.firmware_version,
                extensions: extensions.len(),
                firmware_note: Some(verdict.text),
            })
        })
        .await
    }

    fn data_centres(&self) -> Vec<DataCentre> {
        let table = DcTable::default();
        let mut all: Vec<DataCentre> = self
            .custom_accounts
            .iter()
            .map(|url| DataCentre {
                location: CUSTOM_LOCATION.to_owned(),
                accounts_server: url.as_str().trim_end_matches('/').to_owned(),
            })
            .collect();
        all.extend(ZOHO_LOCATIONS.iter().filter_map(|l| {
            table.by_location(l).map(|dc| DataCentre {
                location: dc.location.clone(),
                accounts_server: dc.accounts_server.as_str().trim_end_matches('/').to_owned(),
            })
        }));
        all
    }

    fn zoho_redirect_uri(&self) -> String {
        self.redirect_uri.to_string()
    }

    fn zoho_authorize_url(&self, crm: &CrmConnection, state: &str) -> Result<String, BackendError> {
        let scopes: Vec<String> = DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect();
        let consent = authorization_url(
            &url(&crm.accounts_server)?,
            &crm.client_id,
            &self.redirect_uri,
            &scopes,
            state,
        );
        Ok(consent.to_string())
    }

    async fn zoho_exchange(
        &self,
        crm: &CrmConnection,
        query: &str,
    ) -> Result<CrmGrant, BackendError> {
        let redirect = parse_redirect(query).map_err(|e| BackendError::Refused(e.to_string()))?;
        let mut config = OAuthConfig::new(
            crm.client_id.clone(),
            crm.client_secret.clone(),
            self.redirect_uri.clone(),
        );
        config.dc = self.dc_table(crm)?;
        let tokens = OAuthClient::new(config, self.http.clone())
            .exchange_code(&redirect)
            .await
            .map_err(zoho_error)?;
        Ok(CrmGrant {
            refresh_token: tokens.refresh_token,
            accounts_server: tokens
                .accounts_server
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
            api_domain: tokens.api_domain.as_str().trim_end_matches('/').to_owned(),
        })
    }

    async fn zoho_disconnect(
        &self,
        crm: &CrmConnection,
        grant: &CrmGrant,
    ) -> Result<ZohoDisconnect, BackendError> {
        // The service's own copy of the token (`start_crm`'s) goes first,
        // whatever Zoho will say: a storage failure then leaves nothing
        // half done at Zoho.
        self.store.delete_secret(REFRESH_TOKEN_SECRET).await?;
        let outcome = self.tell_zoho(crm, grant).await;
        // The console's cached connection holds it too.
        *self.zoho.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(outcome)
    }

    async fn pbx_extensions(&self) -> Result<Vec<Extension>, BackendError> {
        self.lists
            .extensions(self.ask_pbx(|client| async move { client.extension_list().await }))
            .await
    }

    async fn crm_users(&self) -> Result<Vec<CrmUser>, BackendError> {
        self.lists
            .users(async {
                let crm = ZohoCrm::new(self.crm_rest().await?, ZohoCrmConfig::default());
                crm.users()
                    .await
                    .map_err(|e| BackendError::Unreachable(e.to_string()))
            })
            .await
    }

    async fn crm_picklist(&self, module: &str, field: &str) -> Result<Vec<String>, BackendError> {
        self.lists
            .picklist(module, field, async {
                let fields = self
                    .crm_rest()
                    .await?
                    .fields(module)
                    .await
                    .map_err(|e| BackendError::Unreachable(e.to_string()))?;
                Ok(fields
                    .choices(field)
                    .into_iter()
                    .map(str::to_owned)
                    .collect())
            })
            .await
    }

    async fn apply(&self) -> Result<(), BackendError> {
        self.lists.forget();
        self.restart.send_modify(|n| *n += 1);
        Ok(())
    }

    async fn pbx_time_zone(&self) -> Result<Option<String>, BackendError> {
        self.lists
            .pbx_time_zone(async {
                let info = self
                    .ask_pbx(|client| async move { client.system_information().await })
                    .await?;
                Ok(info.utc_offset_secs.and_then(zone_of_offset))
            })
            .await
    }

    async fn phonebridge_registered(&self) -> Result<Option<Vec<String>>, BackendError> {
        if !self.phonebridge_on().await? {
            return Ok(None);
        }
        // `{zoho user id: authorization value}`, as the registration keeps it.
        let ids = match self.store.secret(REGISTRATIONS_SECRET).await? {
            Some(json) => serde_json::from_str::<std::collections::BTreeMap<String, String>>(
                json.expose_secret(),
            )
            .map_err(|e| BackendError::NotReady(format!("{REGISTRATIONS_SECRET}: {e}")))?
            .into_keys()
            .collect(),
            None => Vec::new(),
        };
        Ok(Some(ids))
    }

    fn initial_settings(&self) -> ringbridge_core::console::ConsoleSettings {
        let mut engine = self.file.engine.clone();
        // Setup offers contact sync on: the page proposes the phonebook
        // ringbridge creates on the PBX if it is missing; the admin may
        // rename it, or empty it to turn sync off.
        if engine.phonebook.is_none() {
            engine.phonebook = Some(OFFERED_PHONEBOOK.to_owned());
        }
        ringbridge_core::console::ConsoleSettings {
            engine,
            default_country: self
                .file
                .pbx
                .as_ref()
                .and_then(|p| p.number_plan.default_country.clone()),
            recording: self.file.recording_links,
            recording_sign_in: self.file.recording_sign_in,
        }
    }

    fn states(&self) -> LinkStates {
        self.running(link_states)
    }
}

/// What the running integration's links say now.
fn link_states(links: &Links) -> LinkStates {
    let failed = |configured: bool| match (&links.failed, configured) {
        (_, false) => LinkState::NotConfigured,
        (Some(why), true) => LinkState::Failed(why.clone()),
        (None, true) => LinkState::Starting,
    };
    let pbx = match &links.pbx {
        Some(rx) => match &*rx.borrow() {
            StreamStatus::Starting => LinkState::Starting,
            StreamStatus::Connected => LinkState::Connected,
            StreamStatus::Disconnected { reason, .. } | StreamStatus::Failed { reason } => {
                LinkState::Failed(reason.clone())
            }
        },
        None => failed(links.pbx_configured),
    };
    let crm = match &links.crm {
        Some(rx) => match &*rx.borrow() {
            CrmHealth::Ok => LinkState::Connected,
            CrmHealth::ReconnectNeeded(why) => LinkState::ReconnectNeeded(why.clone()),
            throttled @ CrmHealth::Throttled { .. } => LinkState::Failed(throttled.to_string()),
        },
        None => failed(links.crm_configured),
    };
    LinkStates { pbx, crm }
}
