//! What ringbridge keeps, behind a trait so the engine does not care whether
//! it is SQLite (one node) or PostgreSQL (several nodes).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::outbox::OutboxStore;
use crate::pbx::PbxEvent;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[source] crate::cause::Cause),
    /// A secret could not be decrypted: wrong key, or tampered data.
    #[error("cannot decrypt secret {name:?}: wrong secret key or corrupted data")]
    Decrypt { name: String },
    #[error("stored data is invalid: {0}")]
    Corrupt(#[source] crate::cause::Cause),
}

/// Durable state. Every method is one atomic step.
#[async_trait]
pub trait Store: Send + Sync {
    /// One round trip to the storage, for readiness checks.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Stores a secret (PBX client secret, OAuth refresh token...) encrypted.
    async fn put_secret(&self, name: &str, value: &SecretString) -> Result<(), StoreError>;
    async fn secret(&self, name: &str) -> Result<Option<SecretString>, StoreError>;
    async fn delete_secret(&self, name: &str) -> Result<(), StoreError>;

    /// Plain settings, as JSON text.
    async fn put_setting(&self, key: &str, json: &str) -> Result<(), StoreError>;
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Appends events to the journal of what the PBX said, in one
    /// transaction (one disk sync for a burst of frames, not one each).
    async fn journal_events(
        &self,
        pbx: &str,
        events: &[(DateTime<Utc>, PbxEvent)],
    ) -> Result<(), StoreError>;

    /// Appends one event to the journal.
    async fn journal_event(
        &self,
        pbx: &str,
        received_at: DateTime<Utc>,
        event: &PbxEvent,
    ) -> Result<(), StoreError> {
        self.journal_events(pbx, &[(received_at, event.clone())])
            .await
    }

    /// Deletes journal entries received before `before`; returns how many.
    async fn prune_journal(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// The time up to which the PBX's event stream is known to have been
    /// received completely; catch-up after a gap or a restart starts here.
    async fn stream_checkpoint(&self, pbx: &str) -> Result<Option<DateTime<Utc>>, StoreError>;
    async fn set_stream_checkpoint(&self, pbx: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
}

/// Everything the engine stores, as one object.
pub trait Storage:
    Store + OutboxStore + crate::audit::AuditStore + crate::lease::LeaseStore
{
}

impl<T: Store + OutboxStore + crate::audit::AuditStore + crate::lease::LeaseStore + ?Sized> Storage
    for T
{
}
