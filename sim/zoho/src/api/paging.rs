//! Shared parameter parsing for list-like endpoints: `fields`, `per_page`, `page`,
//! `If-Modified-Since`.

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::Params;
use crate::error::ApiError;
use crate::store::fields::field;
use crate::store::module::Module;
use crate::store::validate::parse_zoho_datetime;

/// `per_page` default and maximum.
pub const MAX_PER_PAGE: usize = 200;
/// `fields` may name at most this many fields.
pub const MAX_FIELDS: usize = 50;

/// The `fields` list: mandatory when `required`, ≤ 50 names, each a field of the module
/// (`id` allowed). Unknown names are `INVALID_DATA` with `api_name` (unconfirmed).
pub fn fields_param(
    module: Module,
    q: &Params,
    required: bool,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(raw) = q.get("fields").filter(|s| !s.trim().is_empty()) else {
        return if required {
            Err(ApiError::required_param("fields"))
        } else {
            Ok(None)
        };
    };
    let names: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if names.len() > MAX_FIELDS {
        return Err(ApiError::limit_exceeded(
            "Max field limit exceeded",
            json!({"limit": MAX_FIELDS}),
        ));
    }
    if let Some(bad) = names
        .iter()
        .find(|n| *n != "id" && field(module, n).is_none())
    {
        return Err(ApiError::invalid_data(json!({"api_name": bad})));
    }
    Ok(Some(names))
}

fn positive(q: &Params, name: &str, default: usize) -> Result<usize, ApiError> {
    match q.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ApiError::invalid_param(name)),
    }
}

/// `per_page` (1..=200) and `page` (≥ 1).
pub fn page_params(q: &Params) -> Result<(usize, usize), ApiError> {
    let per_page = positive(q, "per_page", MAX_PER_PAGE)?;
    if per_page > MAX_PER_PAGE {
        return Err(ApiError::invalid_param("per_page"));
    }
    Ok((per_page, positive(q, "page", 1)?))
}

/// The `If-Modified-Since` header, if sent (ISO 8601 with offset).
pub fn if_modified_since(headers: &HeaderMap) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(v) = headers.get("if-modified-since") else {
        return Ok(None);
    };
    v.to_str()
        .ok()
        .and_then(parse_zoho_datetime)
        .map(Some)
        .ok_or_else(|| ApiError::invalid_param("If-Modified-Since"))
}
