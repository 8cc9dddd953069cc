//! `serve`'s resident memory (`VmRSS` in `/proc/<pid>/status`): idle — a
//! fresh data directory, connected to the simulated PBX and Zoho, nothing
//! happening — and loaded — a directory of `numbers` numbers loaded from
//! its database and `live_calls` calls ringing at once.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use serde::Serialize;
use tokio::process::Child;
use tokio::time::Instant;

use super::calls::{CallTemplate, synthetic_number};
use super::coldstart::{free_port, serve_command};
use super::login::status_mib;
use super::prefill;

/// Long enough for a million numbers to load on a slow machine.
const PATIENCE: Duration = Duration::from_secs(180);
/// Left to settle before memory is read (background tasks, allocator).
const SETTLE: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Serialize)]
pub struct MemoryReport {
    /// `VmRSS` of an idle `serve`, in MB (10^6 bytes).
    pub idle_mb: f64,
    /// `VmRSS` with the directory and the live calls, in MB.
    pub loaded_mb: f64,
    /// `VmHWM` of that process then: its peak resident memory, reached
    /// while the directory was built.
    pub loaded_peak_mb: f64,
    /// Numbers `serve` reported in its directory when measured.
    pub numbers: u64,
    pub live_calls: u64,
    /// Time from start until the directory was loaded.
    pub load_s: f64,
}

pub async fn run(numbers: u64, live_calls: u64) -> Result<MemoryReport> {
    let exe = std::env::current_exe()?;
    let pbx = SimYeastar::start(SimSettings::default()).await?;
    let zoho = SimZoho::start(SimConfig::default()).await?;
    let refresh = zoho.issue_tokens(crate::world::ZOHO_SCOPES).refresh_token;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;

    let empty = tempfile::tempdir()?;
    let port = free_port()?;
    let mut idle = serve_command(&exe, empty.path(), port, &pbx, &zoho, &refresh)
        .spawn()
        .context("starting ringbridge serve")?;
    connected(&client, port, &mut idle).await?;
    tokio::time::sleep(SETTLE).await;
    let idle_mb = rss_mb(&idle)?;
    stop(idle).await;

    let (full, _url) = prefill::database(numbers).await?;
    let template = CallTemplate::capture("1005").await?;
    let port = free_port()?;
    let started = Instant::now();
    let mut loaded = serve_command(&exe, full.path(), port, &pbx, &zoho, &refresh)
        .spawn()
        .context("starting ringbridge serve")?;
    connected(&client, port, &mut loaded).await?;
    let held = loop {
        let held = directory_numbers(&client, port).await.unwrap_or(0);
        if held >= numbers {
            break held;
        }
        if started.elapsed() > PATIENCE {
            bail!("serve held {held} of {numbers} numbers after {PATIENCE:?}");
        }
        if let Some(status) = loaded.try_wait()? {
            bail!("ringbridge serve exited while loading: {status}");
        }
        tokio::time::sleep(POLL).await;
    };
    let load_s = started.elapsed().as_secs_f64();
    for n in 0..live_calls {
        // Callers from the directory, so every live call carries its match.
        let call = template.call(n, &synthetic_number(n * 7_919 % numbers.max(1)))?;
        for event in call.ring {
            pbx.emit(event);
        }
        if n % 100 == 99 {
            tokio::task::yield_now().await;
        }
    }
    tokio::time::sleep(SETTLE).await;
    let loaded_mb = rss_mb(&loaded)?;
    let loaded_peak_mb = rss_mb_of(&loaded, "VmHWM")?;
    stop(loaded).await;
    Ok(MemoryReport {
        idle_mb,
        loaded_mb,
        loaded_peak_mb,
        numbers: held,
        live_calls,
        load_s,
    })
}

fn rss_mb(child: &Child) -> Result<f64> {
    rss_mb_of(child, "VmRSS")
}

/// A `/proc/<pid>/status` memory line of `child`, in MB.
fn rss_mb_of(child: &Child, line: &str) -> Result<f64> {
    let pid = child.id().context("the serve process has no id")?;
    Ok(status_mib(pid, line)? * 1_048_576.0 / 1e6)
}

async fn stop(mut child: Child) {
    let _ = child.start_kill();
    let _ = child.wait().await;
}

/// Waits until `/readyz` says the PBX event stream is connected.
async fn connected(client: &reqwest::Client, port: u16, child: &mut Child) -> Result<()> {
    let url = format!("http://127.0.0.1:{port}/readyz");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("ringbridge serve exited during start: {status}");
        }
        if let Ok(response) = client.get(&url).send().await
            && response.status().is_success()
        {
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            if body["pbx_stream"] == "connected" {
                return Ok(());
            }
        }
        if started.elapsed() > PATIENCE {
            bail!("ringbridge serve was not connected after {PATIENCE:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The directory size `serve` reports on `/metrics`.
async fn directory_numbers(client: &reqwest::Client, port: u16) -> Result<u64> {
    let text = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    Ok(metric(&text, "ringbridge_directory_numbers").unwrap_or(0.0) as u64)
}

/// A gauge's value in Prometheus text (the first series of that name).
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let rest = l.strip_prefix(name)?;
        let value = rest.rsplit(' ').next()?;
        (rest.starts_with(' ') || rest.starts_with('{')).then(|| value.parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gauge_is_read_from_prometheus_text() {
        let text = "# HELP ringbridge_directory_numbers x\n\
                    ringbridge_directory_numbers_total 3\n\
                    ringbridge_directory_numbers 1000000\n";
        assert_eq!(metric(text, "ringbridge_directory_numbers"), Some(1e6));
        assert_eq!(metric(text, "ringbridge_missing"), None);
    }
}
