//! Screen-pop latency: from the moment the Yeastar simulator publishes a
//! call's ringing frame to the moment a signed-in agent's SSE stream
//! (`/api/calls/stream`) delivers the pop with the matched record — the
//! real path: WebSocket client, ingest (journal write), call tracker, live
//! hub, directory lookup among `directory_numbers` numbers, SSE. The same
//! frames go, in the same run, through a bare relay (the floor).
//!
//! One call at a time: each call rings, both readers get it, then it is
//! answered and ended, so the numbers are latency, not queueing. The idle
//! run is repeated (each on a fresh world) and its median reported with the
//! spread; one more run is made while other calls go through processing
//! and logging in the same process ([`busy`]).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use ringbridge_core::accounts::{AccountProfile, AccountStore, NewAccount, Role, Username};
use ringbridge_core::policy::LoggingPolicy;
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::Ingested;
use ringbridge_web::AppState;
use ringbridge_web::auth::api_tokens;
use serde::Serialize;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::busy::{self, BusyLoad};
use super::calls::{CallTemplate, synthetic_number};
use super::sse::SseReader;
use super::stages::{self, PopStages};
use super::stats::{Latency, Recorder, median, ratio};
use super::{prefill, relay};
use crate::world::{World, WorldOptions};

const AGENT: &str = "1005";
/// Calls played before measuring (connections, caches, first allocations).
const WARMUP: u64 = 10;
/// How long one call waits for both readers.
const PATIENCE: Duration = Duration::from_secs(5);

/// What the pop bench runs.
#[derive(Debug, Clone, Copy)]
pub struct PopPlan {
    pub calls: u64,
    pub directory_numbers: u64,
    pub gap: Duration,
    /// Idle runs, each on a fresh world; the median is the headline.
    pub runs: usize,
    /// Calls per second of background load in the busy run (0: no busy run).
    pub busy_rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PopReport {
    pub calls: u64,
    pub directory_numbers: u64,
    /// The median idle run (by its ratio) — its percentiles are the headline.
    pub ringbridge: Latency,
    pub relay: Latency,
    /// Median over the idle runs of each run's pop p99 / relay p99.
    pub ratio_p99: Option<f64>,
    /// Every idle run's p99s, for the spread.
    pub runs: Vec<RunP99>,
    /// Pops that carried the matched record (every call's number is in the directory).
    pub matched: u64,
    /// Calls a reader did not get within the patience (not in the percentiles).
    pub missed: u64,
    /// The path's steps timed alone, for seeing what the pop's time is made of.
    pub stages: Option<PopStages>,
    /// The run under background call load, if made.
    pub busy: Option<BusyPop>,
}

/// One idle run's tail.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RunP99 {
    pub pop_p99_us: f64,
    pub relay_p99_us: f64,
    pub ratio: Option<f64>,
}

/// The pop run made while other calls were processed and logged.
#[derive(Debug, Clone, Serialize)]
pub struct BusyPop {
    pub ringbridge: Latency,
    /// Frame published → the live hub holds the pop (WebSocket client,
    /// ingest, tracker, directory lookup, hub): what is left of the pop's
    /// time is the agent's SSE stream.
    pub hub: Latency,
    pub relay: Latency,
    pub ratio_p99: Option<f64>,
    pub missed: u64,
    pub load: BusyLoad,
}

impl PopReport {
    /// Lowest and highest idle-run ratio.
    pub fn ratio_spread(&self) -> Option<(f64, f64)> {
        let rs: Vec<f64> = self.runs.iter().filter_map(|r| r.ratio).collect();
        let lo = rs.iter().copied().reduce(f64::min)?;
        let hi = rs.iter().copied().reduce(f64::max)?;
        Some((lo, hi))
    }

