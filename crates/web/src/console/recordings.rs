//! Recording links, for the admin: the latest links seen, revoking one
//! (from the list or pasted), revoking every link of a call, and rotating
//! the signing key so every link issued before stops working.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use ringbridge_core::recording::{CapabilityId, IssuedLink};
use serde::Deserialize;

use super::{Nav, apply, console};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{ErrorKind, WebError};
use crate::pages::{PageCtx, flash};
use crate::recordings::{RecordingService, Refusal};

/// Links listed on the page.
const LISTED: u32 = 50;

#[derive(Template)]
#[template(path = "console_recordings.html")]
struct RecordingsPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    /// `false` when no PBX is connected (no recordings served).
    enabled: bool,
    links: Vec<IssuedLink>,
    errors: Vec<String>,
}

impl RecordingsPage<'_> {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CallForm {
    #[serde(default)]
    call_key: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    link: String,
}

fn service(state: &AppState) -> Result<&RecordingService, WebError> {
    state
        .recordings
        .as_deref()
        .ok_or(WebError::Refused(ErrorKind::NotFound))
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    errors: Vec<String>,
) -> Result<Response, WebError> {
    console(state)?;
    let links = match &state.recordings {
        Some(service) => service.recent_links(LISTED).await?,
        None => Vec::new(),
    };
    let page = RecordingsPage {
        ctx,
        nav: Nav("/console/recordings"),
        enabled: state.recordings.is_some(),
        links,
        errors,
    };
    ctx.render(status, &page)
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    render(&state, &ctx, StatusCode::OK, Vec::new()).await
}

fn back(done: &'static str) -> Response {
    flash::redirect("/console/recordings", done)
}

pub async fn revoke_link(
    RequireAdmin(admin): RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = CapabilityId::parse(&id).ok_or(WebError::Refused(ErrorKind::NotFound))?;
    if !service(&state)?.revoke_id(&id).await? {
        return Err(ErrorKind::NotFound.into());
    }
    tracing::info!(by = %admin.account.username, link = %id, "recording link revoked");
    Ok(back("link-revoked"))
}

pub async fn revoke_pasted(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<LinkForm>,
) -> Result<Response, WebError> {
    match service(&state)?.revoke_link_text(form.link.trim()).await {
        Ok(id) => {
            tracing::info!(by = %admin.account.username, link = %id, "recording link revoked");
            Ok(back("link-revoked"))
        }
        Err(Refusal::Link(_)) => {
            let errors = vec![ctx.t("console-recordings-bad-link")];
            render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Err(_) => Err(ErrorKind::Internal.into()),
    }
}

pub async fn revoke_call(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<CallForm>,
) -> Result<Response, WebError> {
    let call_key = form.call_key.trim();
    if call_key.is_empty() || call_key.len() > 200 {
        let errors = vec![ctx.t("console-recordings-bad-call")];
        return render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
    }
    let revoked = service(&state)?.revoke_call(call_key).await?;
    tracing::info!(by = %admin.account.username, call = call_key, revoked, "recording links of a call revoked");
    Ok(back("link-revoked"))
}

pub async fn rotate(
    RequireAdmin(admin): RequireAdmin,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    service(&state)?
        .rotate()
        .await
        .map_err(|_| WebError::Refused(ErrorKind::Internal))?;
    // Every node restarts its engine, whose new links need the new key.
    console.store.mark_changed().await?;
    apply(console).await;
    tracing::warn!(by = %admin.account.username, "recording signing key rotated: every earlier link is dead");
    Ok(back("key-rotated"))
}
