//! [`DirectoryStore`]: where the phone directory is kept between runs, with
//! its sync cursors and the cache of numbers the CRM did not know.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::DirectoryEntry;
use crate::crm::{CrmModule, CrmRecordRef};
use crate::phone::E164;
use crate::store::StoreError;

/// How far the directory has been filled from one CRM module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncCursor {
    /// The CRM's modification time up to which every change has been seen;
    /// the next incremental sync asks from here.
    pub modified_at: Option<DateTime<Utc>>,
    /// When the last full sync of the module completed; `None` until one did.
    pub full_sync_at: Option<DateTime<Utc>>,
}

impl SyncCursor {
    pub fn full_sync_done(&self) -> bool {
        self.full_sync_at.is_some()
    }
}

/// Storage of the phone directory. Times are kept to the millisecond.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Inserts or replaces records, all or none. A stored copy modified
    /// later than the given one is kept.
    async fn upsert_directory_entries(&self, entries: &[DirectoryEntry]) -> Result<(), StoreError>;

    /// Deletes records; unknown ones are ignored.
    async fn delete_directory_entries(&self, records: &[CrmRecordRef]) -> Result<(), StoreError>;

    /// Up to `limit` records in (module, id) order, starting after `after`;
    /// an empty page means the end.
    async fn directory_page(
        &self,
        after: Option<&CrmRecordRef>,
        limit: u32,
    ) -> Result<Vec<DirectoryEntry>, StoreError>;

    async fn sync_cursor(&self, module: CrmModule) -> Result<Option<SyncCursor>, StoreError>;
    async fn set_sync_cursor(
        &self,
        module: CrmModule,
        cursor: &SyncCursor,
    ) -> Result<(), StoreError>;

    /// Until when the CRM is known not to have `number`, if recorded.
    async fn cached_miss(&self, number: &E164) -> Result<Option<DateTime<Utc>>, StoreError>;
    async fn put_miss(&self, number: &E164, until: DateTime<Utc>) -> Result<(), StoreError>;
    /// Forgets misses that expired before `now`; returns how many.
    async fn purge_misses(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
