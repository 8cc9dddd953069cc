//! Zoho frugality: requests (and API credits) the Zoho simulator received
//! per call logged, at steady call rates, and how long after its end each
//! call's log reached the CRM. The whole product path runs: WebSocket,
//! ingest, outbox, the engine's workers (directory match, call log built,
//! written in batches) and the real Zoho client against the simulator.
//!
//! The write batching waits `flush_delay` for company; the bench sets it
//! from the log-delay bound, leaving room for the ingest settle time, the
//! workers' poll and the request itself.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;
use ringbridge_core::outbox::{JobKind, OutboxCounts};
use serde::Serialize;
use tokio::time::Instant;

use super::calls::CallTemplate;
use super::logwatch::{LogWatch, Queued};
use super::stats::{Latency, round};
use crate::world::{World, WorldOptions};

/// Numbers of records in the demo seed's CRM (Contacts, a Lead, an Account),
/// so every call matches and is logged against a real record.
const KNOWN_CALLERS: &[&str] = &[
    "4155550123",
    "4155550124",
    "4155550125",
    "4155550126",
    "4155550127",
];
/// What the bound leaves for everything but the batching wait.
const HEADROOM: Duration = Duration::from_millis(1_500);
/// How often the CRM is looked at for new logs (the delay's resolution).
const LOOK_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Serialize)]
pub struct RateReport {
    pub calls_per_s: f64,
    pub calls: u64,
    pub logged: u64,
    pub zoho_requests: u64,
    pub zoho_credits: u64,
    pub requests_per_call: f64,
    pub credits_per_call: f64,
    /// The requests by method and path, to see what they were for.
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// Call end (CDR frame sent) → its log in the CRM.
    pub log_delay: Latency,
    /// Its first part: call end → queued in the outbox by ingest.
    pub ingest_delay: Latency,
    /// Its second part: queued → written (processing, batching, the request).
    pub after_queue_delay: Latency,
    /// Most calls waiting to be processed (matched, log built) at one look.
    pub peak_process_backlog: u64,
    /// Most call logs waiting to be written at one look.
    pub peak_write_backlog: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrugalityReport {
    pub bound_s: f64,
    pub flush_delay_ms: u64,
    pub rates: Vec<RateReport>,
}

/// The batching wait for a bound: what is left after the headroom, at least 200 ms.
pub fn flush_delay_for(bound: Duration) -> Duration {
    bound
        .saturating_sub(HEADROOM)
        .max(Duration::from_millis(200))
}

pub async fn run(rates: &[f64], seconds: f64, bound: Duration) -> Result<FrugalityReport> {
    let flush_delay = flush_delay_for(bound);
    let mut options = crate::demo::options(false);
    options.settings.phonebook = None;
    options.tuning.flush_delay = flush_delay;
    // serve's checkpoint and reconciliation timing (the test world's brisk
    // reconciliation holds ingest every few seconds); its settle time stays
    // short, since it counts against the bound too.
    let settle = options.ingest.settle;
    options.ingest = crate::config::Timing::default().ingest("pbx");
    options.ingest.settle = settle;
    let mut world = World::start(WorldOptions { ..options }).await?;
    let queued = Queued::default();
    let follower = world.updates.take().map(|updates| queued.follow(updates));
    let template = CallTemplate::capture("1005").await?;
    let mut reports = Vec::new();
    let mut next_id = 0u64;
    // One call first, not counted: the client's one-time requests (org
    // settings, field metadata) are start-up costs, not per-call ones.
    one_rate(&world, &queued, &template, 1.0, 1.0, bound, &mut next_id).await?;
    for &rate in rates {
        reports.push(
            one_rate(
                &world,
                &queued,
                &template,
                rate,
                seconds,
                bound,
                &mut next_id,
            )
            .await?,
        );
    }
    if let Some(follower) = follower {
        follower.abort();
    }
    world.stop().await;
    Ok(FrugalityReport {
        bound_s: bound.as_secs_f64(),
        flush_delay_ms: flush_delay.as_millis() as u64,
        rates: reports,
    })
}

async fn one_rate(
    world: &World,
    queued: &Queued,
    template: &CallTemplate,
    rate: f64,
    seconds: f64,
    bound: Duration,
    next_id: &mut u64,
) -> Result<RateReport> {
    let requests_before = crm_requests(world);
    let endpoints_before = world.zoho_sim.request_counts();
    let credits_before = world.zoho_sim.credits_used();
    let calls = ((rate * seconds).round() as u64).max(1);
    let every = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let mut watch = LogWatch::new(world, queued.clone());
    let mut look = started;
    let mut peaks = Backlog::default();
    for i in 0..calls {
        let call = template.call(*next_id, KNOWN_CALLERS[i as usize % KNOWN_CALLERS.len()])?;
        *next_id += 1;
        tokio::time::sleep_until(started + every.mul_f64(i as f64)).await;
        for event in call.ring.into_iter().chain(call.end) {
            world.pbx_sim.emit(event);
        }
        watch.ended(call.id);
        if Instant::now() >= look {
            watch.look(world);
            peaks.look(world).await?;
            look = Instant::now() + LOOK_EVERY;
        }
    }
    // Wait for the rest: the bound plus slack, then whatever is missing is reported.
    let deadline = Instant::now() + bound + Duration::from_secs(10);
    while watch.waiting() > 0 && Instant::now() < deadline {
        tokio::time::sleep(LOOK_EVERY).await;
        watch.look(world);
        peaks.look(world).await?;
    }
    let logged = watch.logged_in_crm(world);
    let (log_delay, ingest_delay, after_queue_delay) = watch.delays();
    let zoho_requests = crm_requests(world) - requests_before;
    let zoho_credits = world.zoho_sim.credits_used() - credits_before;
    let requests_by_endpoint = world
        .zoho_sim
        .request_counts()
        .into_iter()
        .filter(|(key, _)| key.contains("/crm/"))
        .filter_map(|(key, n)| {
            let grown = n - endpoints_before.get(&key).copied().unwrap_or(0);
            (grown > 0).then_some((key, grown))
        })
        .collect();
    let per = |n: u64| {
        if logged == 0 {
            0.0
        } else {
            round(n as f64 / logged as f64, 4)
        }
    };
    Ok(RateReport {
        calls_per_s: rate,
        calls,
        logged,
        zoho_requests,
        zoho_credits,
        requests_per_call: per(zoho_requests),
        credits_per_call: per(zoho_credits),
        requests_by_endpoint,
        log_delay,
        ingest_delay,
        after_queue_delay,
        peak_process_backlog: peaks.process,
        peak_write_backlog: peaks.write,
    })
}

/// The outbox's queues at their longest, to see which stage a delay waits in.
#[derive(Default)]
struct Backlog {
    process: u64,
    write: u64,
}

impl Backlog {
    async fn look(&mut self, world: &World) -> Result<()> {
        let waiting = |c: OutboxCounts| c.pending + c.in_flight;
        self.process = self
            .process
            .max(waiting(world.counts(JobKind::ProcessCall).await?));
        self.write = self
            .write
            .max(waiting(world.counts(JobKind::WriteCallLog).await?));
        Ok(())
    }
}

/// Requests to the CRM API (the accounts server's token calls apart).
fn crm_requests(world: &World) -> u64 {
    world
        .zoho_sim
        .request_counts()
        .iter()
        .filter(|(key, _)| key.contains("/crm/"))
        .map(|(_, n)| *n)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flush_delay_leaves_headroom_under_the_bound() {
        assert_eq!(
            flush_delay_for(Duration::from_secs(5)),
            Duration::from_millis(3_500)
        );
        assert_eq!(
            flush_delay_for(Duration::from_secs(1)),
            Duration::from_millis(200)
        );
    }
}
