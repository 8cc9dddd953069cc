//! Webhook deliveries accepted recently ([`DeliveryLog`]).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use ringbridge_core::replay::{DeliveryDigest, DeliveryLog};
use ringbridge_core::store::StoreError;

use crate::sql::{SqlStore, db_err, millis};

fn hex(digest: &DeliveryDigest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[async_trait]
impl DeliveryLog for SqlStore {
    async fn first_delivery(
        &self,
        source: &str,
        digest: &DeliveryDigest,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<bool, StoreError> {
        let cutoff = millis(at - window);
        // Bounded by age: whatever the window no longer covers goes.
        sqlx::query("DELETE FROM webhook_deliveries WHERE accepted_at < $1")
            .bind(cutoff)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        // A new row, or one older than the window taken over: a row comes
        // back. A fresh one left alone: none (a replay).
        let row = sqlx::query(
            "INSERT INTO webhook_deliveries (source, digest, accepted_at) VALUES ($1, $2, $3)
             ON CONFLICT (source, digest) DO UPDATE SET accepted_at = excluded.accepted_at
             WHERE webhook_deliveries.accepted_at < $4
             RETURNING accepted_at",
        )
        .bind(source)
        .bind(hex(digest))
        .bind(millis(at))
        .bind(cutoff)
        .fetch_optional(self.writer())
        .await
        .map_err(db_err)?;
        Ok(row.is_some())
    }

    async fn forget_delivery(
        &self,
        source: &str,
        digest: &DeliveryDigest,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE source = $1 AND digest = $2")
            .bind(source)
            .bind(hex(digest))
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
