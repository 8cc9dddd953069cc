//! The command line. `--help` on any subcommand is its manual.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::config::{self, Config};
use crate::{backfill, bench, demo, logging, serve};

/// ringbridge connects an IP PBX (Yeastar P-Series) to Zoho CRM: click-to-call,
/// screen pops, call logging, contact sync, contact/lead creation and
/// recording playback.
///
/// Configuration comes from built-in defaults, then the TOML file given with
/// --config, then RINGBRIDGE_* environment variables (nested keys joined with
/// "__", e.g. RINGBRIDGE_HTTP__LISTEN=0.0.0.0:8080). Any secret may be given
/// as a file instead: client_secret_file = "/run/secrets/pbx".
#[derive(Debug, Parser)]
#[command(name = "ringbridge", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(
        long,
        short,
        global = true,
        env = "RINGBRIDGE_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service: receive PBX events, serve HTTP (health, webhooks).
    ///
    /// Connects to the PBX configured in [pbx] (base_url, client_id,
    /// client_secret, events = "websocket" | "webhook") and logs every call
    /// event it receives. After any gap in the PBX's event stream — a dropped
    /// socket, an expired token, ringbridge itself stopped — it fetches the
    /// PBX's call records for the gap, so no finished call is missed or seen
    /// twice.
    Serve,

    /// Run everything on this machine with simulated PBX and CRM: sample
    /// users, extensions and contacts, a stream of scenario calls (ring
    /// groups, queues, transfers, missed calls...), and a live view.
    ///
    /// With --exit it plays --calls calls, waits until every call log is
    /// written, and prints one JSON summary line last.
    Demo(demo::DemoArgs),

    /// Queue the PBX's recorded calls of a past period for logging.
    ///
    /// Fetches the call records of [--from, --to) from the PBX configured in
    /// [pbx], a day at a time, and queues every call ringbridge does not
    /// already have; the engine of a running `serve` (or the next one) logs
    /// them. Calls already logged or queued are skipped, so running it again
    /// logs nothing twice.
    Backfill(backfill::BackfillArgs),

    /// Measure ringbridge on this machine against the simulators (loopback
    /// only): screen-pop latency against a bare relay, ingest throughput on
    /// one core, Zoho requests per logged call, phone directory size and
    /// lookup time, cold start and binary size. It reports; it does not
    /// pass or fail. With --json the last line is one JSON object.
    Bench(bench::BenchArgs),

    /// Create or upgrade the database schema, then exit.
    Migrate,

    /// Print a new random secret key for encrypting stored secrets.
    Keygen,

    /// Run a simulator of an outside service, for trying ringbridge without
    /// a real PBX or CRM account.
    #[command(subcommand)]
    Sim(SimCommand),
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// A Yeastar P-Series PBX (OpenAPI: REST, WebSocket events, webhooks)
    /// with sample extensions, contacts and scripted calls.
    Yeastar(ringbridge_sim_yeastar::SimYeastarArgs),
    /// Zoho: the accounts server (OAuth) and the API domain (CRM REST v8,
    /// PhoneBridge v3), with sample users, contacts, leads and accounts, and
    /// a read-only web view of the simulated CRM at /_sim/.
    Zoho(ringbridge_sim_zoho::SimZohoArgs),
}

/// Parses the command line and runs the chosen command.
pub async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Keygen => {
            println!("{}", ringbridge_store::SecretKey::generate_base64());
            Ok(())
        }
        Command::Sim(SimCommand::Yeastar(args)) => {
            logging::init(config::LogFormat::Text, "info");
            Ok(ringbridge_sim_yeastar::run(args).await?)
        }
        Command::Sim(SimCommand::Zoho(args)) => {
            logging::init(config::LogFormat::Text, "info");
            Ok(ringbridge_sim_zoho::run(args).await?)
        }
        Command::Demo(args) => demo::run(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Migrate => {
            let config = load(cli.config.as_deref())?;
            let store = serve::open_store(&config).await?;
            tracing::info!(database = %config.database_for_log(), "database is up to date");
            store.close().await;
            Ok(())
        }
        Command::Serve => serve::run(load(cli.config.as_deref())?).await,
        Command::Backfill(args) => backfill::run(load(cli.config.as_deref())?, args).await,
    }
}

fn load(path: Option<&std::path::Path>) -> Result<Config> {
    let config = Config::load(path)?;
    logging::init(config.log.format, &config.log.filter);
    Ok(config)
}
