//! Record writes: insert, update, upsert, delete. One result per input record, in order;
//! 201/200 when all succeed, 207 when mixed, 400 when all fail (docs/zoho-api.md §2.1, §2.3).

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{json, json_body, module_of, query};
use crate::auth::AuthCtx;
use crate::error::ApiError;
use crate::state::Shared;
use crate::store::module::Module;
use crate::store::sharing::{Perm, no_permission};
use crate::store::{Store, WriteCtx};

/// Records per write request.
pub const MAX_RECORDS: usize = 100;

type Item = Result<Value, ApiError>;

/// The `data` array; absent, not an array or empty is `INVALID_DATA` (exact reply
/// unconfirmed), more than 100 records is `LIMIT_EXCEEDED`.
fn data_array(body: &[u8]) -> Result<(Vec<Value>, Value), ApiError> {
    let v = json_body(body)?;
    let arr = v
        .get("data")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .cloned()
        .ok_or_else(|| {
            ApiError::invalid_data(json!({"expected_data_type": "jsonarray", "api_name": "data"}))
        })?;
    if arr.len() > MAX_RECORDS {
        return Err(ApiError::limit_exceeded(
            "Record count exceeded",
            json!({"limit": MAX_RECORDS}),
        ));
    }
    Ok((arr, v))
}

fn success(store: &Store, module: Module, id: &str, message: &str) -> Value {
    let rec = store.get(module, id).cloned().unwrap_or_default();
    // Zoho's examples show `{"name","id"}` here (no `email`, unlike record reads).
    let by = |k: &str| {
        let uid = rec
            .get(k)
            .and_then(|v| v["id"].as_str())
            .unwrap_or_default();
        let name = store.user(uid).map(|u| u.full_name()).unwrap_or_default();
        json!({"name": name, "id": uid})
    };
    let time = |k: &str| {
        rec.get(k)
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| crate::store::render::format_in_tz(t.to_utc(), store.tz()))
    };
    json!({
        "code": "SUCCESS",
        "details": {
            "Modified_Time": time("Modified_Time"), "Modified_By": by("Modified_By"),
            "Created_Time": time("Created_Time"), "id": id, "Created_By": by("Created_By"),
            // Zoho's examples: records outside an approval process are "approved".
            "$approval_state": "approved",
        },
        "message": message,
        "status": "success",
    })
}

fn respond(items: Vec<Item>, all_ok: StatusCode) -> Response {
    let ok = items.iter().filter(|i| i.is_ok()).count();
    let status = match ok {
        n if n == items.len() => all_ok,
        0 => StatusCode::BAD_REQUEST,
        _ => StatusCode::MULTI_STATUS,
    };
    let data: Vec<Value> = items
        .into_iter()
        .map(|i| i.unwrap_or_else(|e| e.body()))
        .collect();
    json(status, json!({"data": data}))
}

fn ctx(shared: &Shared, auth: &AuthCtx) -> WriteCtx {
    WriteCtx {
        user_id: auth.user_id.clone(),
        now: shared.clock.now(),
    }
}

pub async fn insert(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path(module): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let (data, _) = data_array(&body)?;
    let ctx = ctx(&shared, &auth);
    let mut inner = shared.lock();
    let store = &mut inner.store;
    store.viewer(&auth.user_id).require(module, Perm::Create)?;
    let items = data
        .iter()
        .enumerate()
        .map(|(i, rec)| {
            let id = store.insert(module, rec, i, &ctx)?;
            Ok(success(store, module, &id, "record added"))
        })
        .collect();
    Ok(respond(items, StatusCode::CREATED))
}

/// A record the caller's profile or sharing does not let them change is refused with
/// `NO_PERMISSION` for that record (unknown ids are left to the store's own answer).
fn check_change(
    store: &Store,
    module: Module,
    id: &str,
    perm: Perm,
    ctx: &WriteCtx,
) -> Result<(), ApiError> {
    match store.get(module, id) {
        Some(rec) if !store.viewer(&ctx.user_id).may_change(module, rec, perm) => {
            Err(no_permission(module, perm))
        }
        _ => Ok(()),
    }
}

