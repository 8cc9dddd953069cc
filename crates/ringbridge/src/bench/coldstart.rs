//! Cold start: `ringbridge serve` (this very binary) started with a fresh
//! data directory (SQLite, new secret key, migrations), the simulated PBX
//! and Zoho, timed until `GET /readyz` answers 200 — and until it reports
//! the PBX event stream connected. And the binary's size.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use serde::Serialize;
use tokio::process::Command;
use tokio::time::Instant;

const POLL: Duration = Duration::from_millis(5);
const PATIENCE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize)]
pub struct ColdStart {
    /// Process start → `/readyz` 200.
    pub ready_ms: f64,
    /// Process start → `/readyz` says the PBX event stream is connected.
    pub connected_ms: f64,
    pub binary_bytes: u64,
    /// "debug" or "release": what this binary was built as.
    pub profile: String,
}

pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

pub async fn run() -> Result<ColdStart> {
    let exe = std::env::current_exe()?;
    let binary_bytes = std::fs::metadata(&exe)?.len();
    let pbx = SimYeastar::start(SimSettings::default()).await?;
    let zoho = SimZoho::start(SimConfig {
        seed: crate::demo::seed(),
        ..SimConfig::default()
    })
    .await?;
    let refresh = zoho.issue_tokens(crate::world::ZOHO_SCOPES).refresh_token;
    let data_dir = tempfile::tempdir()?;
    let port = free_port()?;
    let mut cmd = serve_command(&exe, data_dir.path(), port, &pbx, &zoho, &refresh);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let url = format!("http://127.0.0.1:{port}/readyz");
    let started = Instant::now();
    let mut child = cmd.spawn().context("starting ringbridge serve")?;
    let mut ready_ms = None;
    let connected_ms = loop {
        if started.elapsed() > PATIENCE {
            bail!("ringbridge serve was not ready after {PATIENCE:?}");
        }
        if let Some(status) = child.try_wait()? {
            bail!("ringbridge serve exited during start: {status}");
        }
        if let Ok(response) = client.get(&url).send().await
            && response.status().is_success()
        {
            let at = started.elapsed();
            ready_ms.get_or_insert(at);
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            if body["pbx_stream"] == "connected" {
                break at;
            }
        }
        tokio::time::sleep(POLL).await;
    };
    let _ = child.start_kill();
    let _ = child.wait().await;
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    Ok(ColdStart {
        ready_ms: ms(ready_ms.unwrap_or(connected_ms)),
        connected_ms: ms(connected_ms),
        binary_bytes,
        profile: profile().to_owned(),
    })
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `ringbridge serve` on `port` with `data_dir`, connected by configuration
/// to the simulated PBX and Zoho; quiet, killed when dropped.
pub fn serve_command(
    exe: &std::path::Path,
    data_dir: &std::path::Path,
    port: u16,
    pbx: &SimYeastar,
    zoho: &SimZoho,
    refresh: &str,
) -> Command {
    let mut cmd = Command::new(exe);
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RINGBRIDGE_DATA_DIR", data_dir)
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
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    cmd
}
