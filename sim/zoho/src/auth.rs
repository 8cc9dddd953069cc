//! API-side authentication (`Authorization: Zoho-oauthtoken <token>`) and scope checks.

use axum::http::HeaderMap;

use crate::error::ApiError;
use crate::state::Shared;

/// Who is calling, attached to the request after authentication.
#[derive(Debug, Clone)]
pub struct AuthCtx {
    pub user_id: String,
    pub scopes: Vec<String>,
}

/// A scope requirement: `service.path[.path].op`, e.g. `ZohoCRM.modules.contacts.READ`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub service: &'static str,
    pub path: Vec<String>,
    pub op: &'static str,
}

impl Need {
    pub fn new(service: &'static str, path: &[&str], op: &'static str) -> Self {
        Self {
            service,
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            op,
        }
    }

    pub fn crm(path: &[&str], op: &'static str) -> Self {
        Self::new("ZohoCRM", path, op)
    }
}

/// Whether one granted scope covers `need`: same service, the granted path is a prefix of the
/// needed one (`ZohoCRM.modules.ALL` covers `modules.contacts`), and the operation matches
/// (`ALL` covers everything, `WRITE` covers CREATE and UPDATE). Case-insensitive, as the spec
/// itself spells scopes both ways.
fn scope_covers(granted: &str, need: &Need) -> bool {
    let parts: Vec<&str> = granted.trim().split('.').collect();
    let [service, path @ .., op] = parts.as_slice() else {
        return false;
    };
    if path.is_empty() || !service.eq_ignore_ascii_case(need.service) {
        return false;
    }
    if path.len() > need.path.len()
        || !path
            .iter()
            .zip(&need.path)
            .all(|(g, n)| g.eq_ignore_ascii_case(n))
    {
        return false;
    }
    op.eq_ignore_ascii_case("ALL")
        || op.eq_ignore_ascii_case(need.op)
        || (op.eq_ignore_ascii_case("WRITE")
            && (need.op.eq_ignore_ascii_case("CREATE") || need.op.eq_ignore_ascii_case("UPDATE")))
}

pub fn covers(granted: &[String], need: &Need) -> bool {
    granted.iter().any(|g| scope_covers(g, need))
}

/// Checks the header and the token; anything but a live `Zoho-oauthtoken` is `INVALID_TOKEN`.
pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<AuthCtx, ApiError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(ApiError::invalid_token)?;
    let token = value
        .strip_prefix("Zoho-oauthtoken ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::invalid_token)?;
    let now = shared.clock.now();
    let inner = shared.lock();
    let grant = inner
        .oauth
        .check_access(token, now)
        .ok_or_else(ApiError::invalid_token)?;
    Ok(AuthCtx {
        user_id: grant.user_id.clone(),
        scopes: grant.scopes.clone(),
    })
}
