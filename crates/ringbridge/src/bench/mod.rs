//! `ringbridge bench`: how fast, how frugal, how big — measured on this
//! machine, on loopback, against the simulators, through the product's own
//! code paths. It reports; it does not pass or fail (goals are shown next
//! to the numbers). See the README's "Benchmarks" section for what each
//! number means.
//!
//! - [`pop`]: screen-pop latency against a bare relay ([`relay`]).
//! - [`throughput`]: ingest on one core ([`worker`] is the pinned side).
//! - [`frugality`]: Zoho requests per logged call at 1, 10, 100 calls/s.
//! - [`directory`]: phone directory size and lookup time.
//! - [`coldstart`]: `serve` to ready, and the binary's size.
//! - [`login`]: peak memory of `serve` under a flood of sign-ins.
//! - [`memory`]: `serve`'s resident memory, idle and loaded.
//! - [`visibility`]: Zoho requests per pop for agents' own eyes, cold and warm.

mod busy;
mod calls;
mod coldstart;
mod directory;
mod frugality;
mod login;
mod logwatch;
mod memory;
mod pgdb;
mod pop;
mod prefill;
mod relay;
mod report;
mod sse;
mod stages;
mod stats;
mod throughput;
mod visibility;
mod worker;

use std::future::Future;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueEnum};

pub use report::Report;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// A shorter run (under a minute): fewer calls, shorter windows.
    #[arg(long)]
    pub quick: bool,
    /// Also print the summary as one JSON object, as the last line.
    #[arg(long)]
    pub json: bool,
    /// Longest wait allowed between a call's end and its log in the CRM;
    /// the write batching delay is set from it.
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    pub log_bound_secs: u64,
    /// Run only these benches (comma-separated); all by default.
    #[arg(long, value_delimiter = ',', value_name = "BENCH")]
    pub only: Vec<Bench>,
    /// PostgreSQL server for the throughput run on PostgreSQL (a scratch
    /// database is created and dropped); default: RINGBRIDGE_TEST_POSTGRES_URL.
    #[arg(long, value_name = "URL")]
    pub postgres_url: Option<String>,
    /// Internal: the pinned ingest side of the throughput bench, against this PBX.
    #[arg(long, hide = true, value_name = "URL")]
    pub worker_pbx: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Bench {
    Pop,
    Throughput,
    Frugality,
    Directory,
    Coldstart,
    Login,
    Memory,
    /// The throughput run with the outbox on PostgreSQL.
    Postgres,
    Visibility,
}

/// Pops (each with two matching records) of the visibility bench.
const VISIBILITY_POPS: u64 = 100;

/// Sign-in attempts fired at once by the login bench.
const LOGIN_ATTEMPTS: usize = 200;

/// How long each bench runs, full or quick.
struct Plan {
    pop_calls: u64,
    pop_directory: u64,
    pop_gap: Duration,
    pop_runs: usize,
    busy_rate: f64,
    memory_numbers: u64,
    live_calls: u64,
    throughput_for: Duration,
    concurrent: usize,
    frugality_rates: [f64; 3],
    frugality_secs: f64,
    directory_sizes: [u64; 3],
    lookups: u64,
}

impl Plan {
    fn new(quick: bool) -> Self {
        Self {
            pop_calls: if quick { 200 } else { 2_000 },
            pop_directory: 100_000,
            pop_gap: Duration::from_millis(if quick { 5 } else { 20 }),
            pop_runs: 3,
            busy_rate: 100.0,
            memory_numbers: if quick { 100_000 } else { 1_000_000 },
            live_calls: 1_000,
            throughput_for: Duration::from_secs(if quick { 6 } else { 30 }),
            concurrent: 1_000,
            frugality_rates: [1.0, 10.0, 100.0],
            frugality_secs: if quick { 3.0 } else { 30.0 },
            directory_sizes: [10_000, 100_000, 1_000_000],
            lookups: if quick { 100_000 } else { 1_000_000 },
        }
    }
}

pub async fn run(args: BenchArgs) -> Result<()> {
    crate::logging::init(crate::config::LogFormat::Text, "error");
    if let Some(pbx) = &args.worker_pbx {
        return worker::run(pbx).await;
    }
    let plan = Plan::new(args.quick);
    let wanted = |b: Bench| args.only.is_empty() || args.only.contains(&b);
    let mut report = Report {
        quick: args.quick,
        profile: coldstart::profile().to_owned(),
        ..Report::default()
    };
    if wanted(Bench::Directory) {
        let d = step("directory", &mut report, async {
            directory::run(&plan.directory_sizes, plan.lookups)
        })
        .await;
        report.directory = d;
    }
    if wanted(Bench::Pop) {
        let p = step(
            "pop",
            &mut report,
            pop::run(pop::PopPlan {
                calls: plan.pop_calls,
                directory_numbers: plan.pop_directory,
                gap: plan.pop_gap,
                runs: plan.pop_runs,
                busy_rate: plan.busy_rate,
            }),
        )
        .await;
        report.pop = p;
    }
    if wanted(Bench::Throughput) {
        let t = step(
            "throughput",
            &mut report,
            throughput::run(plan.throughput_for, plan.concurrent, None),
        )
        .await;
        report.throughput = t;
    }
    let postgres = args
        .postgres_url
        .clone()
        .or_else(|| std::env::var(pgdb::POSTGRES_ENV).ok());
    if let (true, Some(admin)) = (wanted(Bench::Postgres), postgres) {
        let t = step("postgres", &mut report, async {
            let db = pgdb::ScratchDb::create(&admin).await?;
            let run = throughput::run(plan.throughput_for, plan.concurrent, Some(&db.url)).await;
            db.drop_now().await;
            run
        })
        .await;
        report.pg_throughput = t;
    }
    if wanted(Bench::Frugality) {
        let bound = Duration::from_secs(args.log_bound_secs);
        let f = step(
            "frugality",
            &mut report,
            frugality::run(&plan.frugality_rates, plan.frugality_secs, bound),
        )
        .await;
        report.frugality = f;
    }
    if wanted(Bench::Coldstart) {
        let c = step("coldstart", &mut report, coldstart::run()).await;
        report.cold_start = c;
    }
    if wanted(Bench::Memory) {
        let m = step(
            "memory",
            &mut report,
            memory::run(plan.memory_numbers, plan.live_calls),
        )
        .await;
        report.memory = m;
    }
    if wanted(Bench::Login) {
        let l = step("login", &mut report, login::run(LOGIN_ATTEMPTS)).await;
        report.login = l;
    }
    if wanted(Bench::Visibility) {
        let v = step("visibility", &mut report, visibility::run(VISIBILITY_POPS)).await;
        report.visibility = v;
    }
    print!("{}", report.table());
    if args.json {
        println!("{}", serde_json::to_string(&report.to_json())?);
    }
    Ok(())
}

/// Runs one bench, telling on stderr what runs; a failure is noted in the
/// report and the other benches still run.
async fn step<T>(
    name: &str,
    report: &mut Report,
    bench: impl Future<Output = Result<T>>,
) -> Option<T> {
    eprintln!("bench: {name}...");
    let started = std::time::Instant::now();
    let result = bench.await;
    eprintln!(
        "bench: {name} took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    match result {
        Ok(value) => Some(value),
        Err(err) => {
            report
                .errors
                .insert(name.to_owned(), crate::logging::chain(&err));
            None
        }
    }
}
