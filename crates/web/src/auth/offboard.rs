//! Offboarding, shared by the console's accounts page and the
//! `ringbridge accounts` command: disable (sessions end at once; API
//! tokens are refused while disabled), enable, reset the password (a new
//! random one the person must replace at next sign-in), revoke every API
//! token, delete. The last enabled admin can be neither disabled nor deleted.

use chrono::{DateTime, Utc};
use ringbridge_core::accounts::{Account, AccountProfile, AccountStore, Role};
use ringbridge_core::store::StoreError;

use super::{PasswordError, Passwords};

#[derive(Debug, thiserror::Error)]
pub enum OffboardError {
    #[error("{0} is the last enabled admin")]
    LastAdmin(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

/// Refuses to take away the last enabled admin (disabling, deleting, or
/// an edit making it an agent).
pub(crate) async fn refuse_last_admin(
    store: &dyn AccountStore,
    account: &Account,
) -> Result<(), OffboardError> {
    if account.profile.role != Role::Admin || account.profile.disabled {
        return Ok(());
    }
    let enabled_admins = store
        .accounts()
        .await?
        .iter()
        .filter(|a| a.profile.role == Role::Admin && !a.profile.disabled)
        .count();
    if enabled_admins <= 1 {
        return Err(OffboardError::LastAdmin(account.username.to_string()));
    }
    Ok(())
}

/// Disables `account` and ends its sessions; how many ended.
pub async fn disable(
    store: &dyn AccountStore,
    account: &Account,
    at: DateTime<Utc>,
) -> Result<u64, OffboardError> {
    refuse_last_admin(store, account).await?;
    let profile = AccountProfile {
        disabled: true,
        ..account.profile.clone()
    };
    store.update_account(account.id, &profile, at).await?;
    Ok(store.delete_sessions_of(account.id).await?)
}

pub async fn enable(
    store: &dyn AccountStore,
    account: &Account,
    at: DateTime<Utc>,
) -> Result<(), OffboardError> {
    let profile = AccountProfile {
        disabled: false,
        ..account.profile.clone()
    };
    store.update_account(account.id, &profile, at).await?;
    Ok(())
}

/// Revokes every API token of `account`; how many.
pub async fn revoke_tokens(
    store: &dyn AccountStore,
    account: &Account,
) -> Result<u64, OffboardError> {
    let mut revoked = 0;
    for token in store.api_tokens(account.id).await? {
        if store.revoke_api_token(account.id, token.id).await? {
            revoked += 1;
        }
    }
    Ok(revoked)
}

/// Deletes `account` with its sessions and tokens.
pub async fn delete(store: &dyn AccountStore, account: &Account) -> Result<(), OffboardError> {
    refuse_last_admin(store, account).await?;
    store.delete_account(account.id).await?;
    Ok(())
}

/// Gives `account` a new random password, ends its sessions and marks it
/// to be replaced at next sign-in. Returns the password (to hand over
/// once) and how many sessions ended.
pub async fn reset_password(
    store: &dyn AccountStore,
    passwords: &Passwords,
    account: &Account,
    at: DateTime<Utc>,
) -> Result<(String, u64), OffboardError> {
    let password = random_password();
    let hash = passwords.hash(password.clone()).await?;
    store.set_password(account.id, &hash, true, at).await?;
    let ended = store.delete_sessions_of(account.id).await?;
    Ok((password, ended))
}

/// 20 characters from an alphabet without look-alikes (~113 bits).
fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
