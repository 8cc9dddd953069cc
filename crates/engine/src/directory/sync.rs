//! Filling the directory: from storage at start, from the CRM after.
//!
//! Per module, the [`SyncCursor`] of what is in memory decides: no completed full sync
//! (or one older than `full_resync_every`) → list every record; otherwise
//! → list records modified since the cursor minus `sync_overlap`. The new
//! cursor is the newest modification seen, but never later than when the
//! pass started: a record changed while the pass was paging may sit on a
//! page already read, and must come again next time. A full sync also
//! drops records the CRM no longer lists (deleted there), which
//! incremental syncs cannot see.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ringbridge_core::crm::{CrmError, CrmModule, CrmRecordRef};
use ringbridge_core::directory::{DirectoryLoader, SyncCursor};
use tokio::task::JoinHandle;

use super::{DirectoryError, DirectoryService};

/// What one module's sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSync {
    pub module: CrmModule,
    pub full: bool,
    /// What the CRM was asked from (`None` for a full sync).
    pub since: Option<DateTime<Utc>>,
    pub pages: usize,
    pub records: usize,
    /// Records dropped because a full sync no longer listed them.
    pub removed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncReport {
    pub modules: Vec<ModuleSync>,
}

/// The refresh loop's progress.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStatus {
    /// Sync rounds finished, successful or not.
    pub rounds: u64,
    pub last_ok_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// The last sync failed because the CRM connection needs an admin.
    pub needs_reconnect: bool,
}

/// The periodic refresh; stops when dropped.
#[derive(Debug)]
pub struct RefreshTask(JoinHandle<()>);

impl RefreshTask {
    pub fn stop(self) {}
}

