//! A phone directory of any size without creating its records one by one
//! through the CRM: synthetic entries written straight into a fresh SQLite
//! database, with sync cursors saying a full sync is done, so the real
//! `DirectoryService` of the world started on it loads them from storage
//! and only asks the CRM for what changed since.

use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, TimeZone, Utc};
use ringbridge_core::crm::{CrmModule, CrmRecordRef};
use ringbridge_core::directory::{DirectoryEntry, DirectoryStore, SyncCursor};
use ringbridge_core::phone::E164;
use ringbridge_store::{SecretKey, SqlStore};
use secrecy::{ExposeSecret, SecretString};

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
    let key = SecretString::from(SecretKey::generate_base64());
    let store = SqlStore::open(&url, SecretKey::from_base64(key.expose_secret())?).await?;
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
    let key_file = dir.path().join(crate::backup::KEY_FILE);
    write_key(&key_file, key.expose_secret())?;
    Ok((dir, url))
}

/// The store of a database [`database`] or [`copy`] made, opened with its key.
pub async fn open(url: &str) -> Result<SqlStore> {
    let db = Path::new(url.strip_prefix("sqlite://").context("a SQLite URL")?);
    let key_file = db
        .parent()
        .context("the database's directory")?
        .join(crate::backup::KEY_FILE);
    let key = std::fs::read_to_string(&key_file).context("reading the bench database's key")?;
    Ok(SqlStore::open(url, SecretKey::from_base64(key.trim())?).await?)
}

/// The secret key beside the database, as `serve` keeps it, so `serve`
/// pointed at this data directory opens the same store.
fn write_key(path: &Path, key: &str) -> Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(key.as_bytes())?;
    Ok(())
}

/// A copy of a database [`database`] made (it is closed, so the one file
/// is all of it), with its key, in a new temporary directory: each run of
/// a bench starts from the same directory without filling it again.
pub fn copy(url: &str) -> Result<(tempfile::TempDir, String)> {
    let from = Path::new(url.strip_prefix("sqlite://").context("a SQLite URL")?);
    let src_dir = from.parent().context("the database's directory")?;
    let dir = tempfile::tempdir()?;
    for name in ["ringbridge.db", crate::backup::KEY_FILE] {
        std::fs::copy(src_dir.join(name), dir.path().join(name))
            .with_context(|| format!("copying {name}"))?;
    }
    let url = format!("sqlite://{}", dir.path().join("ringbridge.db").display());
    Ok((dir, url))
}
