//! `GET /crm/v8/{Module}`, `GET /crm/v8/{Module}/{id}`, `GET /crm/v8/{Module}/deleted`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{Value, json};

use super::paging::{fields_param, if_modified_since, page_params};
use super::{json, module_of, no_content, query};
use crate::auth::AuthCtx;
use crate::config::InvisibleRecord;
use crate::error::ApiError;
use crate::state::Shared;
use crate::store::module::Module;
use crate::store::render::{Style, format_in_tz, minified_user, render};
use crate::store::sharing::{Perm, no_permission};
use crate::store::{Record, Store};

/// `page` alone reaches this many records; beyond, `page_token` is needed.
const DISCRETE_LIMIT: usize = 2_000;
const PAGE_TOKEN_TTL: Duration = Duration::hours(24);

/// Server-side state behind an issued `next_page_token`.
#[derive(Debug, Clone)]
pub struct PageToken {
    module: Module,
    offset: usize,
    sort_by: String,
    descending: bool,
    expiry: DateTime<Utc>,
}

fn sort_key<'a>(rec: &'a Record, by: &str) -> (&'a str, &'a str) {
    let id = rec.get("id").and_then(Value::as_str).unwrap_or_default();
    let key = rec.get(by).and_then(Value::as_str).unwrap_or_default();
    (key, id)
}

fn modified_after(rec: &Record, since: DateTime<Utc>) -> bool {
    rec.get("Modified_Time")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .is_some_and(|t| t > since)
}

/// Resolves sort/offset from either `page` or `page_token`.
fn position(
    shared: &Shared,
    module: Module,
    q: &super::Params,
    per_page: usize,
    page: usize,
) -> Result<(String, bool, usize), ApiError> {
    let sort_by = q.get("sort_by").cloned().unwrap_or_else(|| "id".into());
    if !["id", "Created_Time", "Modified_Time"].contains(&sort_by.as_str()) {
        return Err(ApiError::invalid_param("sort_by"));
    }
    let descending = match q.get("sort_order").map(String::as_str) {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(ApiError::invalid_param("sort_order")),
    };
    if let Some(tok) = q.get("page_token") {
        if q.contains_key("page") {
            return Err(ApiError::invalid_param("page_token"));
        }
        let now = shared.clock.now();
        let inner = shared.lock();
        let pt = inner
            .page_tokens
            .get(tok)
            .filter(|t| t.module == module && t.expiry > now)
            .ok_or_else(|| ApiError::invalid_param("page_token"))?;
        return Ok((pt.sort_by.clone(), pt.descending, pt.offset));
    }
    if page * per_page > DISCRETE_LIMIT {
        // Code from Zoho's get-records page (v3+); not in the stored spec.
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
            "cannot fetch more than 2000 records with the page param; use page_token",
            json!({}),
        ));
    }
    Ok((sort_by, descending, (page - 1) * per_page))
}

