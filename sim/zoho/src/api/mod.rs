//! The API domain: CRM REST v8, PhoneBridge v3 and the `/_sim/` pages on one listener.

pub mod coql;
pub mod criteria;
pub mod field_meta;
pub mod gate;
pub mod org;
pub mod paging;
pub mod records;
pub mod search;
pub mod settings;
pub mod users;
pub mod writes;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::error::ApiError;
use crate::faults::Listener;
use crate::state::Shared;
use crate::store::module::Module;
use crate::{phonebridge, reqlog, web};

/// Query parameters, first occurrence wins, percent- and `+`-decoded.
pub type Params = HashMap<String, String>;

pub fn query(raw: Option<&str>) -> Params {
    let mut out = Params::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}

pub fn module_of(name: &str) -> Result<Module, ApiError> {
    Module::parse(name).ok_or_else(ApiError::invalid_module)
}

/// A JSON request body; malformed JSON is `INVALID_DATA` (message per spec enum "body";
/// the exact reply is unconfirmed).
pub fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "body",
            serde_json::json!({}),
        )
    })
}

pub fn json(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/crm/v8/coql", post(coql::coql))
        .route("/crm/v8/users", get(users::list))
        .route("/crm/v8/users/{id}", get(users::one))
        .route("/crm/v8/org", get(org::org))
        .route("/crm/v8/settings/fields", get(settings::fields))
        .route("/crm/v8/settings/layouts", get(settings::layouts))
        .route(
            "/crm/v8/settings/call_preferences",
            get(settings::get_prefs).put(settings::put_prefs),
        )
        .route(
            "/crm/v8/{module}",
            get(records::list)
                .post(writes::insert)
                .put(writes::update_many)
                .delete(writes::delete_many),
        )
        .route(
            "/crm/v8/{module}/{id}",
            get(records::one)
                .put(writes::update_one)
                .delete(writes::delete_one),
        )
        .route("/crm/v8/{module}/upsert", post(writes::upsert))
        .route("/crm/v8/{module}/deleted", get(records::deleted))
        .route("/crm/v8/{module}/search", get(search::search))
        .route("/crm/v8/{module}/actions/count", get(search::count))
        .merge(phonebridge::routes())
        .route_layer(from_fn_with_state(Arc::clone(&shared), gate::gate))
        .method_not_allowed_fallback(|| async { ApiError::invalid_method() });
    Router::new()
        .merge(api)
        .merge(web::routes())
        .merge(crate::tab::routes())
        .merge(crate::admin::routes(&shared))
        .fallback(|| async { ApiError::invalid_url() })
        .layer(from_fn_with_state(
            (Arc::clone(&shared), Listener::Api),
            reqlog::record,
        ))
        .with_state(shared)
}
