//! Running a browser scenario (`browser/tests/<name>.mjs`) against a World.
//!
//! The scenario drives headless Chromium through Playwright; this side
//! starts the World (simulators, engine, ringbridge's HTTP surface),
//! makes the agent's account, runs `node`, answers the scenario's steps
//! (playing calls, ...) and finally checks the simulators.
//!
//! Without Chromium or `browser/node_modules` the tests are skipped with a
//! printed reason — unless `CI` is set, where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ringbridge::demo;
use ringbridge::world::{World, WorldOptions};
use ringbridge_core::accounts::{
    Account, AccountProfile, AccountStore, NewAccount, Role, Username,
};
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_web::AppState;
use ringbridge_web::auth::{PasswordParams, Passwords, api_tokens};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// How long one scenario may run, all steps included.
pub const SCENARIO_LIMIT: Duration = Duration::from_secs(120);

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace directory")
}

/// Where Chromium and the scenarios are, when both are installed.
pub struct Browser {
    pub chromium: PathBuf,
    pub dir: PathBuf,
}

/// The browser setup, or `None` (printed why) when it is missing outside CI.
pub fn browser() -> Option<Browser> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let dir = workspace().join("browser");
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing = if !node {
        Some("no `node` on PATH (Node.js 18 or later)".to_owned())
    } else if !chromium.exists() {
        Some(format!(
            "no Chromium at {} (set CHROMIUM)",
            chromium.display()
        ))
    } else if !dir.join("node_modules/playwright-core").exists() {
        Some("browser/node_modules is missing (run `npm ci --prefix browser`)".to_owned())
    } else {
        None
    };
    match missing {
        None => Some(Browser { chromium, dir }),
        Some(reason) if std::env::var_os("CI").is_some() => {
            panic!("browser tests cannot run in CI: {reason}")
        }
        Some(reason) => {
            eprintln!("skipping a browser test: {reason}");
            None
        }
    }
}

/// The demo company, without automatic records for unknown callers (the
/// agent creates them in these tests).
pub fn options() -> WorldOptions {
    let mut options = demo::options(false);
    options.settings.unknown_inbound = UnknownNumberAction::Nothing;
    options.settings.unknown_outbound = UnknownNumberAction::Nothing;
    options
}

pub async fn world() -> World {
    World::start(options()).await.expect("world starts")
}

/// Someone who signs in with a password and holds an API token.
pub struct Person {
    pub account: Account,
    pub username: String,
    pub password: String,
    pub token: String,
}

/// Makes an account (with a fast-to-check password) and an API token.
pub async fn person(w: &World, username: &str, role: Role, extension: Option<&str>) -> Person {
    let password = format!("{username}-correct-horse-battery");
    let hash = Passwords::new(PasswordParams::insecure_fast())
        .unwrap()
        .hash(password.clone())
        .await
        .unwrap();
    let new = NewAccount {
        username: Username::parse(username).unwrap(),
        password_hash: hash,
        profile: AccountProfile {
            display_name: format!("Test {username}"),
            role,
            crm_user_id: None,
            extension: extension.map(str::to_owned),
            disabled: false,
        },
        at: Utc::now(),
    };
    // The first admin goes through first-run setup's own door.
    let account = match role {
        Role::Admin if !w.store.has_admin().await.unwrap() => {
            w.store.create_first_admin(&new).await.unwrap().unwrap()
        }
        _ => w.store.create_account(&new).await.unwrap(),
    };
    let issuer = AppState::new(Arc::new(w.store.clone()), Arc::new(w.store.clone()), None);
    let (_, token) = api_tokens::issue(&issuer, account.id, "browser test")
        .await
        .unwrap();
    Person {
        account,
        username: username.to_owned(),
        password,
        token,
    }
}

/// An agent at `extension`. An admin is made first if there is none
/// (until then every page leads to first-run setup).
pub async fn agent(w: &World, username: &str, extension: &str) -> Person {
    if !w.store.has_admin().await.unwrap() {
        person(w, "admin", Role::Admin, None).await;
    }
    person(w, username, Role::Agent, Some(extension)).await
}

/// The environment every scenario gets.
pub fn scenario_env(w: &World, agent: &Person) -> Vec<(&'static str, String)> {
    vec![
        ("RB_BASE_URL", w.http_url.clone()),
        ("RB_USERNAME", agent.username.clone()),
        ("RB_PASSWORD", agent.password.clone()),
        ("RB_TOKEN", agent.token.clone()),
        ("RB_ZOHO_URL", w.zoho_sim.api_url().to_owned()),
        ("RB_PBX_URL", w.pbx_sim.base_url()),
        (
            "RB_SCREENSHOTS",
            workspace().join("target/screenshots").display().to_string(),
        ),
        (
            "RB_EXTENSION_DIR",
            workspace().join("extension").display().to_string(),
        ),
    ]
}

