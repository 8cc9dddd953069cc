//! Input validation for record writes, driven by the field table. Returns the first error Zoho
//! would report (mandatory fields first, then fields in layout order) with its `json_path`.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use super::Store;
use super::fields::{FieldMeta, FieldType, WHAT_ID_MODULES, fields};
use super::module::Module;
use crate::error::ApiError;

/// Insert checks mandatory fields; update only checks what is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Insert,
    Update,
}

/// Validates one input record (`$.data[idx]`) and returns the writable fields, normalised for
/// storage (datetimes in UTC, lookups as `{"id"}`). Read-only keys are ignored; unknown keys
/// are `INVALID_DATA` when the store refuses them, else ignored.
pub fn validate(
    store: &Store,
    module: Module,
    input: &Value,
    idx: usize,
    mode: Mode,
) -> Result<Map<String, Value>, ApiError> {
    let path = |name: &str| format!("$.data[{idx}].{name}");
    let Some(obj) = input.as_object() else {
        return Err(ApiError::invalid_data(
            json!({"expected_data_type": "jsonobject", "json_path": format!("$.data[{idx}]")}),
        ));
    };
    if store.refuse_unknown_fields
        && let Some(unknown) = obj.keys().find(|k| !is_known_key(module, k))
    {
        return Err(invalid(None, unknown, &path(unknown)));
    }
    if mode == Mode::Insert {
        let layout = &store.layout;
        let required = |f: &&FieldMeta| f.mandatory || layout.is_mandatory(module, f.api_name);
        for meta in fields(module).iter().filter(required) {
            if is_blank(obj.get(meta.api_name)) {
                return Err(ApiError::mandatory_not_found(
                    meta.api_name,
                    &path(meta.api_name),
                ));
            }
        }
    }
    let mut out = Map::new();
    for meta in fields(module).iter().filter(|f| !f.read_only) {
        let Some(value) = obj.get(meta.api_name) else {
            continue;
        };
        if value.is_null() || value.as_str() == Some("") {
            if meta.mandatory || store.layout.is_mandatory(module, meta.api_name) {
                return Err(ApiError::mandatory_not_found(
                    meta.api_name,
                    &path(meta.api_name),
                ));
            }
            out.insert(meta.api_name.to_owned(), Value::Null);
            continue;
        }
        let clean = check_value(store, meta, value, &path(meta.api_name))?;
        out.insert(meta.api_name.to_owned(), clean);
    }
    if let Some(what) = out.get("What_Id").filter(|v| !v.is_null()) {
        let id = what["id"].as_str().unwrap_or_default().to_owned();
        let se = match obj.get("$se_module") {
            None | Some(Value::Null) => {
                return Err(ApiError::mandatory_not_found(
                    "$se_module",
                    &path("$se_module"),
                ));
            }
            Some(v) => v.as_str().and_then(Module::parse),
        };
        let se = se
            .filter(|m| WHAT_ID_MODULES.contains(m))
            .ok_or_else(|| invalid(None, "$se_module", &path("$se_module")))?;
        if store.get(se, &id).is_none() {
            return Err(invalid(None, "What_Id", &path("What_Id")));
        }
        out.insert("$se_module".into(), json!(se.api_name()));
    } else if out.get("What_Id").is_some_and(Value::is_null) {
        out.insert("$se_module".into(), Value::Null);
    }
    Ok(out)
}