pub async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path(module): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let q = query(raw.as_deref());
    let fields = fields_param(module, &q, true)?.unwrap_or_default();
    let (per_page, page) = page_params(&q)?;
    let since = if_modified_since(&headers)?;
    let (sort_by, descending, offset) = position(&shared, module, &q, per_page, page)?;
    let ids: Option<Vec<&str>> = q.get("ids").map(|s| s.split(',').map(str::trim).collect());
    if ids.as_ref().is_some_and(|i| i.len() > 100) {
        return Err(ApiError::limit_exceeded(
            "Record count exceeded",
            json!({"limit": 100}),
        ));
    }
    let now = shared.clock.now();
    let mut inner = shared.lock();
    let store = &inner.store;
    let viewer = store.viewer(&auth.user_id);
    viewer.require(module, Perm::View)?;
    let mut recs: Vec<&Record> = store
        .records(module)
        .filter(|r| viewer.sees(module, r))
        .filter(|r| {
            ids.as_ref().is_none_or(|ids| {
                ids.contains(&r.get("id").and_then(Value::as_str).unwrap_or_default())
            })
        })
        .filter(|r| since.is_none_or(|s| modified_after(r, s)))
        .collect();
    if recs.is_empty() && since.is_some() {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    recs.sort_by(|a, b| sort_key(a, &sort_by).cmp(&sort_key(b, &sort_by)));
    if descending {
        recs.reverse();
    }
    let total = recs.len();
    let data: Vec<Value> = recs
        .iter()
        .skip(offset)
        .take(per_page)
        .map(|r| render(store, module, r, Some(&fields), Style::Rest))
        .collect();
    if data.is_empty() {
        return Ok(no_content());
    }
    let more = offset + data.len() < total;
    let count = data.len();
    let (next_token, expiry) = if more {
        let tok = format!("{:032x}", rand::rng().random::<u128>());
        let expiry = now + PAGE_TOKEN_TTL;
        inner.page_tokens.insert(
            tok.clone(),
            PageToken {
                module,
                offset: offset + count,
                sort_by: sort_by.clone(),
                descending,
                expiry,
            },
        );
        (json!(tok), json!(format_in_tz(expiry, inner.store.tz())))
    } else {
        (Value::Null, Value::Null)
    };
    let page_no = offset / per_page + 1;
    Ok(json(
        StatusCode::OK,
        json!({"data": data, "info": {
            "per_page": per_page, "count": count, "page": page_no,
            "sort_by": sort_by, "sort_order": if descending { "desc" } else { "asc" },
            "more_records": more, "next_page_token": next_token,
            "previous_page_token": Value::Null, "page_token_expiry": expiry,
        }}),
    ))
}

/// A well-formed id that does not exist answers 204, a malformed one 400 `INVALID_DATA`
/// (Zoho's choice between the two is unconfirmed). A record the caller's role may not see
/// answers per `SimConfig::invisible_record`.
pub async fn one(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path((module, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let q = query(raw.as_deref());
    let fields = fields_param(module, &q, false)?;
    let since = if_modified_since(&headers)?;
    if id.len() != 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid_id(&id));
    }
    let inner = shared.lock();
    let viewer = inner.store.viewer(&auth.user_id);
    viewer.require(module, Perm::View)?;
    let Some(rec) = inner.store.get(module, &id) else {
        return Ok(no_content());
    };
    if !viewer.sees(module, rec) {
        return match shared.config.invisible_record {
            InvisibleRecord::NoPermission => Err(no_permission(module, Perm::View)),
            InvisibleRecord::NoContent => Ok(no_content()),
        };
    }
    if since.is_some_and(|s| !modified_after(rec, s)) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let data = render(&inner.store, module, rec, fields.as_deref(), Style::Rest);
    Ok(json(StatusCode::OK, json!({"data": [data]})))
}

fn deleted_entry(store: &Store, d: &crate::store::DeletedRecord) -> Value {
    json!({
        "deleted_by": minified_user(store, &d.deleted_by),
        "id": d.id,
        "display_name": d.display_name,
        "type": "recycle",
        "created_by": minified_user(store, &d.created_by),
        "deleted_time": format_in_tz(d.deleted_time, store.tz()),
    })
}

/// Only the recycle bin exists in the simulator (nothing is purged permanently).
pub async fn deleted(
    State(shared): State<Arc<Shared>>,
    Path(module): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let q = query(raw.as_deref());
    let kind = q.get("type").map_or("all", String::as_str);
    if !["all", "recycle", "permanent"].contains(&kind) {
        return Err(ApiError::invalid_param("type"));
    }
    let (per_page, page) = page_params(&q)?;
    let since = if_modified_since(&headers)?;
    let inner = shared.lock();
    let store = &inner.store;
    let all: Vec<&crate::store::DeletedRecord> = store
        .deleted(module)
        .iter()
        .rev()
        .filter(|_| kind != "permanent")
        .filter(|d| since.is_none_or(|s| d.deleted_time > s))
        .collect();
    let offset = (page - 1) * per_page;
    let data: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(per_page)
        .map(|d| deleted_entry(store, d))
        .collect();
    if data.is_empty() {
        return Ok(no_content());
    }
    let more = offset + data.len() < all.len();
    Ok(json(
        StatusCode::OK,
        json!({"data": data, "info": {"per_page": per_page, "count": data.len(), "page": page, "more_records": more}}),
    ))
}
