//! The busy hour for the pop bench: calls at a steady rate ringing another
//! agent, each answered and ended at once, so the same process parses,
//! tracks, queues, processes (owner, directory match) and writes their
//! logs to the CRM in bulk while the pops are measured. The callers are the
//! demo CRM's records, so every log is written against a real record; the
//! measured pops' callers are made real CRM records too ([`real_callers`]),
//! as in a real busy hour every call is logged against a record Zoho holds.
//! Jobs that failed are counted, so a log Zoho refuses cannot hide in the
//! measurement as retries.

use std::time::Duration;

use anyhow::Result;
use ringbridge_core::directory::DirectoryStore;
use ringbridge_sim_zoho::{Module, SeedRecord};
use serde::Serialize;
use serde_json::json;
use tokio::sync::watch;
use tokio::time::Instant;

use super::calls::CallTemplate;
use super::logwatch::{LogWatch, Queued};
use super::prefill;
use crate::world::World;

/// The agent the background calls ring (not the measured agent).
pub const AGENT: &str = "1006";
/// Call ids far from the measured run's and the stages'.
const FIRST_ID: u64 = 20_000_000;
/// How long the logs of the last background calls are waited for.
const LOG_PATIENCE: Duration = Duration::from_secs(15);
/// Numbers of records in the demo CRM.
const CALLERS: &[&str] = &["4155550123", "4155550124", "4155550125", "4155550126"];

/// What the background load did.
#[derive(Debug, Clone, Serialize)]
pub struct BusyLoad {
    pub calls_per_s: f64,
    pub calls: u64,
    /// Of those, calls whose log reached the CRM.
    pub logged: u64,
    /// Outbox jobs (any call's, the measured pops' included) that failed
    /// by the end of the run: 0 when every log was accepted.
    pub failed_jobs: u64,
}

/// Plays `rate` calls a second until `stop` turns true, then waits for
/// their logs.
pub async fn load(
    world: &World,
    template: &CallTemplate,
    rate: f64,
    mut stop: watch::Receiver<bool>,
) -> Result<BusyLoad> {
    let every = Duration::from_secs_f64(1.0 / rate);
    let mut watch = LogWatch::new(world, Queued::default());
    let started = Instant::now();
    let mut calls = 0u64;
    while !*stop.borrow() {
        let call = template.call(FIRST_ID + calls, CALLERS[calls as usize % CALLERS.len()])?;
        for event in call.ring.into_iter().chain(call.end) {
            world.pbx_sim.emit(event);
        }
        watch.ended(call.id);
        calls += 1;
        // Paced by the clock, so a stall is caught up, as a PBX would.
        let _ =
            tokio::time::timeout_at(started + every.mul_f64(calls as f64), stop.changed()).await;
    }
    let deadline = Instant::now() + LOG_PATIENCE;
    while watch.logged_in_crm(world) < calls && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(BusyLoad {
        calls_per_s: rate,
        calls,
        logged: watch.logged_in_crm(world),
        failed_jobs: world.outbox().await?.failed,
    })
}

/// Makes the synthetic directory records of `callers` (prefill indices)
/// real: their entries leave the database at `url`, and the returned
/// Contacts, seeded into the CRM, come back into the directory through its
/// first sync with the ids Zoho gave them — so the measured pops' call logs
/// name records the CRM holds.
pub async fn real_callers(url: &str, callers: &[u64]) -> Result<Vec<SeedRecord>> {
    let store = prefill::open(url).await?;
    let entries = callers
        .iter()
        .map(|&n| prefill::entry(n))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<_> = entries.iter().map(|e| e.record.clone()).collect();
    store.delete_directory_entries(&refs).await?;
    store.close().await;
    Ok(entries
        .into_iter()
        .map(|e| SeedRecord {
            module: Module::Contacts,
            key: None,
            fields: json!({
                "Last_Name": e.name,
                "Phone": e.numbers.first().map(|n| n.as_str().to_owned()),
            }),
        })
        .collect())
}
