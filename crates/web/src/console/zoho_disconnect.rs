//! Disconnecting Zoho: the PhoneBridge integration removed and the grant
//! revoked at Zoho, then the grant removed here and the integration
//! restarted without a CRM. Calls keep being queued meanwhile. When Zoho
//! cannot be told, the grant is removed here all the same and the page says
//! plainly that the admin must remove ringbridge at Zoho themselves.
//! The button leads to a page that asks first (a plain form: it works
//! without script); only its post, with `confirm=yes`, disconnects.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::console::{CrmConnection, CrmGrant};
use serde::Deserialize;

use super::setup_zoho::render;
use super::{BackendError, Console, Nav, ZohoDisconnect, apply, console, explain};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::pages::PageCtx;

/// What the audit trail calls the revoked grant.
const AUDIT_TARGET: &str = "OAuth grant";

#[derive(Template)]
#[template(path = "console_zoho_disconnect.html")]
struct ConfirmPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    /// The API domain of the grant that would be revoked.
    domain: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DisconnectForm {
    /// `yes` from the confirmation page's button; anything else asks.
    #[serde(default)]
    confirm: String,
}

/// The stored client and its grant, when Zoho is connected.
async fn connected(console: &Console) -> Result<Option<(CrmConnection, CrmGrant)>, WebError> {
    Ok(console
        .store
        .console()
        .await?
        .crm
        .and_then(|c| c.grant.clone().map(|g| (c, g))))
}

fn ask(ctx: &PageCtx, grant: &CrmGrant) -> Result<Response, WebError> {
    let page = ConfirmPage {
        ctx,
        nav: Nav("/console/zoho"),
        domain: grant.api_domain.clone(),
    };
    ctx.render(StatusCode::OK, &page)
}

/// The question: what disconnecting does, with the button that does it.
pub async fn confirm(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    match connected(console(&state)?).await? {
        Some((_, grant)) => ask(&ctx, &grant),
        None => Ok(Redirect::to("/console/zoho").into_response()),
    }
}

pub async fn submit(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<DisconnectForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let Some((crm, grant)) = connected(console).await? else {
        // Nothing to disconnect (a second click, another admin was faster).
        return Ok(Redirect::to("/console/zoho").into_response());
    };
    if form.confirm != "yes" {
        return ask(&ctx, &grant);
    }
    let outcome = match console.backend.zoho_disconnect(&crm, &grant).await {
        Ok(outcome) => outcome,
        Err(BackendError::Store(err)) => return Err(err.into()),
        Err(other) => ZohoDisconnect {
            revoked: Err(other),
            phonebridge: None,
        },
    };
    // Whatever Zoho said: the admin asked ringbridge to stop using Zoho.
    console.store.remove_crm_grant().await?;
    let by = &admin.account.username;
    let entry = match &outcome.revoked {
        Ok(()) => AuditEntry::ok(
            AuditSystem::Crm,
            "revoke",
            AUDIT_TARGET,
            &format!("console:{by}"),
            None,
        ),
        Err(err) => AuditEntry::failed(
            AuditSystem::Crm,
            "revoke",
            AUDIT_TARGET,
            &format!("console:{by}"),
            err.to_string(),
        ),
    };
    if let Err(err) = console.store.record(&entry).await {
        tracing::warn!(error = %err, "could not record the Zoho revocation in the audit trail");
    }
    apply(console).await;

    let mut notices = Vec::new();
    let mut errors = Vec::new();
    match &outcome.phonebridge {
        Some(Ok(())) => notices.push(ctx.t("console-zoho-phonebridge-removed")),
        Some(Err(err)) => errors.push(ctx.t1(
            "console-zoho-phonebridge-failed",
            "detail",
            &explain(&ctx, err),
        )),
        None => {}
    }
    match &outcome.revoked {
        Ok(()) => {
            tracing::info!(%by, "Zoho disconnected; its grant revoked at Zoho");
            notices.push(ctx.t("console-zoho-disconnected"));
        }
        Err(err) => {
            tracing::warn!(%by, error = %err, "Zoho disconnected here; Zoho could not be told to revoke the grant");
            errors.push(ctx.t1("console-zoho-revoke-failed", "detail", &explain(&ctx, err)));
        }
    }
    render(&state, &ctx, StatusCode::OK, None, None, errors, notices).await
}
