//! `ringbridge accounts`: offboarding from the command line, against the
//! configured database (a running `serve` sees the change at the next
//! request). Disabling ends the account's sessions at once, and its API
//! tokens stop working with it; the last enabled admin can be neither
//! disabled nor deleted, so the console always has someone to open it.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use ringbridge_core::accounts::{Account, AccountStore, ApiScope, ApiTokenId, Username};
use ringbridge_web::auth::{PasswordParams, Passwords, offboard};

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Every account: role, state, open sessions, API tokens.
    List,
    /// One account's open sessions and API tokens.
    Show { username: String },
    /// Stop an account signing in; its sessions end and its API tokens stop working.
    Disable { username: String },
    /// Let a disabled account sign in again.
    Enable { username: String },
    /// Give an account a new random password (printed once), end its sessions;
    /// it must be changed at the next sign-in.
    ResetPassword { username: String },
    /// Revoke every API token of an account.
    RevokeTokens { username: String },
    /// Revoke one API token of an account (its id, as `show` lists it).
    RevokeToken { username: String, id: i64 },
    /// Delete an account, its sessions and its API tokens.
    Delete { username: String },
}

/// Runs `command`; what it did, for the terminal.
pub async fn run(store: &dyn AccountStore, command: AccountsCommand) -> Result<String> {
    let now = chrono::Utc::now();
    match command {
        AccountsCommand::List => list(store).await,
        AccountsCommand::Show { username } => show(store, &find(store, &username).await?).await,
        AccountsCommand::Disable { username } => {
            let account = find(store, &username).await?;
            let ended = offboard::disable(store, &account, now).await?;
            Ok(format!(
                "{} disabled; {ended} session(s) ended",
                account.username
            ))
        }
        AccountsCommand::Enable { username } => {
            let account = find(store, &username).await?;
            offboard::enable(store, &account, now).await?;
            Ok(format!("{} enabled", account.username))
        }
        AccountsCommand::ResetPassword { username } => {
            let account = find(store, &username).await?;
            let passwords = Passwords::new(PasswordParams::default())?;
            let (password, ended) =
                offboard::reset_password(store, &passwords, &account, now).await?;
            Ok(format!(
                "new password for {}: {password}\n{ended} session(s) ended; \
                 it must be changed at the next sign-in",
                account.username
            ))
        }
        AccountsCommand::RevokeTokens { username } => {
            let account = find(store, &username).await?;
            let revoked = offboard::revoke_tokens(store, &account).await?;
            Ok(format!(
                "{revoked} API token(s) of {} revoked",
                account.username
            ))
        }
        AccountsCommand::RevokeToken { username, id } => {
            let account = find(store, &username).await?;
            if !store.revoke_api_token(account.id, ApiTokenId(id)).await? {
                bail!("{} has no API token {id}", account.username);
            }
            Ok(format!("API token {id} of {} revoked", account.username))
        }
        AccountsCommand::Delete { username } => {
            let account = find(store, &username).await?;
            offboard::delete(store, &account).await?;
            Ok(format!("{} deleted", account.username))
        }
    }
}

async fn list(store: &dyn AccountStore) -> Result<String> {
    let mut out = String::from("username\trole\tstate\tsessions\tAPI tokens\n");
    for account in store.accounts().await? {
        let sessions = store.sessions_of(account.id).await?.len();
        let tokens = store.api_tokens(account.id).await?.len();
        let state = if account.profile.disabled {
            "disabled"
        } else {
            "enabled"
        };
        out.push_str(&format!(
            "{}\t{}\t{state}\t{sessions}\t{tokens}\n",
            account.username,
            account.profile.role.as_str()
        ));
    }
    Ok(out)
}

async fn show(store: &dyn AccountStore, account: &Account) -> Result<String> {
    let time = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut out = format!("sessions of {}:\n", account.username);
    for s in store.sessions_of(account.id).await? {
        out.push_str(&format!(
            "  since {}, last seen {}, from {}, {}\n",
            time(&s.created_at),
            time(&s.last_seen_at),
            s.client_addr.as_deref().unwrap_or("an unknown address"),
            s.user_agent.as_deref().unwrap_or("unknown browser")
        ));
    }
    out.push_str("API tokens:\n");
    for t in store.api_tokens(account.id).await? {
        let used = t.last_used_at.as_ref().map_or("never".to_owned(), time);
        let expires = t.expires_at.as_ref().map_or("never".to_owned(), time);
        out.push_str(&format!(
            "  #{} {} ({}…) [{}], made {}, expires {expires}, last used {used}\n",
            t.id.0,
            t.name,
            t.prefix,
            ApiScope::join(&t.scopes),
            time(&t.created_at)
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

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use ringbridge_core::accounts::{
        AccountProfile, NewAccount, NewApiToken, NewSession, TokenHash,
    };
    use ringbridge_store::SqlStore;
    use ringbridge_store::testing::fresh_sqlite;

    use ringbridge_core::accounts::Role;

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
                client_addr: None,
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
        assert!(listed.contains("ana\tagent\tdisabled\t0\t0"), "{listed}");
        assert!(listed.contains("root\tadmin\tenabled\t1\t0"), "{listed}");
        let shown = run(
            &store,
            AccountsCommand::Show {
                username: "root".into(),
            },
        )
        .await
        .unwrap();
        assert!(shown.contains("unknown browser"), "{shown}");
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

    #[tokio::test]
    async fn show_lists_token_scopes_and_expiry_and_one_token_is_revoked() {
        let (store, _db) = store().await;
        add(&store, "ana", Role::Agent).await;
        let ana = find(&store, "ana").await.unwrap();
        let expires = Utc::now() + chrono::Duration::days(90);
        let token = store
            .create_api_token(&NewApiToken {
                account_id: ana.id,
                name: "Chrome".into(),
                prefix: "rbt_abcdefgh".into(),
                hash: TokenHash([7; 32]),
                scopes: ApiScope::EXTENSION.to_vec(),
                at: Utc::now(),
                expires_at: Some(expires),
            })
            .await
            .unwrap();
        let username = || "ana".to_owned();
        let shown = run(
            &store,
            AccountsCommand::Show {
                username: username(),
            },
        )
        .await
        .unwrap();
        let line = format!("#{} Chrome (rbt_abcdefgh…) [dial calls:read]", token.id.0);
        assert!(shown.contains(&line), "{shown}");
        let expiry = format!("expires {}", expires.format("%Y-%m-%d"));
        assert!(shown.contains(&expiry), "{shown}");

        let revoke = || AccountsCommand::RevokeToken {
            username: username(),
            id: token.id.0,
        };
        let said = run(&store, revoke()).await.unwrap();
        assert_eq!(said, format!("API token {} of ana revoked", token.id.0));
        assert!(
            store
                .api_token(&TokenHash([7; 32]))
                .await
                .unwrap()
                .is_none()
        );
        assert!(run(&store, revoke()).await.is_err(), "already revoked");
    }

    #[tokio::test]
    async fn a_reset_password_must_be_changed_at_next_sign_in() {
        let (store, _db) = store().await;
        let ana = add(&store, "ana", Role::Agent).await;
        let said = run(
            &store,
            AccountsCommand::ResetPassword {
                username: "ana".into(),
            },
        )
        .await
        .unwrap();
        assert!(said.starts_with("new password for ana: "), "{said}");
        assert!(said.contains("1 session(s) ended"), "{said}");
        let after = store.account(ana.id).await.unwrap().unwrap();
        assert!(after.must_change_password);
    }
}
