//! The admin console's configuration: JSON sections in `console_config`,
//! manual user pairs in `console_user_overrides`, secrets sealed in
//! `secrets` (AES-256-GCM, the secret's name as associated data).

use async_trait::async_trait;
use chrono::Utc;
use ringbridge_core::console::{
    ConsoleConfig, ConsoleSettings, ConsoleStore, CrmConnection, CrmGrant, CrmMode, PbxConnection,
    UserOverride,
};
use ringbridge_core::store::{Store, StoreError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::sql::{SqlStore, db_err, millis};

const PBX_SECRET: &str = "console.pbx.client_secret";
const CRM_SECRET: &str = "console.crm.client_secret";
const REFRESH_SECRET: &str = "console.crm.refresh_token";

/// The stored, secret-free part of [`PbxConnection`].
#[derive(Serialize, Deserialize)]
struct PbxSection {
    base_url: String,
    client_id: String,
    accept_invalid_certs: bool,
}

/// The stored, secret-free part of [`CrmConnection`].
#[derive(Serialize, Deserialize)]
struct CrmSection {
    location: String,
    accounts_server: String,
    client_id: String,
    /// Set with the grant (whose token is a secret).
    grant: Option<GrantSection>,
}

#[derive(Serialize, Deserialize)]
struct GrantSection {
    accounts_server: String,
    api_domain: String,
}

fn to_json(section: &str, value: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| {
        StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
            format!("console {section} does not serialize"),
            e,
        ))
    })
}

