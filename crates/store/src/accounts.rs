//! Accounts, browser sessions and API tokens. Token hashes are stored as
//! lowercase hex so both backends key them as plain text.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::accounts::{
    Account, AccountError, AccountId, AccountProfile, AccountStore, ApiScope, ApiToken, ApiTokenId,
    Credentials, NewAccount, NewApiToken, NewSession, Role, SESSION_HANDLE_LEN, Session, TokenHash,
    Username,
};
use ringbridge_core::store::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlStore, db_err, from_millis, millis};

/// Account columns, qualified so the same list serves joins.
const ACCOUNT: &str = "a.id, a.username, a.display_name, a.role, a.crm_user_id, a.extension, \
                       a.disabled, a.created_at, a.updated_at, a.must_change_password";
const ACCOUNT_COLS: usize = 10;
const TOKEN: &str =
    "t.id, t.account_id, t.name, t.prefix, t.created_at, t.last_used_at, t.scopes, t.expires_at";
const TOKEN_COLS: usize = 8;

fn account_from_row(row: &AnyRow, at: usize) -> Result<Account, StoreError> {
    let username: String = row.try_get(at + 1).map_err(db_err)?;
    let role: String = row.try_get(at + 3).map_err(db_err)?;
    let disabled: i64 = row.try_get(at + 6).map_err(db_err)?;
    let must_change: i64 = row.try_get(at + 9).map_err(db_err)?;
    Ok(Account {
        id: AccountId(row.try_get(at).map_err(db_err)?),
        username: Username::parse(&username).map_err(|e| {
            StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
                format!("username {username:?}"),
                e,
            ))
        })?,
        profile: AccountProfile {
            display_name: row.try_get(at + 2).map_err(db_err)?,
            role: Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("account role {role:?}").into()))?,
            crm_user_id: row.try_get(at + 4).map_err(db_err)?,
            extension: row.try_get(at + 5).map_err(db_err)?,
            disabled: disabled != 0,
        },
        must_change_password: must_change != 0,
        created_at: from_millis(row.try_get(at + 7).map_err(db_err)?)?,
        updated_at: from_millis(row.try_get(at + 8).map_err(db_err)?)?,
    })
}

fn token_from_row(row: &AnyRow) -> Result<ApiToken, StoreError> {
    let last_used: Option<i64> = row.try_get(5).map_err(db_err)?;
    let scopes: String = row.try_get(6).map_err(db_err)?;
    let expires: Option<i64> = row.try_get(7).map_err(db_err)?;
    Ok(ApiToken {
        id: ApiTokenId(row.try_get(0).map_err(db_err)?),
        account_id: AccountId(row.try_get(1).map_err(db_err)?),
        name: row.try_get(2).map_err(db_err)?,
        prefix: row.try_get(3).map_err(db_err)?,
        created_at: from_millis(row.try_get(4).map_err(db_err)?)?,
        last_used_at: last_used.map(from_millis).transpose()?,
        scopes: ApiScope::split(&scopes)
            .ok_or_else(|| StoreError::Corrupt(format!("API token scopes {scopes:?}").into()))?,
        expires_at: expires.map(from_millis).transpose()?,
    })
}

fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

