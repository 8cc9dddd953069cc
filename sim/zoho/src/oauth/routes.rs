//! The accounts server's HTTP endpoints: authorize (auto-approve or consent page), token,
//! revoke.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::{IssuedTokens, TokenError};
use crate::state::Shared;
use crate::web::esc;

type S = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oauth/v2/auth", get(authorize))
        .route("/oauth/v2/auth/consent", post(consent))
        .route("/oauth/v2/token", post(token))
        .route("/oauth/v2/token/revoke", post(revoke))
        .fallback(|| async { (StatusCode::NOT_FOUND, Html("<h1>Not Found</h1>")) })
        .with_state(shared)
}

/// Query and form parameters merged (form wins), `+` decoded as space like any form parser.
pub fn params(query: Option<&str>, body: &[u8]) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for src in [query.unwrap_or_default().as_bytes(), body] {
        for (k, v) in url::form_urlencoded::parse(src) {
            out.insert(k.into_owned(), v.into_owned());
        }
    }
    out
}

/// Zoho's throttling text as third parties quote it.
const THROTTLED: &str =
    "You have made too many requests continuously. Please try again after some time.";

fn error_page(msg: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><title>Zoho Accounts</title></head><body><h1>{}</h1></body></html>",
        esc(msg)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_owned())]).into_response()
}

/// Checks an authorize request; returns the scopes or the error page text.
fn check_auth_request(
    shared: &Shared,
    p: &HashMap<String, String>,
) -> Result<Vec<String>, &'static str> {
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
    if get("client_id") != shared.config.client_id {
        return Err("Invalid Client");
    }
    if !shared
        .config
        .redirect_uris
        .iter()
        .any(|r| r == get("redirect_uri"))
    {
        return Err("Invalid Redirect Uri");
    }
    if get("response_type") != "code" {
        return Err("Invalid response_type");
    }
    let scopes: Vec<String> = get("scope")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err("Invalid OAuth Scope");
    }
    Ok(scopes)
}

/// `{redirect_uri}?state=..&code=..&location=..&accounts-server=..` (or `error=access_denied`).
fn back_to_client(shared: &Shared, p: &HashMap<String, String>, code: Option<&str>) -> Response {
    let redirect_uri = p
        .get("redirect_uri")
        .map(String::as_str)
        .unwrap_or_default();
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return error_page("Invalid Redirect Uri");
    };
    {
        let mut q = url.query_pairs_mut();
        if let Some(state) = p.get("state") {
            q.append_pair("state", state);
        }
        match code {
            Some(code) => {
                q.append_pair("code", code);
                q.append_pair("location", &shared.config.location);
                q.append_pair("accounts-server", &shared.accounts_url);
            }
            None => {
                q.append_pair("error", "access_denied");
            }
        }
    }
    redirect(url.as_str())
}

fn grant(shared: &Shared, p: &HashMap<String, String>, scopes: Vec<String>) -> Response {
    let now = shared.clock.now();
    let code = {
        let mut inner = shared.lock();
        // The consent page lets the person choose who signs in (`login_email`); the
        // auto-approve path signs in the configured user.
        let user = match p
            .get("login_email")
            .or(shared.config.oauth_user_email.as_ref())
        {
            Some(e) => inner
                .store
                .user_by_email(e)
                .filter(|u| u.active)
                .map(|u| u.id.clone()),
            None => inner.store.primary_user().map(|u| u.id.clone()),
        };
        let Some(user) = user else {
            return error_page("No user can sign in");
        };
        let offline = p.get("access_type").is_some_and(|a| a == "offline");
        let redirect_uri = p.get("redirect_uri").cloned().unwrap_or_default();
        let code = inner.oauth.create_code(
            &shared.config.client_id,
            &redirect_uri,
            scopes,
            offline,
            &user,
            now,
        );
        match code {
            Ok(code) => code,
            // Too many grant codes for this client in 10 minutes.
            Err(_) => return error_page(THROTTLED),
        }
    };
    back_to_client(shared, p, Some(&code))
}

