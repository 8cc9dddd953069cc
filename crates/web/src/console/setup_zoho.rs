//! Connecting Zoho: the data centre and the OAuth client, then the admin's
//! consent on Zoho's page. The `state` sent there is signed with the CSRF
//! key and bound to the admin's session, so a redirect someone else
//! started (or replayed later) is refused. Besides Zoho's data centres the
//! admin may type an accounts server in ([`accounts_server`]).

use askama::Template;
use axum::Form;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rand::RngCore;
use ringbridge_core::console::{CrmConnection, CrmGrant};
use secrecy::SecretString;
use serde::Deserialize;

use super::accounts_server::{self, CUSTOM};
use super::{DataCentre, Nav, apply, console, explain};
use crate::auth::RequireAdmin;
use crate::error::{ErrorKind, WebError};
use crate::pages::{PageCtx, flash};
use crate::{AppState, csrf, session};

/// Consent pages are quick; a state older than this is refused.
const STATE_TTL_SECS: i64 = 15 * 60;

#[derive(Template)]
#[template(path = "console_zoho.html")]
struct ZohoPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    centres: Vec<DataCentre>,
    location: String,
    /// The typed-in accounts server (location `custom`).
    custom_server: String,
    client_id: String,
    has_secret: bool,
    redirect_uri: String,
    /// The API domain of the current grant, when consented.
    connected: Option<String>,
    /// Zoho's consent page for the client just stored, as a link: the
    /// pages' CSP (`form-action 'self'`) stops a form's redirect to
    /// another site, a link is an ordinary navigation.
    consent: Option<String>,
    errors: Vec<String>,
    /// What was done, e.g. a disconnect.
    notices: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ZohoForm {
    #[serde(default)]
    location: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    /// Used when `location` is `custom`.
    #[serde(default)]
    accounts_server: String,
}

impl ZohoPage<'_> {
    /// Whether the backend's list lacks a custom entry (the page adds its own).
    fn offers_custom(&self) -> bool {
        !self.centres.iter().any(|c| c.location == CUSTOM)
    }
}

/// The data centre `form` picked: one of the backend's, or the typed-in
/// accounts server. `Err` is the catalogue id of what is wrong.
fn centre(centres: Vec<DataCentre>, form: &ZohoForm) -> Result<DataCentre, &'static str> {
    let typed = form.accounts_server.trim();
    if form.location == CUSTOM && !typed.is_empty() {
        return accounts_server::parse(typed).map(|url| DataCentre {
            location: CUSTOM.to_owned(),
            accounts_server: url,
        });
    }
    match centres.into_iter().find(|c| c.location == form.location) {
        Some(centre) => Ok(centre),
        None if form.location == CUSTOM => Err("console-zoho-custom-missing"),
        None => Err("console-zoho-bad-centre"),
    }
}

pub(super) async fn render(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    form: Option<&ZohoForm>,
    consent: Option<String>,
    errors: Vec<String>,
    notices: Vec<String>,
) -> Result<Response, WebError> {
    let console = console(state)?;
    let stored = console.store.console().await?.crm;
    let centres = console.backend.data_centres();
    let location = form
        .map(|f| f.location.clone())
        .or_else(|| stored.as_ref().map(|c| c.location.clone()))
        .unwrap_or_default();
    let client_id = form
        .map(|f| f.client_id.trim().to_owned())
        .or_else(|| stored.as_ref().map(|c| c.client_id.clone()))
        .unwrap_or_default();
    let custom_server = form
        .map(|f| f.accounts_server.trim().to_owned())
        .or_else(|| {
            stored
                .as_ref()
                .filter(|c| c.location == CUSTOM)
                .map(|c| c.accounts_server.clone())
        })
        .unwrap_or_default();
    let page = ZohoPage {
        ctx,
        nav: Nav("/console/zoho"),
        centres,
        location,
        custom_server,
        client_id,
        has_secret: stored.is_some(),
        redirect_uri: console.backend.zoho_redirect_uri(),
        connected: stored.and_then(|c| c.grant).map(|g| g.api_domain),
        consent,
        errors,
        notices,
    };
    ctx.render(status, &page)
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    render(
        &state,
        &ctx,
        StatusCode::OK,
        None,
        None,
        Vec::new(),
        Vec::new(),
    )
    .await
}

