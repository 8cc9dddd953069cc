//! `get_token`, `refresh_token`, `del_token` (docs/yeastar-api.md §2).

use serde::Deserialize;

use super::Ctx;
use crate::auth::TokenPair;
use crate::codes::{ApiError, ApiResult, Reply};

#[derive(Deserialize)]
struct Login {
    username: String,
    password: String,
}

#[derive(Deserialize)]
struct Refresh {
    refresh_token: String,
}

fn pair(p: TokenPair) -> Reply {
    Reply::ok()
        .with("access_token", p.access_token)
        .with("access_token_expire_time", p.access_ttl)
        .with("refresh_token", p.refresh_token)
        .with("refresh_token_expire_time", p.refresh_ttl)
}

/// `POST get_token`.
pub fn get_token(ctx: &Ctx) -> ApiResult {
    let body: Login = ctx.json()?;
    let now = ctx.shared.clock.now();
    let p = ctx
        .shared
        .auth()
        .login(ctx.ip, &body.username, &body.password, now)?;
    Ok(pair(p))
}

/// `POST refresh_token`.
pub fn refresh_token(ctx: &Ctx) -> ApiResult {
    let body: Refresh = ctx.json()?;
    let now = ctx.shared.clock.now();
    let p = ctx.shared.auth().refresh(&body.refresh_token, now)?;
    Ok(pair(p))
}

/// `GET del_token?access_token=`: revokes the (already validated) token.
pub fn del_token(ctx: &Ctx) -> ApiResult {
    let token = ctx.token.as_ref().ok_or(ApiError::TokenExpired)?;
    ctx.shared.auth().revoke(&token.token);
    Ok(Reply::ok())
}
