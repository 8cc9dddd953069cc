//! The command line. `--help` on any subcommand is its manual.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::config::{self, Config};
use crate::{accounts, backfill, bench, demo, logging, serve};

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
    #[command(after_long_help = SERVE_HELP)]
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

    /// Manage the people who sign in: list, disable, enable, reset a
    /// password, revoke API tokens, delete. The last enabled admin can be
    /// neither disabled nor deleted.
    #[command(subcommand)]
    Accounts(accounts::AccountsCommand),

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
    #[command(after_long_help = sim_yeastar_help())]
    Yeastar(ringbridge_sim_yeastar::SimYeastarArgs),
    /// Zoho: the accounts server (OAuth) and the API domain (CRM REST v8,
    /// PhoneBridge v3), with sample users, contacts, leads and accounts, and
    /// a read-only web view of the simulated CRM at /_sim/.
    Zoho(ringbridge_sim_zoho::SimZohoArgs),
}

/// The rest of `ringbridge serve --help`: where settings come from, and
/// what the process does when things go wrong.
const SERVE_HELP: &str = "\
CONFIGURATION
  Built-in defaults, then the TOML file named by --config (or RINGBRIDGE_CONFIG),
  then RINGBRIDGE_* environment variables. Nested keys join with a double
  underscore:
      ringbridge serve --config /etc/ringbridge/ringbridge.toml
      RINGBRIDGE_PBX__BASE_URL=https://pbx.example.test:8088 \\
      RINGBRIDGE_PBX__CLIENT_ID=... RINGBRIDGE_PBX__CLIENT_SECRET=... ringbridge serve
  Keys: data_dir, database_url (empty: SQLite in data_dir; or postgres://...),
  secret_key, [http] listen, public_url; [log] format (text|json), filter;
  [pbx] base_url, client_id, client_secret, time_zone, events, webhook_secret,
  default_country; [pbx.stream] heartbeat_secs, reconnect_max_secs,
  max_event_bytes, max_webhook_bytes; [zoho] client_id, client_secret, refresh_token,
  accounts_server, api_domain, mode (rest|phonebridge); [engine]; [timing].
  The admin console (/console) can set the PBX and Zoho connection instead.

SECRETS
  Every secret may be read from a file instead, with a _file key (env: _FILE):
  pbx.client_secret_file, pbx.webhook_secret_file, zoho.client_secret_file,
  zoho.refresh_token_file, secret_key_file — e.g.
      RINGBRIDGE_PBX__CLIENT_SECRET_FILE=/run/secrets/pbx_client_secret
  Secrets never appear in logs. secret_key encrypts stored secrets; when unset
  one is generated into data_dir/secret.key on first start (back it up).

PBX EVENTS
  events = \"websocket\" (default): ringbridge keeps a socket open to the PBX.
  events = \"webhook\": the PBX posts to http(s)://<this host>/pbx/yeastar/webhook
  (Integrations > API > Webhook Event Push, with the same secret as
  pbx.webhook_secret); unsigned or badly signed posts are refused with 401.

HTTP
  /healthz (alive), /readyz (PBX stream and CRM state; 503 when not ready),
  /metrics (Prometheus), /console (admin), /panel (agents).

EXIT
  Ctrl-C or SIGTERM: stops taking events, gives the PBX token back and exits 0;
  calls not yet written to the CRM stay queued in the database for the next
  start. An invalid configuration, an unusable database or
  a busy listen address: a message on stderr and exit status 1 at start. A PBX
  or CRM that refuses ringbridge's credentials does not stop the process: it
  keeps serving, says so in the log and in /readyz, and waits for a fix in the
  console or configuration.
";

/// The rest of `ringbridge sim yeastar --help`: the built-in scenarios and
/// how to point `serve` at the simulator.
fn sim_yeastar_help() -> String {
    let defaults = ringbridge_sim_yeastar::SimSettings::default();
    format!(
        "\
BUILT-IN SCENARIOS (for --play)
  {}
  or a scenario TOML file (see the simulator's scenarios/ directory), or all.

POINT ringbridge serve AT IT
  ringbridge sim yeastar --play inbound_answered --every 20
  RINGBRIDGE_PBX__BASE_URL=http://127.0.0.1:8088 \\
  RINGBRIDGE_PBX__CLIENT_ID={} \\
  RINGBRIDGE_PBX__CLIENT_SECRET={} \\
  ringbridge serve
  The call events (ringing, answered, call ended) then show in serve's log.

WEBHOOKS INSTEAD OF THE WEBSOCKET
  ringbridge sim yeastar --play all --webhook-url http://127.0.0.1:8080/pbx/yeastar/webhook \\
      --webhook-secret s3cret
  and start serve with RINGBRIDGE_PBX__EVENTS=webhook RINGBRIDGE_PBX__WEBHOOK_SECRET=s3cret.
",
        ringbridge_sim_yeastar::BUILTIN_NAMES.join(", "),
        defaults.client_id,
        defaults.client_secret,
    )
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
        Command::Accounts(command) => {
            let config = load(cli.config.as_deref())?;
            let store = serve::open_store(&config).await?;
            let done = accounts::run(&store, command).await;
            store.close().await;
            println!("{}", done?.trim_end());
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
