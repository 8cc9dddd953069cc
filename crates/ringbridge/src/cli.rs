//! The command line. `--help` on any subcommand is its manual.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
