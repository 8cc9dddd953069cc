//! `GET /crm/v8/users` and `GET /crm/v8/users/{id}`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::paging::{if_modified_since, page_params};
use super::{json, no_content, query};
use crate::auth::AuthCtx;
use crate::error::ApiError;
use crate::state::Shared;
use crate::store::render::{format_in_tz, minified_user};
use crate::store::{Store, User};

/// A stable 19-digit id for a role or profile name.
fn named_id(kind: u64, name: &str) -> String {
    let sum: u64 = name.bytes().map(u64::from).sum();
    format!("5725767{:012}", 26_000 + kind * 1_000 + sum % 997)
}

/// A user with the keys of spec `users.json` `users` that a default org fills in.
pub fn user_json(store: &Store, u: &User) -> Value {
    let tz = store.tz();
    let primary = store
        .primary_user()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    json!({
        "id": u.id, "zuid": u.zuid, "email": u.email,
        "first_name": u.first_name, "last_name": u.last_name, "full_name": u.full_name(),
        "status": if u.active { "active" } else { "disabled" },
        "confirm": u.confirm,
        "role": {"name": u.role, "id": named_id(1, &u.role)},
        "profile": {"name": u.profile, "id": named_id(2, &u.profile)},
        "time_zone": u.time_zone, "locale": "en_US", "country_locale": "en_US", "language": "en_US",
        "country": Value::Null, "state": Value::Null, "city": Value::Null, "street": Value::Null,
        "zip": Value::Null, "fax": Value::Null, "website": Value::Null, "alias": Value::Null,
        "dob": Value::Null, "signature": Value::Null,
        "phone": u.phone, "mobile": Value::Null,
        "date_format": "MMM d, yyyy", "time_format": "hh:mm a",
        "decimal_separator": "Period", "number_separator": "Space",
        "name_format__s": "Salutation,First Name,Last Name",
        "sort_order_preference__s": "First Name,Last Name",
        "status_reason__s": Value::Null, "Isonline": false, "microsoft": false,
        "personal_account": false, "sandboxDeveloper": false, "category": "regular_user",
        "created_time": format_in_tz(u.created_time, tz),
        "Modified_Time": format_in_tz(u.modified_time, tz),
        "created_by": minified_user(store, &primary),
        "Modified_By": owner(store, &primary),
    })
}

/// `Modified_By` uses spec `owner` (name, id, first_name, last_name).
fn owner(store: &Store, id: &str) -> Value {
    let u = store.user(id);
    json!({
        "name": u.map(User::full_name), "id": id,
        "first_name": u.and_then(|u| u.first_name.clone()), "last_name": u.map(|u| u.last_name.clone()),
    })
}

fn wanted(kind: &str, u: &User, me: &str) -> Result<bool, ApiError> {
    Ok(match kind {
        "AllUsers" => true,
        "ActiveUsers" => u.active,
        "DeactiveUsers" => !u.active,
        "ConfirmedUsers" => u.confirm,
        "NotConfirmedUsers" => !u.confirm,
        "ActiveConfirmedUsers" => u.active && u.confirm,
        "CurrentUser" => u.id == me,
        _ => return Err(ApiError::invalid_param("type")),
    })
}

/// No `type` lists all users (default unconfirmed).
pub async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = query(raw.as_deref());
    let kind = q.get("type").map_or("AllUsers", String::as_str);
    let (per_page, page) = page_params(&q)?;
    let since = if_modified_since(&headers)?;
    let ids: Option<Vec<&str>> = q.get("ids").map(|s| s.split(',').map(str::trim).collect());
    let inner = shared.lock();
    let store = &inner.store;
    let mut users = Vec::new();
    for u in &store.users {
        if wanted(kind, u, &auth.user_id)?
            && ids.as_ref().is_none_or(|ids| ids.contains(&u.id.as_str()))
            && since.is_none_or(|s| u.modified_time > s)
        {
            users.push(u);
        }
    }
    if users.is_empty() && since.is_some() {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let offset = (page - 1) * per_page;
    let out: Vec<Value> = users
        .iter()
        .skip(offset)
        .take(per_page)
        .map(|u| user_json(store, u))
        .collect();
    if out.is_empty() {
        return Ok(no_content());
    }
    let more = offset + out.len() < users.len();
    Ok(json(
        StatusCode::OK,
        json!({"users": out, "info": {"per_page": per_page, "count": out.len(), "page": page, "more_records": more}}),
    ))
}

/// Unknown ids answer 204 (spec lists 204 for this call).
pub async fn one(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let inner = shared.lock();
    let Some(u) = inner.store.user(&id) else {
        return Ok(no_content());
    };
    let body = json!({"users": [user_json(&inner.store, u)],
        "info": {"per_page": 200, "count": 1, "page": 1, "more_records": false}});
    Ok(json(StatusCode::OK, body))
}
