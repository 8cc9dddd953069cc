//! Leases: which node does a job only one node may do at a time (consuming
//! one PBX's event stream). A lease lasts `ttl` unless renewed; a node that
//! dies loses it when it expires, and another node takes over.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::store::StoreError;

#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Takes or renews the lease `name` for `holder` until `now + ttl`.
    /// `true` if `holder` holds it now; `false` if another holder's lease
    /// has not expired.
    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Gives the lease up (on shutdown), if `holder` holds it.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError>;

    /// The current holder, if the lease is held and not expired at `now`.
    async fn lease_holder(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError>;
}