async fn authorize(State(shared): S, RawQuery(q): RawQuery) -> Response {
    let p = params(q.as_deref(), &[]);
    let scopes = match check_auth_request(&shared, &p) {
        Ok(s) => s,
        Err(msg) => return error_page(msg),
    };
    if shared.config.auto_approve {
        return grant(&shared, &p, scopes);
    }
    consent_page(&shared, &p, &scopes)
}

/// Zoho's sign-in, simplified: a choice of the org's active users, the configured one first.
fn sign_in_choice(shared: &Shared) -> String {
    let inner = shared.lock();
    let default = shared
        .config
        .oauth_user_email
        .clone()
        .or_else(|| inner.store.primary_user().map(|u| u.email.clone()))
        .unwrap_or_default();
    let options: String = inner
        .store
        .users
        .iter()
        .filter(|u| u.active)
        .map(|u| {
            let selected = if u.email.eq_ignore_ascii_case(&default) {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{selected}>{} ({})</option>",
                esc(&u.email),
                esc(&u.full_name()),
                esc(&u.email)
            )
        })
        .collect();
    format!("<label>Signed in as <select name=\"login_email\">{options}</select></label>")
}

fn consent_page(shared: &Shared, p: &HashMap<String, String>, scopes: &[String]) -> Response {
    let mut hidden = String::new();
    let mut keys: Vec<&String> = p.keys().collect();
    keys.sort();
    for k in keys {
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            esc(k),
            esc(&p[k])
        ));
    }
    let items: String = scopes
        .iter()
        .map(|s| format!("<li>{}</li>", esc(s)))
        .collect();
    let who = sign_in_choice(shared);
    let body = format!(
        "<!doctype html><html><head><title>Zoho Accounts - consent</title></head><body>\
         <h1>Allow access?</h1><p>The application is asking for:</p><ul>{items}</ul>\
         <form method=\"post\" action=\"/oauth/v2/auth/consent\">{hidden}{who}\
         <button name=\"decision\" value=\"accept\">Accept</button>\
         <button name=\"decision\" value=\"deny\">Deny</button></form></body></html>"
    );
    Html(body).into_response()
}

async fn consent(State(shared): S, body: Bytes) -> Response {
    let p = params(None, &body);
    let scopes = match check_auth_request(&shared, &p) {
        Ok(s) => s,
        Err(msg) => return error_page(msg),
    };
    if p.get("decision").is_some_and(|d| d == "accept") {
        grant(&shared, &p, scopes)
    } else {
        back_to_client(&shared, &p, None)
    }
}

fn token_json(shared: &Shared, t: IssuedTokens) -> Response {
    let mut body = json!({
        "access_token": t.access_token,
        "scope": t.scopes.join(" "),
        "api_domain": shared.api_url,
        "token_type": "Bearer",
        "expires_in": 3600,
    });
    if let Some(rt) = t.refresh_token {
        body["refresh_token"] = json!(rt);
    }
    axum::Json(body).into_response()
}

fn token_error(e: &TokenError) -> Response {
    let (status, body) = e.response();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

async fn token(State(shared): S, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let p = params(q.as_deref(), &body);
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
    if get("client_id") != shared.config.client_id
        || get("client_secret") != shared.config.client_secret
    {
        return token_error(&TokenError::InvalidClient);
    }
    let now = shared.clock.now();
    let result = {
        let mut inner = shared.lock();
        match get("grant_type") {
            "authorization_code" => inner.oauth.exchange_code(
                get("client_id"),
                get("code"),
                p.get("redirect_uri").map(String::as_str),
                now,
            ),
            "refresh_token" => inner
                .oauth
                .refresh(get("client_id"), get("refresh_token"), now),
            _ => Err(TokenError::UnsupportedGrantType),
        }
    };
    match result {
        Ok(t) => token_json(&shared, t),
        Err(e) => token_error(&e),
    }
}

/// Unknown tokens answer 400; that body is unconfirmed.
async fn revoke(State(shared): S, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let p = params(q.as_deref(), &body);
    let token = p.get("token").map(String::as_str).unwrap_or_default();
    if shared.lock().oauth.revoke(token) {
        axum::Json(json!({"status": "success"})).into_response()
    } else {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"status": "failure", "error": "invalid_token"})),
        )
            .into_response()
    }
}
