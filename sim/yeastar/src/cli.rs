//! Command-line entry (`ringbridge sim yeastar`): arguments and the serve-until-Ctrl-C loop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use rand::Rng;

use crate::clock::ClockStart;
use crate::company::CompanyFile;
use crate::config::{CdrMode, Edition, SimSettings, WebhookTarget};
use crate::error::SimError;
use crate::handle::SimYeastar;
use crate::scenario::{BUILTIN_NAMES, Scenario, ScenarioError, builtin};

/// Arguments of the Yeastar simulator command.
#[derive(Debug, Clone, clap::Args)]
pub struct SimYeastarArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8088")]
    pub listen: SocketAddr,
    /// API Client ID (default: the built-in one).
    #[arg(long)]
    pub client_id: Option<String>,
    /// API Client Secret (default: the built-in one).
    #[arg(long)]
    pub client_secret: Option<String>,
    /// The company (extensions, ring groups, queues, trunks and DIDs, contacts, the PBX's
    /// time zone, display format and firmware) from a TOML file; see
    /// examples/yeastar-company.toml. Flags given as well win over the file.
    #[arg(long, value_name = "FILE")]
    pub company: Option<PathBuf>,
    /// Require `Authorization: Bearer <TOKEN>` on the /_sim/ admin endpoints (play
    /// scenarios, set faults) and accept them from any address. Without it they answer
    /// loopback clients only.
    #[arg(long, value_name = "TOKEN", env = "RINGBRIDGE_SIM_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// Play a built-in scenario by name, a scenario TOML file, or `all`.
    #[arg(long, value_name = "SCENARIO|all")]
    pub play: Option<String>,
    /// Start the next scenario every N seconds, forever (with random caller numbers).
    #[arg(long, value_name = "SECS", requires = "play")]
    pub every: Option<u64>,
    /// Send every event's `msg` as a JSON object (some firmware does).
    #[arg(long)]
    pub msg_as_object: bool,
    /// CDR module of the simulated firmware.
    #[arg(long, value_enum, default_value_t = CdrMode::Reworked)]
    pub cdr_mode: CdrMode,
    /// The PBX display format (System > Date and Time), in the vendor's notation: CDR and
    /// recording `time`, and the only form `cdr/search` takes for its times
    /// [default: the company file's, else DD/MM/YYYY hh:mm:ss AM].
    #[arg(long)]
    pub display_format: Option<crate::config::DisplayFormat>,
    /// `cdr/search` also takes Unix seconds (newer firmware per newer vendor pages).
    #[arg(long)]
    pub search_accepts_epoch: bool,
    /// Refuse (40003) a contact whose number or e-mail another contact of the same phonebook
    /// already has.
    #[arg(long)]
    pub unique_contacts_in_phonebook: bool,
    /// Play scenario waits instantly (advancing the simulated clock) instead of in real time.
    #[arg(long)]
    pub instant: bool,
    /// `firmware_version` the PBX reports (e.g. 37.2.0.10, below what the
    /// vendor's own CRM integration needs) [default: the company file's, else 37.12.0.20].
    #[arg(long, value_name = "VERSION")]
    pub firmware: Option<String>,
    /// P-Series edition: its model name, and the firmware's first part
    /// (37 Appliance, 83 Software, 84 Cloud).
    #[arg(long, value_enum)]
    pub edition: Option<Edition>,
    /// WebSocket idle timeout in seconds.
    #[arg(long, default_value_t = 60)]
    pub ws_idle_secs: u64,
    /// Push every event to this URL, as if set under Webhook Event Push (e.g. ringbridge
    /// serve's http://127.0.0.1:8080/pbx/yeastar/webhook).
    #[arg(long, value_name = "URL", requires = "webhook_secret")]
    pub webhook_url: Option<String>,
    /// The secret webhook posts are signed with (`X-Signature`); the receiver needs the same.
    #[arg(long, value_name = "SECRET", env = "RINGBRIDGE_SIM_WEBHOOK_SECRET")]
    pub webhook_secret: Option<String>,
}

