//! The two commands a user runs, as processes: `ringbridge sim yeastar`
//! playing calls, and `ringbridge serve` pointed at it by `RINGBRIDGE_*`
//! environment variables only. The call events show in serve's log, and no
//! secret or token ever does. Both event transports: the WebSocket, and
//! webhooks the simulator signs (a forged post is refused).

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

const CLIENT_ID: &str = "binaryTestClient";
const CLIENT_SECRET: &str = "h4-binary-test-client-secret-value";
const WEBHOOK_SECRET: &str = "h4-binary-test-webhook-secret-value";
const WEBHOOK_PATH: &str = "/pbx/yeastar/webhook";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// `ringbridge` with nothing from this environment but `PATH`.
fn ringbridge() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ringbridge"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

/// A child process and everything it wrote to one of its pipes.
struct Proc {
    child: Child,
    out: Arc<Mutex<String>>,
}

impl Proc {
    fn spawn(mut cmd: Command, stderr: bool) -> Self {
        cmd.stdin(Stdio::null()).kill_on_drop(true);
        if stderr {
            cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        } else {
            cmd.stdout(Stdio::piped()).stderr(Stdio::null());
        }
        let mut child = cmd.spawn().expect("ringbridge starts");
        let out = Arc::new(Mutex::new(String::new()));
        let pipe: Box<dyn AsyncRead + Unpin + Send> = if stderr {
            Box::new(child.stderr.take().expect("piped"))
        } else {
            Box::new(child.stdout.take().expect("piped"))
        };
        let sink = out.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let mut out = sink.lock().expect("log");
                out.push_str(&line);
                out.push('\n');
            }
        });
        Self { child, out }
    }

    fn text(&self) -> String {
        self.out.lock().expect("log").clone()
    }

    /// Waits until some line holds every one of `needles`; returns that line.
    async fn wait_line(&self, needles: &[&str]) -> String {
        for _ in 0..300 {
            if let Some(line) = self
                .text()
                .lines()
                .find(|l| needles.iter().all(|n| l.contains(n)))
            {
                return line.to_owned();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no line with {needles:?} in:\n{}", self.text());
    }

    async fn stop(mut self) -> String {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        self.text()
    }
}

/// `ringbridge sim yeastar` on a free port, playing an answered inbound
/// call every second (instantly, on the simulated clock).
async fn start_sim(extra: &[&str]) -> (Proc, String) {
    let port = free_port();
    let mut cmd = ringbridge();
    cmd.args(["sim", "yeastar", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
        .args(["--play", "inbound_answered", "--every", "1", "--instant"])
        .args(extra)
        .env("RINGBRIDGE_SIM_WEBHOOK_SECRET", WEBHOOK_SECRET);
    let sim = Proc::spawn(cmd, false);
    sim.wait_line(&["base URL"]).await;
    (sim, format!("http://127.0.0.1:{port}"))
}

/// `ringbridge serve` configured by environment only, logging at info.
fn start_serve(
    pbx_url: &str,
    http_port: u16,
    data_dir: &std::path::Path,
    extra: &[(&str, &str)],
) -> Proc {
    let mut cmd = ringbridge();
    cmd.arg("serve")
        .env("RINGBRIDGE_DATA_DIR", data_dir)
        .env("RINGBRIDGE_HTTP__LISTEN", format!("127.0.0.1:{http_port}"))
        .env("RINGBRIDGE_LOG__FILTER", "info")
        .env("RINGBRIDGE_PBX__BASE_URL", pbx_url)
        .env("RINGBRIDGE_PBX__CLIENT_ID", CLIENT_ID)
        .env("RINGBRIDGE_PBX__CLIENT_SECRET", CLIENT_SECRET)
        // The simulator plays calls faster than real time: its clock runs ahead.
        .env("RINGBRIDGE_TIMING__CATCHUP_CLOCK_SKEW_SECS", "2592000")
        .envs(extra.iter().copied());
    Proc::spawn(cmd, true)
}

/// Every 32-character alphanumeric word: the shape of the PBX's access and
/// refresh tokens (and of nothing else serve logs here).
fn token_like(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() == 32)
        .collect()
}

/// A token the simulator hands out, to show what the log check looks for.
async fn a_real_token(pbx_url: &str) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{pbx_url}/openapi/v1.0/get_token"))
        .header("User-Agent", "ringbridge-test")
        .json(&serde_json::json!({"username": CLIENT_ID, "password": CLIENT_SECRET}))
        .send()
        .await
        .expect("get_token")
        .json()
        .await
        .expect("json");
    answer["access_token"].as_str().expect("a token").to_owned()
}

/// A 30011 event: an outside caller ringing extension 1005.
fn ringing_event(call_id: &str) -> String {
    let msg = serde_json::json!({
        "call_id": call_id,
        "members": [
            {"inbound": {"from": "5550111", "to": "8800", "trunk_name": "CarrierA",
                "channel_id": "PJSIP/trunk-CarrierA-endpoint-00000999",
                "member_status": "ALERT", "call_path": ""}},
            {"extension": {"number": "1005", "channel_id": "PJSIP/1005-00000998",
                "member_status": "RING", "call_path": ""}}
        ]
    });
    serde_json::json!({"type": 30011, "sn": "3631A0000001", "msg": msg.to_string()}).to_string()
}

fn assert_no_secrets(log: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!log.contains(secret), "a secret in serve's log:\n{log}");
    }
    assert!(
        token_like(log).is_empty(),
        "token-like words {:?} in serve's log:\n{log}",
        token_like(log)
    );
}

