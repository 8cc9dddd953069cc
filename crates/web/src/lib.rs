//! ringbridge's HTTP surface. One router for everything a running
//! ringbridge serves: health and readiness probes, the PBX's webhook
//! endpoint, and (in later issues) the agent panel and admin console.

pub mod auth;
pub mod console;
pub mod csrf;
pub mod error;
pub mod guard;
mod health;
pub mod i18n;
pub mod metrics;
pub mod pages;
pub mod panel;
pub mod phonebridge;
pub mod recordings;
pub mod server;
mod session;
pub mod tls;

use std::sync::Arc;

use axum::Router;
use ringbridge_core::accounts::AccountStore;
use ringbridge_core::store::Store;
use ringbridge_engine::StreamStatus;
use tokio::sync::watch;
use tower_http::trace::TraceLayer;

pub use health::Readiness;

/// What the HTTP handlers need from the running service.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The PBX event stream's state, when a PBX is configured.
    pub pbx_stream: Option<watch::Receiver<StreamStatus>>,
    /// The people who sign in to the pages, their sessions and API tokens.
    pub accounts: Arc<dyn AccountStore>,
    /// Sign-in settings, clock, login throttle and keys of the pages.
    pub web: Arc<auth::WebContext>,
    /// Recording playback (`/recordings/{token}`), when a PBX is configured.
    pub recordings: Option<Arc<recordings::RecordingService>>,
    /// The live-calls hub behind the agent panel's feed, when a PBX is configured.
    pub live: Option<Arc<ringbridge_engine::live::LiveCalls>>,
    /// The running engine (CRM, PBX, settings, user map, outbox), when
    /// both a PBX and a CRM are connected: click-to-call, record creation.
    pub engine: Option<Arc<ringbridge_engine::EngineContext>>,
    /// The admin console's store and its view of the running service.
    pub console: Option<console::Console>,
    /// Zoho PhoneBridge's click-to-dial and call control, when the Zoho
    /// connection is set up for it (the routes answer 404 otherwise).
    pub phonebridge: Option<Arc<dyn phonebridge::PhoneBridgeHooks>>,
    /// "Sign in with Zoho" and the agents' own grants, when the service offers it.
    pub zoho_sign_in: Option<Arc<dyn auth::zoho_sign_in::ZohoSignIn>>,
    /// The outbox, for the panel's recent calls while no engine runs (a
    /// PBX without a connected CRM); the engine's own otherwise.
    pub outbox: Option<Arc<dyn ringbridge_core::outbox::OutboxStore>>,
}

impl AppState {
    /// The state with the pages' default settings ([`auth::WebConfig`]).
    pub fn new(
        store: Arc<dyn Store>,
        accounts: Arc<dyn AccountStore>,
        pbx_stream: Option<watch::Receiver<StreamStatus>>,
    ) -> Self {
        let web = auth::WebContext::new(auth::WebConfig::default(), Arc::new(auth::SystemClock))
            .unwrap_or_else(|e| unreachable!("the default password parameters are valid: {e}"));
        Self {
            store,
            pbx_stream,
            accounts,
            web: Arc::new(web),
            recordings: None,
            live: None,
            engine: None,
            console: None,
            phonebridge: None,
            zoho_sign_in: None,
            outbox: None,
        }
    }

    /// Serves recording links with `service`.
    pub fn with_recordings(mut self, service: Arc<recordings::RecordingService>) -> Self {
        self.recordings = Some(service);
        self
    }

    /// Serves the agent panel's live feed from `live`.
    pub fn with_live(mut self, live: Arc<ringbridge_engine::live::LiveCalls>) -> Self {
        self.live = Some(live);
        self
    }

    /// Gives the handlers the running engine's context.
    pub fn with_engine(mut self, engine: Arc<ringbridge_engine::EngineContext>) -> Self {
        self.engine = Some(engine);
        self
    }

    /// Reads the outbox from `outbox` when no engine runs.
    pub fn with_outbox(mut self, outbox: Arc<dyn ringbridge_core::outbox::OutboxStore>) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// Serves the admin console (`/console/*`).
    pub fn with_console(mut self, console: console::Console) -> Self {
        self.console = Some(console);
        self
    }

    /// Answers Zoho PhoneBridge's calls with `hooks`.
    pub fn with_phonebridge(mut self, hooks: Arc<dyn phonebridge::PhoneBridgeHooks>) -> Self {
        self.phonebridge = Some(hooks);
        self
    }

    /// Offers "Sign in with Zoho" through `sign_in`.
    pub fn with_zoho_sign_in(mut self, sign_in: Arc<dyn auth::zoho_sign_in::ZohoSignIn>) -> Self {
        self.zoho_sign_in = Some(sign_in);
        self
    }

    /// Replaces the pages' settings and clock.
    pub fn with_web(
        mut self,
        config: auth::WebConfig,
        clock: Arc<dyn auth::Clock>,
    ) -> Result<Self, auth::PasswordError> {
        self.web = Arc::new(auth::WebContext::new(config, clock)?);
        Ok(self)
    }

    /// Shares `web` (its throttle and hashing slots) with other states: a
    /// process keeps one across restarts of its integration.
    pub fn with_web_context(mut self, web: Arc<auth::WebContext>) -> Self {
        self.web = web;
        self
    }
}

/// Builds the service's router. `pbx_webhook` (a router the PBX adapter
/// made, with its own path) is merged in when the PBX pushes events by webhook.
pub fn router(state: AppState, pbx_webhook: Option<Router>) -> Router {
    let web = state.web.clone();
    let mut app = health::routes().with_state(state.clone());
    if let Some(service) = state.recordings.clone() {
        app = app.merge(recordings::routes(service));
    }
    app = app.merge(panel::routes(state.clone()));
    app = app.merge(phonebridge::routes(state.clone()));
    app = app.merge(console::routes(state.clone()));
    app = app.merge(pages::routes(state));
    app = app.merge(metrics::routes(metrics::Metrics::global().clone()));
    if let Some(webhook) = pbx_webhook {
        app = app.merge(webhook);
    }
    app.layer(axum::middleware::from_fn_with_state(web, guard::limit))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
}

/// The request span names the method and path only: query strings carry
/// OAuth codes and recording links carry their capability, so neither is logged.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = request.uri().path();
    let path = match path.strip_prefix("/recordings/") {
        Some(_) => "/recordings/<redacted>",
        None => path,
    };
    tracing::info_span!("request", method = %request.method(), path = %path)
}

/// Serves `app` on `listener` with the default connection limits
/// ([`server::ServerLimits`]) until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve_with(listener, app, &server::ServerLimits::default(), shutdown).await
}