impl SimYeastarArgs {
    /// The settings these arguments describe: the built-in defaults, then the company
    /// file, then the flags.
    pub fn settings(&self) -> Result<SimSettings, SimError> {
        let mut s = SimSettings {
            clock: ClockStart::System,
            msg_as_object: self.msg_as_object,
            cdr_mode: self.cdr_mode,
            search_accepts_epoch: self.search_accepts_epoch,
            unique_contacts_in_phonebook: self.unique_contacts_in_phonebook,
            realtime_scenarios: !self.instant,
            ws_idle_timeout: Duration::from_secs(self.ws_idle_secs),
            admin_token: self.admin_token.clone().filter(|t| !t.is_empty()),
            ..SimSettings::default()
        };
        if let Some(path) = &self.company {
            s = CompanyFile::load(path)?.apply(s);
        }
        if let Some(format) = self.display_format {
            s.display_format = format;
        }
        if let Some(firmware) = &self.firmware {
            s.firmware_version.clone_from(firmware);
        }
        if let Some(edition) = self.edition {
            s = s.with_edition(edition);
        }
        if let Some(id) = &self.client_id {
            s.client_id.clone_from(id);
        }
        if let Some(secret) = &self.client_secret {
            s.client_secret.clone_from(secret);
        }
        if let (Some(url), Some(secret)) = (&self.webhook_url, &self.webhook_secret) {
            s.webhooks.targets.push(WebhookTarget {
                url: url.clone(),
                secret: secret.clone(),
                request_method: "POST".into(),
                // 0: every event.
                event_ids: vec![0],
            });
        }
        Ok(s)
    }

    /// The scenarios `--play` names.
    pub fn scenarios(&self) -> Result<Vec<Scenario>, SimError> {
        let Some(play) = &self.play else {
            return Ok(Vec::new());
        };
        if play == "all" {
            return Ok(BUILTIN_NAMES
                .iter()
                .map(|n| builtin(n))
                .collect::<Result<_, _>>()?);
        }
        if play.ends_with(".toml") {
            let text = std::fs::read_to_string(PathBuf::from(play)).map_err(SimError::Io)?;
            return Ok(vec![Scenario::from_toml(&text)?]);
        }
        Ok(vec![builtin(play)?])
    }
}

/// Gives looping demo calls fresh external numbers so they look like different customers.
fn vary(mut s: Scenario) -> Scenario {
    let mut rng = rand::rng();
    for key in ["caller", "number"] {
        if let Some(v) = s.params.get_mut(key)
            && v.len() >= 7
            && v.starts_with("555")
        {
            *v = format!("555{:04}", rng.random_range(0..10_000));
        }
    }
    s
}

fn report(name: &str, result: Result<Vec<String>, ScenarioError>) {
    match result {
        Ok(ids) => println!("played {name}: {}", ids.join(", ")),
        Err(e) => eprintln!("scenario {name} failed: {e}"),
    }
}

/// Runs the simulator until Ctrl-C: prints the base URL and credentials, optionally plays
/// scenarios (once, or one every `--every` seconds).
pub async fn run(args: SimYeastarArgs) -> Result<(), SimError> {
    let scenarios = args.scenarios()?;
    let sim = SimYeastar::start_on(args.listen, args.settings()?).await?;
    println!("Yeastar P-Series simulator listening");
    println!("  base URL:      {}", sim.base_url());
    println!("  WebSocket:     {}?access_token=<token>", sim.ws_url());
    println!("  Client ID:     {}", sim.client_id());
    println!("  Client Secret: {}", sim.client_secret());
    for target in &sim.settings().webhooks.targets {
        println!("  webhook:       POST {}", target.url);
    }
    let company = &sim.settings().company;
    println!(
        "  company:       {} extensions, {} ring groups, {} queues, {} trunks",
        company.extensions.len(),
        company.ring_groups.len(),
        company.queues.len(),
        company.trunks.len()
    );
    let guard = if sim.settings().admin_token.is_some() {
        "Bearer token required"
    } else {
        "loopback clients only"
    };
    println!("  admin:         {} ({guard})", sim.admin_url("play"));
    println!("Press Ctrl-C to stop.");
    let runner = sim.runner();
    let every = args.every;
    let player = (!scenarios.is_empty()).then(|| {
        tokio::spawn(async move {
            match every {
                None => {
                    for s in &scenarios {
                        report(&s.name, runner.play(s).await);
                    }
                }
                Some(every) => {
                    let mut tick = tokio::time::interval(Duration::from_secs(every.max(1)));
                    for s in scenarios.iter().cycle() {
                        tick.tick().await;
                        let (runner, s) = (runner.clone(), vary(s.clone()));
                        tokio::spawn(async move { report(&s.name, runner.play(&s).await) });
                    }
                }
            }
        })
    });
    let stopped = tokio::signal::ctrl_c().await;
    if let Some(p) = player {
        p.abort();
    }
    sim.stop().await;
    stopped.map_err(SimError::Serve)
}
