//! `POST /crm/v8/coql`.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{json, json_body, no_content};
use crate::auth::AuthCtx;
use crate::coql::{CoqlError, eval, parser};
use crate::error::ApiError;
use crate::state::Shared;
use crate::store::sharing::Perm;

/// Zoho's 400 bodies (spec `coql.json`); which `details` keys accompany each case in real
/// replies is unconfirmed beyond the spec's schema.
fn to_api(e: CoqlError) -> ApiError {
    let bad = StatusCode::BAD_REQUEST;
    match e {
        CoqlError::Syntax { line, column, near } => ApiError::new(
            bad,
            "SYNTAX_ERROR",
            "invalid query formed",
            json!({"line": line, "column": column, "near": near}),
        ),
        CoqlError::Limit { clause, limit } => ApiError::new(
            bad,
            "LIMIT_EXCEEDED",
            "limit exceeded",
            json!({"clause": clause, "limit": limit}),
        ),
        CoqlError::Column(c) => ApiError::new(
            bad,
            "INVALID_QUERY",
            "column given seems to be invalid",
            json!({"column_name": c}),
        ),
        CoqlError::Module(m) => ApiError::new(
            bad,
            "INVALID_QUERY",
            "invalid query formed",
            json!({"module": m, "reason": "module not found"}),
        ),
        CoqlError::Value { column, expected } => ApiError::new(
            bad,
            "INVALID_QUERY",
            "value given seems to be invalid for the column",
            json!({"column_name": column, "expected_data_type": expected}),
        ),
        CoqlError::Operator { column, operator } => ApiError::new(
            bad,
            "INVALID_QUERY",
            "data type not supported",
            json!({"column_name": column, "operator": operator}),
        ),
    }
}

/// Rows the caller's role and sharing hide are left out, as in search.
pub async fn coql(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let v = json_body(&body)?;
    let src = v
        .get("select_query")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::required_param("select_query"))?;
    let q = parser::parse(src).map_err(to_api)?;
    let module = eval::check(&q).map_err(to_api)?;
    let inner = shared.lock();
    let viewer = inner.store.viewer(&auth.user_id);
    viewer.require(module, Perm::View)?;
    let (mut data, more) = eval::run(&inner.store, module, &q, |r| viewer.sees(module, r));
    if !shared.config.coql_adds_id && !q.fields.iter().any(|f| f == "id") {
        for row in data.iter_mut().filter_map(Value::as_object_mut) {
            row.remove("id");
        }
    }
    if data.is_empty() {
        return Ok(no_content());
    }
    Ok(json(
        StatusCode::OK,
        json!({"data": data, "info": {"count": data.len(), "more_records": more}}),
    ))
}