    /// Median over the idle runs of the pop p99, in ms.
    pub fn p99_median_ms(&self) -> Option<f64> {
        median(self.runs.iter().map(|r| r.pop_p99_us / 1e3).collect())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Path {
    Ringbridge,
    Relay,
    /// The generation's broadcast of the ringing update, sent once the live
    /// hub has applied it (the pump updates the hub first).
    Hub,
}

struct Arrival {
    path: Path,
    call_id: String,
    at: Instant,
    matched: bool,
}

/// One run's result.
struct Run {
    ringbridge: Latency,
    relay: Latency,
    hub: Latency,
    matched: u64,
    missed: u64,
}

impl Run {
    fn p99(&self) -> RunP99 {
        RunP99 {
            pop_p99_us: self.ringbridge.p99_us,
            relay_p99_us: self.relay.p99_us,
            ratio: ratio(self.ringbridge.p99_us, self.relay.p99_us),
        }
    }
}

pub async fn run(plan: PopPlan) -> Result<PopReport> {
    let (_db_dir, seed_db) = prefill::database(plan.directory_numbers).await?;
    let template = CallTemplate::capture(AGENT).await?;
    let mut runs: Vec<Run> = Vec::new();
    let mut loaded = 0;
    let mut stages = None;
    for i in 0..plan.runs.max(1) {
        let (_copy, url) = prefill::copy(&seed_db)?;
        let world = World::start(options(url, false)).await?;
        loaded = world.directory.stats().numbers;
        runs.push(measure(&world, &template, &plan, None).await?);
        if i + 1 == plan.runs.max(1) {
            stages =
                Some(stages::measure(&world, &template, plan.directory_numbers, plan.calls).await);
        }
        world.stop().await;
    }
    let busy = if plan.busy_rate > 0.0 {
        Some(busy_run(&seed_db, &template, &plan).await?)
    } else {
        None
    };
    let mut ratios: Vec<(f64, usize)> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.p99().ratio.unwrap_or(f64::INFINITY), i))
        .collect();
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mid = &runs[ratios[ratios.len() / 2].1];
    Ok(PopReport {
        calls: plan.calls,
        directory_numbers: loaded,
        ringbridge: mid.ringbridge,
        relay: mid.relay,
        ratio_p99: median(runs.iter().filter_map(|r| r.p99().ratio).collect()),
        runs: runs.iter().map(Run::p99).collect(),
        matched: mid.matched,
        missed: runs.iter().map(|r| r.missed).sum(),
        stages: stages.and_then(|s| {
            s.inspect_err(|err| {
                eprintln!(
                    "bench: pop stages not measured: {}",
                    crate::logging::chain(err)
                )
            })
            .ok()
        }),
        busy,
    })
}

/// The directory entry (prefill index) whose number calls in measured call `n`.
fn caller(n: u64, plan: &PopPlan) -> u64 {
    (n * 7_919) % plan.directory_numbers.max(1)
}

/// The world a run measures, on a copy of the prefilled database.
fn options(url: String, logging: bool) -> WorldOptions {
    let mut options = WorldOptions {
        database_url: Some(url),
        ..WorldOptions::default()
    };
    if logging {
        // The busy run logs its background calls against the demo CRM's records.
        options.zoho.seed = crate::demo::options(false).zoho.seed;
    } else {
        // Pops only: no call logs, so the CRM writes of earlier calls do not
        // compete with the path measured.
        options.settings.logging = LoggingPolicy {
            inbound_answered: false,
            inbound_missed: false,
            outbound_answered: false,
            outbound_unanswered: false,
            internal: false,
            voicemail: false,
            ..LoggingPolicy::default()
        };
    }
    // serve's own checkpoint and reconciliation timing, not the test
    // world's brisk one (a reconciliation holds ingest while it asks the PBX).
    options.ingest = crate::config::Timing::default().ingest("pbx");
    options
}

