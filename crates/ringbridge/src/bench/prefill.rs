//! A phone directory of any size without creating its records one by one
//! through the CRM: synthetic entries written straight into a fresh SQLite
//! database, with sync cursors saying a full sync is done, so the real
//! `DirectoryService` of the world started on it loads them from storage
//! and only asks the CRM for what changed since.

use anyhow::Result;
use chrono::{DateTime, TimeZone, Utc};
use ringbridge_core::crm::{CrmModule, CrmRecordRef};
use ringbridge_core::directory::{DirectoryEntry, DirectoryStore, SyncCursor};
use ringbridge_core::phone::E164;
use ringbridge_store::{SecretKey, SqlStore};

use super::calls::synthetic_number;

/// Entries per store transaction while filling.
const BATCH: usize = 2_000;

/// A record holding synthetic number `n`.
pub fn entry(n: u64) -> Result<DirectoryEntry> {
    Ok(DirectoryEntry {
        record: CrmRecordRef {
            module: CrmModule::Contacts,
            id: format!("{}", 5_000_000_000_000_000_000u64 + n),
        },
        name: format!("Bench Caller {n}"),
        company: n.is_multiple_of(3).then(|| format!("Company {}", n % 500)),
        owner_id: Some(format!("{}", 4_000_000_000_000_000_000u64 + n % 20)),
        account: None,
        modified_at: long_ago(),
        numbers: vec![E164::try_from(format!("+1{}", synthetic_number(n)))?],
    })
}

fn long_ago() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A SQLite database in a new temporary directory holding `numbers`
/// synthetic directory entries; returns the directory (keep it alive) and
/// the database URL.
pub async fn database(numbers: u64) -> Result<(tempfile::TempDir, String)> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("ringbridge.db").display());
    let store =
        SqlStore::open(&url, SecretKey::from_base64(&SecretKey::generate_base64())?).await?;
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..numbers {
        batch.push(entry(n)?);
        if batch.len() == BATCH {
            store.upsert_directory_entries(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.upsert_directory_entries(&batch).await?;
    }
    let cursor = SyncCursor {
        modified_at: Some(long_ago()),
        full_sync_at: Some(Utc::now()),
    };
    for module in [CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts] {
        store.set_sync_cursor(module, &cursor).await?;
    }
    store.close().await;
    Ok((dir, url))
}
