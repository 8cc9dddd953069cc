//! `ringbridge accounts`: offboarding from the command line, against the
//! configured database (a running `serve` sees the change at the next
//! request). Disabling ends the account's sessions at once, and its API
//! tokens stop working with it; the last enabled admin can be neither
//! disabled nor deleted, so the console always has someone to open it.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use ringbridge_core::accounts::{Account, AccountStore, Role, Username};
use ringbridge_web::auth::{PasswordParams, Passwords};

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Every account: role, state, API tokens.
    List,
    /// Stop an account signing in; its sessions end and its API tokens stop working.
    Disable { username: String },
    /// Let a disabled account sign in again.
    Enable { username: String },
    /// Give an account a new random password (printed once) and end its sessions.
    ResetPassword { username: String },
    /// Revoke every API token of an account.
    RevokeTokens { username: String },
    /// Delete an account, its sessions and its API tokens.
    Delete { username: String },
}

/// Runs `command`; what it did, for the terminal.
pub async fn run(store: &dyn AccountStore, command: AccountsCommand) -> Result<String> {
    let now = chrono::Utc::now();
    match command {
        AccountsCommand::List => list(store).await,
        AccountsCommand::Disable { username } => {
            let account = find(store, &username).await?;
            refuse_last_admin(store, &account, "disable").await?;
            let profile = ringbridge_core::accounts::AccountProfile {
                disabled: true,
                ..account.profile.clone()
            };
            store.update_account(account.id, &profile, now).await?;
            let ended = store.delete_sessions_of(account.id).await?;
            Ok(format!(
                "{} disabled; {ended} session(s) ended",
                account.username
            ))
        }
        AccountsCommand::Enable { username } => {
            let account = find(store, &username).await?;
            let profile = ringbridge_core::accounts::AccountProfile {
                disabled: false,
                ..account.profile.clone()
            };
            store.update_account(account.id, &profile, now).await?;
            Ok(format!("{} enabled", account.username))
        }
        AccountsCommand::ResetPassword { username } => {
            let account = find(store, &username).await?;
            let password = random_password();
            let passwords = Passwords::new(PasswordParams::default())?;
            let hash = passwords.hash(password.clone()).await?;
            store.set_password(account.id, &hash, now).await?;
            let ended = store.delete_sessions_of(account.id).await?;
            Ok(format!(
                "new password for {}: {password}\n{ended} session(s) ended",
                account.username
            ))
        }
        AccountsCommand::RevokeTokens { username } => {
            let account = find(store, &username).await?;
            let mut revoked = 0;
            for token in store.api_tokens(account.id).await? {
                if store.revoke_api_token(account.id, token.id).await? {
                    revoked += 1;
                }
            }
            Ok(format!(
                "{revoked} API token(s) of {} revoked",
                account.username
            ))
        }
        AccountsCommand::Delete { username } => {
            let account = find(store, &username).await?;
            refuse_last_admin(store, &account, "delete").await?;
            store.delete_account(account.id).await?;
            Ok(format!("{} deleted", account.username))
        }
    }
}

async fn list(store: &dyn AccountStore) -> Result<String> {
    let mut out = String::from("username\trole\tstate\tAPI tokens\n");
    for account in store.accounts().await? {
        let tokens = store.api_tokens(account.id).await?.len();
        let state = if account.profile.disabled {
            "disabled"
        } else {
            "enabled"
        };
        out.push_str(&format!(
            "{}\t{}\t{state}\t{tokens}\n",
            account.username,
            account.profile.role.as_str()
        ));
    }
    Ok(out)
}

async fn find(store: &dyn AccountStore, username: &str) -> Result<Account> {
    let name = Username::parse(username).with_context(|| format!("{username:?}"))?;
    match store.credentials(&name).await? {
        Some(credentials) => Ok(credentials.account),
        None => bail!("no account {name}"),
    }
}

async fn refuse_last_admin(store: &dyn AccountStore, account: &Account, what: &str) -> Result<()> {
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
        bail!(
            "{} is the last enabled admin: cannot {what} it",
            account.username
        );
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use ringbridge_core::accounts::{AccountProfile, NewAccount, NewSession, TokenHash};
    use ringbridge_store::SqlStore;
    use ringbridge_store::testing::fresh_sqlite;

    use super::*;

    async fn store() -> (SqlStore, ringbridge_store::testing::TestDatabase) {
        let db = fresh_sqlite();
        let key = ringbridge_store::SecretKey::generate_base64();
        let store = SqlStore::open(
            &db.url,
            ringbridge_store::SecretKey::from_base64(&key).unwrap(),
        )
        .await
        .unwrap();
        (store, db)
    }

    async fn add(store: &SqlStore, name: &str, role: Role) -> Account {
        let account = store
            .create_account(&NewAccount {
                username: Username::parse(name).unwrap(),
                password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
                profile: AccountProfile {
                    display_name: name.into(),
                    role,
                    crm_user_id: None,
                    extension: None,
                    disabled: false,
                },
                at: Utc::now(),
            })
            .await
            .unwrap();
        store
            .create_session(&NewSession {
                hash: TokenHash([account.id.0 as u8; 32]),
                account_id: account.id,
                created_at: Utc::now(),
                expires_at: Utc::now() + chrono::Duration::hours(1),
                user_agent: None,
            })
            .await
            .unwrap();
        account
    }

    fn cmd(make: fn(String) -> AccountsCommand, name: &str) -> AccountsCommand {
        make(name.to_owned())
    }

    #[tokio::test]
    async fn the_last_admin_can_be_neither_disabled_nor_deleted() {
        let (store, _db) = store().await;
        add(&store, "root", Role::Admin).await;
        let disable = |username| AccountsCommand::Disable { username };
        let delete = |username| AccountsCommand::Delete { username };
        let refused = run(&store, cmd(disable, "root")).await.unwrap_err();
        assert!(
            refused.to_string().contains("last enabled admin"),
            "{refused}"
        );
        assert!(run(&store, cmd(delete, "root")).await.is_err());
        // With a second admin, the first can go.
        add(&store, "boss", Role::Admin).await;
        run(&store, cmd(disable, "root")).await.unwrap();
        assert!(
            run(&store, cmd(delete, "boss")).await.is_err(),
            "root is disabled"
        );
    }

    #[tokio::test]
    async fn disabling_ends_sessions_and_deleting_removes_everything() {
        let (store, _db) = store().await;
        add(&store, "root", Role::Admin).await;
        let agent = add(&store, "ana", Role::Agent).await;
        let session = TokenHash([agent.id.0 as u8; 32]);
        let said = run(
            &store,
            AccountsCommand::Disable {
                username: "ana".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(said, "ana disabled; 1 session(s) ended");
        assert!(store.session(&session).await.unwrap().is_none());
        let listed = run(&store, AccountsCommand::List).await.unwrap();
        assert!(listed.contains("ana\tagent\tdisabled\t0"), "{listed}");
        run(
            &store,
            AccountsCommand::Enable {
                username: "ana".into(),
            },
        )
        .await
        .unwrap();
        run(
            &store,
            AccountsCommand::Delete {
                username: "ana".into(),
            },
        )
        .await
        .unwrap();
        assert!(store.account(agent.id).await.unwrap().is_none());
        assert!(
            run(
                &store,
                AccountsCommand::Enable {
                    username: "ana".into()
                }
            )
            .await
            .is_err()
        );
    }
}
