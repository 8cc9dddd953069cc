//! The API listener's per-request pipeline: classify the call (scopes, credit cost, heavy or
//! not), take a concurrency slot, apply injected faults, authenticate, check scopes, charge
//! credits. One place, so every endpoint is limited the same way.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth::{Need, authenticate, covers};
use crate::coql::parser;
use crate::error::ApiError;
use crate::faults::{self, Listener};
use crate::limits;
use crate::reqlog::BodyBytes;
use crate::state::Shared;
use crate::store::module::Module;

/// What a call needs and costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallClass {
    pub needs: Vec<Need>,
    pub cost: u64,
    pub heavy: bool,
    /// CRM REST calls count against credits and concurrency; PhoneBridge calls do not
    /// (no PhoneBridge limits are documented).
    pub crm: bool,
}

fn module_op(method: &Method) -> &'static str {
    match *method {
        Method::POST => "CREATE",
        Method::PUT | Method::PATCH => "UPDATE",
        Method::DELETE => "DELETE",
        _ => "READ",
    }
}

fn module_need(module: Option<Module>, op: &'static str) -> Vec<Need> {
    module
        .map(|m| vec![Need::crm(&["modules", m.scope_name()], op)])
        .unwrap_or_default()
}

/// Insert/update/upsert: 1 credit per 10 records, at most 10.
fn write_cost(body: &[u8]) -> (u64, bool) {
    let n = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("data").and_then(Value::as_array).map(Vec::len))
        .unwrap_or(1) as u64;
    (n.div_ceil(10).clamp(1, 10), n > 10)
}

pub fn classify(method: &Method, route: &str, path: &str, query: &str, body: &[u8]) -> CallClass {
    let module = path.split('/').nth(3).and_then(Module::parse);
    let has = |k: &str| url::form_urlencoded::parse(query.as_bytes()).any(|(n, _)| n == k);
    let crm = |needs: Vec<Need>, cost: u64, heavy: bool| CallClass {
        needs,
        cost,
        heavy,
        crm: true,
    };
    match route {
        "/crm/v8/coql" => {
            let parsed = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| {
                    v.get("select_query")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .and_then(|q| parser::parse(&q).ok());
            let mut needs = vec![
                Need::crm(&["coql"], "READ"),
                Need::crm(&["settings", "fields"], "READ"),
            ];
            let limit = parsed.as_ref().and_then(|q| q.limit).unwrap_or(200);
            needs.extend(module_need(
                parsed.as_ref().and_then(|q| Module::parse(&q.module)),
                "READ",
            ));
            let cost = match limit {
                0..=200 => 1,
                201..=1000 => 2,
                _ => 3,
            };
            crm(needs, cost, true)
        }
        "/crm/v8/{module}/search" => {
            let mut needs = module_need(module, "READ");
            needs.push(Need::new("ZohoSearch", &["securesearch"], "READ"));
            crm(needs, 1, true)
        }
        "/crm/v8/{module}/upsert" => {
            let (cost, heavy) = write_cost(body);
            let mut needs = module_need(module, "CREATE");
            needs.extend(module_need(module, "UPDATE"));
            crm(needs, cost, heavy)
        }
        "/crm/v8/{module}" | "/crm/v8/{module}/{id}"
            if matches!(*method, Method::POST | Method::PUT) =>
        {
            let (cost, heavy) = write_cost(body);
            crm(module_need(module, module_op(method)), cost, heavy)
        }
        "/crm/v8/{module}" | "/crm/v8/{module}/{id}" => {
            let heavy = *method == Method::GET && (has("sort_by") || has("cvid"));
            crm(module_need(module, module_op(method)), 1, heavy)
        }
        "/crm/v8/{module}/deleted" | "/crm/v8/{module}/actions/count" => {
            crm(module_need(module, "READ"), 1, false)
        }
        "/crm/v8/users" | "/crm/v8/users/{id}" => {
            crm(vec![Need::crm(&["users"], "READ")], 1, false)
        }
        "/crm/v8/org" => crm(vec![Need::crm(&["org"], "READ")], 1, false),
        "/crm/v8/settings/fields" => {
            crm(vec![Need::crm(&["settings", "fields"], "READ")], 1, false)
        }
        "/crm/v8/settings/layouts" => {
            crm(vec![Need::crm(&["settings", "layouts"], "READ")], 1, false)
        }
        "/crm/v8/settings/call_preferences" => {
            let op = if *method == Method::GET {
                "READ"
            } else {
                "UPDATE"
            };
            crm(vec![Need::crm(&["settings", "modules"], op)], 1, false)
        }
        // PhoneBridge v3: `PhoneBridge.call.log` (docs/zoho-phonebridge.md §1 scopes; per-endpoint
        // scopes unconfirmed).
        _ => CallClass {
            needs: vec![Need::new("PhoneBridge", &["call"], "log")],
            cost: 0,
            heavy: false,
            crm: false,
        },
    }
}

pub async fn gate(
    State(shared): State<Arc<Shared>>,
    matched: MatchedPath,
    mut req: Request,
    next: Next,
) -> Response {
    let body = req
        .extensions()
        .get::<BodyBytes>()
        .map(|b| b.0.clone())
        .unwrap_or_default();
    let path = req.uri().path().to_owned();
    let class = classify(
        req.method(),
        matched.as_str(),
        &path,
        req.uri().query().unwrap_or_default(),
        &body,
    );
    let (edition, licences) = {
        let inner = shared.lock();
        (
            inner.settings.edition,
            inner.store.org.users_license_purchased,
        )
    };
    let _slot = if class.crm {
        match limits::acquire(&shared, edition.concurrency(), class.heavy) {
            Ok(slot) => Some(slot),
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    let fault = shared
        .faults()
        .pick(Listener::Api, req.method().as_str(), &path);
    if let Some(fault) = fault
        && let Some(resp) = faults::apply(&shared, fault).await
    {
        return resp;
    }
    let ctx = match authenticate(&shared, req.headers()) {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    if !class.needs.iter().all(|n| covers(&ctx.scopes, n)) {
        return ApiError::scope_mismatch().into_response();
    }
    if class.crm {
        let limit = edition.credit_limit(licences);
        if !shared.limits.charge(shared.clock.now(), class.cost, limit) {
            return ApiError::too_many_requests(
                &shared.config.rate_limit_code,
                "API credit limit exceeded for the last 24 hours",
            )
            .into_response();
        }
    }
    req.extensions_mut().insert(ctx);
    faults::after(&shared, fault, next.run(req).await).await
}