#[tokio::test]
async fn serve_logs_the_calls_of_sim_yeastar_over_the_websocket() {
    let (sim, pbx_url) = start_sim(&[]).await;
    let data = tempfile::tempdir().expect("tempdir");
    let serve = start_serve(&pbx_url, free_port(), data.path(), &[]);
    serve.wait_line(&["PBX event stream connected"]).await;
    serve.wait_line(&["ringing", "extension=1005"]).await;
    serve.wait_line(&["answered", "extension=1005"]).await;
    serve
        .wait_line(&["call ended", "origin=Live", "answered=true"])
        .await;

    let token = a_real_token(&pbx_url).await;
    assert_eq!(
        token_like(&token),
        [token.as_str()],
        "the check sees tokens"
    );
    let log = serve.stop().await;
    assert_no_secrets(&log, &[CLIENT_SECRET]);
    sim.stop().await;
}

#[tokio::test]
async fn serve_logs_signed_webhooks_of_sim_yeastar_and_refuses_forged_ones() {
    let http_port = free_port();
    let hook = format!("http://127.0.0.1:{http_port}{WEBHOOK_PATH}");
    let (sim, pbx_url) = start_sim(&["--webhook-url", &hook]).await;
    let data = tempfile::tempdir().expect("tempdir");
    let serve = start_serve(
        &pbx_url,
        http_port,
        data.path(),
        &[
            ("RINGBRIDGE_PBX__EVENTS", "webhook"),
            ("RINGBRIDGE_PBX__WEBHOOK_SECRET", WEBHOOK_SECRET),
        ],
    );
    serve.wait_line(&["ringing", "extension=1005"]).await;
    serve.wait_line(&["answered", "extension=1005"]).await;
    serve
        .wait_line(&["call ended", "origin=Live", "answered=true"])
        .await;

    // A call the PBX never made, posted unsigned and with a made-up signature...
    let http = reqwest::Client::new();
    let forged = ringing_event("1767258999.999");
    for signature in [None, Some("Zm9yZ2VkLXNpZ25hdHVyZQ==".to_owned())] {
        let mut post = http
            .post(&hook)
            .header("Content-Type", "application/json")
            .body(forged.clone());
        if let Some(signature) = &signature {
            post = post.header("X-Signature", signature);
        }
        let status = post.send().await.expect("posted").status();
        assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED, "{signature:?}");
    }
    // ...while the same event signed with the PBX's secret is taken.
    let genuine = ringing_event("1767258999.998");
    let status = http
        .post(&hook)
        .header("Content-Type", "application/json")
        .header(
            "X-Signature",
            ringbridge_sim_yeastar::webhook_signature(WEBHOOK_SECRET, genuine.as_bytes()),
        )
        .body(genuine)
        .send()
        .await
        .expect("posted")
        .status();
    assert_eq!(status, reqwest::StatusCode::OK);
    serve
        .wait_line(&["ringing", "call_id=1767258999.998"])
        .await;
    serve.wait_line(&["refused a PBX webhook"]).await;
    // Later calls still come in; the forged one never does.
    let seen = serve.text().matches("call ended").count();
    for _ in 0..100 {
        if serve.text().matches("call ended").count() > seen {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = serve.stop().await;
    assert!(log.matches("call ended").count() > seen, "{log}");
    assert!(
        !log.contains("1767258999.999"),
        "the forged call is not seen:\n{log}"
    );
    assert_no_secrets(&log, &[CLIENT_SECRET, WEBHOOK_SECRET]);
    sim.stop().await;
}

async fn help(args: &[&str]) -> String {
    let output = ringbridge()
        .args(args)
        .arg("--help")
        .output()
        .await
        .expect("ringbridge runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("utf-8")
}

#[tokio::test]
async fn help_reads_like_a_manual() {
    let serve = help(&["serve"]).await;
    for phrase in [
        "--config",
        "RINGBRIDGE_CONFIG",
        "RINGBRIDGE_PBX__BASE_URL=https://",
        "RINGBRIDGE_* environment",
        "RINGBRIDGE_PBX__CLIENT_SECRET_FILE=",
        "zoho.client_secret_file",
        "secret_key_file",
        "/pbx/yeastar/webhook",
        "events = \"webhook\"",
        "SIGTERM",
        "exit status 1",
        "/readyz",
    ] {
        assert!(
            serve.contains(phrase),
            "{phrase:?} in serve --help:\n{serve}"
        );
    }
    let sim = help(&["sim", "yeastar"]).await;
    for name in ringbridge_sim_yeastar::BUILTIN_NAMES {
        assert!(sim.contains(name), "{name} in sim yeastar --help:\n{sim}");
    }
    for phrase in [
        "RINGBRIDGE_PBX__BASE_URL=http://127.0.0.1:8088",
        "ringbridge serve",
        "--webhook-url",
        "RINGBRIDGE_PBX__EVENTS=webhook",
    ] {
        assert!(
            sim.contains(phrase),
            "{phrase:?} in sim yeastar --help:\n{sim}"
        );
    }
}
