//! Screen-pop latency: from the moment the Yeastar simulator publishes a
//! call's ringing frame to the moment a signed-in agent's SSE stream
//! (`/api/calls/stream`) delivers the pop with the matched record — the
//! real path: WebSocket client, ingest (journal write), call tracker, live
//! hub, directory lookup among `directory_numbers` numbers, SSE. The same
//! frames go, in the same run, through a bare relay (the floor).
//!
//! One call at a time: each call rings, both readers get it, then it is
//! answered and ended, so the numbers are latency, not queueing.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use ringbridge_core::accounts::{AccountProfile, AccountStore, NewAccount, Role, Username};
use ringbridge_core::policy::LoggingPolicy;
use ringbridge_web::AppState;
use ringbridge_web::auth::api_tokens;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::calls::{CallTemplate, synthetic_number};
use super::sse::SseReader;
use super::stages::{self, PopStages};
use super::stats::{Latency, Recorder, ratio};
use super::{prefill, relay};
use crate::world::{World, WorldOptions};

const AGENT: &str = "1005";
/// Calls played before measuring (connections, caches, first allocations).
const WARMUP: u64 = 10;
/// How long one call waits for both readers.
const PATIENCE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Serialize)]
pub struct PopReport {
    pub calls: u64,
    pub directory_numbers: u64,
    pub ringbridge: Latency,
    pub relay: Latency,
    pub ratio_p99: Option<f64>,
    /// Pops that carried the matched record (every call's number is in the directory).
    pub matched: u64,
    /// Calls a reader did not get within the patience (not in the percentiles).
    pub missed: u64,
    /// The path's steps timed alone, for seeing what the pop's time is made of.
    pub stages: Option<PopStages>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Path {
    Ringbridge,
    Relay,
}

struct Arrival {
    path: Path,
    call_id: String,
    at: Instant,
    matched: bool,
}

pub async fn run(calls: u64, directory_numbers: u64, gap: Duration) -> Result<PopReport> {
    let (_db_dir, url) = prefill::database(directory_numbers).await?;
    let mut options = WorldOptions {
        database_url: Some(url),
        ..WorldOptions::default()
    };
    // Pops only: no call logs, so the CRM writes of earlier calls do not
    // compete with the path measured (the frugality bench covers them).
    options.settings.logging = LoggingPolicy {
        inbound_answered: false,
        inbound_missed: false,
        outbound_answered: false,
        outbound_unanswered: false,
        internal: false,
        voicemail: false,
        ..LoggingPolicy::default()
    };
    // serve's own checkpoint and reconciliation timing, not the test
    // world's brisk one (a reconciliation holds ingest while it asks the PBX).
    options.ingest = crate::config::Timing::default().ingest("pbx");
    let world = World::start(options).await?;
    let loaded = world.directory.stats().numbers;
    let template = CallTemplate::capture(AGENT).await?;
    let (tx, mut arrivals) = mpsc::unbounded_channel();
    let agent = agent_stream(&world).await?;
    let pops = tokio::spawn(read_pops(agent, tx.clone()));
    let relay = relay::start(&world.pbx_sim).await?;
    let relay_stream = reqwest::Client::new()
        .get(&relay.url)
        .send()
        .await?
        .error_for_status()?;
    let frames = tokio::spawn(read_relay(SseReader::new(relay_stream), tx));

    let (mut ours, mut floor) = (Recorder::new(), Recorder::new());
    let (mut matched, mut missed) = (0, 0);
    for n in 0..WARMUP + calls {
        let number = synthetic_number((n * 7_919) % directory_numbers.max(1));
        let call = template.call(n, &number)?;
        let sent = Instant::now();
        for event in call.ring {
            world.pbx_sim.emit(event);
        }
        let deadline = sent + PATIENCE;
        let mut pending: HashSet<Path> = [Path::Ringbridge, Path::Relay].into();
        while !pending.is_empty() {
            let Ok(Some(arrival)) = tokio::time::timeout_at(deadline, arrivals.recv()).await else {
                break;
            };
            if arrival.call_id != call.id || !pending.remove(&arrival.path) || n < WARMUP {
                continue;
            }
            let latency = arrival.at - sent;
            match arrival.path {
                Path::Ringbridge => {
                    ours.record(latency);
                    matched += u64::from(arrival.matched);
                }
                Path::Relay => floor.record(latency),
            }
        }
        if n >= WARMUP && !pending.is_empty() {
            missed += 1;
        }
        for event in call.end {
            world.pbx_sim.emit(event);
        }
        tokio::time::sleep(gap).await;
    }
    pops.abort();
    frames.abort();
    drop(relay);
    let stages = stages::measure(&world, &template, directory_numbers, calls).await;
    world.stop().await;
    let (ringbridge, relay) = (ours.summary(), floor.summary());
    Ok(PopReport {
        calls,
        directory_numbers: loaded,
        ratio_p99: ratio(ringbridge.p99_us, relay.p99_us),
        ringbridge,
        relay,
        matched,
        missed,
        stages: stages
            .inspect_err(|err| eprintln!("bench: pop stages not measured: {err:#}"))
            .ok(),
    })
}

/// An agent at extension 1005 signed in with an API token, reading its live feed.
async fn agent_stream(world: &World) -> Result<SseReader> {
    let account = world
        .store
        .create_account(&NewAccount {
            username: Username::parse("bench-agent")?,
            password_hash: "not used: bearer token".into(),
            profile: AccountProfile {
                display_name: "Bench Agent".into(),
                role: Role::Agent,
                crm_user_id: None,
                extension: Some(AGENT.into()),
                disabled: false,
            },
            at: Utc::now(),
        })
        .await?;
    let issuer = AppState::new(
        Arc::new(world.store.clone()),
        Arc::new(world.store.clone()),
        None,
    );
    let (_, token) = api_tokens::issue(&issuer, account.id, "bench").await?;
    let response = reqwest::Client::new()
        .get(format!("{}/api/calls/stream", world.http_url))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()
        .context("the agent's live feed")?;
    Ok(SseReader::new(response))
}

async fn read_pops(mut reader: SseReader, tx: mpsc::UnboundedSender<Arrival>) -> Result<()> {
    while let Some(data) = reader.next_data().await? {
        let at = Instant::now();
        let Ok(event) = serde_json::from_str::<serde_json::Value>(&data) else {
            continue;
        };
        if event["state"] != "ringing" {
            continue;
        }
        let Some(call_id) = event["call_id"].as_str() else {
            continue;
        };
        let _ = tx.send(Arrival {
            path: Path::Ringbridge,
            call_id: call_id.to_owned(),
            at,
            matched: event["record"]["name"].is_string(),
        });
    }
    Ok(())
}

async fn read_relay(mut reader: SseReader, tx: mpsc::UnboundedSender<Arrival>) -> Result<()> {
    while let Some(data) = reader.next_data().await? {
        let at = Instant::now();
        if let Some(call_id) = relay::call_state_id(&data) {
            let _ = tx.send(Arrival {
                path: Path::Relay,
                call_id,
                at,
                matched: false,
            });
        }
    }
    Ok(())
}
