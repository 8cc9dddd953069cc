//! The measured side of the throughput bench, in its own process so it can
//! be pinned to one core (`taskset -c 0`) apart from the simulator: the real
//! Yeastar WebSocket client, ingest (journal, call tracker, outbox enqueue)
//! and SQLite in a temporary directory. It prints `ready` once the stream is
//! connected, then `ended N` whenever the count of calls durably queued in
//! the outbox has grown; it exits when its standard input closes.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use ringbridge_core::pbx::{Pbx, PbxEventSource};
use ringbridge_core::store::Storage;
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::{Ingest, IngestConfig, Ingested, StreamStatus};
use ringbridge_store::{SecretKey, SqlStore};
use ringbridge_yeastar::{EventStreamConfig, YeastarClient, YeastarConfig};
use secrecy::SecretString;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

pub const CLIENT_ID_ENV: &str = "RINGBRIDGE_BENCH_PBX_CLIENT_ID";
pub const CLIENT_SECRET_ENV: &str = "RINGBRIDGE_BENCH_PBX_CLIENT_SECRET";
/// The worker's database; empty or unset: SQLite in a temporary directory.
pub const DATABASE_ENV: &str = "RINGBRIDGE_BENCH_DATABASE_URL";

/// How often progress is reported (the lag measurement's resolution).
const REPORT_EVERY: Duration = Duration::from_millis(5);

pub async fn run(pbx_url: &str) -> Result<()> {
    let client_id = std::env::var(CLIENT_ID_ENV).context(CLIENT_ID_ENV)?;
    let secret = std::env::var(CLIENT_SECRET_ENV).context(CLIENT_SECRET_ENV)?;
    let dir = tempfile::tempdir()?;
    let url = match std::env::var(DATABASE_ENV) {
        Ok(url) if !url.is_empty() => url,
        _ => format!("sqlite://{}", dir.path().join("ringbridge.db").display()),
    };
    let store = SqlStore::open(&url, SecretKey::generate()).await?;
    let yeastar = YeastarClient::new(YeastarConfig::new(
        pbx_url,
        client_id,
        SecretString::from(secret),
        chrono_tz::UTC,
    )?)?;
    let storage: Arc<dyn Storage> = Arc::new(store.clone());
    let pbx: Arc<dyn Pbx> = Arc::new(yeastar.clone());
    let mut config = IngestConfig::new("pbx");
    // Synthetic calls exist only as frames: nothing to reconcile against.
    config.reconcile_every = None;
    let (tx, updates) = mpsc::channel(8192);
    let ingest = Ingest::new(config, storage, pbx, tx);
    let mut status = ingest.status();
    let events = yeastar.event_source(EventStreamConfig::default()).events();
    let ingest = tokio::spawn(ingest.run(events));
    tokio::time::timeout(
        Duration::from_secs(20),
        status.wait_for(|s| *s == StreamStatus::Connected),
    )
    .await
    .context("the PBX event stream did not connect")??;
    say("ready")?;

    // Progress is counted by a task on the runtime, as the service's own
    // consumers of live updates are, not by this (main) thread's
    // `block_on`: waking a second thread per update cost the worker more
    // CPU than the updates themselves.
    tokio::spawn(report_progress(updates)).await??;
    ingest.abort();
    yeastar.shutdown().await;
    store.close().await;
    Ok(())
}

/// Reports the count of ended calls every [`REPORT_EVERY`] while it grows;
/// returns when standard input closes or ingest stops.
async fn report_progress(mut updates: mpsc::Receiver<Ingested>) -> Result<()> {
    let mut stdin = tokio::io::stdin();
    let mut eof = [0u8; 64];
    let mut tick = tokio::time::interval(REPORT_EVERY);
    let mut batch = Vec::with_capacity(256);
    let (mut ended, mut reported) = (0u64, 0u64);
    loop {
        tokio::select! {
            n = updates.recv_many(&mut batch, 256) => {
                if n == 0 {
                    return Ok(());
                }
                ended += batch
                    .drain(..)
                    .filter(|item| matches!(item.update, CallUpdate::Ended(_)))
                    .count() as u64;
            }
            _ = tick.tick() => {
                if ended != reported {
                    say(&format!("ended {ended}"))?;
                    reported = ended;
                }
            }
            read = stdin.read(&mut eof) => {
                if matches!(read, Ok(0) | Err(_)) {
                    return Ok(());
                }
            }
        }
    }
}

fn say(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// Parses one progress line of the worker.
pub fn parse_progress(line: &str) -> Option<u64> {
    line.strip_prefix("ended ")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_parse() {
        assert_eq!(parse_progress("ended 42"), Some(42));
        assert_eq!(parse_progress("ready"), None);
        assert_eq!(parse_progress("ended x"), None);
    }
}