fn update_items(
    store: &mut Store,
    module: Module,
    data: &[Value],
    path_id: Option<&str>,
    ctx: &WriteCtx,
) -> Vec<Item> {
    data.iter()
        .enumerate()
        .map(|(i, rec)| {
            let id = match path_id {
                Some(id) => id.to_owned(),
                None => match rec.get("id") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => {
                        return Err(ApiError::mandatory_not_found(
                            "id",
                            &format!("$.data[{i}].id"),
                        ));
                    }
                },
            };
            check_change(store, module, &id, Perm::Edit, ctx)?;
            store.update(module, &id, rec, i, ctx)?;
            Ok(success(store, module, &id, "record updated"))
        })
        .collect()
}

pub async fn update_many(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path(module): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let (data, _) = data_array(&body)?;
    let ctx = ctx(&shared, &auth);
    let items = update_items(&mut shared.lock().store, module, &data, None, &ctx);
    Ok(respond(items, StatusCode::OK))
}

pub async fn update_one(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path((module, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let (data, _) = data_array(&body)?;
    let ctx = ctx(&shared, &auth);
    let items = update_items(
        &mut shared.lock().store,
        module,
        &data[..1],
        Some(&id),
        &ctx,
    );
    Ok(respond(items, StatusCode::OK))
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
        _ => a == b,
    }
}

/// Upsert: the first `duplicate_check_fields` entry (or the module default) whose value
/// matches an existing record turns the item into an update.
pub async fn upsert(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path(module): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    if module == Module::Calls {
        // Calls cannot be upserted (docs/zoho-api.md §3.2); the exact error is unconfirmed.
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "NOT_SUPPORTED",
            "upsert is not supported for this module",
            json!({"resource_path_index": 0}),
        ));
    }
    let (data, whole) = data_array(&body)?;
    let dup_fields: Vec<String> = match whole
        .get("duplicate_check_fields")
        .and_then(Value::as_array)
    {
        Some(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        None => module
            .default_duplicate_fields()
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    };
    let ctx = ctx(&shared, &auth);
    let mut inner = shared.lock();
    let store = &mut inner.store;
    let mut items = Vec::new();
    for (i, rec) in data.iter().enumerate() {
        let existing = dup_fields.iter().find_map(|f| {
            let v = rec.get(f).filter(|v| !v.is_null())?;
            let hit = store
                .records(module)
                .find(|r| r.get(f).is_some_and(|x| same(x, v)))?;
            Some((f.clone(), hit["id"].as_str().unwrap_or_default().to_owned()))
        });
        let item = match existing {
            Some((f, id)) => store.update(module, &id, rec, i, &ctx).map(|()| {
                let mut s = success(store, module, &id, "record updated");
                s["action"] = json!("update");
                s["duplicate_field"] = json!(f);
                s
            }),
            None => store.insert(module, rec, i, &ctx).map(|id| {
                let mut s = success(store, module, &id, "record added");
                s["action"] = json!("insert");
                s["duplicate_field"] = Value::Null;
                s
            }),
        };
        items.push(item);
    }
    Ok(respond(items, StatusCode::OK))
}

fn delete_items(store: &mut Store, module: Module, ids: &[&str], ctx: &WriteCtx) -> Vec<Item> {
    ids.iter()
        .map(|id| {
            check_change(store, module, id, Perm::Delete, ctx)?;
            store.delete(module, id, ctx)?;
            Ok(json!({"code": "SUCCESS", "details": {"id": id}, "message": "record deleted", "status": "success"}))
        })
        .collect()
}

pub async fn delete_many(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path(module): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let q = query(raw.as_deref());
    let ids: Vec<&str> = q
        .get("ids")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(ApiError::required_param("ids"));
    }
    if ids.len() > MAX_RECORDS {
        return Err(ApiError::limit_exceeded(
            "Record count exceeded",
            json!({"limit": MAX_RECORDS}),
        ));
    }
    let ctx = ctx(&shared, &auth);
    let items = delete_items(&mut shared.lock().store, module, &ids, &ctx);
    Ok(respond(items, StatusCode::OK))
}

pub async fn delete_one(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path((module, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let ctx = ctx(&shared, &auth);
    let items = delete_items(&mut shared.lock().store, module, &[id.as_str()], &ctx);
    Ok(respond(items, StatusCode::OK))
}
