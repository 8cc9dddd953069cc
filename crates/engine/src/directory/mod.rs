//! The local phone directory as a service: caller matching without API
//! calls.
//!
//! [`DirectoryService`] keeps core's [`PhoneDirectory`] in memory, stored
//! through a [`DirectoryStore`] and filled from the CRM: a full sync of each
//! configured module the first time, then incremental syncs by
//! modification time on a timer. A lookup answers from memory; only a
//! number the directory does not know goes to the CRM (one request per
//! number at a time), and a number the CRM does not know either is
//! remembered as a miss for a while.
//!
//! CRM phone text is normalised with the PBX's [`NumberPlan`] into E.164
//! keys; text that is not a number is skipped and counted. The CRM's data
//! is never rewritten.

mod flight;
mod lookup;
mod sync;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::crm::{Crm, CrmError, CrmModule, CrmRecord, CrmRecordRef};
use ringbridge_core::directory::{
    DirectoryEntry, DirectoryFull, DirectoryStore, MatchRule, PhoneDirectory, SyncCursor, Upsert,
};
use ringbridge_core::phone::{E164, NumberPlan};
use ringbridge_core::store::StoreError;
use tokio::sync::watch;

use crate::matcher::{CallerMatcher, Match};
use flight::Flights;
pub use sync::{ModuleSync, RefreshTask, SyncReport, SyncStatus};

#[derive(Debug, Clone)]
pub struct DirectoryConfig {
    /// Modules synced and searched, in the match rule's preference order.
    pub modules: Vec<CrmModule>,
    /// How often the incremental sync runs.
    pub refresh_every: Duration,
    /// How long "the CRM does not know this number" is trusted.
    pub miss_ttl: Duration,
    /// Incremental syncs ask from this much before the cursor, so clock
    /// skew between ringbridge and the CRM, and records changed while a
    /// sync was paging, are not missed. Re-reading a record is harmless.
    pub sync_overlap: Duration,
    /// Run a full sync again (which also drops records deleted in the CRM,
    /// which incremental syncs cannot see) once the last is this old.
    /// `None`: only until the first full sync completed.
    pub full_resync_every: Option<Duration>,
    /// Records per page when loading the stored directory.
    pub load_page: u32,
    /// How long calls wait for the first full sync before lookups fall back
    /// to asking the CRM (a module that cannot sync must not hold calls forever).
    pub first_sync_patience: Duration,
}