impl SqlStore {
    async fn section<T: DeserializeOwned>(&self, section: &str) -> Result<Option<T>, StoreError> {
        let row = sqlx::query("SELECT value FROM console_config WHERE section = $1")
            .bind(section)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get(0).map_err(db_err)?;
        serde_json::from_str(&text).map(Some).map_err(|e| {
            StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
                format!("console {section}"),
                e,
            ))
        })
    }

    async fn put_section(&self, section: &str, value: &impl Serialize) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO console_config (section, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (section) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(section)
        .bind(to_json(section, value)?)
        .bind(millis(Utc::now()))
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        self.bump_revision().await
    }

    async fn bump_revision(&self) -> Result<(), StoreError> {
        sqlx::query("UPDATE console_revision SET revision = revision + 1 WHERE id = 1")
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn required_secret(&self, name: &str) -> Result<secrecy::SecretString, StoreError> {
        self.secret(name)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("console secret {name} is missing").into()))
    }

    async fn stored_pbx(&self) -> Result<Option<PbxConnection>, StoreError> {
        let Some(s) = self.section::<PbxSection>("pbx").await? else {
            return Ok(None);
        };
        Ok(Some(PbxConnection {
            base_url: s.base_url,
            client_id: s.client_id,
            client_secret: self.required_secret(PBX_SECRET).await?,
            accept_invalid_certs: s.accept_invalid_certs,
        }))
    }

    async fn stored_crm(&self) -> Result<Option<CrmConnection>, StoreError> {
        let Some(s) = self.section::<CrmSection>("crm").await? else {
            return Ok(None);
        };
        let grant = match s.grant {
            Some(g) => Some(CrmGrant {
                refresh_token: self.required_secret(REFRESH_SECRET).await?,
                accounts_server: g.accounts_server,
                api_domain: g.api_domain,
            }),
            None => None,
        };
        Ok(Some(CrmConnection {
            location: s.location,
            accounts_server: s.accounts_server,
            client_id: s.client_id,
            client_secret: self.required_secret(CRM_SECRET).await?,
            grant,
        }))
    }

    async fn user_overrides(&self) -> Result<Vec<UserOverride>, StoreError> {
        let rows = sqlx::query(
            "SELECT extension, crm_user_id, crm_user_name FROM console_user_overrides ORDER BY extension",
        )
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(UserOverride {
                    extension: row.try_get(0).map_err(db_err)?,
                    crm_user_id: row.try_get(1).map_err(db_err)?,
                    crm_user_name: row.try_get(2).map_err(db_err)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl ConsoleStore for SqlStore {
    async fn console(&self) -> Result<ConsoleConfig, StoreError> {
        Ok(ConsoleConfig {
            revision: self.console_revision().await?,
            pbx: self.stored_pbx().await?,
            crm: self.stored_crm().await?,
            mode: self.section::<CrmMode>("mode").await?,
            settings: self.section::<ConsoleSettings>("settings").await?,
            users: self.user_overrides().await?,
        })
    }

    async fn mark_changed(&self) -> Result<(), StoreError> {
        self.bump_revision().await
    }

    async fn console_revision(&self) -> Result<i64, StoreError> {
        sqlx::query("SELECT revision FROM console_revision WHERE id = 1")
            .fetch_one(self.pool())
            .await
            .map_err(db_err)?
            .try_get(0)
            .map_err(db_err)
    }

    async fn put_pbx(&self, pbx: &PbxConnection) -> Result<(), StoreError> {
        // The secret first: a section never points at a missing secret.
        self.put_secret(PBX_SECRET, &pbx.client_secret).await?;
        let section = PbxSection {
            base_url: pbx.base_url.clone(),
            client_id: pbx.client_id.clone(),
            accept_invalid_certs: pbx.accept_invalid_certs,
        };
        self.put_section("pbx", &section).await
    }

    async fn put_crm(&self, crm: &CrmConnection) -> Result<(), StoreError> {
        self.put_secret(CRM_SECRET, &crm.client_secret).await?;
        match &crm.grant {
            Some(grant) => {
                self.put_secret(REFRESH_SECRET, &grant.refresh_token)
                    .await?
            }
            None => self.delete_secret(REFRESH_SECRET).await?,
        }
        let section = CrmSection {
            location: crm.location.clone(),
            accounts_server: crm.accounts_server.clone(),
            client_id: crm.client_id.clone(),
            grant: crm.grant.as_ref().map(|g| GrantSection {
                accounts_server: g.accounts_server.clone(),
                api_domain: g.api_domain.clone(),
            }),
        };
        self.put_section("crm", &section).await
    }

    async fn put_crm_grant(&self, grant: &CrmGrant) -> Result<(), StoreError> {
        let Some(mut section) = self.section::<CrmSection>("crm").await? else {
            return Err(StoreError::Corrupt(
                "a CRM grant without a CRM connection".into(),
            ));
        };
        self.put_secret(REFRESH_SECRET, &grant.refresh_token)
            .await?;
        section.grant = Some(GrantSection {
            accounts_server: grant.accounts_server.clone(),
            api_domain: grant.api_domain.clone(),
        });
        self.put_section("crm", &section).await
    }

    async fn remove_crm_grant(&self) -> Result<bool, StoreError> {
        let Some(mut section) = self.section::<CrmSection>("crm").await? else {
            return Ok(false);
        };
        if section.grant.take().is_none() {
            return Ok(false);
        }
        // The section first: it never points at a missing secret.
        self.put_section("crm", &section).await?;
        self.delete_secret(REFRESH_SECRET).await?;
        Ok(true)
    }

    async fn put_mode(&self, mode: CrmMode) -> Result<(), StoreError> {
        self.put_section("mode", &mode).await
    }

    async fn put_settings(&self, settings: &ConsoleSettings) -> Result<(), StoreError> {
        self.put_section("settings", settings).await
    }

    async fn put_user_override(&self, pair: &UserOverride) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO console_user_overrides (extension, crm_user_id, crm_user_name, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (extension) DO UPDATE SET crm_user_id = excluded.crm_user_id,
                 crm_user_name = excluded.crm_user_name, updated_at = excluded.updated_at",
        )
        .bind(pair.extension.as_str())
        .bind(pair.crm_user_id.as_str())
        .bind(pair.crm_user_name.as_str())
        .bind(millis(Utc::now()))
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        self.bump_revision().await
    }

    async fn remove_user_override(&self, extension: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM console_user_overrides WHERE extension = $1")
            .bind(extension)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        let removed = done.rows_affected() > 0;
        if removed {
            self.bump_revision().await?;
        }
        Ok(removed)
    }
}
