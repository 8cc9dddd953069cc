//! A faithful Zoho simulator for ringbridge's tests and demos: the Zoho **accounts server**
//! (OAuth 2.0 code flow, refresh, revoke, with Zoho's token limits) and the **API domain**
//! (CRM REST v8 records/search/COQL/users/org/settings, PhoneBridge v3, and a read-only HTML
//! view at `/_sim/`) on two loopback listeners with different base URLs, as in real Zoho.
//!
//! It answers like Zoho does, including its status codes and error bodies
//! (`{"code","details","message","status":"error"}`), API credits over a rolling 24 h window,
//! (sub-)concurrency limits, and the behaviours the vendor docs leave open behind switches
//! ([`PhoneMatchMode`], [`PhoneBridgeStrictness`], [`AuthParamPlacement`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), ringbridge_sim_zoho::SimError> {
//! use ringbridge_sim_zoho::{SimConfig, SimZoho, Module};
//! let sim = SimZoho::start(SimConfig::default()).await?;
//! let tokens = sim.issue_tokens(&["ZohoCRM.modules.ALL"]);
//! // ... point a client at sim.accounts_url() / sim.api_url() ...
//! assert!(sim.records(Module::Contacts).len() > 0);
//! # Ok(()) }
//! ```
//!
//! The control handle [`SimZoho`] lets tests move the clock, inject faults, inspect stored
//! records, PhoneBridge notifications and every received request, and act as Zoho towards
//! the PBX side ([`SimZoho::click_to_dial`], [`SimZoho::call_control`]).
//! [`cli::run`] serves it from the command line (`ringbridge sim zoho`).

#![recursion_limit = "512"]

mod admin;
mod api;
mod auth;
pub mod cli;
mod cli_faults;
mod clock;
mod config;
mod coql;
mod error;
mod faults;
mod fixture;
mod limits;
mod oauth;
mod phonebridge;
mod reqlog;
mod state;
mod store;
mod tab;
mod web;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use cli::{SimZohoArgs, SimZohoOrgArgs, run};
pub use cli_faults::FaultSpec;
pub use clock::SimClock;
pub use config::{
    AuthParamPlacement, CallControlParamNames, Edition, InvisibleRecord, PhoneBridgeStrictness,
    PhoneMatchMode, SimConfig,
};
pub use error::{ApiError, SimError};
pub use faults::{Fault, FaultRule, FaultTarget, Listener};
pub use fixture::Fixture;
pub use phonebridge::{
    CallControlAction, CallControlReg, ClickToDialReg, NameValue, Notification, OutboundCall,
};
pub use reqlog::RecordedRequest;
pub use store::layout::Layout;
pub use store::module::Module;
pub use store::seed::{OrgSeed, SeedData, SeedRecord, SeedUser};
pub use store::sharing::{Access, Perm, Profile, Role, Sharing};

use state::{Inner, Settings, Shared};
use store::WriteCtx;
use store::render::{Style, render};

/// Tokens minted directly by [`SimZoho::issue_tokens`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: String,
}

