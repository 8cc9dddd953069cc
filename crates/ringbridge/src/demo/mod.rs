//! `ringbridge demo`: everything on this machine against the simulators.

mod accounts;
pub mod counts;
mod data;

pub use data::zoho_seed as seed;
pub mod plan;
mod view;

use std::time::Duration;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::world::{World, WorldOptions};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many calls to play (default: forever, or 30 with --exit).
    #[arg(long)]
    pub calls: Option<usize>,
    /// Play the calls as fast as the simulator allows, wait until every call
    /// log is written, print a JSON summary as the last line, and exit.
    #[arg(long)]
    pub exit: bool,
    /// Seconds between calls in the live demo.
    #[arg(long, default_value_t = 4)]
    pub every: u64,
}

/// The last line of `ringbridge demo --exit`.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub calls_played: usize,
    pub calls_expected_logged: u64,
    pub calls_logged: u64,
    pub duplicate_logs: u64,
    pub records_expected_created: usize,
    /// Leads and Contacts in the CRM simulator that ringbridge created.
    pub records_created: u64,
    pub phonebook_expected_upserts: usize,
    /// Contacts ringbridge copied into the PBX simulator's phonebook.
    pub phonebook_upserts: u64,
    pub jobs_failed: u64,
    pub zoho_requests: u64,
    pub zoho_credits: u64,
    pub zoho_requests_per_logged_call: f64,
}

/// The PBX phonebook CRM Contacts are copied into: the one the console's
/// setup offers.
const PHONEBOOK: &str = crate::serve::console::OFFERED_PHONEBOOK;

pub fn options(realtime: bool) -> WorldOptions {
    let mut options = WorldOptions::default();
    options.zoho.seed = data::zoho_seed();
    options.pbx.realtime_scenarios = realtime;
    options.settings.unknown_inbound = ringbridge_core::settings::UnknownNumberAction::CreateLead;
    options.settings.phonebook = Some(PHONEBOOK.into());
    options.settings.display_time_zone = "America/Los_Angeles".into();
    options
}

pub async fn run(args: DemoArgs) -> Result<()> {
    crate::logging::init(
        crate::config::LogFormat::Text,
        if args.exit {
            "warn"
        } else {
            "warn,ringbridge_engine=info"
        },
    );
    let options = options(!args.exit);
    let logging = options.settings.logging.clone();
    let mut world = World::start(options).await?;
    println!(
        "ringbridge demo: simulated Yeastar PBX at {}, simulated Zoho CRM at {}",
        world.pbx_sim.base_url(),
        world.zoho_sim.api_url()
    );
    println!(
        "Look at the CRM's call log in a browser: {}/_sim/",
        world.zoho_sim.api_url()
    );
    if !args.exit {
        let logins = accounts::create(&world).await?;
        println!(
            "Watch the calls pop in the agent panel: {}/panel (sign in as {} / {})",
            world.http_url, logins.agent.username, logins.agent.password
        );
        // The demo runs without the console (that is `serve`'s); its
        // administrator manages the accounts.
        println!(
            "Manage the accounts as the administrator: {}/admin/accounts (sign in as {} / {})",
            world.http_url, logins.admin.username, logins.admin.password
        );
    }
    if args.exit {
        let summary = play_and_wait(&world, args.calls.unwrap_or(30)).await?;
        world.stop().await;
        println!("{}", serde_json::to_string(&summary)?);
        return Ok(());
    }
    let updates = world.updates.take().expect("updates channel");
    let view = tokio::spawn(view::live(updates, world.directory.clone(), logging));
    let mut n = 0usize;
    loop {
        if args.calls.is_some_and(|max| n >= max) {
            break;
        }
        let (scenario, _) = plan::nth(n)?;
        let runner = world.pbx_sim.runner();
        tokio::spawn(async move {
            if let Err(err) = runner.play(&scenario).await {
                tracing::warn!(error = %err, "scenario failed");
            }
        });
        n += 1;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(args.every)) => {}
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    view.abort();
    world.stop().await;
    Ok(())
}

/// Plays `calls` calls, waits until all their work is done, and checks the CRM.
pub async fn play_and_wait(world: &World, calls: usize) -> Result<Summary> {
    let baseline = counts::Baseline::take(&world.zoho_sim);
    let mut expected = 0;
    let mut handles = Vec::new();
    for n in 0..calls {
        let (scenario, logs) = plan::nth(n)?;
        expected += logs;
        let runner = world.pbx_sim.runner();
        handles.push(tokio::spawn(async move { runner.play(&scenario).await }));
    }
    let mut played_calls = 0u64;
    for handle in handles {
        played_calls += handle.await??.len() as u64;
    }
    world.settle(played_calls, Duration::from_secs(120)).await?;
    summarize(world, &baseline, calls, expected).await
}

async fn summarize(
    world: &World,
    baseline: &counts::Baseline,
    calls_played: usize,
    expected: u64,
) -> Result<Summary> {
    let crm_calls = world.zoho_sim.calls();
    // Requests to the API domain (the accounts server's token calls apart).
    let requests: u64 = world
        .zoho_sim
        .request_counts()
        .iter()
        .filter(|(key, _)| key.contains("/crm/"))
        .map(|(_, n)| *n)
        .sum();
    let logged = crm_calls.len() as u64;
    Ok(Summary {
        calls_played,
        calls_expected_logged: expected,
        calls_logged: logged,
        duplicate_logs: counts::duplicate_logs(&crm_calls),
        records_expected_created: plan::expected_new_records(calls_played),
        records_created: baseline.records_created(&world.zoho_sim),
        phonebook_expected_upserts: plan::expected_phonebook_contacts(calls_played),
        phonebook_upserts: counts::phonebook_contacts(&world.pbx_sim, PHONEBOOK),
        jobs_failed: world.outbox().await?.failed,
        zoho_requests: requests,
        zoho_credits: world.zoho_sim.credits_used(),
        zoho_requests_per_logged_call: if logged == 0 {
            0.0
        } else {
            requests as f64 / logged as f64
        },
    })
}
