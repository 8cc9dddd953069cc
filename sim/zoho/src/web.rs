//! A read-only HTML view at `/_sim/` on the API listener: records, calls with recording links,
//! PhoneBridge notifications, and record pages (the "Zoho record URL" of screen pops).

use std::fmt::Write;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use crate::state::Shared;
use crate::store::Store;
use crate::store::module::Module;
use crate::store::render::{Style, render};

/// HTML-escapes text for element content and quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sim/", get(index))
        .route("/_sim/crm/{module}/{id}", get(record))
        .route("/_sim/phonebridge/recordings/{n}", get(recording))
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif}}td,th{{border:1px solid #ccc;padding:2px 6px}}</style>\
         </head><body><h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    ))
}

/// A field's value as a page shows it (a lookup by its name, else its id).
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .or_else(|| o.get("id").and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned(),
        other => other.to_string(),
    }
}

fn table(store: &Store, module: Module, cols: &[&str]) -> String {
    let mut h = format!("<h2>{}</h2><table><tr>", module.api_name());
    for c in cols {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr>");
    for rec in store.records(module) {
        let r = render(store, module, rec, None, Style::Rest);
        let id = r["id"].as_str().unwrap_or_default();
        h.push_str("<tr>");
        for c in cols {
            let cell = text(&r[*c]);
            let cell = match *c {
                "id" => format!(
                    "<a href=\"/_sim/crm/{}/{}\">{}</a>",
                    module.api_name(),
                    esc(id),
                    esc(id)
                ),
                "Voice_Recording__s" if !cell.is_empty() => {
                    format!("<a href=\"{0}\">{0}</a>", esc(&cell))
                }
                _ => esc(&cell),
            };
            let _ = write!(h, "<td>{cell}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
    h
}

async fn index(State(shared): State<Arc<Shared>>) -> Html<String> {
    let inner = shared.lock();
    let s = &inner.store;
    let mut body = String::new();
    body.push_str(&table(
        s,
        Module::Contacts,
        &[
            "id",
            "Full_Name",
            "Phone",
            "Mobile",
            "Email",
            "Account_Name",
        ],
    ));
    body.push_str(&table(
        s,
        Module::Leads,
        &["id", "Full_Name", "Company", "Phone", "Mobile", "Email"],
    ));
    body.push_str(&table(
        s,
        Module::Accounts,
        &["id", "Account_Name", "Phone", "Website"],
    ));
    body.push_str(&table(
        s,
        Module::Calls,
        &[
            "id",
            "Subject",
            "Call_Type",
            "Call_Start_Time",
            "Call_Duration",
            "Who_Id",
            "What_Id",
            "Owner",
            "Voice_Recording__s",
        ],
    ));
    body.push_str(&table(
        s,
        Module::Tasks,
        &[
            "id", "Subject", "Due_Date", "Who_Id", "What_Id", "Owner", "Status",
        ],
    ));
    body.push_str("<h2>PhoneBridge notifications</h2><table><tr><th>at</th><th>endpoint</th><th>params</th><th>status</th><th>call</th></tr>");
    for n in &inner.pb.notifications {
        let mut params: Vec<String> = n.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        params.sort();
        let call = n.call_id.as_deref().map_or(String::new(), |id| {
            format!("<a href=\"/_sim/crm/Calls/{0}\">{0}</a>", esc(id))
        });
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{call}</td></tr>",
            esc(&n.at.to_rfc3339()),
            n.endpoint,
            esc(&params.join(" & ")),
            n.status,
            esc(&n
                .error_code
                .as_deref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default()),
        );
    }
    body.push_str("</table>");
    page("Zoho CRM simulator", &body)
}

async fn record(
    State(shared): State<Arc<Shared>>,
    Path((module, id)): Path<(String, String)>,
) -> Response {
    let inner = shared.lock();
    let rec = Module::parse(&module).and_then(|m| inner.store.get(m, &id).map(|r| (m, r)));
    let Some((m, rec)) = rec else {
        return (
            StatusCode::NOT_FOUND,
            page("Record not found", "<p>No such record.</p>"),
        )
            .into_response();
    };
    let r = render(&inner.store, m, rec, None, Style::Rest);
    let mut body = String::from("<table>");
    if let Value::Object(o) = &r {
        for (k, v) in o {
            let _ = write!(
                body,
                "<tr><th>{}</th><td>{}</td></tr>",
                esc(k),
                esc(&text(v))
            );
        }
    }
    body.push_str("</table><p><a href=\"/_sim/\">all records</a></p>");
    let title = format!("{} {}", m.api_name(), text(&r[m.name_field()]));
    page(&title, &body).into_response()
}

/// Zoho serves call recordings from its own host; the simulator redirects to `voiceuri`.
async fn recording(State(shared): State<Arc<Shared>>, Path(n): Path<usize>) -> Response {
    let inner = shared.lock();
    match inner
        .pb
        .notifications
        .get(n)
        .and_then(|x| x.param("voiceuri"))
    {
        Some(uri) => (StatusCode::FOUND, [(header::LOCATION, uri.to_owned())]).into_response(),
        None => (StatusCode::NOT_FOUND, page("Recording not found", "")).into_response(),
    }
}
