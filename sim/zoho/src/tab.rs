//! The record page at Zoho's own URL shape, `/crm/tab/{module}/{id}` (what
//! ringbridge's `record_url` gives for this API domain), so a screen pop
//! lands on a page that names the record — and the browser extension has
//! a Zoho-CRM-shaped page to turn phone numbers into click-to-call links.
//!
//! Only the outline matters: a record name heading and a field list whose
//! phone fields hold numbers as Zoho shows them. No script, no styles.

use std::fmt::Write;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::state::Shared;
use crate::store::module::Module;
use crate::store::render::{Style, render};
use crate::web::{esc, text};

/// Fields shown, in order, when the record has them.
const FIELDS: &[(&str, &str)] = &[
    ("Account_Name", "Account Name"),
    ("Company", "Company"),
    ("Email", "Email"),
    ("Phone", "Phone"),
    ("Mobile", "Mobile"),
    ("Home_Phone", "Home Phone"),
    ("Other_Phone", "Other Phone"),
    ("Subject", "Subject"),
    ("Call_Type", "Call Type"),
    ("Who_Id", "Contact Name"),
    ("What_Id", "Related To"),
];

const PHONE_FIELDS: &[&str] = &["Phone", "Mobile", "Home_Phone", "Other_Phone"];

pub fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/crm/tab/{module}/{id}", get(record))
}

async fn record(
    State(shared): State<Arc<Shared>>,
    Path((module, id)): Path<(String, String)>,
) -> Response {
    let inner = shared.lock();
    let found = Module::parse(&module).and_then(|m| inner.store.get(m, &id).map(|r| (m, r)));
    let Some((m, rec)) = found else {
        return (
            StatusCode::NOT_FOUND,
            Html("<!doctype html><title>Zoho CRM</title><p>Record not found.</p>".to_owned()),
        )
            .into_response();
    };
    let r = render(&inner.store, m, rec, None, Style::Rest);
    let name = text(&r[m.name_field()]);
    let mut fields = String::new();
    for (api, label) in FIELDS {
        let value = text(&r[*api]);
        if value.is_empty() {
            continue;
        }
        let class = if PHONE_FIELDS.contains(api) {
            " class=\"phone\""
        } else {
            ""
        };
        let _ = write!(
            fields,
            "<div class=\"field\" data-api-name=\"{api}\"><span class=\"label\">{label}</span> \
             <span class=\"value\"{class}>{value}</span></div>",
            value = esc(&value)
        );
    }
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{name} - Zoho CRM</title></head>\
         <body><div id=\"crm-record\" data-module=\"{module}\" data-id=\"{id}\">\
         <h1 class=\"record-name\">{name}</h1><section class=\"fields\">{fields}</section>\
         </div></body></html>",
        name = esc(&name),
        module = esc(m.api_name()),
        id = esc(&id),
    ))
    .into_response()
}
