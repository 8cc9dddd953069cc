//! `GET /crm/v8/settings/fields?module=` and `GET/PUT /crm/v8/settings/call_preferences`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{json, json_body, query};
use crate::error::ApiError;
use crate::state::Shared;
use crate::store::fields::{FieldMeta, FieldType, WHAT_ID_MODULES, fields as module_fields};
use crate::store::module::Module;

fn module_ref(m: Module) -> Value {
    json!({"api_name": m.api_name(), "id": format!("5725767{:012}", 1_000 + m.id_suffix())})
}

fn field_json(module: Module, n: usize, f: &FieldMeta) -> Value {
    let id = format!(
        "5725767{:012}",
        100_000 + module.id_suffix() * 1_000 + n as u64
    );
    let picks: Vec<Value> = f
        .picklist
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({"display_value": v, "actual_value": v, "sequence_number": i + 1, "type": "used",
                   "id": format!("{id}{i}"), "colour_code": Value::Null})
        })
        .collect();
    let lookup = match f.ty {
        FieldType::Lookup(target) => {
            json!({"module": module_ref(target), "api_name": Value::Null, "display_label": target.api_name()})
        }
        _ => Value::Null,
    };
    let multi = match f.ty {
        FieldType::MultiModuleLookup => json!({
            "api_name": f.api_name, "display_label": f.label,
            "modules": WHAT_ID_MODULES.iter().map(|m| module_ref(*m)).collect::<Vec<_>>()
        }),
        _ => Value::Null,
    };
    json!({
        "id": id, "api_name": f.api_name, "field_label": f.label, "display_label": f.label,
        "column_name": f.api_name.to_uppercase(), "data_type": f.ty.data_type(),
        "json_type": match f.ty {
            FieldType::Integer => "integer", FieldType::Currency => "double", FieldType::Boolean => "boolean",
            FieldType::Lookup(_) | FieldType::OwnerLookup | FieldType::MultiModuleLookup => "jsonobject",
            _ => "string",
        },
        "length": f.length, "system_mandatory": f.mandatory, "read_only": f.read_only,
        "field_read_only": f.read_only, "custom_field": false, "visible": true,
        "searchable": f.ty.is_textual(), "filterable": true, "sortable": true,
        "pick_list_values": picks, "lookup": lookup, "multi_module_lookup": multi,
        "created_source": "default", "type": "used",
    })
}

pub async fn fields_handler(module: Option<&String>) -> Result<Response, ApiError> {
    let name = module.ok_or_else(|| ApiError::required_param("module"))?;
    let m = Module::parse(name).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_MODULE",
            "the module name given seems to be invalid",
            json!({}),
        )
    })?;
    let out: Vec<Value> = module_fields(m)
        .iter()
        .enumerate()
        .map(|(i, f)| field_json(m, i, f))
        .collect();
    Ok(json(StatusCode::OK, json!({"fields": out})))
}

pub async fn fields(RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = query(raw.as_deref());
    fields_handler(q.get("module")).await
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
