//! `ringbridge backup` / `restore` keep the secret key with its database
//! (a restored database's stored secrets read back), and `migrate --check`
//! reports pending migrations without applying them.

use std::path::Path;

use ringbridge::backup::{DATABASE_FILE, KEY_FILE, backup, restore};
use ringbridge::config::Config;
use ringbridge_core::store::Store;
use secrecy::{ExposeSecret, SecretString};

const SECRET_NAME: &str = "zoho.refresh_token";
const SECRET: &str = "1000.backup-test-refresh-token";

fn config_in(dir: &Path, name: &str, extra: &str) -> Config {
    let file = dir.join(format!("{name}.toml"));
    let data = dir.join(name);
    std::fs::write(
        &file,
        format!("data_dir = {:?}\n{extra}", data.display().to_string()),
    )
    .expect("config written");
    Config::load(Some(&file)).expect("config loads")
}

async fn stored_secret(config: &Config) -> Option<String> {
    let store = ringbridge::serve::open_store(config).await.expect("opens");
    let secret = store.secret(SECRET_NAME).await.expect("reads");
    store.close().await;
    secret.map(|s| s.expose_secret().to_owned())
}

#[tokio::test]
async fn a_backup_restores_its_database_with_the_key_that_opens_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = config_in(dir.path(), "live", "");
    let store = ringbridge::serve::open_store(&live).await.expect("opens");
    store
        .put_secret(SECRET_NAME, &SecretString::from(SECRET.to_owned()))
        .await
        .expect("stored");
    // The copy is taken while the database is open, as under a running serve.
    let target = dir.path().join("backup-1");
    let summary = backup(&live, &target).await.expect("backed up");
    store.close().await;
    assert!(summary.key_included);
    assert!(summary.database_bytes > 0);
    assert!(target.join(DATABASE_FILE).is_file());
    assert_eq!(
        std::fs::read(target.join(KEY_FILE)).expect("key"),
        std::fs::read(live.secret_key_path()).expect("key")
    );
    assert!(!dir.path().join("backup-1.partial").exists());
    let again = backup(&live, &target)
        .await
        .expect_err("the directory exists");
    assert!(again.to_string().contains("exists already"), "{again}");

    // A new machine: an empty data directory, no key yet.
    let fresh = config_in(dir.path(), "fresh", "");
    restore(&fresh, &target, false).await.expect("restored");
    assert_eq!(stored_secret(&fresh).await.as_deref(), Some(SECRET));

    // An existing database is replaced only with --force, and kept aside.
    let refused = restore(&fresh, &target, false).await.expect_err("refused");
    assert!(refused.to_string().contains("--force"), "{refused}");
    restore(&fresh, &target, true).await.expect("restored over");
    let database = fresh.data_dir.join(DATABASE_FILE);
    assert!(Path::new(&format!("{}.before-restore", database.display())).is_file());
    assert_eq!(stored_secret(&fresh).await.as_deref(), Some(SECRET));

    // The wrong key is found at restore time, not when Zoho is next needed.
    let other_key = ringbridge_store::SecretKey::generate_base64();
    let mismatched = config_in(
        dir.path(),
        "mismatched",
        &format!("secret_key = {other_key:?}\n"),
    );
    let wrong = restore(&mismatched, &target, false).await;
    assert!(
        wrong.is_err(),
        "a key that does not open the secrets is refused"
    );
}

#[tokio::test]
async fn postgres_is_backed_up_with_pg_dump_and_its_password_is_not_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_in(
        dir.path(),
        "pg",
        "database_url = \"postgres://rb:pg-secret-pw@127.0.0.1:9/rb\"\n",
    );
    let err = backup(&config, &dir.path().join("b"))
        .await
        .expect_err("pg");
    let text = format!("{err:#}");
    assert!(text.contains("pg_dump"), "{text}");
    assert!(text.contains("secret key"), "{text}");
    assert!(!text.contains("pg-secret-pw"), "{text}");
    assert!(!dir.path().join("b").exists());
}

#[tokio::test]
async fn migrate_check_reports_pending_migrations_without_applying_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ringbridge"))
            .env_clear()
            .env("RINGBRIDGE_DATA_DIR", &data)
            .args(args)
            .output()
            .expect("runs")
    };
    let fresh = run(&["migrate", "--check"]);
    assert!(!fresh.status.success());
    assert!(
        String::from_utf8_lossy(&fresh.stderr).contains("does not exist yet"),
        "{}",
        String::from_utf8_lossy(&fresh.stderr)
    );
    assert!(
        !data.join(DATABASE_FILE).exists(),
        "--check created nothing"
    );

    // A database with none of the migrations applied yet.
    let url = format!("sqlite://{}", data.join(DATABASE_FILE).display());
    let key = ringbridge_store::SecretKey::generate();
    std::fs::create_dir_all(&data).expect("dir");
    let empty = ringbridge_store::SqlStore::connect(&url, key)
        .await
        .expect("created");
    let pending = empty.pending_migrations().await.expect("read");
    empty.close().await;
    assert!(!pending.is_empty());
    std::fs::write(
        data.join(KEY_FILE),
        ringbridge_store::SecretKey::generate_base64(),
    )
    .expect("key");
    let before = run(&["migrate", "--check"]);
    assert!(
        !before.status.success(),
        "pending migrations: exit status 1"
    );
    let listed = String::from_utf8_lossy(&before.stdout);
    assert_eq!(
        listed.matches("pending: ").count(),
        pending.len(),
        "{listed}"
    );
    let again = run(&["migrate", "--check"]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        listed,
        "nothing was applied"
    );

    assert!(run(&["migrate"]).status.success());
    let after = run(&["migrate", "--check"]);
    assert!(after.status.success());
    assert!(String::from_utf8_lossy(&after.stdout).contains("up to date"));
}
