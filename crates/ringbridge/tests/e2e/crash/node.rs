//! `ringbridge serve` as a child process against the simulators, and the
//! means to kill it as a crash would.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use ringbridge_store::testing::TestDatabase;
use ringbridge_store::{SecretKey, SqlStore};
use tokio::process::{Child, Command};

/// Both simulators with the demo's CRM data, a simulated fault that hangs
/// lasting `hang`, and a refresh token for the nodes to connect with.
pub async fn simulators(hang: Duration) -> (SimYeastar, SimZoho, String) {
    let pbx = SimYeastar::start(SimSettings::default()).await.unwrap();
    let zoho = SimZoho::start(SimConfig {
        seed: ringbridge::demo::seed(),
        hang_duration: hang,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    (pbx, zoho, refresh)
}

pub struct Node {
    pub child: Child,
    pub port: u16,
    /// The process id, part of the worker id the node claims jobs with.
    pub pid: u32,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The environment a `ringbridge` child needs to work against the
/// simulators, with the tests' short timings.
pub fn command(
    pbx: &SimYeastar,
    zoho: &SimZoho,
    refresh: &str,
    db: &TestDatabase,
    data_dir: &Path,
) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ringbridge"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RINGBRIDGE_DATA_DIR", data_dir)
        .env("RINGBRIDGE_DATABASE_URL", &db.url)
        .env("RINGBRIDGE_LOG__FILTER", "error")
        .env("RINGBRIDGE_PBX__BASE_URL", pbx.base_url())
        .env("RINGBRIDGE_PBX__CLIENT_ID", pbx.client_id())
        .env("RINGBRIDGE_PBX__CLIENT_SECRET", pbx.client_secret())
        .env("RINGBRIDGE_PBX__DEFAULT_COUNTRY", "US")
        .env("RINGBRIDGE_ZOHO__CLIENT_ID", zoho.client_id())
        .env("RINGBRIDGE_ZOHO__CLIENT_SECRET", zoho.client_secret())
        .env("RINGBRIDGE_ZOHO__REFRESH_TOKEN", refresh)
        .env("RINGBRIDGE_ZOHO__ACCOUNTS_SERVER", zoho.accounts_url())
        .env("RINGBRIDGE_ZOHO__API_DOMAIN", zoho.api_url())
        .env("RINGBRIDGE_ENGINE__UNKNOWN_INBOUND", "create_lead")
        .env("RINGBRIDGE_TIMING__FLUSH_DELAY_MS", "300")
        .env("RINGBRIDGE_TIMING__POLL_MS", "200")
        .env("RINGBRIDGE_TIMING__RETRY_BASE_MS", "100")
        .env("RINGBRIDGE_TIMING__RETRY_MAX_MS", "1500")
        .env("RINGBRIDGE_TIMING__LEASE_SECS", "5")
        .env("RINGBRIDGE_TIMING__SETTLE_MS", "200")
        .env("RINGBRIDGE_TIMING__CHECKPOINT_MS", "500")
        // The simulator plays calls faster than real time, so its clock runs ahead.
        .env("RINGBRIDGE_TIMING__CATCHUP_CLOCK_SKEW_SECS", "2592000")
        .env("RINGBRIDGE_TIMING__CRM_TIMEOUT_SECS", "2")
        .env("RINGBRIDGE_TIMING__INGEST_LEASE_SECS", "2")
        .kill_on_drop(true);
    cmd
}

/// Starts `ringbridge serve` (with `extra` environment on top of
/// [`command`]'s) and waits until it is ready.
pub async fn start_node(
    pbx: &SimYeastar,
    zoho: &SimZoho,
    refresh: &str,
    db: &TestDatabase,
    data_dir: &Path,
    extra: &[(&str, &str)],
) -> Node {
    let port = free_port();
    let mut cmd = command(pbx, zoho, refresh, db, data_dir);
    cmd.arg("serve")
        .env("RINGBRIDGE_HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let child = cmd.spawn().expect("ringbridge serve starts");
    let pid = child.id().expect("a running child has a pid");
    let node = Node { child, port, pid };
    wait_ready(&node).await;
    node
}

/// The node's PBX stream state as `/readyz` reports it.
pub async fn stream_state(node: &Node) -> Option<String> {
    let url = format!("http://127.0.0.1:{}/readyz", node.port);
    // The listener is bound before the process serves: a node stuck while
    // starting accepts connections and never answers.
    let body = reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .ok()?
        .json::<serde_json::Value>()
        .await
        .ok()?;
    body["pbx_stream"].as_str().map(str::to_owned)
}

async fn wait_ready(node: &Node) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        if let Some(state) = stream_state(node).await
            && (state == "connected" || state.contains("standby"))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("ringbridge serve did not become ready");
}

/// The node's `/metrics` text.
pub async fn metrics(node: &Node) -> String {
    reqwest::get(format!("http://127.0.0.1:{}/metrics", node.port))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of an unlabelled metric in `/metrics` text.
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// SIGKILL: no shutdown code runs, as in a crash or an OOM kill.
pub async fn kill_9(mut node: Node) {
    node.child.start_kill().expect("kill");
    node.child.wait().await.expect("reaped");
}

/// The nodes' database, opened with the key `serve` created in `data_dir`.
pub async fn open_store(db: &TestDatabase, data_dir: &Path) -> SqlStore {
    let key = std::fs::read_to_string(data_dir.join("secret.key")).expect("secret.key");
    SqlStore::open(&db.url, SecretKey::from_base64(&key).expect("a key"))
        .await
        .expect("the nodes' database opens")
}
