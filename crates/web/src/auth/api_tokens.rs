//! Issuing API tokens for an agent's browser extension. A token is shown
//! once, when made; the store keeps its hash and its first characters,
//! with what it may do (its scopes) and when it stops working.

use chrono::Duration;
use ringbridge_core::accounts::{AccountId, ApiScope, ApiToken, NewApiToken};
use ringbridge_core::store::StoreError;

use crate::AppState;
use crate::session::{hash_token, random_token};

/// Marks ringbridge tokens, so secret scanners and people recognise them.
pub const TOKEN_MARK: &str = "rbt_";
/// How much of a token is kept in clear to tell tokens apart: the mark and
/// 8 of the 43 random characters (48 of 256 bits).
pub const PREFIX_LEN: usize = TOKEN_MARK.len() + 8;
/// Labels longer than this are cut.
pub const NAME_MAX: usize = 60;
/// A token's lifetime unless its maker picks another.
pub const DEFAULT_DAYS: u16 = 90;
/// The lifetimes the token form offers, in days.
pub const LIFETIMES: [u16; 4] = [7, 30, DEFAULT_DAYS, 365];

/// What a new token may do and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub scopes: Vec<ApiScope>,
    pub days: u16,
}

impl Default for TokenGrant {
    /// What the browser extension needs, for the default lifetime.
    fn default() -> Self {
        Self {
            scopes: ApiScope::EXTENSION.to_vec(),
            days: DEFAULT_DAYS,
        }
    }
}

/// Makes a token for `account` labelled `name` with the extension's
/// scopes; returns it with the secret to show the person once.
pub async fn issue(
    state: &AppState,
    account: AccountId,
    name: &str,
) -> Result<(ApiToken, String), StoreError> {
    issue_with(state, account, name, &TokenGrant::default()).await
}

/// Makes a token with `grant`'s scopes and lifetime.
pub async fn issue_with(
    state: &AppState,
    account: AccountId,
    name: &str,
    grant: &TokenGrant,
) -> Result<(ApiToken, String), StoreError> {
    let secret = format!("{TOKEN_MARK}{}", random_token());
    let now = state.web.now();
    let mut scopes = grant.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let token = state
        .accounts
        .create_api_token(&NewApiToken {
            account_id: account,
            name: name.trim().chars().take(NAME_MAX).collect(),
            prefix: secret.chars().take(PREFIX_LEN).collect(),
            hash: hash_token(&secret),
            scopes,
            at: now,
            expires_at: Some(now + Duration::days(i64::from(grant.days.max(1)))),
        })
        .await?;
    Ok((token, secret))
}