/// A running simulator. Dropping it stops both listeners.
#[derive(Debug)]
pub struct SimZoho {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

async fn bind(addr: std::net::SocketAddr) -> Result<(TcpListener, String), SimError> {
    let l = TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let local = l
        .local_addr()
        .map_err(|source| SimError::Bind { addr, source })?;
    Ok((l, format!("http://{local}")))
}

impl SimZoho {
    /// Binds both listeners and starts serving.
    pub async fn start(config: SimConfig) -> Result<Self, SimError> {
        let clock = SimClock::default();
        let mut store = config.seed.build(clock.now())?;
        store.missed_needs_duration = config.missed_call_needs_duration;
        store.refuse_unknown_fields = config.refuse_unknown_fields;
        let (accounts_l, accounts_url) = bind(config.accounts_addr).await?;
        let (api_l, api_url) = bind(config.api_addr).await?;
        let (stop, stop_rx) = watch::channel(false);
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| SimError::Config(format!("http client: {e}")))?;
        let settings = Settings {
            edition: config.edition,
            phone_match: config.phone_match,
            strictness: config.strictness,
        };
        let shared = Arc::new(Shared {
            config,
            clock,
            inner: Mutex::new(Inner {
                store,
                oauth: Default::default(),
                pb: Default::default(),
                settings,
                page_tokens: Default::default(),
            }),
            limits: Default::default(),
            faults: Default::default(),
            log: Default::default(),
            accounts_url,
            api_url,
            shutdown: stop_rx.clone(),
            http,
        });
        let accounts = oauth::routes::router(Arc::clone(&shared)).layer(from_fn_with_state(
            (Arc::clone(&shared), Listener::Accounts),
            reqlog::record,
        ));
        let api = api::router(Arc::clone(&shared));
        let mut tasks = Vec::new();
        for (listener, app) in [(accounts_l, accounts), (api_l, api)] {
            let mut rx = stop_rx.clone();
            tasks.push(tokio::spawn(async move {
                // The peer address lets the `/_sim/` admin endpoints answer loopback only.
                let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
                let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|s| *s).await;
                });
                if let Err(e) = serve.await {
                    tracing::error!(error = %e, "zoho simulator listener failed");
                }
            }));
        }
        Ok(Self {
            shared,
            stop,
            tasks,
        })
    }

    /// Base URL of the accounts server (`http://127.0.0.1:port`).
    pub fn accounts_url(&self) -> &str {
        &self.shared.accounts_url
    }

    /// Base URL of the API domain (the token response's `api_domain`).
    pub fn api_url(&self) -> &str {
        &self.shared.api_url
    }

    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    pub fn client_id(&self) -> &str {
        &self.shared.config.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.shared.config.client_secret
    }

    /// The record's page in the `/_sim/` view (what a screen pop opens).
    pub fn record_url(&self, module: Module, id: &str) -> String {
        format!(
            "{}/_sim/crm/{}/{}",
            self.shared.api_url,
            module.api_name(),
            id
        )
    }

    pub fn clock(&self) -> &SimClock {
        &self.shared.clock
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.clock.now()
    }

    /// Moves simulated time forward (token expiry, code lifetime, credit window).
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    pub fn inject_fault(&self, rule: FaultRule) {
        self.shared.faults().add(rule);
    }

    pub fn clear_faults(&self) {
        self.shared.faults().clear();
    }

    /// How many faults of each kind ([`Fault::name`]) were injected so far.
    pub fn injected_faults(&self) -> BTreeMap<&'static str, u64> {
        self.shared.faults().injected()
    }

    /// Every access token stops working now; refresh tokens still work.
    pub fn expire_access_tokens(&self) {
        self.shared.lock().oauth.expire_all_access();
    }

    /// Revokes a refresh token (and its access tokens) as if the user did in Zoho.
    pub fn revoke_refresh_token(&self, token: &str) -> bool {
        self.shared.lock().oauth.revoke(token)
    }

    /// Mints a refresh + access token for the primary user without the browser flow.
    pub fn issue_tokens(&self, scopes: &[&str]) -> Tokens {
        let email = self
            .shared
            .lock()
            .store
            .primary_user()
            .map(|u| u.email.clone());
        self.issue_tokens_for(email.as_deref().unwrap_or_default(), scopes)
            .unwrap_or_else(|_| Tokens {
                access_token: String::new(),
                refresh_token: String::new(),
                user_id: String::new(),
            })
    }

    /// Mints tokens for the user with this e-mail.
    pub fn issue_tokens_for(&self, email: &str, scopes: &[&str]) -> Result<Tokens, SimError> {
        let now = self.now();
        let mut inner = self.shared.lock();
        let user_id = inner
            .store
            .user_by_email(email)
            .map(|u| u.id.clone())
            .ok_or_else(|| SimError::UnknownUser(email.to_owned()))?;
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        let t = inner
            .oauth
            .issue_pair(&self.shared.config.client_id, &user_id, scopes, now);
        Ok(Tokens {
            access_token: t.access_token,
            refresh_token: t.refresh_token.unwrap_or_default(),
            user_id,
        })
    }

    /// Live refresh tokens.
    pub fn refresh_token_count(&self) -> usize {
        self.shared.lock().oauth.refresh_token_count()
    }

    /// All records of a module as the REST API renders them (every field).
    pub fn records(&self, module: Module) -> Vec<Value> {
        let inner = self.shared.lock();
        inner
            .store
            .records(module)
            .map(|r| render(&inner.store, module, r, None, Style::Rest))
            .collect()
    }

    pub fn record(&self, module: Module, id: &str) -> Option<Value> {
        let inner = self.shared.lock();
        inner
            .store
            .get(module, id)
            .map(|r| render(&inner.store, module, r, None, Style::Rest))
    }

    /// Shorthand for `records(Module::Calls)`.
    pub fn calls(&self) -> Vec<Value> {
        self.records(Module::Calls)
    }

    /// Inserts a record as the primary user, validated like an API insert.
    pub fn insert_record(&self, module: Module, fields: Value) -> Result<String, SimError> {
        let now = self.now();
        let mut inner = self.shared.lock();
        let user_id = inner
            .store
            .primary_user()
            .map(|u| u.id.clone())
            .ok_or_else(|| SimError::UnknownUser("primary".into()))?;
        let ctx = WriteCtx { user_id, now };
        inner
            .store
            .insert(module, &fields, 0, &ctx)
            .map_err(SimError::Rejected)
    }

    /// The CRM user id of an e-mail address.
    pub fn user_id(&self, email: &str) -> Option<String> {
        self.shared
            .lock()
            .store
            .user_by_email(email)
            .map(|u| u.id.clone())
    }

    /// Replaces all data (org, users, records); tokens stay valid only if their user ids do
    /// not matter to the test.
    pub fn seed(&self, data: &SeedData) -> Result<(), SimError> {
        let store = data.build(self.now())?;
        self.shared.lock().store = store;
        Ok(())
    }

    /// Every `callnotify` / `clicktodialerror` received, with the answer given.
    pub fn notifications(&self) -> Vec<Notification> {
        self.shared.lock().pb.notifications.clone()
    }

    /// Requests the simulator made to the PBX side.
    pub fn outbound_calls(&self) -> Vec<OutboundCall> {
        self.shared.lock().pb.outbound.clone()
    }

    pub fn phonebridge_integrated(&self) -> bool {
        self.shared.lock().pb.integrated
    }

    pub fn clicktodial_registrations(&self) -> BTreeMap<String, ClickToDialReg> {
        self.shared.lock().pb.clicktodial.clone()
    }

    pub fn callcontrol_registrations(&self) -> BTreeMap<String, CallControlReg> {
        self.shared.lock().pb.callcontrol.clone()
    }

    /// Credits used in the last 24 h of simulated time.
    pub fn credits_used(&self) -> u64 {
        self.shared.limits.used(self.now())
    }

    /// The org's credit budget for its edition and licences.
    pub fn credits_limit(&self) -> u64 {
        let inner = self.shared.lock();
        inner
            .settings
            .edition
            .credit_limit(inner.store.org.users_license_purchased)
    }

    /// Books credits as if another app of the org had used them.
    pub fn consume_credits(&self, n: u64) {
        self.shared.limits.consume(self.now(), n);
    }

    /// Every request received on either listener (except `/_sim/` pages), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log().requests.clone()
    }

    /// How many `method path` requests arrived (`path` without query).
    pub fn request_count(&self, method: &str, path: &str) -> u64 {
        let key = format!("{} {path}", method.to_ascii_uppercase());
        self.shared.log().counts.get(&key).copied().unwrap_or(0)
    }

    /// Counts per `"METHOD /path"`.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.shared.log().counts.clone()
    }

    pub fn clear_requests(&self) {
        let mut log = self.shared.log();
        log.requests.clear();
        log.counts.clear();
    }

    /// Makes these fields of `module` mandatory, as an admin does in the layout (replaces
    /// the module's previous list; an empty list clears it).
    pub fn set_mandatory_fields(&self, module: Module, fields: &[&str]) {
        let list = fields.iter().map(|f| (*f).to_owned()).collect();
        self.shared
            .lock()
            .store
            .layout
            .mandatory
            .insert(module, list);
    }

    /// Marks these fields of `module` unique: an insert or update repeating a stored value
    /// answers `DUPLICATE_DATA` with the existing record.
    pub fn set_unique_fields(&self, module: Module, fields: &[&str]) {
        let list = fields.iter().map(|f| (*f).to_owned()).collect();
        self.shared.lock().store.layout.unique.insert(module, list);
    }

    pub fn set_edition(&self, edition: Edition) {
        self.shared.lock().settings.edition = edition;
    }

    pub fn set_phone_match(&self, mode: PhoneMatchMode) {
        self.shared.lock().settings.phone_match = mode;
    }

    pub fn set_strictness(&self, strictness: PhoneBridgeStrictness) {
        self.shared.lock().settings.strictness = strictness;
    }

    /// Acts as Zoho when `zohouser` clicks `number`: POSTs to the registered `clicktodialuri`
    /// and returns the HTTP status the PBX side answered.
    pub async fn click_to_dial(&self, zohouser: &str, number: &str) -> Result<u16, SimError> {
        phonebridge::outbound::click_to_dial(&self.shared, zohouser, number).await
    }

    /// Acts as Zoho's call bar: POSTs to the registered URI for `action`.
    pub async fn call_control(
        &self,
        zohouser: &str,
        action: CallControlAction,
        call_id: &str,
        digit: Option<&str>,
    ) -> Result<u16, SimError> {
        phonebridge::outbound::call_control(&self.shared, zohouser, action, call_id, digit).await
    }

    /// Stops both listeners and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for SimZoho {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