/// The pop run again, while `busy_rate` other calls a second ring another
/// agent, end, and are processed and logged by the same process.
async fn busy_run(seed_db: &str, template: &CallTemplate, plan: &PopPlan) -> Result<BusyPop> {
    let (_copy, url) = prefill::copy(seed_db)?;
    let mut callers: Vec<u64> = (0..WARMUP + plan.calls).map(|n| caller(n, plan)).collect();
    callers.sort_unstable();
    callers.dedup();
    let mut options = options(url.clone(), true);
    options
        .zoho
        .seed
        .records
        .extend(busy::real_callers(&url, &callers).await?);
    let mut world = World::start(options).await?;
    let hub = world.updates.take();
    let background = CallTemplate::capture(busy::AGENT).await?;
    let (stop_tx, stop) = watch::channel(false);
    let (measured, load) = tokio::join!(
        async {
            let r = measure(&world, template, plan, hub).await;
            let _ = stop_tx.send(true);
            r
        },
        busy::load(&world, &background, plan.busy_rate, stop)
    );
    let measured = measured?;
    let load = load?;
    world.stop().await;
    Ok(BusyPop {
        ratio_p99: ratio(measured.ringbridge.p99_us, measured.relay.p99_us),
        ringbridge: measured.ringbridge,
        hub: measured.hub,
        relay: measured.relay,
        missed: measured.missed,
        load,
    })
}

/// One measured run on `world`; with `hub` (the world's call updates) the
/// background load is starting beside it, so the measured calls wait for
/// its steady state, and the hub's moment is timed too.
async fn measure(
    world: &World,
    template: &CallTemplate,
    plan: &PopPlan,
    hub: Option<mpsc::Receiver<Ingested>>,
) -> Result<Run> {
    let busy = hub.is_some();
    let (tx, mut arrivals) = mpsc::unbounded_channel();
    let hub = hub.map(|updates| tokio::spawn(read_hub(updates, tx.clone())));
    let agent = agent_stream(world).await?;
    let pops = tokio::spawn(read_pops(agent, tx.clone()));
    let relay = relay::start(&world.pbx_sim).await?;
    let relay_stream = reqwest::Client::new()
        .get(&relay.url)
        .send()
        .await?
        .error_for_status()?;
    let frames = tokio::spawn(read_relay(SseReader::new(relay_stream), tx));
    if busy {
        // Let the background load reach its steady state first.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    let (mut ours, mut floor, mut at_hub) = (Recorder::new(), Recorder::new(), Recorder::new());
    let (mut matched, mut missed) = (0, 0);
    for n in 0..WARMUP + plan.calls {
        let number = synthetic_number(caller(n, plan));
        let call = template.call(n, &number)?;
        let sent = Instant::now();
        for event in call.ring {
            world.pbx_sim.emit(event);
        }
        let deadline = sent + PATIENCE;
        let mut pending: HashSet<Path> = [Path::Ringbridge, Path::Relay].into();
        if busy {
            pending.insert(Path::Hub);
        }
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
                Path::Hub => at_hub.record(latency),
            }
        }
        if n >= WARMUP && !pending.is_empty() {
            missed += 1;
        }
        for event in call.end {
            world.pbx_sim.emit(event);
        }
        tokio::time::sleep(plan.gap).await;
    }
    pops.abort();
    frames.abort();
    if let Some(hub) = hub {
        hub.abort();
    }
    drop(relay);
    Ok(Run {
        ringbridge: ours.summary(),
        relay: floor.summary(),
        hub: at_hub.summary(),
        matched,
        missed,
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

async fn read_hub(mut updates: mpsc::Receiver<Ingested>, tx: mpsc::UnboundedSender<Arrival>) {
    while let Some(item) = updates.recv().await {
        let at = Instant::now();
        if let CallUpdate::Ringing {
            call_id, extension, ..
        } = item.update
            && extension == AGENT
        {
            let _ = tx.send(Arrival {
                path: Path::Hub,
                call_id: call_id.as_str().to_owned(),
                at,
                matched: false,
            });
        }
    }
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