/// A running scenario.
pub struct Scenario {
    name: String,
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Scenario {
    pub async fn start(browser: &Browser, name: &str, env: &[(&'static str, String)]) -> Self {
        let mut command = Command::new("node");
        command
            .arg(browser.dir.join("tests").join(format!("{name}.mjs")))
            .current_dir(&browser.dir)
            .env("CHROMIUM", &browser.chromium)
            .env(
                "RB_SCENARIO_TIMEOUT_MS",
                SCENARIO_LIMIT.as_millis().to_string(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // The scenario's diagnostics go straight to the test's output.
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("node runs");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        Self {
            name: name.to_owned(),
            child,
            stdin,
            stdout,
        }
    }

    /// The next protocol line (a JSON object); other lines are echoed.
    async fn next(&mut self) -> Value {
        loop {
            let line = tokio::time::timeout(SCENARIO_LIMIT, self.stdout.next_line())
                .await
                .unwrap_or_else(|_| panic!("{}: no output for {SCENARIO_LIMIT:?}", self.name))
                .expect("reading the scenario's output");
            let Some(line) = line else {
                panic!("{}: ended without a result", self.name);
            };
            match serde_json::from_str::<Value>(&line) {
                Ok(value) if value.is_object() => {
                    if value["ok"] == false {
                        panic!("{} failed: {}", self.name, value["error"]);
                    }
                    return value;
                }
                _ => println!("[{}] {line}", self.name),
            }
        }
    }

    /// Waits for the scenario to reach step `name`; returns its data.
    pub async fn step(&mut self, name: &str) -> Value {
        let value = self.next().await;
        assert_eq!(
            value["step"], name,
            "{}: expected step {name}, got {value}",
            self.name
        );
        value
    }

    /// Lets the scenario go on past its `waitFor(name)`.
    pub async fn go(&mut self, name: &str) {
        self.stdin
            .write_all(format!("go {name}\n").as_bytes())
            .await
            .expect("writing to the scenario");
        self.stdin.flush().await.expect("flushing");
    }

    /// The scenario's results; it must end successfully.
    pub async fn finish(mut self) -> Value {
        let value = self.next().await;
        assert_eq!(value["ok"], true, "{}: {value}", self.name);
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("the scenario exits")
            .expect("exit status");
        assert!(status.success(), "{}: exit status {status}", self.name);
        value["results"].clone()
    }
}

/// Plays a built-in PBX scenario with parameters; returns the call ids.
pub async fn play(w: &World, name: &str, params: &[(&str, &str)]) -> Vec<String> {
    let mut scenario = ringbridge_sim_yeastar::builtin(name).expect("scenario");
    for (k, v) in params {
        scenario = scenario.with_param(k, *v).expect("param");
    }
    w.pbx_sim.play(&scenario).await.expect("played")
}

/// `steps` (the simulator's TOML `[[steps]]`) of one inbound call from
/// `caller` to Maya (1005), played step by step by the test.
pub fn call_to_maya(name: &str, caller: &str, steps: &str) -> ringbridge_sim_yeastar::Scenario {
    ringbridge_sim_yeastar::Scenario::from_toml(&format!(
        r#"name = "{name}"
description = "an inbound call, step by step"
[[calls]]
id = "main"
from = {{ kind = "external", number = "{caller}", trunk = "CarrierA", did = "8800" }}
to = {{ kind = "extension", number = "1005" }}
{steps}"#
    ))
    .expect("scenario")
}

/// Runs the panel script `script` for Maya (1005) while Ana Pereira, a known
/// contact, rings her and she answers; returns the world and the script's
/// results.
pub async fn maya_answers_a_known_caller(browser: &Browser, script: &str) -> (World, Value) {
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let mut scenario = Scenario::start(browser, script, &scenario_env(&w, &maya)).await;
    scenario.step("connected").await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    let results = scenario.finish().await;
    (w, results)
}

/// Waits until `check` finds what it looks for (polling; nothing is slept
/// longer than needed).
pub async fn eventually<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within {limit:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The id of the record with this last (or account) name in the Zoho simulator.
pub fn record_id(
    w: &World,
    module: ringbridge_sim_zoho::Module,
    last_name: &str,
) -> Option<String> {
    w.zoho_sim
        .records(module)
        .into_iter()
        .find(|r| r["Last_Name"] == last_name || r["Account_Name"] == last_name)
        .and_then(|r| r["id"].as_str().map(str::to_owned))
}

/// The Calls records in the Zoho simulator whose Description carries the
/// log marker of PBX call `call_id`.
pub fn logs_for(w: &World, call_id: &str) -> Vec<serde_json::Value> {
    let marker = format!("pbx:{call_id}");
    w.zoho_sim
        .calls()
        .into_iter()
        .filter(|c| {
            c["Description"]
                .as_str()
                .is_some_and(|d| d.contains(&marker))
        })
        .collect()
}
