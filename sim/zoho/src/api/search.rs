//! `GET /crm/v8/{Module}/search` (criteria / email / phone / word) and
//! `GET /crm/v8/{Module}/actions/count`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::criteria::{self, Criteria, EvalOpts};
use super::paging::{fields_param, page_params};
use super::{Params, json, module_of, no_content, query};
use crate::auth::AuthCtx;
use crate::config::PhoneMatchMode;
use crate::error::ApiError;
use crate::state::Shared;
use crate::store::fields::{FieldType, fields, phone_fields};
use crate::store::module::Module;
use crate::store::phone::phone_matches;
use crate::store::render::{Style, render};
use crate::store::sharing::Perm;
use crate::store::{Record, Store};

/// A search reaches at most this many results (page × per_page).
const MAX_RESULTS: usize = 2_000;

enum Filter {
    Criteria(Criteria),
    Email(String),
    Phone(String),
    Word(String),
    All,
}

fn filter(module: Module, q: &Params) -> Result<Filter, ApiError> {
    if let Some(c) = q.get("criteria") {
        return criteria::parse(module, c).map(Filter::Criteria);
    }
    if let Some(e) = q.get("email") {
        return Ok(Filter::Email(e.trim().to_lowercase()));
    }
    if let Some(p) = q.get("phone") {
        return Ok(Filter::Phone(p.clone()));
    }
    if let Some(w) = q.get("word") {
        return Ok(Filter::Word(w.trim().to_lowercase()));
    }
    Ok(Filter::All)
}

fn text_of(rec: &Record, name: &str) -> Option<String> {
    rec.get(name).and_then(Value::as_str).map(str::to_lowercase)
}

fn keep(f: &Filter, module: Module, rec: &Record, mode: PhoneMatchMode) -> bool {
    match f {
        Filter::All => true,
        Filter::Criteria(c) => {
            let opts = EvalOpts {
                phone_mode: mode,
                multi: criteria::condition_count(c) > 1,
            };
            criteria::matches(c, rec, opts)
        }
        Filter::Email(e) => fields(module)
            .iter()
            .filter(|m| m.ty == FieldType::Email)
            .any(|m| text_of(rec, m.api_name).is_some_and(|v| v.trim() == e)),
        Filter::Phone(p) => phone_fields(module).any(|m| {
            rec.get(m.api_name)
                .and_then(Value::as_str)
                .is_some_and(|v| phone_matches(mode, v, p))
        }),
        Filter::Word(w) => {
            !w.is_empty()
                && fields(module)
                    .iter()
                    .filter(|m| m.ty.is_textual())
                    .any(|m| text_of(rec, m.api_name).is_some_and(|v| v.contains(w.as_str())))
        }
    }
}

/// Records matching `f` that `user_id` may see (invisible ones are left out, not refused).
fn matching<'a>(
    store: &'a Store,
    user_id: &str,
    module: Module,
    f: &Filter,
    mode: PhoneMatchMode,
) -> Result<Vec<&'a Record>, ApiError> {
    let viewer = store.viewer(user_id);
    viewer.require(module, Perm::View)?;
    Ok(store
        .records(module)
        .filter(|r| viewer.sees(module, r))
        .filter(|r| keep(f, module, r, mode))
        .collect())
}

pub async fn search(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path(module): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let q = query(raw.as_deref());
    let f = filter(module, &q)?;
    if matches!(f, Filter::All) {
        // Code and shape from spec `module_search.json` `Mandatory_Param_Missing`.
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "EXPECTED_PARAM_MISSING",
            "One of the expected parameter is missing",
            json!({"param_names": ["criteria", "email", "phone", "word"]}),
        ));
    }
    let (per_page, page) = page_params(&q)?;
    if page * per_page > MAX_RESULTS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "LIMIT_REACHED",
            "maximum response iteration limit reached",
            json!({"limit": "2000"}),
        ));
    }
    let only = fields_param(module, &q, false)?;
    let inner = shared.lock();
    let hits = matching(
        &inner.store,
        &auth.user_id,
        module,
        &f,
        inner.settings.phone_match,
    )?;
    let offset = (page - 1) * per_page;
    let data: Vec<Value> = hits
        .iter()
        .skip(offset)
        .take(per_page)
        .map(|r| render(&inner.store, module, r, only.as_deref(), Style::Rest))
        .collect();
    if data.is_empty() {
        return Ok(no_content());
    }
    let more = offset + data.len() < hits.len().min(MAX_RESULTS);
    Ok(json(
        StatusCode::OK,
        json!({"data": data, "info": {"per_page": per_page, "count": data.len(), "page": page, "more_records": more}}),
    ))
}

/// `{"count": "<n>"}` — a string, as spec `record.json` types it.
pub async fn count(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    Path(module): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let module = module_of(&module)?;
    let q = query(raw.as_deref());
    let f = filter(module, &q)?;
    let inner = shared.lock();
    let n = matching(
        &inner.store,
        &auth.user_id,
        module,
        &f,
        inner.settings.phone_match,
    )?
    .len();
    Ok(json(StatusCode::OK, json!({"count": n.to_string()})))
}