/// Stores the client and offers the link to Zoho's consent page.
pub async fn submit(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ZohoForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let stored = console.store.console().await?.crm;
    let mut problems = Vec::new();
    let centre = match centre(console.backend.data_centres(), &form) {
        Ok(centre) => Some(centre),
        Err(id) => {
            problems.push(id);
            None
        }
    };
    let client_id = form.client_id.trim();
    if client_id.is_empty() || client_id.len() > 200 {
        problems.push("console-zoho-bad-client-id");
    }
    let secret = match (form.client_secret.trim(), &stored) {
        ("", Some(c)) => Some(c.client_secret.clone()),
        ("", None) => None,
        (s, _) => Some(SecretString::from(s.to_owned())),
    };
    if secret.is_none() {
        problems.push("console-zoho-need-secret");
    }
    let (Some(centre), Some(client_secret), true) = (centre, secret, problems.is_empty()) else {
        let errors = problems.into_iter().map(|id| ctx.t(id)).collect();
        return render(
            &state,
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&form),
            None,
            errors,
            Vec::new(),
        )
        .await;
    };
    let crm = CrmConnection {
        location: centre.location,
        accounts_server: centre.accounts_server,
        client_id: client_id.to_owned(),
        client_secret,
        grant: None,
    };
    let Some(binding) = session::token_of(&state, &headers) else {
        return Err(ErrorKind::Forbidden.into());
    };
    let consent = state_token(&state, &binding).await?;
    let url = match console.backend.zoho_authorize_url(&crm, &consent) {
        Ok(url) => url,
        Err(err) => {
            let errors = vec![explain(&ctx, &err)];
            return render(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&form),
                None,
                errors,
                Vec::new(),
            )
            .await;
        }
    };
    console.store.put_crm(&crm).await?;
    tracing::info!(by = %admin.account.username, location = %crm.location, "Zoho client stored; asking for consent");
    render(
        &state,
        &ctx,
        StatusCode::OK,
        Some(&form),
        Some(url),
        Vec::new(),
        Vec::new(),
    )
    .await
}

/// Zoho's redirect back: checks the state, exchanges the code, stores
/// the grant and goes on to choosing the mode.
pub async fn callback(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let query = query.unwrap_or_default();
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(&query).map_err(|_| ErrorKind::BadRequest)?;
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let binding = session::token_of(&state, &headers).ok_or(ErrorKind::Forbidden)?;
    let valid = match param("state") {
        Some(s) => verify_state(&state, &binding, s).await?,
        None => false,
    };
    if !valid {
        tracing::warn!(by = %admin.account.username, "Zoho consent redirect with a missing or wrong state refused");
        return Err(ErrorKind::Csrf.into());
    }
    if param("error").is_some() || param("code").is_none() {
        let errors = vec![ctx.t("console-zoho-denied")];
        return render(&state, &ctx, StatusCode::OK, None, None, errors, Vec::new()).await;
    }
    let Some(crm) = console.store.console().await?.crm else {
        return Err(ErrorKind::BadRequest.into());
    };
    let grant: CrmGrant = match console.backend.zoho_exchange(&crm, &query).await {
        Ok(grant) => grant,
        Err(err) => {
            let errors = vec![explain(&ctx, &err)];
            return render(
                &state,
                &ctx,
                StatusCode::BAD_GATEWAY,
                None,
                None,
                errors,
                Vec::new(),
            )
            .await;
        }
    };
    console.store.put_crm_grant(&grant).await?;
    tracing::info!(by = %admin.account.username, api_domain = %grant.api_domain, "Zoho connected");
    apply(console).await;
    Ok(flash::redirect("/console/mode", "zoho"))
}

fn signed_part(binding: &str, body: &str) -> String {
    format!("zoho-consent\n{binding}\n{body}")
}

/// `nonce.issued.mac`: the MAC (the CSRF key's) covers the session too.
async fn state_token(state: &AppState, binding: &str) -> Result<String, WebError> {
    let key = csrf::key(state).await?;
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let body = format!("{nonce}.{}", state.web.now().timestamp());
    Ok(format!(
        "{body}.{}",
        key.token(&signed_part(binding, &body))
    ))
}

async fn verify_state(state: &AppState, binding: &str, token: &str) -> Result<bool, WebError> {
    let Some((body, mac)) = token.rsplit_once('.') else {
        return Ok(false);
    };
    let Some(issued) = body
        .split_once('.')
        .and_then(|(_, t)| t.parse::<i64>().ok())
    else {
        return Ok(false);
    };
    let key = csrf::key(state).await?;
    let age = state.web.now().timestamp() - issued;
    Ok(key.verify(&signed_part(binding, body), mac) && (-60..=STATE_TTL_SECS).contains(&age))
}