/// A field of the module, the record `id`, or a `$` system key (`$se_module`, …).
fn is_known_key(module: Module, key: &str) -> bool {
    key == "id" || key.starts_with('$') || fields(module).iter().any(|f| f.api_name == key)
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

fn invalid(expected: Option<&str>, api_name: &str, json_path: &str) -> ApiError {
    match expected {
        Some(t) => ApiError::invalid_data(
            json!({"expected_data_type": t, "api_name": api_name, "json_path": json_path}),
        ),
        None => ApiError::invalid_data(json!({"api_name": api_name, "json_path": json_path})),
    }
}

fn check_value(
    store: &Store,
    meta: &FieldMeta,
    value: &Value,
    json_path: &str,
) -> Result<Value, ApiError> {
    let name = meta.api_name;
    let expect = |t: &str| invalid(Some(t), name, json_path);
    match meta.ty {
        FieldType::Text
        | FieldType::TextArea
        | FieldType::Phone
        | FieldType::Website
        | FieldType::Email => {
            let s = value.as_str().ok_or_else(|| expect(meta.ty.data_type()))?;
            if s.chars().count() > meta.length as usize {
                // `maximum_length` is an integer in common.json/users.json (a string in record.json).
                return Err(ApiError::invalid_data(json!({
                    "maximum_length": meta.length, "api_name": name, "json_path": json_path
                })));
            }
            if meta.ty == FieldType::Email && !looks_like_email(s) {
                return Err(expect("email"));
            }
            Ok(json!(s))
        }
        FieldType::Picklist => {
            let s = value.as_str().ok_or_else(|| expect("picklist"))?;
            if !meta.picklist.contains(&s) {
                return Err(invalid(None, name, json_path));
            }
            Ok(json!(s))
        }
        FieldType::Integer => value
            .as_i64()
            .map(|n| json!(n))
            .ok_or_else(|| expect("integer")),
        FieldType::Currency => value
            .as_f64()
            .map(|n| json!(n))
            .ok_or_else(|| expect("currency")),
        FieldType::Boolean => value
            .as_bool()
            .map(|b| json!(b))
            .ok_or_else(|| expect("boolean")),
        FieldType::Date => {
            let s = value.as_str().ok_or_else(|| expect("date"))?;
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| expect("date"))?;
            Ok(json!(s))
        }
        FieldType::DateTime => {
            let s = value.as_str().ok_or_else(|| expect("datetime"))?;
            let at = parse_zoho_datetime(s).ok_or_else(|| expect("datetime"))?;
            Ok(json!(canonical_utc(at)))
        }
        FieldType::CallDuration => {
            let s = value.as_str().ok_or_else(|| expect("text"))?;
            parse_duration(s).ok_or_else(|| invalid(None, name, json_path))?;
            Ok(json!(s))
        }
        FieldType::Lookup(target) => {
            let id = lookup_id(value).ok_or_else(|| expect("jsonobject"))?;
            if store.get(target, &id).is_none() {
                return Err(invalid(None, name, json_path));
            }
            Ok(json!({"id": id}))
        }
        FieldType::OwnerLookup => {
            let id = lookup_id(value).ok_or_else(|| expect("jsonobject"))?;
            match store.user(&id) {
                Some(u) if u.active => Ok(json!({"id": id})),
                _ => Err(invalid(None, name, json_path)),
            }
        }
        FieldType::Tag => {
            let names = value.as_array().ok_or_else(|| expect("jsonarray"))?;
            let mut out = Vec::with_capacity(names.len());
            for tag in names {
                let name = tag
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| expect("jsonobject"))?;
                if name.chars().count() > meta.length as usize {
                    return Err(ApiError::invalid_data(json!({
                        "maximum_length": meta.length, "api_name": meta.api_name, "json_path": json_path
                    })));
                }
                out.push(json!({"name": name}));
            }
            Ok(Value::Array(out))
        }
        // Existence is checked against `$se_module` by the caller.
        FieldType::MultiModuleLookup => {
            let id = lookup_id(value).ok_or_else(|| expect("jsonobject"))?;
            Ok(json!({"id": id}))
        }
    }
}

fn lookup_id(value: &Value) -> Option<String> {
    match value.as_object()?.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn looks_like_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

/// Zoho's datetime input: `yyyy-MM-ddTHH:mm:ss±HH:mm` (a `Z` offset is accepted too;
/// fractional seconds and missing offsets are rejected — Zoho's tolerance is unconfirmed).
pub fn parse_zoho_datetime(s: &str) -> Option<DateTime<Utc>> {
    let normalised = match s.strip_suffix('Z') {
        Some(head) => format!("{head}+00:00"),
        None => s.to_owned(),
    };
    DateTime::parse_from_str(&normalised, "%Y-%m-%dT%H:%M:%S%:z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Storage form of a datetime.
pub fn canonical_utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// `mm:ss` (minutes may exceed 59, seconds may not) to seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let (m, sec) = s.split_once(':')?;
    if m.is_empty() || sec.len() != 2 || !m.bytes().chain(sec.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (m, sec): (i64, i64) = (m.parse().ok()?, sec.parse().ok()?);
    (sec < 60).then_some(m * 60 + sec)
}

/// Seconds to `mm:ss`.
pub fn format_duration(secs: u64) -> String {
    format!("{:02}:{:02}", secs / 60, secs % 60)
}
