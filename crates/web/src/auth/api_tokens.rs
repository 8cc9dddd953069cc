//! Issuing API tokens for an agent's browser extension. A token is shown
//! once, when made; the store keeps its hash and its first characters.

use ringbridge_core::accounts::{AccountId, ApiToken, NewApiToken};
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

/// Makes a token for `account` labelled `name`; returns it with the secret
/// to show the person once.
pub async fn issue(
    state: &AppState,
    account: AccountId,
    name: &str,
) -> Result<(ApiToken, String), StoreError> {
    let secret = format!("{TOKEN_MARK}{}", random_token());
    let token = state
        .accounts
        .create_api_token(&NewApiToken {
            account_id: account,
            name: name.trim().chars().take(NAME_MAX).collect(),
            prefix: secret.chars().take(PREFIX_LEN).collect(),
            hash: hash_token(&secret),
            at: state.web.now(),
        })
        .await?;
    Ok((token, secret))
}
