//! `GET /crm/v8/settings/fields?module=`, `GET /crm/v8/settings/layouts?module=` and `GET/PUT /crm/v8/settings/call_preferences`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::field_meta::{field_json, layout_id};
use super::{json, json_body, query};
use crate::error::ApiError;
use crate::state::Shared;
use crate::store::fields::fields as module_fields;
use crate::store::module::Module;

fn module_of_query(raw: Option<&str>) -> Result<Module, ApiError> {
    let q = query(raw);
    let name = q
        .get("module")
        .ok_or_else(|| ApiError::required_param("module"))?;
    Module::parse(name).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_MODULE",
            "the module name given seems to be invalid",
            json!({}),
        )
    })
}

pub async fn fields(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let m = module_of_query(raw.as_deref())?;
    let inner = shared.lock();
    let out: Vec<Value> = module_fields(m)
        .iter()
        .enumerate()
        .map(|(i, f)| field_json(&inner.store, m, i, f))
        .collect();
    Ok(json(StatusCode::OK, json!({"fields": out})))
}

/// `GET /crm/v8/settings/layouts?module=`: the module's one layout, "Standard", with one
/// section holding every field; `required` is what the layout makes mandatory (system
/// mandatory fields included), as Zoho's Layouts Metadata reports it.
pub async fn layouts(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let m = module_of_query(raw.as_deref())?;
    let inner = shared.lock();
    let layout = &inner.store.layout;
    let fields: Vec<Value> = module_fields(m)
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let meta = field_json(&inner.store, m, i, f);
            json!({
                "api_name": f.api_name, "id": meta["id"], "display_label": f.label,
                "field_label": f.label, "data_type": f.ty.data_type(), "length": f.length,
                "system_mandatory": f.mandatory, "read_only": f.read_only,
                "required": f.mandatory || layout.is_mandatory(m, f.api_name),
                "sequence_number": i + 1,
            })
        })
        .collect();
    let section = json!({
        "display_label": format!("{} Information", m.api_name()),
        "api_name": format!("{}_Information", m.api_name()),
        "sequence_number": 1, "column_count": 2, "tab_traversal": "left_to_right",
        "fields": fields,
    });
    Ok(json(
        StatusCode::OK,
        json!({"layouts": [{
            "id": layout_id(m), "name": "Standard", "api_name": "Standard",
            "display_label": "Standard", "status": "active", "visible": true,
            "source": "crm", "created_time": Value::Null, "modified_time": Value::Null,
            "sections": [section],
        }]}),
    ))
}

pub async fn get_prefs(State(shared): State<Arc<Shared>>) -> Result<Response, ApiError> {
    let (from, to) = shared.lock().store.call_preferences;
    Ok(json(
        StatusCode::OK,
        json!({"call_preferences": {"show_from_number": from, "show_to_number": to}}),
    ))
}

/// Both flags are required booleans (spec `CallPreferences`).
pub async fn put_prefs(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let v = json_body(&body)?;
    let prefs = v
        .get("call_preferences")
        .ok_or_else(|| ApiError::mandatory_not_found("call_preferences", "$.call_preferences"))?;
    let flag = |k: &str| -> Result<bool, ApiError> {
        match prefs.get(k) {
            None => Err(ApiError::mandatory_not_found(
                k,
                &format!("$.call_preferences.{k}"),
            )),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(ApiError::invalid_data(json!({
                "expected_data_type": "boolean", "api_name": k, "json_path": format!("$.call_preferences.{k}")
            }))),
        }
    };
    let (from, to) = (flag("show_from_number")?, flag("show_to_number")?);
    shared.lock().store.call_preferences = (from, to);
    Ok(json(
        StatusCode::OK,
        json!({"call_preferences": {"code": "SUCCESS", "status": "success", "message": "call preferences updated successfully", "details": {}}}),
    ))
}
