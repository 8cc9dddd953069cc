//! Admin: the accounts list, creating accounts (the extension picked from
//! the PBX's list) and the offboarding buttons; editing is
//! [`super::account_edit`].

use std::collections::HashSet;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use ringbridge_core::accounts::{
    Account, AccountError, AccountId, AccountProfile, NewAccount, Role,
};
use serde::Deserialize;

use super::ctx::PageCtx;
use super::extensions::ExtensionChoice;
use super::{flash, forms};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::auth::offboard::{self, OffboardError};
use crate::auth::zoho_sign_in::SignInError;
use crate::error::{ErrorKind, WebError};

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage<'a> {
    ctx: &'a PageCtx,
    accounts: Vec<Account>,
    form: &'a AccountForm,
    errors: Vec<String>,
    /// A password an admin just reset: (username, password), shown once.
    reset: Option<(String, String)>,
    choice: ExtensionChoice,
    /// The extension field's value, and whose account it is (none: new).
    ext_value: String,
    me: Option<AccountId>,
    /// The accounts holding a Zoho grant of their own (signed in with Zoho).
    zoho_grants: HashSet<AccountId>,
}

impl AccountsPage<'_> {
    /// The offboarding buttons of an account's row: (path, label).
    fn actions(&self, account: &Account) -> Vec<(&'static str, &'static str)> {
        let toggle = if account.profile.disabled {
            ("enable", "accounts-enable")
        } else {
            ("disable", "accounts-disable")
        };
        let mut actions = vec![
            toggle,
            ("reset-password", "accounts-reset-password"),
            ("revoke-tokens", "accounts-revoke-tokens"),
        ];
        if self.has_zoho_grant(account) {
            actions.push(("revoke-zoho", "accounts-revoke-zoho"));
        }
        actions.push(("delete", "accounts-delete"));
        actions
    }

    fn has_zoho_grant(&self, account: &Account) -> bool {
        self.zoho_grants.contains(&account.id)
    }
}

/// The accounts among `accounts` that hold a Zoho grant.
async fn zoho_grants(
    state: &AppState,
    accounts: &[Account],
) -> Result<HashSet<AccountId>, WebError> {
    let mut granted = HashSet::new();
    let Some(zoho) = &state.zoho_sign_in else {
        return Ok(granted);
    };
    for account in accounts {
        match zoho.has_grant(account.id).await {
            Ok(true) => {
                granted.insert(account.id);
            }
            Ok(false) => {}
            Err(SignInError::Store(e)) => return Err(e.into()),
            Err(err) => tracing::warn!(%err, "reading an account's Zoho grant"),
        }
    }
    Ok(granted)
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    extension: String,
}

impl AccountForm {
    fn is_admin(&self) -> bool {
        self.role == Role::Admin.as_str()
    }
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    form: &AccountForm,
    errors: Vec<String>,
) -> Result<Response, WebError> {
    render_with(state, ctx, status, form, errors, None).await
}

async fn render_with(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    form: &AccountForm,
    errors: Vec<String>,
    reset: Option<(String, String)>,
) -> Result<Response, WebError> {
    let accounts = state.accounts.accounts().await?;
    let choice = ExtensionChoice::load(state, ctx, &accounts).await;
    let zoho_grants = zoho_grants(state, &accounts).await?;
    ctx.render(
        status,
        &AccountsPage {
            ctx,
            accounts,
            form,
            errors,
            reset,
            choice,
            ext_value: form.extension.trim().to_owned(),
            me: None,
            zoho_grants,
        },
    )
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
        &AccountForm::default(),
        Vec::new(),
    )
    .await
}

pub async fn create(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<AccountForm>,
) -> Result<Response, WebError> {
    let role = Role::parse(&form.role).unwrap_or(Role::Agent);
    let checked = forms::account(
        &form.username,
        &form.display_name,
        &form.password,
        &form.password_confirm,
    );
    let accounts = state.accounts.accounts().await?;
    let choice = ExtensionChoice::load(&state, &ctx, &accounts).await;
    let ext = choice.check(&ctx, &form.extension, &None);
    let (username, display_name, extension) = match (checked, ext) {
        (Ok((u, d)), Ok(e)) => (u, d, e),
        (checked, ext) => {
            let problems = checked.err().unwrap_or_default();
            let mut errors: Vec<String> = problems.into_iter().map(|id| ctx.t(id)).collect();
            errors.extend(ext.err());
            return render(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                errors,
            )
            .await;
        }
    };
    let password_hash = state.web.passwords.hash(form.password.clone()).await?;
    let account = NewAccount {
        username,
        password_hash,
        profile: AccountProfile {
            display_name,
            role,
            crm_user_id: None,
            extension,
            disabled: false,
        },
        at: state.web.now(),
    };
    match state.accounts.create_account(&account).await {
        Ok(created) => {
            tracing::info!(by = %admin.account.username, username = %created.username, role = created.profile.role.as_str(), "account created");
            Ok(flash::redirect("/admin/accounts", "account-created"))
        }
        Err(AccountError::UsernameTaken(_)) => {
            let errors = vec![ctx.t("form-username-taken")];
            render(&state, &ctx, StatusCode::CONFLICT, &form, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// An offboarding button: disable, enable, revoke-tokens or delete an
/// account (CSRF-checked like every post, by the pages' protection).
pub async fn act(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let store = state.accounts.as_ref();
    let Some(account) = store.account(AccountId(id)).await? else {
        return Err(ErrorKind::NotFound.into());
    };
    let now = state.web.now();
    if action == "reset-password" {
        let (password, ended) =
            offboard::reset_password(store, &state.web.passwords, &account, now)
                .await
                .map_err(|err| match err {
                    OffboardError::Password(e) => WebError::from(e),
                    OffboardError::Store(e) => WebError::from(e),
                    OffboardError::LastAdmin(_) => WebError::Refused(ErrorKind::Internal),
                })?;
        tracing::info!(by = %admin.account.username, account = %account.username, ended, "password reset by an admin");
        // Rendered, not redirected: the password must not land in a URL.
        let reset = Some((account.username.to_string(), password));
        let form = AccountForm::default();
        return render_with(&state, &ctx, StatusCode::OK, &form, Vec::new(), reset).await;
    }
    if action == "revoke-zoho" {
        super::zoho_login::offboard(&state, &account).await?;
        tracing::info!(by = %admin.account.username, account = %account.username, "Zoho grant revoked by an admin");
        return Ok(flash::redirect("/admin/accounts", "zoho-revoked"));
    }
    let (what, done) = match action.as_str() {
        "disable" => (
            "disable",
            offboard::disable(store, &account, now).await.map(|_| ()),
        ),
        "enable" => ("enable", offboard::enable(store, &account, now).await),
        "revoke-tokens" => (
            "revoke-tokens",
            offboard::revoke_tokens(store, &account).await.map(|_| ()),
        ),
        "delete" => ("delete", offboard::delete(store, &account).await),
        _ => return Err(ErrorKind::NotFound.into()),
    };
    match done {
        Ok(()) => {
            tracing::info!(by = %admin.account.username, account = %account.username, %action, "account changed");
            Ok(flash::redirect("/admin/accounts", what))
        }
        Err(OffboardError::LastAdmin(_)) => {
            let errors = vec![ctx.t("accounts-last-admin")];
            render(
                &state,
                &ctx,
                StatusCode::CONFLICT,
                &AccountForm::default(),
                errors,
            )
            .await
        }
        Err(OffboardError::Store(err)) => Err(err.into()),
        Err(OffboardError::Password(err)) => Err(err.into()),
    }
}
