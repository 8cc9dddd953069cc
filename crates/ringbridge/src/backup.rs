//! `ringbridge backup DIR` / `ringbridge restore DIR`: the SQLite database
//! and the secret key that opens its stored secrets, together.
//!
//! A backup is a new directory holding `ringbridge.db` (an online copy:
//! `VACUUM INTO`, one moment of the database, safe while `serve` runs) and
//! `secret.key`. It is written under a temporary name and renamed into
//! place at the end, so a directory with the final name is always complete
//! and its key always belongs to its database. PostgreSQL is backed up
//! with `pg_dump`; the command says so and what to keep with the dump.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use ringbridge_store::{Backend, SqlStore};

use crate::config::Config;

pub const DATABASE_FILE: &str = "ringbridge.db";
pub const KEY_FILE: &str = "secret.key";
/// Says, in the backup, where the key came from when it is not in it.
const KEY_NOTE_FILE: &str = "KEY-IS-CONFIGURED.txt";

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The directory to create (must not exist).
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A directory `ringbridge backup` made.
    pub dir: PathBuf,
    /// Replace an existing database (kept beside it as *.before-restore).
    /// Stop `serve` first.
    #[arg(long)]
    pub force: bool,
}

/// What a backup holds.
#[derive(Debug, PartialEq, Eq)]
pub struct BackupSummary {
    pub database_bytes: u64,
    /// `false` when the key comes from the configuration (`secret_key` /
    /// `secret_key_file`) and must be kept with the backup by the admin.
    pub key_included: bool,
}

/// Writes a backup of the configured database to the new directory `dir`.
pub async fn backup(config: &Config, dir: &Path) -> Result<BackupSummary> {
    if config.database_url().starts_with("postgres") {
        bail!(
            "{} is PostgreSQL: back it up with pg_dump (e.g. `pg_dump --format=custom --file=ringbridge.dump \"$DATABASE_URL\"`), and keep the secret key with the dump — {} — without it the Zoho and PBX secrets stored in the database cannot be read",
            config.database_for_log(),
            key_whereabouts(config)
        );
    }
    if dir.exists() {
        bail!("{} exists already: name a new directory", dir.display());
    }
    if !config.database_exists() {
        bail!(
            "{} does not exist: nothing to back up",
            config.database_for_log()
        );
    }
    let key = config
        .existing_secret_key()?
        .context("the database has no secret key beside it: nothing consistent to back up")?;
    let partial = partial_name(dir)?;
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .with_context(|| format!("removing the unfinished {}", partial.display()))?;
    }
    create_private_dir(&partial)?;
    let store = SqlStore::connect(&config.database_url(), key)
        .await
        .context("opening the database")?;
    let copied = store.copy_sqlite_into(&partial.join(DATABASE_FILE)).await;
    store.close().await;
    copied?;
    let key_included = !config.secret_key_configured();
    if key_included {
        copy_private(&config.secret_key_path(), &partial.join(KEY_FILE))?;
    } else {
        std::fs::write(
            partial.join(KEY_NOTE_FILE),
            "This database's secret key comes from the configuration (secret_key or secret_key_file).\nKeep that key with this backup: the stored secrets cannot be read without it.\n",
        )?;
    }
    std::fs::rename(&partial, dir)
        .with_context(|| format!("renaming {} to {}", partial.display(), dir.display()))?;
    let database_bytes = std::fs::metadata(dir.join(DATABASE_FILE))?.len();
    Ok(BackupSummary {
        database_bytes,
        key_included,
    })
}

/// Puts a backup back as the configured SQLite database (and its key).
pub async fn restore(config: &Config, dir: &Path, force: bool) -> Result<()> {
    let url = config.database_url();
    let Some(target) = url
        .strip_prefix("sqlite://")
        .map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)))
    else {
        bail!(
            "{} is PostgreSQL: restore its pg_dump with pg_restore, and configure the secret key kept with it",
            config.database_for_log()
        );
    };
    let source = dir.join(DATABASE_FILE);
    if !source.is_file() {
        bail!(
            "{} has no {DATABASE_FILE}: not a ringbridge backup",
            dir.display()
        );
    }
    let backup_key = dir.join(KEY_FILE);
    let key_in_backup = backup_key.is_file();
    if !key_in_backup && !config.secret_key_configured() {
        bail!(
            "{} has no {KEY_FILE} and no secret_key is configured: configure the key kept with this backup first",
            dir.display()
        );
    }
    if target.exists() && !force {
        bail!(
            "{} exists: stop serve and pass --force to replace it (it is kept as {}.before-restore)",
            target.display(),
            target.display()
        );
    }
    config.prepare_data_dir()?;
    if target.exists() {
        let aside = with_suffix(&target, ".before-restore");
        std::fs::rename(&target, &aside)
            .with_context(|| format!("moving {} aside", target.display()))?;
        if config.secret_key_path().exists() && key_in_backup {
            std::fs::rename(
                config.secret_key_path(),
                with_suffix(&config.secret_key_path(), ".before-restore"),
            )?;
        }
    }
    // Journal files of the old database must not be applied to the new one.
    for suffix in ["-wal", "-shm"] {
        let stale = with_suffix(&target, suffix);
        if stale.exists() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    if key_in_backup && !config.secret_key_configured() {
        if config.secret_key_path().exists() {
            std::fs::remove_file(config.secret_key_path())?;
        }
        copy_private(&backup_key, &config.secret_key_path())?;
    }
    copy_private(&source, &target)?;
    // The restored database opens with the key now in place, and is
    // migrated if it came from an older version.
    let store = crate::serve::open_store(config)
        .await
        .context("opening the restored database")?;
    let readable = check_secrets(&store).await;
    store.close().await;
    readable
}

/// Reads one stored secret back, so a key that does not fit is found now.
async fn check_secrets(store: &SqlStore) -> Result<()> {
    use ringbridge_core::store::Store;
    if store.backend() != Backend::Sqlite {
        return Ok(());
    }
    store
        .secret(crate::serve::crm::REFRESH_TOKEN_SECRET)
        .await
        .context("the key does not open the restored database's secrets")?;
    Ok(())
}

fn key_whereabouts(config: &Config) -> String {
    if config.secret_key_configured() {
        "it is configured as secret_key / secret_key_file".to_owned()
    } else {
        format!("it is {}", config.secret_key_path().display())
    }
}

fn partial_name(dir: &Path) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .with_context(|| format!("{} names no directory", dir.display()))?;
    let mut partial = name.to_owned();
    partial.push(".partial");
    Ok(dir.with_file_name(partial))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// Copies `from` to the new file `to`, readable by its owner only.
fn copy_private(from: &Path, to: &Path) -> Result<()> {
    let bytes = std::fs::read(from).with_context(|| format!("reading {}", from.display()))?;
    crate::config::write_private(to, bytes)
}

/// `ringbridge backup`.
pub async fn run_backup(config: Config, args: BackupArgs) -> Result<()> {
    let summary = backup(&config, &args.dir).await?;
    println!(
        "backed up {} ({} bytes) to {}",
        config.database_for_log(),
        summary.database_bytes,
        args.dir.display()
    );
    if !summary.key_included {
        println!(
            "the secret key is configured (secret_key / secret_key_file): keep it with this backup"
        );
    }
    Ok(())
}

/// `ringbridge restore`.
pub async fn run_restore(config: Config, args: RestoreArgs) -> Result<()> {
    restore(&config, &args.dir, args.force).await?;
    println!(
        "restored {} from {}",
        config.database_for_log(),
        args.dir.display()
    );
    Ok(())
}
