//! The data directory and the files in it are ringbridge's alone: the
//! directory is made 0700 and the SQLite database 0600 before SQLite opens
//! it (its `-wal` and `-shm` files take the database's mode), like
//! `secret.key`. Other local users must not read call data, sessions or
//! encrypted secrets.

use std::path::Path;

use anyhow::{Context, Result};
use secrecy::ExposeSecret;

use super::Config;

impl Config {
    /// Makes sure the data directory exists, private, and that the default
    /// SQLite database in it is private too.
    pub fn prepare_data_dir(&self) -> Result<()> {
        let dir = &self.data_dir;
        if !dir.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(dir)
                .with_context(|| format!("creating data directory {}", dir.display()))?;
        }
        if self.database_url.expose_secret().is_empty() {
            private_file(&dir.join("ringbridge.db"))?;
        }
        Ok(())
    }
}

/// Creates `path` empty with mode 0600 if missing; narrows it to 0600 if
/// others could read it.
fn private_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("making {} private", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[tokio::test]
    async fn the_data_directory_and_its_files_are_private() {
        let root = tempfile::tempdir().unwrap();
        let data_dir = root.path().join("data");
        let config = super::super::defaults()
            .merge(figment::providers::Serialized::default(
                "data_dir",
                data_dir.display().to_string(),
            ))
            .extract::<Config>()
            .unwrap();
        let store = crate::serve::open_store(&config).await.unwrap();
        // Something written, so SQLite has its write-ahead log open.
        store.close().await;
        assert_eq!(mode(&data_dir), 0o700);
        assert_eq!(mode(&data_dir.join("secret.key")), 0o600);
        for name in ["ringbridge.db", "ringbridge.db-wal", "ringbridge.db-shm"] {
            let file = data_dir.join(name);
            if name == "ringbridge.db" || file.exists() {
                assert_eq!(mode(&file), 0o600, "{name}");
            }
        }
        // A database left readable by others is narrowed at the next start.
        std::fs::set_permissions(
            data_dir.join("ringbridge.db"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        config.prepare_data_dir().unwrap();
        assert_eq!(mode(&data_dir.join("ringbridge.db")), 0o600);
    }
}