impl Default for DirectoryConfig {
    fn default() -> Self {
        Self {
            modules: MatchRule::default().modules().to_vec(),
            refresh_every: Duration::from_secs(5 * 60),
            miss_ttl: Duration::from_secs(10 * 60),
            sync_overlap: Duration::from_secs(60),
            full_resync_every: None,
            load_page: 5_000,
            first_sync_patience: Duration::from_secs(5 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupSource {
    /// Answered from the directory in memory.
    Local,
    /// Asked the CRM (found or not).
    Remote,
    /// The CRM recently did not know the number; it was not asked again.
    CachedMiss,
    /// The text is not a phone number (anonymous, a SIP name...).
    NotANumber,
}

/// The answer to a lookup: the chosen record by the match rule (see
/// core's `MatchRule`) and the other matches, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub number: Option<E164>,
    pub chosen: Option<DirectoryEntry>,
    pub others: Vec<DirectoryEntry>,
    pub source: LookupSource,
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    Crm(#[from] CrmError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Full(#[from] DirectoryFull),
}

/// Counters since start, and the directory's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirectoryStats {
    pub lookups_local: u64,
    pub lookups_remote: u64,
    pub lookups_cached_miss: u64,
    pub lookups_not_a_number: u64,
    pub remote_errors: u64,
    /// CRM phone values that were not numbers (skipped).
    pub unparseable_numbers: u64,
    /// Storage failures tolerated on the lookup path (the answer was still given).
    pub store_errors: u64,
    pub records: u64,
    pub numbers: u64,
    pub approx_bytes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    local: AtomicU64,
    remote: AtomicU64,
    cached_miss: AtomicU64,
    not_a_number: AtomicU64,
    remote_errors: AtomicU64,
    unparseable: AtomicU64,
    store_errors: AtomicU64,
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

/// Where "now" comes from; tests pass a controllable clock.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub struct DirectoryService {
    config: DirectoryConfig,
    rule: MatchRule,
    crm: Arc<dyn Crm>,
    store: Arc<dyn DirectoryStore>,
    plan: NumberPlan,
    index: RwLock<PhoneDirectory>,
    /// Held by whoever changes the index, for the whole change and the
    /// merge after it: a merge is built under the read lock only (lookups
    /// go on; a writer waiting for the write lock would hold them up),
    /// then swapped in under the write lock.
    writers: tokio::sync::Mutex<()>,
    /// Misses known in memory (the store holds them too, for restarts and
    /// other nodes).
    misses: Mutex<HashMap<E164, DateTime<Utc>>>,
    flights: Flights<E164>,
    /// One sync at a time (timer and manual).
    sync_lock: tokio::sync::Mutex<()>,
    /// The sync cursor of what is in *this* process's memory, per module.
    /// Read from the store together with the stored directory; with several
    /// processes on one database, another may move the stored cursor past
    /// changes this one has not seen, so syncs go by this copy.
    cursors: Mutex<HashMap<CrmModule, SyncCursor>>,
    started: std::time::Instant,
    counters: Counters,
    clock: Clock,
    status: watch::Sender<SyncStatus>,
    /// Told when a synced record's owner changed: what agents may see of it
    /// is asked again.
    owner_watch: Mutex<Option<Arc<crate::visibility::Visibility>>>,
}

impl std::fmt::Debug for DirectoryService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryService")
            .field("config", &self.config)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl DirectoryService {
    pub fn new(
        config: DirectoryConfig,
        crm: Arc<dyn Crm>,
        store: Arc<dyn DirectoryStore>,
        plan: NumberPlan,
    ) -> Self {
        Self {
            rule: MatchRule::new(config.modules.clone()),
            config,
            crm,
            store,
            plan,
            index: RwLock::new(deferring(PhoneDirectory::new())),
            writers: tokio::sync::Mutex::new(()),
            misses: Mutex::new(HashMap::new()),
            flights: Flights::default(),
            sync_lock: tokio::sync::Mutex::new(()),
            cursors: Mutex::new(HashMap::new()),
            started: std::time::Instant::now(),
            counters: Counters::default(),
            clock: Arc::new(Utc::now),
            status: watch::channel(SyncStatus::default()).0,
            owner_watch: Mutex::new(None),
        }
    }

    /// Drops `visibility`'s answers about records whose owner a sync changes.
    pub fn on_owner_change(&self, visibility: Arc<crate::visibility::Visibility>) {
        *self.owner_watch.lock().unwrap_or_else(|e| e.into_inner()) = Some(visibility);
    }

    /// The records of `changed` whose owner differs from the directory's.
    pub(crate) fn forget_new_owners(&self, changed: &[CrmRecord]) {
        let watch = self
            .owner_watch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(visibility) = watch else { return };
        let moved: Vec<CrmRecordRef> = {
            let index = self.read();
            changed
                .iter()
                .filter(|r| {
                    index
                        .get(&r.reference)
                        .is_some_and(|old| old.owner_id() != r.owner_id.as_deref())
                })
                .map(|r| r.reference.clone())
                .collect()
        };
        for record in &moved {
            visibility.forget_record(record);
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn config(&self) -> &DirectoryConfig {
        &self.config
    }

    pub fn stats(&self) -> DirectoryStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let index = self.read();
        DirectoryStats {
            lookups_local: get(&c.local),
            lookups_remote: get(&c.remote),
            lookups_cached_miss: get(&c.cached_miss),
            lookups_not_a_number: get(&c.not_a_number),
            remote_errors: get(&c.remote_errors),
            unparseable_numbers: get(&c.unparseable),
            store_errors: get(&c.store_errors),
            records: index.record_count() as u64,
            numbers: index.len() as u64,
            approx_bytes: index.approx_bytes() as u64,
        }
    }

    /// Sync progress, for readiness and metrics.
    pub fn sync_status(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    // A panic while holding the lock leaves the index consistent (each
    // operation completes before the next), so poisoning is ignored.
    fn read(&self) -> RwLockReadGuard<'_, PhoneDirectory> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, PhoneDirectory> {
        self.index.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Directory entries for CRM records, counting phone text that is not a number.
    fn entries_of(&self, records: &[CrmRecord]) -> Vec<DirectoryEntry> {
        records
            .iter()
            .map(|r| {
                let (entry, unparseable) = DirectoryEntry::from_record(r, &self.plan);
                bump(&self.counters.unparseable, unparseable as u64);
                entry
            })
            .collect()
    }

    /// Stores entries and puts them in memory. An entry without numbers
    /// removes its record; a copy older than the one held is ignored.
    async fn apply(&self, entries: Vec<DirectoryEntry>) -> Result<(), DirectoryError> {
        let (keep, empty): (Vec<_>, Vec<_>) =
            entries.into_iter().partition(|e| !e.numbers.is_empty());
        if !keep.is_empty() {
            self.store.upsert_directory_entries(&keep).await?;
        }
        let mut gone = Vec::new();
        {
            let _writer = self.writers.lock().await;
            {
                let mut index = self.write();
                for e in &keep {
                    index.upsert(e)?;
                }
                for e in empty {
                    if index.upsert(&e)? != Upsert::Stale {
                        gone.push(e.record);
                    }
                }
            }
            self.merge_if_due()?;
        }
        if !gone.is_empty() {
            self.store.delete_directory_entries(&gone).await?;
        }
        Ok(())
    }
}

impl DirectoryService {
    /// Merges the index's delta into a new base if one is due (the caller
    /// holds `writers`): built under the read lock, swapped in under the
    /// write lock, the old one freed after it.
    fn merge_if_due(&self) -> Result<(), DirectoryFull> {
        let merged = {
            let index = self.read();
            if !index.wants_merge() {
                return Ok(());
            }
            index.merged()?
        };
        let old = std::mem::replace(&mut *self.write(), merged);
        drop(old);
        Ok(())
    }
}

/// `dir`, leaving its merges to the service (see `merge_if_due`).
fn deferring(mut dir: PhoneDirectory) -> PhoneDirectory {
    dir.defer_merges();
    dir
}

/// The directory's entry as the engine's CRM record: `phones` are the
/// E.164 keys (the CRM's own spelling is not kept), `email` is unknown.
pub fn to_crm_record(entry: DirectoryEntry) -> CrmRecord {
    CrmRecord {
        reference: entry.record,
        name: entry.name,
        company: entry.company,
        email: None,
        phones: entry.numbers.into_iter().map(String::from).collect(),
        owner_id: entry.owner_id,
        account: entry.account,
        modified_at: entry.modified_at,
    }
}

#[async_trait]
impl CallerMatcher for DirectoryService {
    async fn lookup(&self, number: &str, owner_user_id: Option<&str>) -> Result<Match, CrmError> {
        let found = DirectoryService::lookup(self, number, owner_user_id).await?;
        Ok(Match {
            chosen: found.chosen.map(to_crm_record),
            others: found.others.into_iter().map(to_crm_record).collect(),
        })
    }

    /// Ready once every module has completed a full sync (now, or in an
    /// earlier run whose copy was loaded from the store), or when waiting
    /// for that has taken longer than `first_sync_patience`.
    fn ready(&self) -> bool {
        // Waiting is pointless when the CRM connection itself is gone: let
        // calls go on to fail visibly (the engine raises the alarm).
        if self.started.elapsed() >= self.config.first_sync_patience
            || self.status.borrow().needs_reconnect
        {
            return true;
        }
        let cursors = self
            .cursors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.config
            .modules
            .iter()
            .all(|m| cursors.get(m).is_some_and(|c| c.full_sync_at.is_some()))
    }

    async fn remember(&self, record: &CrmRecord) {
        let entries = self.entries_of(std::slice::from_ref(record));
        if let Err(e) = self.apply(entries).await {
            bump(&self.counters.store_errors, 1);
            tracing::warn!(record = ?record.reference, error = %e, "could not add a record to the phone directory");
        }
    }
}
