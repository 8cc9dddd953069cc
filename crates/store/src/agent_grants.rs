//! The agents' own Zoho grants, the refresh token sealed under the
//! account's id (a ciphertext moved to another account does not open).
//! Revoking drops the token and keeps the row, marked.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::accounts::AccountId;
use ringbridge_core::agent_grant::{AgentGrant, AgentGrantStore, GrantStatus};
use ringbridge_core::store::StoreError;
use secrecy::{ExposeSecret, SecretString};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlStore, db_err, from_millis, millis};

const COLUMNS: &str = "account_id, crm_user_id, email, accounts_server, api_domain, nonce, \
                       ciphertext, created_at, revoked_at";

fn sealed_name(account: AccountId) -> String {
    format!("agent_grant:{account}")
}

impl SqlStore {
    /// The grant of a row; `None` when it was revoked.
    fn grant_from_row(&self, row: &AnyRow) -> Result<Option<AgentGrant>, StoreError> {
        let revoked: Option<i64> = row.try_get(8).map_err(db_err)?;
        if revoked.is_some() {
            return Ok(None);
        }
        let account = AccountId(row.try_get(0).map_err(db_err)?);
        let name = sealed_name(account);
        let nonce: Option<Vec<u8>> = row.try_get(5).map_err(db_err)?;
        let ciphertext: Option<Vec<u8>> = row.try_get(6).map_err(db_err)?;
        let token = nonce
            .zip(ciphertext)
            .and_then(|(n, c)| self.key.open(&name, &n, &c))
            .and_then(|plain| String::from_utf8(plain).ok())
            .ok_or(StoreError::Decrypt { name })?;
        Ok(Some(AgentGrant {
            account_id: account,
            crm_user_id: row.try_get(1).map_err(db_err)?,
            email: row.try_get(2).map_err(db_err)?,
            accounts_server: row.try_get(3).map_err(db_err)?,
            api_domain: row.try_get(4).map_err(db_err)?,
            refresh_token: SecretString::from(token),
            created_at: from_millis(row.try_get(7).map_err(db_err)?)?,
        }))
    }
}

#[async_trait]
impl AgentGrantStore for SqlStore {
    async fn put_agent_grant(&self, grant: &AgentGrant) -> Result<(), StoreError> {
        let name = sealed_name(grant.account_id);
        let (nonce, ciphertext) = self
            .key
            .seal(&name, grant.refresh_token.expose_secret().as_bytes());
        sqlx::query(
            "INSERT INTO agent_grants (account_id, crm_user_id, email, accounts_server, api_domain, nonce, ciphertext, created_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)
             ON CONFLICT (account_id) DO UPDATE SET crm_user_id = excluded.crm_user_id, email = excluded.email,
               accounts_server = excluded.accounts_server, api_domain = excluded.api_domain,
               nonce = excluded.nonce, ciphertext = excluded.ciphertext, created_at = excluded.created_at,
               revoked_at = NULL",
        )
        .bind(grant.account_id.0)
        .bind(&grant.crm_user_id)
        .bind(&grant.email)
        .bind(&grant.accounts_server)
        .bind(&grant.api_domain)
        .bind(nonce)
        .bind(ciphertext)
        .bind(millis(grant.created_at))
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn agent_grant(&self, account: AccountId) -> Result<Option<AgentGrant>, StoreError> {
        // Only the constant column list is formatted in.
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM agent_grants WHERE account_id = $1"
        )))
        .bind(account.0)
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?;
        match row {
            Some(row) => self.grant_from_row(&row),
            None => Ok(None),
        }
    }

    async fn grant_of_user(&self, crm_user_id: &str) -> Result<GrantStatus, StoreError> {
        // A live grant wins over a revoked one of another account of the user.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM agent_grants WHERE crm_user_id = $1 ORDER BY account_id"
        )))
        .bind(crm_user_id)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        let mut status = GrantStatus::Never;
        for row in &rows {
            match self.grant_from_row(row)? {
                Some(grant) => return Ok(GrantStatus::Live(Box::new(grant))),
                None => status = GrantStatus::Revoked,
            }
        }
        Ok(status)
    }

    async fn revoke_agent_grant(
        &self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE agent_grants SET nonce = NULL, ciphertext = NULL, revoked_at = $2
             WHERE account_id = $1 AND revoked_at IS NULL",
        )
        .bind(account.0)
        .bind(millis(at))
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }
}
