//! Throughput: call lifecycles per second that ingest turns into durable
//! outbox jobs on one core, with `concurrent` calls in flight, frames over
//! the real WebSocket. The measured side is a child process (this binary,
//! hidden `bench --worker-pbx`), pinned with `taskset -c 0` when the
//! program exists; the simulator and the frame generator run here, pinned
//! to the other cores when possible.
//!
//! The feeder must not be the limit: each call's frames are the template's
//! text, encoded once, with the call id and caller spliced in, handed in
//! batches to the simulator's socket (the worker's real client logged in
//! and subscribed as ever), which writes a batch and flushes it once.
//!
//! Closed loop: a new call starts as the oldest of the `concurrent` open
//! calls ends, and no more than `window` ended calls may wait for the
//! outbox. The steady rate is therefore the most ingest sustains before its
//! lag grows; the lag (end frame sent → job stored) is reported too.

use std::collections::VecDeque;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use ringbridge_sim_yeastar::{EncodedFrame, FrameFeed, SimSettings, SimYeastar};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::watch;
use tokio::time::Instant;

use super::calls::{CallTemplate, EncodedCall, synthetic_number};
use super::stats::{Latency, Recorder};
use super::worker::{self, CLIENT_ID_ENV, CLIENT_SECRET_ENV, DATABASE_ENV};

/// Frames of ended calls that may wait for the outbox: the window, in calls,
/// is this over the frames per call.
const FRAMES_IN_FLIGHT: usize = 2_000;
/// Frames handed to the simulator's socket at once (written, then flushed
/// together): the feeder's cost per frame is a copy into the socket buffer.
const BATCH_FRAMES: usize = 256;
/// Batches queued for the socket before the feeder waits.
const FEED_BATCHES: usize = 64;

#[derive(Debug, Clone, Serialize)]
pub struct ThroughputReport {
    pub lifecycles_per_s: f64,
    pub calls: u64,
    pub concurrent: u64,
    /// Ended calls allowed to wait for the outbox at once.
    pub window: u64,
    /// End frame sent → job in the outbox.
    pub outbox_lag: Latency,
    /// Calls whose job never showed up (0 unless frames were dropped).
    pub lost: u64,
    /// How the measured process was placed, e.g. "taskset -c 0".
    pub pinning: String,
    pub seconds: f64,
    /// PBX frames per call lifecycle (each is journaled).
    pub frames_per_call: u64,
    /// CPU time the worker used per second of the measured window (1.0 =
    /// one core fully busy); `None` where /proc is not available.
    pub worker_cpu: Option<f64>,
    /// The same for the feeding side: this process (the simulator writing
    /// the pre-encoded frames, the call generator, the bookkeeping).
    pub feeder_cpu: Option<f64>,
    /// "sqlite" or "postgres": where the worker's outbox was.
    pub database: String,
}

impl ThroughputReport {
    /// Lifecycles per second of the worker's own CPU time: the rate one
    /// fully busy core would sustain at this cost per call.
    pub fn per_cpu_second(&self) -> Option<f64> {
        self.worker_cpu
            .filter(|c| *c > 0.0)
            .map(|c| self.lifecycles_per_s / c)
    }
}

