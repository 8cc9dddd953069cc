//! Typed comparison of stored values with query literals (search criteria and COQL).

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::fields::{FieldMeta, FieldType};
use super::validate::parse_zoho_datetime;

/// A value reduced to something comparable. Text is compared case-insensitively (Zoho's
/// search and COQL string matching are case-insensitive in practice; unconfirmed in detail).
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum Typed {
    Text(String),
    Num(f64),
    Time(DateTime<Utc>),
    Date(NaiveDate),
    Bool(bool),
}

impl Typed {
    pub fn cmp(&self, other: &Typed) -> Option<Ordering> {
        self.partial_cmp(other)
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Typed::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// The comparable form of a stored value (lookups compare by id). `None` for null.
pub fn stored(meta: &FieldMeta, v: &Value) -> Option<Typed> {
    match meta.ty {
        _ if v.is_null() => None,
        FieldType::Integer | FieldType::Currency => v.as_f64().map(Typed::Num),
        FieldType::Boolean => v.as_bool().map(Typed::Bool),
        FieldType::DateTime => v
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| Typed::Time(d.to_utc())),
        FieldType::Date => v
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(Typed::Date),
        FieldType::Lookup(_) | FieldType::OwnerLookup | FieldType::MultiModuleLookup => v
            .get("id")
            .and_then(Value::as_str)
            .map(|s| Typed::Text(s.to_owned())),
        _ => v.as_str().map(|s| Typed::Text(s.to_lowercase())),
    }
}

/// Parses a literal for a field; `None` when it does not fit the field's type.
pub fn literal(meta: &FieldMeta, lit: &str) -> Option<Typed> {
    let lit = lit.trim();
    match meta.ty {
        FieldType::Integer | FieldType::Currency => lit.parse().ok().map(Typed::Num),
        FieldType::Boolean => lit.parse().ok().map(Typed::Bool),
        FieldType::DateTime => parse_zoho_datetime(lit).map(Typed::Time),
        FieldType::Date => NaiveDate::parse_from_str(lit, "%Y-%m-%d")
            .ok()
            .map(Typed::Date),
        FieldType::Lookup(_) | FieldType::OwnerLookup | FieldType::MultiModuleLookup => lit
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| Typed::Text(lit.to_owned())),
        _ => Some(Typed::Text(lit.to_lowercase())),
    }
}

/// Whether ordering comparisons make sense for the type.
pub fn orderable(meta: &FieldMeta) -> bool {
    matches!(
        meta.ty,
        FieldType::Integer | FieldType::Currency | FieldType::DateTime | FieldType::Date
    )
}

/// SQL-like pattern with `%` wildcards, case-insensitive.
pub fn like(value: &str, pattern: &str) -> bool {
    let v = value.to_lowercase();
    let p = pattern.to_lowercase();
    let parts: Vec<&str> = p.split('%').collect();
    if parts.len() == 1 {
        return v == p;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !v.starts_with(first) || !v[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &v[first.len()..v.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}
