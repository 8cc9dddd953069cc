//! The command line. `--help` on any subcommand is its manual.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::{accounts, backfill, backup, doctor, logging, serve};
#[cfg(feature = "sim")]
use crate::{bench, demo};

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
    #[cfg(feature = "sim")]
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
    #[cfg(feature = "sim")]
    Bench(bench::BenchArgs),

    /// Create or upgrade the database schema, then exit.
    ///
    /// `serve` does the same at start; with --check nothing is changed:
    /// the pending migrations are listed, and the exit status is 1 when
    /// there are any (for an upgrade script to ask first).
    Migrate(MigrateArgs),

    /// Check the configured PBX and Zoho org and print a report for a
    /// support request (secrets redacted).
    ///
    /// Reads only: reachability, TLS, the PBX's API and token, model and
    /// firmware (against what each mode needs), extensions with e-mails,
    /// the event stream, call records, phonebooks and a recording
    /// download; Zoho's data centre, scopes, edition, time zone, credits,
    /// Calls fields and Call Result values, the mandatory fields of Leads
    /// and Contacts, and PhoneBridge. Then probes of the Zoho behaviour
    /// ringbridge assumes (docs/zoho-assumptions.md): confirmed, differs or
    /// not observable. --probe-writes adds the probes that create a test
    /// record and delete it again. Exit status 1 when a check failed.
    Doctor(doctor::DoctorArgs),

    /// Copy the SQLite database and its secret key into a new directory,
    /// while serve runs.
    ///
    /// The copy is one moment of the database (VACUUM INTO); the directory
    /// appears only when complete, with the key that opens the database's
    /// stored secrets. For PostgreSQL it says how to use pg_dump and which
    /// key to keep with the dump.
    Backup(backup::BackupArgs),

    /// Put a backup directory back as the database (and its key).
    ///
    /// Refuses to replace an existing database without --force (stop
    /// serve first; the old files are kept as *.before-restore). Checks
    /// that the key opens the restored database's secrets and migrates it.
    Restore(backup::RestoreArgs),

    /// Manage the people who sign in: list, disable, enable, reset a
    /// password, revoke API tokens, delete. The last enabled admin can be
    /// neither disabled nor deleted.
    #[command(subcommand)]
    Accounts(accounts::AccountsCommand),

    /// Print a new random secret key for encrypting stored secrets.
    Keygen,

    /// Run a simulator of an outside service, for trying ringbridge without
    /// a real PBX or CRM account.
    #[cfg(feature = "sim")]
    #[command(subcommand)]
    Sim(SimCommand),
}

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// List the pending migrations without applying them.
    #[arg(long)]
    pub check: bool,
}

#[cfg(feature = "sim")]
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
#[cfg(feature = "sim")]
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

YOUR OWN COMPANY, SCENARIOS ON DEMAND, FAULTS
  ringbridge sim yeastar --company examples/yeastar-company.toml
  curl --data-binary @examples/yeastar-scenario.toml http://127.0.0.1:8088/_sim/play
  curl --data '{{\"do\": \"refuse_websockets\", \"secs\": 30}}' http://127.0.0.1:8088/_sim/faults
  The /_sim/ endpoints answer loopback clients only, unless --admin-token is set.
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
        #[cfg(feature = "sim")]
        Command::Sim(SimCommand::Yeastar(args)) => {
            logging::init(crate::config::LogFormat::Text, "info");
            Ok(ringbridge_sim_yeastar::run(args).await?)
        }
        #[cfg(feature = "sim")]
        Command::Sim(SimCommand::Zoho(args)) => {
            logging::init(crate::config::LogFormat::Text, "info");
            Ok(ringbridge_sim_zoho::run(args).await?)
        }
        #[cfg(feature = "sim")]
        Command::Demo(args) => demo::run(args).await,
        #[cfg(feature = "sim")]
        Command::Bench(args) => bench::run(args).await,
        Command::Migrate(args) => migrate(load(cli.config.as_deref())?, args).await,
        Command::Backup(args) => backup::run_backup(load(cli.config.as_deref())?, args).await,
        Command::Restore(args) => backup::run_restore(load(cli.config.as_deref())?, args).await,
        Command::Doctor(args) => doctor::run(load_quiet(cli.config.as_deref())?, args).await,
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

/// `ringbridge migrate [--check]`.
async fn migrate(config: Config, args: MigrateArgs) -> Result<()> {
    if args.check && !config.database_exists() {
        anyhow::bail!(
            "{} does not exist yet: every migration is pending; serve or `ringbridge migrate` creates it",
            config.database_for_log()
        );
    }
    let store = serve::open_store_unmigrated(&config).await?;
    let pending = store.pending_migrations().await;
    let result = match pending {
        Ok(pending) if args.check => {
            for migration in &pending {
                println!("pending: {migration}");
            }
            if pending.is_empty() {
                println!("{}: up to date", config.database_for_log());
                Ok(())
            } else {
                Err(anyhow::anyhow!(
                    "{} migration(s) pending on {}; `ringbridge migrate` (or serve at start) applies them",
                    pending.len(),
                    config.database_for_log()
                ))
            }
        }
        Ok(pending) => store.migrate().await.map_err(Into::into).map(|()| {
            tracing::info!(database = %config.database_for_log(), applied = pending.len(), "database is up to date");
        }),
        Err(err) => Err(err.into()),
    };
    store.close().await;
    result
}

/// The configuration, logging only warnings (the doctor's report is the output).
fn load_quiet(path: Option<&std::path::Path>) -> Result<Config> {
    let config = Config::load(path)?;
    logging::init(config.log.format, "warn");
    Ok(config)
}

fn load(path: Option<&std::path::Path>) -> Result<Config> {
    let config = Config::load(path)?;
    logging::init(config.log.format, &config.log.filter);
    Ok(config)
}
