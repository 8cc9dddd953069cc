//! Admin: editing an account's display name, role and extension (picked
//! from the PBX's list, not another account's). The last enabled admin
//! stays an admin.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ringbridge_core::accounts::{Account, AccountProfile, Role};
use serde::Deserialize;

use super::account_detail::{account_or_404, render};
use super::ctx::PageCtx;
use super::extensions::ExtensionChoice;
use super::{flash, forms};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::auth::offboard::{OffboardError, refuse_last_admin};
use crate::error::WebError;

/// The edit form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub extension: String,
}

impl EditForm {
    /// The form filled with what `account` is now.
    pub fn of(account: &Account) -> Self {
        Self {
            display_name: account.profile.display_name.clone(),
            role: account.profile.role.as_str().to_owned(),
            extension: account.profile.extension.clone().unwrap_or_default(),
        }
    }
}

pub async fn save(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, WebError> {
    let account = account_or_404(&state, id).await?;
    let mut errors = Vec::new();
    let display_name = forms::display_name(&form.display_name).map_err(|id| ctx.t(id));
    let role = Role::parse(&form.role).unwrap_or(account.profile.role);
    let accounts = state.accounts.accounts().await?;
    let choice = ExtensionChoice::load(&state, &ctx, &accounts).await;
    // An extension the account already had stays acceptable (it may
    // predate the list), so saving the name alone never fails on it.
    let kept = account.profile.extension.as_deref() == Some(form.extension.trim());
    let extension = if kept {
        Ok(account.profile.extension.clone())
    } else {
        choice.check(&ctx, &form.extension, &Some(account.id))
    };
    if role != Role::Admin {
        match refuse_last_admin(state.accounts.as_ref(), &account).await {
            Ok(()) => {}
            Err(OffboardError::LastAdmin(_)) => errors.push(ctx.t("accounts-last-admin-role")),
            Err(OffboardError::Store(e)) => return Err(e.into()),
            Err(OffboardError::Password(e)) => return Err(e.into()),
        }
    }
    let (display_name, extension) = match (display_name, extension) {
        (Ok(d), Ok(e)) if errors.is_empty() => (d, e),
        (d, e) => {
            errors.extend(d.err());
            errors.extend(e.err());
            return render(&state, &ctx, &headers, account, form, errors).await;
        }
    };
    let profile = AccountProfile {
        display_name,
        role,
        extension,
        ..account.profile.clone()
    };
    state
        .accounts
        .update_account(account.id, &profile, state.web.now())
        .await?;
    tracing::info!(by = %admin.account.username, account = %account.username, role = role.as_str(), "account edited");
    Ok(flash::redirect(
        &format!("/admin/accounts/{id}"),
        "account-saved",
    ))
}
