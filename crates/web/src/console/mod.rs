//! The admin console: first-run setup of the PBX and CRM connections and
//! the mode, the extension ↔ user mapping, the engine's settings, the
//! sync dashboard and recording links. Admins only ([`RequireAdmin`](crate::auth::RequireAdmin)
//! on every handler); every form carries the CSRF token, checked by
//! [`protect`]; askama escapes everything shown.

mod accounts_server;
mod backend;
mod dashboard;
mod dashboard_calls;
mod dashboard_retry;
mod mode;
mod recordings;
mod settings;
mod setup_pbx;
mod setup_zoho;
mod users;
mod zoho_disconnect;

use axum::Router;
use axum::routing::{get, post};

pub use backend::{
    BackendError, Console, ConsoleBackend, ConsoleData, DataCentre, LinkState, LinkStates, PbxInfo,
    ZohoDisconnect,
};
/// The org's screen-pop default the settings page stores (for agents who
/// have not chosen their own; the panel reads it).
pub use settings::form::{SCREEN_POP_DEFAULT_KEY, ScreenPopDefault};

use crate::AppState;
use crate::error::{ErrorKind, WebError};
use crate::pages::{PageCtx, protect};

/// The console's routes; none when the service runs without a console.
pub fn routes(state: AppState) -> Router {
    if state.console.is_none() {
        return Router::new();
    }
    let console = Router::new()
        .route("/console", get(dashboard::show))
        .route("/console/jobs/{id}/retry", post(dashboard_retry::retry))
        .route("/console/jobs/retry-all", post(dashboard_retry::retry_all))
        .route("/console/pbx", get(setup_pbx::show).post(setup_pbx::submit))
        .route(
            "/console/zoho",
            get(setup_zoho::show).post(setup_zoho::submit),
        )
        .route("/console/zoho/callback", get(setup_zoho::callback))
        .route(
            "/console/zoho/disconnect",
            get(zoho_disconnect::confirm).post(zoho_disconnect::submit),
        )
        .route("/console/mode", get(mode::show).post(mode::submit))
        .route("/console/users", get(users::show).post(users::submit))
        .route(
            "/console/settings",
            get(settings::show).post(settings::submit),
        )
        .route("/console/recordings", get(recordings::show))
        .route(
            "/console/recordings/links/{id}/revoke",
            post(recordings::revoke_link),
        )
        .route(
            "/console/recordings/calls/revoke",
            post(recordings::revoke_call),
        )
        .route(
            "/console/recordings/revoke",
            post(recordings::revoke_pasted),
        )
        .route("/console/recordings/rotate", post(recordings::rotate))
        .route("/console/settings/preview", post(settings::preview::show));
    protect(console, state.clone()).with_state(state)
}

/// The console of a state whose routes exist only with one.
fn console(state: &AppState) -> Result<&Console, WebError> {
    state
        .console
        .as_ref()
        .ok_or(WebError::Refused(ErrorKind::NotFound))
}

/// A backend failure as a message for the admin, in the page's language
/// with the other system's own words after it.
pub(crate) fn explain(ctx: &PageCtx, err: &BackendError) -> String {
    let id = match err {
        BackendError::Refused(_) => "console-error-refused",
        BackendError::Unreachable(_) => "console-error-unreachable",
        BackendError::NotReady(_) => "console-error-not-ready",
        BackendError::Store(_) => "error-internal",
    };
    match err {
        BackendError::Store(e) => {
            tracing::error!(error = %e, "console backend storage error");
            ctx.t(id)
        }
        other => ctx.t1(id, "detail", &other.to_string()),
    }
}

/// Applies a stored change; a failure is logged and shown on the
/// dashboard's link states, not refused: the change itself is stored.
async fn apply(console: &Console) {
    if let Err(err) = console.backend.apply().await {
        tracing::warn!(error = %err, "console change stored; applying it failed");
    }
}

/// The console pages' shared navigation: which page is open.
pub struct Nav(pub &'static str);

impl Nav {
    pub const PAGES: [(&'static str, &'static str); 7] = [
        ("/console", "console-nav-dashboard"),
        ("/console/pbx", "console-nav-pbx"),
        ("/console/zoho", "console-nav-zoho"),
        ("/console/mode", "console-nav-mode"),
        ("/console/users", "console-nav-users"),
        ("/console/settings", "console-nav-settings"),
        ("/console/recordings", "console-nav-recordings"),
    ];

    pub fn pages(&self) -> [(&'static str, &'static str); 7] {
        Self::PAGES
    }

    pub fn is(&self, href: &str) -> bool {
        self.0 == href
    }
}
