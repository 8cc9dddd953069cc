//! REST endpoint handlers and their shared request plumbing.

pub mod auth;
pub mod calls;
pub mod cdr;
pub mod contacts;
pub mod control;
pub mod extensions;
pub mod phonebooks;
pub mod recordings;
pub mod system;
pub mod webhooks;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::AccessInfo;
use crate::codes::{ApiError, Reply};
use crate::state::Shared;

/// One API request, parsed.
pub struct Ctx {
    /// Simulator.
    pub shared: Arc<Shared>,
    /// Query parameters (last value wins).
    pub query: HashMap<String, String>,
    /// Raw body.
    pub body: Bytes,
    /// Peer address.
    pub ip: IpAddr,
    /// The validated token (absent for `get_token` / `refresh_token`).
    pub token: Option<AccessInfo>,
}

impl Ctx {
    /// The JSON body as `T`; a missing, malformed or wrongly typed body is `40002`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            // serde names the field in backticks ("missing field `username`").
            let text = e.to_string();
            let field = text.split('`').nth(1).unwrap_or("body");
            ApiError::invalid_param(field, "FORMAT", "")
        })
    }

    /// A query parameter (empty counts as absent).
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A numeric query parameter; non-numeric is `40002`.
    pub fn q_u64(&self, key: &str) -> Result<Option<u64>, ApiError> {
        self.q(key)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| ApiError::invalid_param(key, "NUMBER", v))
            })
            .transpose()
    }

    /// A required numeric query parameter.
    pub fn q_id(&self, key: &str) -> Result<u64, ApiError> {
        self.q_u64(key)?
            .ok_or_else(|| ApiError::invalid_param(key, "REQUIRED", ""))
    }

    /// Paging and sorting parameters, validated against the endpoint's `sort_by` fields.
    pub fn paging(&self, sortable: &[&str]) -> Result<Paging, ApiError> {
        let page = self.q_u64("page")?.unwrap_or(1);
        let page_size = self.q_u64("page_size")?.unwrap_or(MAX_PAGE_SIZE);
        if page == 0 {
            return Err(ApiError::invalid_param("page", "RANGE", "0"));
        }
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            let value = page_size.to_string();
            return Err(ApiError::invalid_param("page_size", "RANGE", &value));
        }
        let sort_by = match self.q("sort_by") {
            Some(s) if sortable.contains(&s) => Some(s.to_owned()),
            Some(s) => return Err(ApiError::invalid_param("sort_by", "ENUM", s)),
            None => None,
        };
        let desc = match self.q("order_by") {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(s) => return Err(ApiError::invalid_param("order_by", "ENUM", s)),
        };
        Ok(Paging {
            page,
            page_size,
            sort_by,
            desc,
        })
    }
}

/// Largest and default `page_size` (docs/yeastar-api.md §1).
pub const MAX_PAGE_SIZE: u64 = 10_000;

/// Validated paging request.
#[derive(Debug, Clone)]
pub struct Paging {
    /// 1-based page.
    pub page: u64,
    /// Rows per page.
    pub page_size: u64,
    /// Sort field.
    pub sort_by: Option<String>,
    /// Descending order.
    pub desc: bool,
}

fn compare(a: &Value, b: &Value, key: &str) -> Ordering {
    match (&a[key], &b[key]) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

impl Paging {
    /// Sorts (stable; `sort_key` maps the public field to the row field) and pages rows into
    /// a list reply with `total_number` and `data`.
    pub fn reply(&self, mut rows: Vec<Value>, sort_key: impl Fn(&str) -> String) -> Reply {
        if let Some(field) = &self.sort_by {
            let key = sort_key(field);
            rows.sort_by(|a, b| compare(a, b, &key));
        }
        if self.desc {
            rows.reverse();
        }
        let total = rows.len();
        let skip =
            usize::try_from((self.page - 1).saturating_mul(self.page_size)).unwrap_or(usize::MAX);
        let take = usize::try_from(self.page_size).unwrap_or(usize::MAX);
        let data: Vec<Value> = rows.into_iter().skip(skip).take(take).collect();
        Reply::ok()
            .with("total_number", total)
            .with("data", Value::Array(data))
    }
}