/// `database`: the worker's store (a PostgreSQL URL); `None`: SQLite in a
/// temporary directory.
pub async fn run(
    duration: Duration,
    concurrent: usize,
    database: Option<&str>,
) -> Result<ThroughputReport> {
    let sim = SimYeastar::start(SimSettings::default()).await?;
    // Installed before the worker connects: its socket takes the feed.
    let feed = sim.frame_feed(FEED_BATCHES);
    let template = CallTemplate::capture("1005").await?;
    let frames_per_call = template.frames() as u64;
    let window = (FRAMES_IN_FLIGHT / template.frames().max(1)).max(16);
    let taskset = which("taskset");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let exe = std::env::current_exe()?;
    let mut cmd = match &taskset {
        Some(taskset) => {
            let mut cmd = Command::new(taskset);
            cmd.arg("-c").arg("0").arg(&exe);
            cmd
        }
        None => Command::new(&exe),
    };
    cmd.args(["bench", "--worker-pbx", &sim.base_url()])
        .env(CLIENT_ID_ENV, sim.client_id())
        .env(CLIENT_SECRET_ENV, sim.client_secret())
        .env("RUST_LOG", "error")
        .env(DATABASE_ENV, database.unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = cmd.spawn().context("starting the throughput worker")?;
    let worker_pid = child.id();
    let stdout = child.stdout.take().context("worker stdout")?;
    let (ready_tx, mut ready) = watch::channel(false);
    let (count_tx, confirmed) = watch::channel(0u64);
    tokio::spawn(async move {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line == "ready" {
                let _ = ready_tx.send(true);
            } else if let Some(n) = worker::parse_progress(&line) {
                let _ = count_tx.send(n);
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(60), ready.wait_for(|r| *r))
        .await
        .context("the throughput worker did not connect")??;
    // The generator's own cores: everything but core 0, when there are others.
    let mine = (taskset.is_some() && cores > 1).then(|| match cores {
        2 => "1".to_owned(),
        n => format!("1-{}", n - 1),
    });
    if let (Some(taskset), Some(cpus)) = (&taskset, &mine) {
        pin_self(taskset, cpus).await;
    }
    let pinning = match (&taskset, &mine) {
        (Some(_), Some(cpus)) => format!("taskset -c 0 (simulator and generator on cpus {cpus})"),
        (Some(_), None) => "taskset -c 0 (simulator shares the only core)".to_owned(),
        (None, _) => "not pinned: no taskset program".to_owned(),
    };

    let mut open: VecDeque<EncodedCall> = VecDeque::with_capacity(concurrent + 1);
    let mut ends = Ends {
        at: Vec::new(),
        lag: Recorder::new(),
        seen: 0,
        window: window as u64,
        confirmed,
        feed,
        batch: Vec::with_capacity(BATCH_FRAMES + 16),
    };
    let started = Instant::now();
    let warm = started + duration / 5;
    let mut warm_mark: Option<(Instant, u64)> = None;
    let mut warm_cpu = None;
    let mut warm_feeder = None;
    let mut n = 0u64;
    while started.elapsed() < duration {
        let mut call = template.encoded(n, &synthetic_number(n));
        n += 1;
        ends.queue(std::mem::take(&mut call.ring)).await?;
        open.push_back(call);
        if open.len() > concurrent
            && let Some(old) = open.pop_front()
        {
            ends.end(old).await?;
        }
        if warm_mark.is_none() && Instant::now() >= warm {
            warm_mark = Some((Instant::now(), ends.confirmed()));
            warm_cpu = worker_pid.and_then(cpu_ns);
            warm_feeder = cpu_ns(std::process::id());
        }
        if n.is_multiple_of(64) {
            tokio::task::yield_now().await;
        }
    }
    let end_mark = (Instant::now(), ends.confirmed());
    let end_cpu = worker_pid.and_then(cpu_ns);
    let end_feeder = cpu_ns(std::process::id());
    // End the calls still open (paced like the rest), then wait for every job.
    for old in open.drain(..) {
        ends.end(old).await?;
    }
    ends.flush().await?;
    let total = ends.at.len() as u64;
    let _ = tokio::time::timeout(
        Duration::from_secs(30),
        ends.confirmed.wait_for(|n| *n >= total),
    )
    .await;
    let final_count = ends.observe();
    drop(child.stdin.take());
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
    if let (Some(taskset), true) = (&taskset, cores > 1) {
        pin_self(taskset, &format!("0-{}", cores - 1)).await;
    }
    let (warm_at, warm_count) = warm_mark.unwrap_or((started, 0));
    let seconds = (end_mark.0 - warm_at).as_secs_f64();
    Ok(ThroughputReport {
        lifecycles_per_s: if seconds > 0.0 {
            (end_mark.1 - warm_count) as f64 / seconds
        } else {
            0.0
        },
        calls: total,
        concurrent: concurrent as u64,
        window: window as u64,
        outbox_lag: ends.lag.summary(),
        lost: total.saturating_sub(final_count),
        pinning,
        seconds,
        frames_per_call,
        worker_cpu: share(warm_cpu, end_cpu, seconds),
        feeder_cpu: share(warm_feeder, end_feeder, seconds),
        database: if database.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
        .to_owned(),
    })
}

/// CPU seconds per second between two readings.
fn share(from: Option<u64>, to: Option<u64>, seconds: f64) -> Option<f64> {
    match (from, to) {
        (Some(a), Some(b)) if seconds > 0.0 => Some(b.saturating_sub(a) as f64 / 1e9 / seconds),
        _ => None,
    }
}

/// Ended calls and when they ended, against the worker's confirmed count.
struct Ends {
    at: Vec<Instant>,
    lag: Recorder,
    /// Ended calls whose lag is recorded.
    seen: u64,
    window: u64,
    confirmed: watch::Receiver<u64>,
    feed: FrameFeed,
    /// Frames not yet handed to the simulator's socket.
    batch: Vec<EncodedFrame>,
}

impl Ends {
    fn confirmed(&self) -> u64 {
        *self.confirmed.borrow()
    }

    /// Adds frames to the batch; a full batch goes to the socket.
    async fn queue(&mut self, frames: Vec<EncodedFrame>) -> Result<()> {
        self.batch.extend(frames);
        if self.batch.len() >= BATCH_FRAMES {
            self.flush().await?;
        }
        Ok(())
    }

    /// Hands the batch to the socket (written and flushed as one).
    async fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_FRAMES + 16));
        self.feed.send(batch).await?;
        Ok(())
    }

    /// Ends a call, then waits while more than `window` ended calls are not
    /// yet stored (sending what is batched first, so they can be).
    async fn end(&mut self, call: EncodedCall) -> Result<()> {
        self.queue(call.end).await?;
        self.at.push(Instant::now());
        loop {
            let confirmed = self.observe();
            if self.at.len() as u64 - confirmed <= self.window {
                return Ok(());
            }
            self.flush().await?;
            if tokio::time::timeout(Duration::from_secs(30), self.confirmed.changed())
                .await
                .is_err()
            {
                bail!("the throughput worker stalled at {confirmed} calls");
            }
        }
    }

    /// Records the lag of calls newly confirmed: calls end and are stored in
    /// order (one stream, one ingest), so the first `confirmed` are stored.
    fn observe(&mut self) -> u64 {
        let now = Instant::now();
        let upto = (*self.confirmed.borrow_and_update()).min(self.at.len() as u64);
        for at in &self.at[self.seen as usize..upto as usize] {
            self.lag.record(now - *at);
        }
        self.seen = self.seen.max(upto);
        upto
    }
}

/// CPU time of every thread of a process so far, in nanoseconds, from
/// `/proc/<pid>/task/*/schedstat` (its first field); `None` without /proc.
/// The worker runs under `taskset`, which execs it: the pid is the worker's.
fn cpu_ns(pid: u32) -> Option<u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total = 0u64;
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Moves every thread of this process to `cpus`; best-effort.
async fn pin_self(taskset: &std::path::Path, cpus: &str) {
    let pid = std::process::id().to_string();
    let _ = Command::new(taskset)
        .args(["-a", "-p", "-c", cpus, &pid])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
}

/// A program on `PATH`, if there.
pub fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}
