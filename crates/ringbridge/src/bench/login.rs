//! Sign-in flood: `ringbridge serve` (this very binary, pages only, fresh
//! data directory, production password cost) receives 200 sign-in
//! attempts at once — half the admin's correct password, half unknown
//! usernames — and the process's peak resident memory is read from
//! `/proc/<pid>/status` (`VmHWM`). Each attempt costs an argon2 hash of
//! ~19 MiB; unbounded, 200 of them at once reach gigabytes.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde::Serialize;
use tokio::process::Command;
use tokio::sync::Barrier;
use tokio::time::Instant;

const PATIENCE: Duration = Duration::from_secs(60);
const ADMIN: &str = "admin";
const ADMIN_PASSWORD: &str = "bench admin password";

#[derive(Debug, Clone, Serialize)]
pub struct LoginReport {
    pub attempts: usize,
    /// Correct passwords signed in (303).
    pub signed_in: usize,
    /// Wrong/unknown refused (401).
    pub refused: usize,
    /// Turned away for load (429 with Retry-After).
    pub busy: usize,
    /// Anything else (errors, timeouts).
    pub other: usize,
    pub seconds: f64,
    /// `VmHWM` of the serve process before the flood, in MiB.
    pub rss_before_mib: f64,
    /// `VmHWM` after the flood: the peak.
    pub peak_rss_mib: f64,
    /// `VmRSS` a few seconds after the flood: what memory returned.
    pub rss_after_mib: f64,
}

pub async fn run(attempts: usize) -> Result<LoginReport> {
    let exe = std::env::current_exe()?;
    let data_dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = Command::new(&exe)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RINGBRIDGE_DATA_DIR", data_dir.path())
        .env("RINGBRIDGE_HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("RINGBRIDGE_HTTP__SECURE_COOKIES", "false")
        // As if from 200 addresses: the hashing bound is measured, not the
        // per-address rate limit that would stop one address first.
        .env("RINGBRIDGE_HTTP__SIGN_IN_PER_MINUTE", "0")
        .env("RINGBRIDGE_LOG__FILTER", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting ringbridge serve")?;
    let pid = child.id().context("the serve process has no id")?;
    let base = format!("http://127.0.0.1:{port}");
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()?;
    wait_healthy(&client, &base, &mut child).await?;
    create_admin(&client, &base).await?;
    let rss_before_mib = status_mib(pid, "VmHWM")?;

    // Every client fetches its form first, then all post at once.
    let barrier = Arc::new(Barrier::new(attempts));
    let started = Instant::now();
    let tasks: Vec<_> = (0..attempts)
        .map(|n| {
            let (client, base, barrier) = (client.clone(), base.clone(), barrier.clone());
            tokio::spawn(async move {
                let (cookie, csrf) = form(&client, &base, "/login").await;
                let (username, password) = if n % 2 == 0 {
                    (ADMIN.to_owned(), ADMIN_PASSWORD)
                } else {
                    (format!("nobody{n}"), "a wrong password")
                };
                barrier.wait().await;
                let posted = client
                    .post(format!("{base}/login"))
                    .header(COOKIE, cookie)
                    .form(&[
                        ("username", username.as_str()),
                        ("password", password),
                        ("csrf_token", &csrf),
                    ])
                    .send()
                    .await;
                posted.map(|r| r.status()).ok()
            })
        })
        .collect();
    let mut report = LoginReport {
        attempts,
        signed_in: 0,
        refused: 0,
        busy: 0,
        other: 0,
        seconds: 0.0,
        rss_before_mib,
        peak_rss_mib: 0.0,
        rss_after_mib: 0.0,
    };
    for task in tasks {
        match task.await? {
            Some(StatusCode::SEE_OTHER) => report.signed_in += 1,
            Some(StatusCode::UNAUTHORIZED) => report.refused += 1,
            Some(StatusCode::TOO_MANY_REQUESTS) => report.busy += 1,
            _ => report.other += 1,
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.peak_rss_mib = status_mib(pid, "VmHWM")?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    report.rss_after_mib = status_mib(pid, "VmRSS")?;
    let _ = child.start_kill();
    let _ = child.wait().await;
    Ok(report)
}

async fn wait_healthy(
    client: &Client,
    base: &str,
    child: &mut tokio::process::Child,
) -> Result<()> {
    let started = Instant::now();
    loop {
        if started.elapsed() > PATIENCE {
            bail!("ringbridge serve did not answer after {PATIENCE:?}");
        }
        if let Some(status) = child.try_wait()? {
            bail!("ringbridge serve exited during start: {status}");
        }
        if let Ok(r) = client.get(format!("{base}/setup")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The anonymous CSRF cookie and the form's token, as a browser gets them.
async fn form(client: &Client, base: &str, path: &str) -> (String, String) {
    let Ok(page) = client.get(format!("{base}{path}")).send().await else {
        return Default::default();
    };
    let cookie = page
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ");
    let body = page.text().await.unwrap_or_default();
    let marker = "name=\"csrf_token\" value=\"";
    let csrf = body
        .find(marker)
        .map(|at| &body[at + marker.len()..])
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    (cookie, csrf)
}

async fn create_admin(client: &Client, base: &str) -> Result<()> {
    let (cookie, csrf) = form(client, base, "/setup").await;
    let response = client
        .post(format!("{base}/setup"))
        .header(COOKIE, cookie)
        .form(&[
            ("username", ADMIN),
            ("display_name", "Bench Admin"),
            ("password", ADMIN_PASSWORD),
            ("password_confirm", ADMIN_PASSWORD),
            ("csrf_token", &csrf),
        ])
        .send()
        .await?;
    if response.status() != StatusCode::SEE_OTHER {
        bail!("first-run setup answered {}", response.status());
    }
    Ok(())
}

/// A `/proc/<pid>/status` memory line (`VmHWM`, `VmRSS`) in MiB.
pub(super) fn status_mib(pid: u32, field: &str) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading the status of process {pid}"))?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .with_context(|| format!("no {field} in /proc/{pid}/status"))?;
    Ok(kib / 1024.0)
}
