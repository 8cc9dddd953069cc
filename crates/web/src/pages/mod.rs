//! The pages and the first API routes, and the protections every later
//! page (agent panel, admin console) gets by being added under
//! [`protect`]: CSRF checks, localized errors, security headers.

mod account_detail;
mod account_edit;
mod admin;
mod api;
pub(crate) mod assets;
mod ctx;
mod extension;
mod extensions;
pub(crate) mod flash;
mod forms;
mod home;
mod layers;
mod login;
mod password;
mod setup;
mod zoho_login;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{delete, get, post};

pub use ctx::PageCtx;
pub use layers::CSP;

use crate::{AppState, csrf};

/// Every route of this module, protected and given its state.
pub fn routes(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(home::show))
        .route("/tokens", post(home::create_token))
        .route("/tokens/{id}/revoke", post(home::revoke_token))
        .route("/sessions/{handle}/end", post(home::end_session))
        .route("/sessions/end-all", post(home::end_other_sessions))
        .route("/setup", get(setup::show).post(setup::submit))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/auth/zoho", get(zoho_login::start))
        .route("/auth/zoho/callback", get(zoho_login::callback))
        .route("/auth/zoho/revoke", post(zoho_login::revoke))
        .route("/password", get(password::show).post(password::submit))
        .route("/admin/accounts", get(admin::show).post(admin::create))
        .route("/admin/accounts/{id}", get(account_detail::show))
        .route("/admin/accounts/{id}/edit", post(account_edit::save))
        .route("/admin/accounts/{id}/{action}", post(admin::act))
        .route(
            "/admin/accounts/{id}/tokens/{token}/revoke",
            post(account_detail::revoke_token),
        )
        .route(
            "/admin/accounts/{id}/sessions/{handle}/end",
            post(account_detail::end_session),
        )
        .route(
            "/admin/accounts/{id}/sessions/end-all",
            post(account_detail::end_all_sessions),
        )
        .route("/api/me", get(api::me))
        .route("/api/tokens", get(api::tokens))
        .route("/api/tokens/{id}", delete(api::revoke))
        .route("/static/{file}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .route("/extension.zip", get(extension::download));
    protect(pages, state.clone()).with_state(state)
}

/// Wraps `router` in the pages' protections. Innermost first: the CSRF
/// check on every state-changing request, then the layer that renders
/// refusals in the reader's language and adds the security headers.
pub fn protect(router: Router<AppState>, state: AppState) -> Router<AppState> {
    router
        .layer(from_fn_with_state(state, csrf::protect))
        .layer(from_fn(layers::finish))
}