impl SqlStore {
    /// Inserts `account`; `setup_slot` is 1 only for the first-run admin.
    async fn insert_account(
        &self,
        account: &NewAccount,
        first_admin: bool,
    ) -> Result<Option<Account>, AccountError> {
        let p = &account.profile;
        let guard = if first_admin {
            "WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE role = 'admin') ON CONFLICT DO NOTHING"
        } else {
            ""
        };
        let returning = ACCOUNT.replace("a.", "");
        let sql = format!(
            "INSERT INTO accounts (username, display_name, role, password_hash, crm_user_id, extension,
                                   disabled, setup_slot, created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $9 {guard}
             RETURNING {returning}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account.username.as_str())
            .bind(p.display_name.as_str())
            .bind(if first_admin {
                Role::Admin.as_str()
            } else {
                p.role.as_str()
            })
            .bind(account.password_hash.as_str())
            .bind(p.crm_user_id.as_deref())
            .bind(p.extension.as_deref())
            .bind(i64::from(p.disabled))
            .bind(first_admin.then_some(1_i64))
            .bind(millis(account.at))
            .fetch_optional(self.writer())
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    AccountError::UsernameTaken(account.username.clone())
                } else {
                    AccountError::Store(db_err(e))
                }
            })?;
        Ok(row.map(|r| account_from_row(&r, 0)).transpose()?)
    }
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn has_admin(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM accounts WHERE role = 'admin'")
            .fetch_one(self.pool())
            .await
            .map_err(db_err)?;
        Ok(row.try_get::<i64, _>(0).map_err(db_err)? > 0)
    }

    async fn create_first_admin(
        &self,
        account: &NewAccount,
    ) -> Result<Option<Account>, AccountError> {
        self.insert_account(account, true).await
    }

    async fn create_account(&self, account: &NewAccount) -> Result<Account, AccountError> {
        self.insert_account(account, false).await?.ok_or_else(|| {
            AccountError::Store(StoreError::Database("insert returned no row".into()))
        })
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT} FROM accounts a WHERE a.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.map(|r| account_from_row(&r, 0)).transpose()
    }

    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, StoreError> {
        let sql =
            format!("SELECT {ACCOUNT}, a.password_hash FROM accounts a WHERE a.username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(Credentials {
                account: account_from_row(&r, 0)?,
                password_hash: r.try_get(ACCOUNT_COLS).map_err(db_err)?,
            })
        })
        .transpose()
    }

    async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT} FROM accounts a ORDER BY a.username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(|r| account_from_row(r, 0)).collect()
    }

    async fn update_account(
        &self,
        id: AccountId,
        profile: &AccountProfile,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET display_name = $1, role = $2, crm_user_id = $3, extension = $4,
                                 disabled = $5, updated_at = $6
             WHERE id = $7",
        )
        .bind(profile.display_name.as_str())
        .bind(profile.role.as_str())
        .bind(profile.crm_user_id.as_deref())
        .bind(profile.extension.as_deref())
        .bind(i64::from(profile.disabled))
        .bind(millis(at))
        .bind(id.0)
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_password(
        &self,
        id: AccountId,
        password_hash: &str,
        must_change: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = $1, must_change_password = $2, updated_at = $3
             WHERE id = $4",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(millis(at))
        .bind(id.0)
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at, user_agent,
                                   client_addr)
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(session.hash.to_hex())
        .bind(session.account_id.0)
        .bind(millis(session.created_at))
        .bind(millis(session.expires_at))
        .bind(session.user_agent.as_deref())
        .bind(session.client_addr.as_deref())
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, hash: &TokenHash) -> Result<Option<(Session, Account)>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT}, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.client_addr
             FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(hash.to_hex())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let account = account_from_row(&row, 0)?;
        let at = ACCOUNT_COLS;
        let session = Session {
            hash: *hash,
            account_id: account.id,
            created_at: from_millis(row.try_get(at).map_err(db_err)?)?,
            last_seen_at: from_millis(row.try_get(at + 1).map_err(db_err)?)?,
            expires_at: from_millis(row.try_get(at + 2).map_err(db_err)?)?,
            user_agent: row.try_get(at + 3).map_err(db_err)?,
            client_addr: row.try_get(at + 4).map_err(db_err)?,
        };
        Ok(Some((session, account)))
    }

    async fn sessions_of(&self, id: AccountId) -> Result<Vec<Session>, StoreError> {
        let rows = sqlx::query(
            "SELECT created_at, last_seen_at, expires_at, user_agent, client_addr, token_hash
             FROM sessions WHERE account_id = $1 ORDER BY created_at DESC, token_hash",
        )
        .bind(id.0)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let hash: String = row.try_get(5).map_err(db_err)?;
                Ok(Session {
                    hash: TokenHash::from_hex(&hash)
                        .ok_or_else(|| StoreError::Corrupt("a session's token hash".into()))?,
                    account_id: id,
                    created_at: from_millis(row.try_get(0).map_err(db_err)?)?,
                    last_seen_at: from_millis(row.try_get(1).map_err(db_err)?)?,
                    expires_at: from_millis(row.try_get(2).map_err(db_err)?)?,
                    user_agent: row.try_get(3).map_err(db_err)?,
                    client_addr: row.try_get(4).map_err(db_err)?,
                })
            })
            .collect()
    }

    async fn touch_session(&self, hash: &TokenHash, at: DateTime<Utc>) -> Result<(), StoreError> {
        // Never moves backwards, whatever order two requests land in.
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1",
        )
        .bind(millis(at))
        .bind(hash.to_hex())
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_session(&self, hash: &TokenHash) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash.to_hex())
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_account(&self, id: AccountId) -> Result<bool, StoreError> {
        // One transaction; children first, whatever the backend does with
        // foreign keys.
        let mut tx = self.writer().begin().await.map_err(db_err)?;
        for sql in [
            "DELETE FROM api_tokens WHERE account_id = $1",
            "DELETE FROM sessions WHERE account_id = $1",
        ] {
            sqlx::query(sql)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        let done = sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn end_session(&self, account: AccountId, handle: &str) -> Result<bool, StoreError> {
        // A handle is exactly a hex prefix; anything else names nothing.
        if handle.len() != SESSION_HANDLE_LEN || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let done = sqlx::query(
            "DELETE FROM sessions WHERE account_id = $1 AND substr(token_hash, 1, 16) = $2",
        )
        .bind(account.0)
        .bind(handle.to_ascii_lowercase())
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_sessions_of(&self, id: AccountId) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(id.0)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn prune_sessions(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
            .bind(millis(now))
            .bind(millis(idle_before))
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        let returning = TOKEN.replace("t.", "");
        let sql = format!(
            "INSERT INTO api_tokens (account_id, name, prefix, token_hash, created_at, scopes, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {returning}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token.account_id.0)
            .bind(token.name.as_str())
            .bind(token.prefix.as_str())
            .bind(token.hash.to_hex())
            .bind(millis(token.at))
            .bind(ApiScope::join(&token.scopes))
            .bind(token.expires_at.map(millis))
            .fetch_one(self.writer())
            .await
            .map_err(db_err)?;
        token_from_row(&row)
    }

    async fn api_tokens(&self, id: AccountId) -> Result<Vec<ApiToken>, StoreError> {
        let sql =
            format!("SELECT {TOKEN} FROM api_tokens t WHERE t.account_id = $1 ORDER BY t.id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(token_from_row).collect()
    }

    async fn api_token(&self, hash: &TokenHash) -> Result<Option<(ApiToken, Account)>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN}, {ACCOUNT} FROM api_tokens t JOIN accounts a ON a.id = t.account_id
             WHERE t.token_hash = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(hash.to_hex())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.map(|r| Ok((token_from_row(&r)?, account_from_row(&r, TOKEN_COLS)?)))
            .transpose()
    }

    async fn touch_api_token(&self, id: ApiTokenId, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
        )
        .bind(millis(at))
        .bind(id.0)
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn revoke_api_token(
        &self,
        account: AccountId,
        token: ApiTokenId,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND account_id = $2")
            .bind(token.0)
            .bind(account.0)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
