//! Replay protection that outlives a restart and spans nodes: signed
//! deliveries (the PBX webhook) already accepted within a window, kept by
//! the store that every node shares. A sender's byte-identical retry, or
//! an attacker's replay of a captured signed body, is then recognised
//! whichever node receives it and however often ringbridge restarted.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use crate::store::StoreError;

/// What identifies one delivery: the SHA-256 of its signed body.
pub type DeliveryDigest = [u8; 32];

#[async_trait]
pub trait DeliveryLog: Send + Sync {
    /// Records `digest` from `source` as accepted at `at`; `true` when it
    /// was not accepted within `window` before (so it must be handled),
    /// `false` for a replay. Atomic: of two nodes receiving the same body
    /// at once, one gets `true`. Entries older than `window` are dropped.
    async fn first_delivery(
        &self,
        source: &str,
        digest: &DeliveryDigest,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<bool, StoreError>;

    /// Forgets a delivery that was accepted but could not be handled, so
    /// the sender's retry gets through.
    async fn forget_delivery(
        &self,
        source: &str,
        digest: &DeliveryDigest,
    ) -> Result<(), StoreError>;
}
