//! The first `/api/*` routes: who am I, and my tokens. Reached with a
//! session cookie (the pages' own scripts, CSRF header required to change
//! anything) or an agent's bearer token (the browser extension).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ringbridge_core::accounts::{AccountId, ApiToken, ApiTokenId, Role};
use serde::Serialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ErrorKind, WebError};

#[derive(Debug, Serialize)]
pub struct Me {
    pub id: AccountId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub extension: Option<String>,
    pub crm_user_id: Option<String>,
}

pub async fn me(user: CurrentUser) -> Json<Me> {
    let a = user.account;
    Json(Me {
        id: a.id,
        username: a.username.to_string(),
        display_name: a.profile.display_name,
        role: a.profile.role,
        extension: a.profile.extension,
        crm_user_id: a.profile.crm_user_id,
    })
}

pub async fn tokens(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Json<Vec<ApiToken>>, WebError> {
    Ok(Json(state.accounts.api_tokens(user.account.id).await?))
}

pub async fn revoke(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    if state
        .accounts
        .revoke_api_token(user.account.id, ApiTokenId(id))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ErrorKind::NotFound.into())
    }
}
