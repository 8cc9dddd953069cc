//! A scratch PostgreSQL database for the throughput bench: created on the
//! server the given URL points at, dropped afterwards, so the bench never
//! writes into a database someone uses.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use sqlx::{Connection, Executor, PgConnection};

/// Where the PostgreSQL run goes unless `--postgres-url` says.
pub const POSTGRES_ENV: &str = "RINGBRIDGE_TEST_POSTGRES_URL";

pub struct ScratchDb {
    admin_url: String,
    name: String,
    pub url: String,
}

impl ScratchDb {
    /// A new, empty database beside the one `admin_url` names.
    pub async fn create(admin_url: &str) -> Result<Self> {
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        // Digits and underscores only: safe to put in the statement.
        let name = format!("rb_bench_{}_{stamp}", std::process::id());
        let mut admin = PgConnection::connect(admin_url)
            .await
            .context("connecting to PostgreSQL")?;
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .context("creating the bench database")?;
        admin.close().await?;
        let mut url = url::Url::parse(admin_url).context("the PostgreSQL URL")?;
        url.set_path(&name);
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    /// Drops the database (best-effort: a leftover is only disk space).
    pub async fn drop_now(self) {
        if let Ok(mut admin) = PgConnection::connect(&self.admin_url).await {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = admin.execute(sqlx::AssertSqlSafe(drop)).await;
            let _ = admin.close().await;
        }
    }
}
