//! Records as Zoho returns them: datetimes in the org time zone, lookups with `name`
//! (REST) or bare `{"id"}` (COQL), requested fields only.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::fields::{FieldType, field, fields};
use super::module::Module;
use super::{Record, Store};

/// REST responses add `name` (and `email` for users) to lookups; COQL returns `{"id"}` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Rest,
    Coql,
}

/// Formats a UTC instant in `tz` the way Zoho does: `2025-03-10T14:05:00+01:00`.
pub fn format_in_tz(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Renders `rec`. `only = None` renders every field of the module; otherwise `id` plus the
/// listed fields (unknown names are the caller's concern).
pub fn render(
    store: &Store,
    module: Module,
    rec: &Record,
    only: Option<&[String]>,
    style: Style,
) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), rec.get("id").cloned().unwrap_or(Value::Null));
    let names: Vec<&str> = match only {
        Some(list) => list
            .iter()
            .map(String::as_str)
            .filter(|n| *n != "id")
            .collect(),
        None => fields(module).iter().map(|f| f.api_name).collect(),
    };
    for name in names {
        let value = rec.get(name).cloned().unwrap_or(Value::Null);
        let rendered = match field(module, name) {
            Some(meta) => render_value(store, meta.ty, &value, rec, style),
            None => value,
        };
        out.insert(name.to_owned(), rendered);
        if name == "What_Id" {
            let se = rec.get("$se_module").cloned().unwrap_or(Value::Null);
            out.insert("$se_module".into(), se);
        }
    }
    Value::Object(out)
}

fn render_value(store: &Store, ty: FieldType, value: &Value, rec: &Record, style: Style) -> Value {
    if value.is_null() {
        // A record without tags lists none (spec `record.json`: `Tag` is an array).
        return if ty == FieldType::Tag {
            json!([])
        } else {
            Value::Null
        };
    }
    let id = value.get("id").and_then(Value::as_str).unwrap_or_default();
    match (ty, style) {
        (FieldType::DateTime, _) => value
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map_or(Value::Null, |d| {
                json!(format_in_tz(d.with_timezone(&Utc), store.tz()))
            }),
        (
            FieldType::Lookup(_) | FieldType::OwnerLookup | FieldType::MultiModuleLookup,
            Style::Coql,
        ) => {
            json!({"id": id})
        }
        (FieldType::Lookup(target), Style::Rest) => {
            json!({"name": store.display_name(target, id), "id": id})
        }
        (FieldType::MultiModuleLookup, Style::Rest) => {
            let target = rec
                .get("$se_module")
                .and_then(Value::as_str)
                .and_then(Module::parse);
            let name = target.and_then(|m| store.display_name(m, id));
            json!({"name": name, "id": id})
        }
        (FieldType::OwnerLookup, Style::Rest) => match store.user(id) {
            Some(u) => json!({"name": u.full_name(), "id": id, "email": u.email}),
            None => json!({"name": Value::Null, "id": id}),
        },
        _ => value.clone(),
    }
}

/// `{"name","id","email"}` of a user (spec `Minified_User`).
pub fn minified_user(store: &Store, id: &str) -> Value {
    match store.user(id) {
        Some(u) => json!({"name": u.full_name(), "id": id, "email": u.email}),
        None => json!({"name": "", "id": id}),
    }
}