impl Drop for RefreshTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl DirectoryService {
    /// Loads the stored directory into memory, and the sync cursors that
    /// go with it. Returns the records loaded. Without a load, the first
    /// sync of each module is a full one.
    pub async fn load(&self) -> Result<usize, DirectoryError> {
        // Cursors first: a record another process stores meanwhile is then
        // either loaded or newer than the cursor, so the next sync brings it.
        let mut cursors = HashMap::new();
        for &module in &self.config.modules {
            if let Some(cursor) = self.store.sync_cursor(module).await? {
                cursors.insert(module, cursor);
            }
        }
        *self.cursors() = cursors;
        // Staged page by page and built once, outside the lock: lookups
        // meanwhile see what the index already holds.
        let mut loader = DirectoryLoader::new();
        let mut after: Option<CrmRecordRef> = None;
        loop {
            let page = self
                .store
                .directory_page(after.as_ref(), self.config.load_page.max(1))
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.record.clone());
            loader.extend(&page)?;
        }
        let total = loader.staged();
        let mut loaded = loader.finish()?;
        let _writer = self.writers.lock().await;
        // Records that came in meanwhile (or an earlier load's) are
        // newer than the stored copies unless stale; they go on top.
        for held in self.read().iter() {
            loaded.upsert(&held.to_entry())?;
        }
        loaded.defer_merges();
        let old = std::mem::replace(&mut *self.write(), loaded);
        drop(old);
        self.merge_if_due()?;
        tracing::info!(records = total, "phone directory loaded");
        Ok(total)
    }

    /// Loads the stored directory, then keeps it fresh in the background:
    /// a sync right away, then every `refresh_every`; after a failed sync
    /// the next try comes sooner (2 s, doubling up to `refresh_every`), so a
    /// CRM outage at start does not leave the directory empty for long.
    pub async fn start(self: &Arc<Self>) -> Result<RefreshTask, DirectoryError> {
        self.load().await?;
        let this = Arc::clone(self);
        Ok(RefreshTask(tokio::spawn(async move {
            let mut retry = Duration::from_secs(2);
            loop {
                let wait = if this.refresh_once().await {
                    retry = Duration::from_secs(2);
                    this.config.refresh_every
                } else {
                    let wait = retry.min(this.config.refresh_every);
                    retry = retry.saturating_mul(2);
                    wait
                };
                tokio::time::sleep(wait).await;
            }
        })))
    }

    /// One sync round; `true` if it succeeded.
    async fn refresh_once(&self) -> bool {
        let result = self.sync().await;
        let now = self.now();
        self.misses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, until| *until > now);
        if let Err(e) = self.store.purge_misses(now).await {
            tracing::warn!(error = %e, "cannot purge expired directory misses");
        }
        self.status.send_modify(|s| {
            s.rounds += 1;
            match &result {
                Ok(_) => {
                    s.last_ok_at = Some(now);
                    s.last_error = None;
                    s.needs_reconnect = false;
                }
                Err(e) => {
                    s.last_error = Some(e.to_string());
                    s.needs_reconnect =
                        matches!(e, DirectoryError::Crm(CrmError::ReconnectNeeded(_)));
                }
            }
        });
        match result {
            Ok(report) => {
                tracing::debug!(?report, "phone directory synced");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "phone directory sync failed; retrying soon");
                false
            }
        }
    }

    /// Syncs every configured module (full or incremental, see the module
    /// docs). On a failure the other modules are still synced; the first
    /// error is returned.
    pub async fn sync(&self) -> Result<SyncReport, DirectoryError> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let mut report = SyncReport::default();
        let mut first_error = None;
        for &module in &self.config.modules {
            match self.sync_module(module).await {
                Ok(done) => report.modules.push(done),
                Err(e) => {
                    tracing::warn!(%module, error = %e, "phone directory sync of a module failed");
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    fn cursors(&self) -> MutexGuard<'_, HashMap<CrmModule, SyncCursor>> {
        self.cursors.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn sync_module(&self, module: CrmModule) -> Result<ModuleSync, DirectoryError> {
        let cursor = self.cursors().get(&module).cloned().unwrap_or_default();
        let started = self.now();
        let overlap = chrono::Duration::from_std(self.config.sync_overlap).unwrap_or_default();
        let resync_due = match (self.config.full_resync_every, cursor.full_sync_at) {
            (Some(every), Some(at)) => {
                chrono::Duration::from_std(every).is_ok_and(|every| started - at >= every)
            }
            _ => false,
        };
        let full = !cursor.full_sync_done() || cursor.modified_at.is_none() || resync_due;
        let since = if full {
            None
        } else {
            cursor.modified_at.map(|t| t - overlap)
        };

        // Hashes of the ids listed, for dropping the rest after a full sync.
        let hasher = RandomState::new();
        let mut seen = HashSet::new();
        let mut newest: Option<DateTime<Utc>> = None;
        let (mut pages, mut records) = (0, 0);
        let mut page = None;
        loop {
            let got = self
                .crm
                .records_changed_since(module, since, page.take())
                .await?;
            pages += 1;
            records += got.records.len();
            for r in &got.records {
                newest = newest.max(Some(r.modified_at));
                if full {
                    seen.insert(hasher.hash_one(r.reference.id.as_str()));
                }
            }
            self.forget_new_owners(&got.records);
            self.apply(self.entries_of(&got.records)).await?;
            match got.next {
                Some(next) => page = Some(next),
                None => break,
            }
        }

        let mut removed = 0;
        if full {
            // Records changed since the pass began may be new to the list; keep them.
            let fresh_from = started - overlap;
            let gone = {
                let _writer = self.writers.lock().await;
                let gone = self.write().retain(|v| {
                    v.module() != module
                        || v.modified_at() >= fresh_from
                        || seen.contains(&hasher.hash_one(v.id().as_ref()))
                });
                self.merge_if_due()?;
                gone
            };
            if !gone.is_empty() {
                self.store.delete_directory_entries(&gone).await?;
            }
            removed = gone.len();
        }

        let reached = newest.map_or(started, |n| n.min(started));
        let next = SyncCursor {
            modified_at: if full {
                Some(reached)
            } else {
                cursor.modified_at.max(Some(reached))
            },
            full_sync_at: if full {
                Some(started)
            } else {
                cursor.full_sync_at
            },
        };
        self.store.set_sync_cursor(module, &next).await?;
        self.cursors().insert(module, next);
        Ok(ModuleSync {
            module,
            full,
            since,
            pages,
            records,
            removed,
        })
    }
}
