//! Command-line entry (`ringbridge sim yeastar`): arguments and the serve-until-Ctrl-C loop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use rand::Rng;

use crate::clock::ClockStart;
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
    /// recording `time`, and the only form `cdr/search` takes for its times.
    #[arg(long, default_value = "DD/MM/YYYY hh:mm:ss AM")]
    pub display_format: crate::config::DisplayFormat,
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
    /// vendor's own CRM integration needs).
    #[arg(long, value_name = "VERSION", default_value = "37.12.0.20")]
    pub firmware: String,
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
    /// The settings these arguments describe.
    pub fn settings(&self) -> SimSettings {
        let mut s = SimSettings {
            clock: ClockStart::System,
            msg_as_object: self.msg_as_object,
            cdr_mode: self.cdr_mode,
            display_format: self.display_format,
            search_accepts_epoch: self.search_accepts_epoch,
            unique_contacts_in_phonebook: self.unique_contacts_in_phonebook,
            realtime_scenarios: !self.instant,
            ws_idle_timeout: Duration::from_secs(self.ws_idle_secs),
            firmware_version: self.firmware.clone(),
            ..SimSettings::default()
        };
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
        s
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
    let sim = SimYeastar::start_on(args.listen, args.settings()).await?;
    println!("Yeastar P-Series simulator listening");
    println!("  base URL:      {}", sim.base_url());
    println!("  WebSocket:     {}?access_token=<token>", sim.ws_url());
    println!("  Client ID:     {}", sim.client_id());
    println!("  Client Secret: {}", sim.client_secret());
    for target in &sim.settings().webhooks.targets {
        println!("  webhook:       POST {}", target.url);
    }
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
