//! The engine's promise under fire: 1,000 calls while the Zoho simulator
//! fails 30 % of requests (429, 500, hangs past the client's timeout),
//! access tokens expire twice, the PBX drops its socket twice, and the
//! `ringbridge serve` process is killed with SIGKILL mid-run and started
//! again — afterwards the CRM holds exactly one log per call and one Lead
//! per unknown number. Run on SQLite, and on PostgreSQL when configured.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{Fault, FaultRule, Module, SimConfig, SimZoho};
use ringbridge_store::testing::{TestDatabase, fresh_postgres, fresh_sqlite};
use tokio::process::{Child, Command};

const CALLS: usize = 1000;
const BATCH: usize = 25;
const KNOWN: &[&str] = &["4155550123", "4155550124", "4155550125", "4155550126"];
const UNKNOWN: &[&str] = &["4155550190", "4155550191", "4155550192"];
const SCENARIOS: &[(&str, &str)] = &[
    ("inbound_answered", "caller"),
    ("inbound_missed", "caller"),
    ("outbound_answered", "number"),
    ("ring_group_answered", "caller"),
];

struct Node {
    child: Child,
    port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_node(
    pbx: &SimYeastar,
    zoho: &SimZoho,
    refresh: &str,
    db: &TestDatabase,
    data_dir: &std::path::Path,
) -> Node {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ringbridge"));
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RINGBRIDGE_DATA_DIR", data_dir)
        .env("RINGBRIDGE_DATABASE_URL", &db.url)
        .env("RINGBRIDGE_HTTP__LISTEN", format!("127.0.0.1:{port}"))
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
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let child = cmd.spawn().expect("ringbridge serve starts");
    let node = Node { child, port };
    wait_ready(&node).await;
    node
}

/// The node's PBX stream state as `/readyz` reports it.
async fn stream_state(node: &Node) -> Option<String> {
    let url = format!("http://127.0.0.1:{}/readyz", node.port);
    let body = reqwest::get(url)
        .await
        .ok()?
        .json::<serde_json::Value>()
        .await
        .ok()?;
    body["pbx_stream"].as_str().map(str::to_owned)
}

async fn wait_ready(node: &Node) {
    for _ in 0..200 {
        if let Some(state) = stream_state(node).await
            && (state == "connected" || state.contains("standby"))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("ringbridge serve did not become ready");
}

/// SIGKILL: no shutdown code runs, as in a crash or an OOM kill.
async fn kill_9(mut node: Node) {
    node.child.start_kill().expect("kill");
    node.child.wait().await.expect("reaped");
}

async fn play_batch(pbx: &SimYeastar, first: usize) -> usize {
    let mut tasks = Vec::new();
    for n in first..first + BATCH {
        let (name, param) = SCENARIOS[n % SCENARIOS.len()];
        let number = if n % 5 == 4 {
            UNKNOWN[n % UNKNOWN.len()]
        } else {
            KNOWN[n % KNOWN.len()]
        };
        let scenario = ringbridge_sim_yeastar::builtin(name)
            .unwrap()
            .with_param(param, number)
            .unwrap();
        let runner = pbx.runner();
        tasks.push(tokio::spawn(async move {
            runner.play(&scenario).await.expect("played").len()
        }));
    }
    let mut played = 0;
    for t in tasks {
        played += t.await.unwrap();
    }
    played
}

fn log_markers(zoho: &SimZoho) -> HashMap<String, usize> {
    let mut per_key = HashMap::new();
    for call in zoho.calls() {
        let description = call["Description"].as_str().unwrap_or_default().to_owned();
        let marker = description
            .find("[ringbridge:")
            .map(|i| description[i..].to_owned())
            .unwrap_or(description);
        *per_key.entry(marker).or_insert(0) += 1;
    }
    per_key
}

async fn run_fault_test(db: TestDatabase) {
    let pbx = SimYeastar::start(SimSettings::default()).await.unwrap();
    let zoho = SimZoho::start(SimConfig {
        seed: ringbridge::demo::seed(),
        hang_duration: Duration::from_secs(3),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    zoho.inject_fault(FaultRule::rate(15, 11, Fault::TooManyRequests));
    zoho.inject_fault(FaultRule::rate(12, 12, Fault::InternalError));
    zoho.inject_fault(FaultRule::rate(4, 13, Fault::Hang));
    let data_dir = tempfile::tempdir().unwrap();

    let mut node = Some(start_node(&pbx, &zoho, &refresh, &db, data_dir.path()).await);
    let mut played = 0;
    for batch in 0..CALLS / BATCH {
        match batch {
            8 | 28 => zoho.expire_access_tokens(),
            12 | 32 => pbx.drop_websockets(),
            20 => kill_9(node.take().unwrap()).await,
            24 => node = Some(start_node(&pbx, &zoho, &refresh, &db, data_dir.path()).await),
            _ => {}
        }
        played += play_batch(&pbx, batch * BATCH).await;
    }
    assert_eq!(played, CALLS);

    // Everything is eventually written, once.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    loop {
        let logged = zoho.calls().len();
        if logged >= CALLS || tokio::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Let any straggling retry show itself before counting.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let markers = log_markers(&zoho);
    let duplicates: Vec<_> = markers.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicates.is_empty(), "duplicate call logs: {duplicates:?}");
    assert_eq!(zoho.calls().len(), CALLS, "exactly one log per call");
    for number in UNKNOWN {
        let e164 = format!("+1{number}");
        let leads = zoho
            .records(Module::Leads)
            .into_iter()
            .filter(|l| l["Phone"] == e164.as_str())
            .count();
        assert_eq!(leads, 1, "one Lead for {number}");
    }
    eprintln!(
        "fault test ({:?}): {CALLS} calls, {} Zoho API requests, {} credits",
        db.backend,
        zoho.request_counts()
            .iter()
            .filter(|(k, _)| k.contains("/crm/"))
            .map(|(_, n)| n)
            .sum::<u64>(),
        zoho.credits_used()
    );
    kill_9(node.take().unwrap()).await;
}

/// Two `serve` processes on one database: one consumes the PBX stream, both
/// work the queue; the stream's holder is killed and the other takes over.
async fn run_failover_test(db: TestDatabase) {
    let pbx = SimYeastar::start(SimSettings::default()).await.unwrap();
    let zoho = SimZoho::start(SimConfig {
        seed: ringbridge::demo::seed(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    zoho.inject_fault(FaultRule::rate(20, 5, Fault::InternalError));
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Both nodes share the database and its secret key.
    let a = start_node(&pbx, &zoho, &refresh, &db, dir_a.path()).await;
    std::fs::copy(
        dir_a.path().join("secret.key"),
        dir_b.path().join("secret.key"),
    )
    .unwrap();
    let b = start_node(&pbx, &zoho, &refresh, &db, dir_b.path()).await;
    let states = (
        stream_state(&a).await.unwrap(),
        stream_state(&b).await.unwrap(),
    );
    let (leader, follower) = match states {
        (ref x, ref y) if x == "connected" && y.contains("standby") => (a, b),
        (ref x, ref y) if y == "connected" && x.contains("standby") => (b, a),
        other => panic!("exactly one node consumes the stream: {other:?}"),
    };
    let mut played = 0;
    for batch in 0..8 {
        played += play_batch(&pbx, batch * BATCH).await;
    }
    kill_9(leader).await;
    for batch in 8..16 {
        played += play_batch(&pbx, batch * BATCH).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while zoho.calls().len() < played && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(
        stream_state(&follower).await.as_deref(),
        Some("connected"),
        "the follower took the stream over"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let duplicates: Vec<_> = log_markers(&zoho)
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .collect();
    assert!(duplicates.is_empty(), "duplicate call logs: {duplicates:?}");
    assert_eq!(zoho.calls().len(), played, "exactly one log per call");
    // The serving node's /metrics tells an operator the same story.
    let metrics = reqwest::get(format!("http://127.0.0.1:{}/metrics", follower.port))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "ringbridge_pbx_stream_up 1",
        "ringbridge_crm_connection_up 1",
        "ringbridge_jobs{kind=\"write_call_log\",status=\"pending\"} 0",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }
    assert!(
        metrics.contains("ringbridge_zoho_requests_total"),
        "{metrics}"
    );
    kill_9(follower).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_the_work_and_fail_over_on_sqlite() {
    run_failover_test(fresh_sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_the_work_and_fail_over_on_postgres() {
    if let Some(db) = fresh_postgres().await {
        run_failover_test(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_calls_through_faults_and_a_kill_9_on_sqlite() {
    run_fault_test(fresh_sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_calls_through_faults_and_a_kill_9_on_postgres() {
    if let Some(db) = fresh_postgres().await {
        run_fault_test(db).await;
    }
}
