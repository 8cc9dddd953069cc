//! The Zoho connection as an admin sees it, with `ringbridge serve` as a child
//! process (its `/metrics` is its own): the console's pages reuse the running
//! connection's token, a revoked grant shows as "reconnect needed" on the
//! dashboard and in `/metrics` while calls wait queued, and a new consent
//! writes them, once each.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use reqwest::{Client, StatusCode};
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use serde_json::Value;
use tokio::process::{Child, Command};

use crate::console::{FIRST_ADMIN, Page, consent_link, csrf, read, within};

mod disconnect;

/// A `ringbridge serve` child and a browser with a session.
struct Serve {
    url: String,
    browser: Client,
    _child: Child,
    _dir: tempfile::TempDir,
}

impl Serve {
    async fn get(&self, path: &str) -> Page {
        read(
            self.browser
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    /// A form post with the CSRF token of the page the form is on.
    async fn post(&self, path: &str, from: &str, form: &[(&str, &str)]) -> Page {
        let token = csrf(&self.get(from).await.body);
        let mut fields = vec![("csrf_token", token.as_str())];
        fields.extend_from_slice(form);
        let sent = self
            .browser
            .post(format!("{}{path}", self.url))
            .form(&fields);
        read(sent.send().await.expect("POST")).await
    }

    async fn metric(&self, name: &str) -> Option<f64> {
        let text = reqwest::get(format!("{}/metrics", self.url))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            (series == name).then(|| value.parse().ok()).flatten()
        })
    }

    /// Zoho's consent (auto-approved by the simulator) from the console's
    /// Zoho page to the callback; the console applies the new grant.
    async fn connect_zoho(&self, zoho: &SimZoho) {
        let sent = self
            .post(
                "/console/zoho",
                "/console/zoho",
                &[
                    ("location", "custom"),
                    ("client_id", zoho.client_id()),
                    ("client_secret", zoho.client_secret()),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let consent = consent_link(&sent.body);
        let approved = read(self.browser.get(&consent).send().await.expect("consent")).await;
        assert_eq!(approved.status, StatusCode::FOUND, "{}", approved.body);
        let back = self
            .get(approved.location.trim_start_matches(&self.url))
            .await;
        assert_eq!(
            (back.status, back.location.as_str()),
            (StatusCode::SEE_OTHER, "/console/mode?done=zoho"),
            "{}",
            back.body
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("an address")
        .port()
}

fn config(
    dir: &Path,
    url: &str,
    pbx: Option<&SimYeastar>,
    zoho: &SimZoho,
    refresh: &str,
) -> String {
    let pbx = pbx.map_or_else(String::new, |pbx| {
        format!(
            "[pbx]\nbase_url = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\
             default_country = \"US\"\n",
            pbx.base_url(),
            pbx.client_id(),
            pbx.client_secret()
        )
    });
    format!(
        "data_dir = {data:?}\n\
         [log]\nfilter = \"error\"\n\
         [http]\nlisten = \"{listen}\"\npublic_url = \"{url}\"\nsecure_cookies = false\n\
         {pbx}\
         [zoho]\nclient_id = \"{id}\"\nclient_secret = \"{secret}\"\nrefresh_token = \"{refresh}\"\n\
         accounts_server = \"{acc}\"\napi_domain = \"{api}\"\n\
         [timing]\npoll_ms = 200\nflush_delay_ms = 300\nsettle_ms = 200\ncheckpoint_ms = 500\n\
         retry_base_ms = 100\nretry_max_ms = 1500\ncrm_timeout_secs = 2\ncrm_reconnect_pause_secs = 1\n\
         catchup_clock_skew_secs = 2592000\n",
        data = dir.join("data").display().to_string(),
        listen = url.trim_start_matches("http://"),
        id = zoho.client_id(),
        secret = zoho.client_secret(),
        acc = zoho.accounts_url(),
        api = zoho.api_url(),
    )
}

/// The simulators and a signed-in admin on a running `ringbridge serve`
/// whose Zoho grant is `refresh`, both links up.
async fn start() -> (SimYeastar, SimZoho, String, Serve) {
    let (pbx, zoho, refresh, rb) = start_with(true).await;
    eventually("both links up", async || {
        rb.get("/console").await.body.matches("state ok").count() == 2
    })
    .await;
    (pbx, zoho, refresh, rb)
}

/// As [`start`]; without a PBX in the configuration (`with_pbx` false) the
/// integration does not run, only the pages.
async fn start_with(with_pbx: bool) -> (SimYeastar, SimZoho, String, Serve) {
    let pbx = SimYeastar::start(SimSettings::default())
        .await
        .expect("PBX simulator");
    let url = format!("http://127.0.0.1:{}", free_port());
    let zoho = SimZoho::start(SimConfig {
        redirect_uris: vec![format!("{url}/console/zoho/callback")],
        seed: ringbridge::demo::seed(),
        ..SimConfig::default()
    })
    .await
    .expect("Zoho simulator");
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("ringbridge.toml");
    let text = config(dir.path(), &url, with_pbx.then_some(&pbx), &zoho, &refresh);
    std::fs::write(&file, text).expect("config");
    let child = Command::new(env!("CARGO_BIN_EXE_ringbridge"))
        .arg("--config")
        .arg(&file)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("ringbridge serve starts");
    let browser = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let rb = Serve {
        url,
        browser,
        _child: child,
        _dir: dir,
    };
    eventually("the setup page", async || {
        rb.browser
            .get(format!("{}/setup", rb.url))
            .send()
            .await
            .is_ok()
    })
    .await;
    let setup = rb.post("/setup", "/setup", FIRST_ADMIN).await;
    assert_eq!(setup.status, StatusCode::SEE_OTHER, "{}", setup.body);
    (pbx, zoho, refresh, rb)
}

async fn eventually(what: &str, check: impl AsyncFnMut() -> bool) {
    within(30, what, check).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_page_does_not_mint_a_token_per_render() {
    let (_pbx, zoho, _refresh, rb) = start().await;
    let before = zoho.request_count("POST", "/oauth/v2/token");
    let (users_before, fields_before) = (users_read(&zoho), fields_read(&zoho));
    for _ in 0..12 {
        let page = rb.get("/console/users").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Matched by e-mail"), "{}", page.body);
        let settings = rb.get("/console/settings").await;
        assert_eq!(settings.status, StatusCode::OK);
    }
    let minted = zoho.request_count("POST", "/oauth/v2/token") - before;
    assert!(minted <= 1, "{minted} token requests for 24 renders");
    assert_users_remembered(&zoho, users_before, fields_before);
}

fn users_read(zoho: &SimZoho) -> u64 {
    zoho.request_count("GET", "/crm/v8/users")
}

/// The Calls module's field reads (the engine reads other modules' fields
/// for the phone directory).
fn fields_read(zoho: &SimZoho) -> u64 {
    let calls = zoho.requests().into_iter().filter(|r| {
        r.path == "/crm/v8/settings/fields"
            && r.query
                .as_deref()
                .is_some_and(|q| q.contains("module=Calls"))
    });
    calls.count() as u64
}

/// The users were read once (active and inactive: two requests) and the
/// Calls fields (the Call Result picklist) once, then both remembered:
/// renders cost Zoho nothing, and the token minted once served them.
fn assert_users_remembered(zoho: &SimZoho, users_before: u64, fields_before: u64) {
    let users = users_read(zoho) - users_before;
    assert!(users <= 2, "{users} user requests: the list is remembered");
    let fields = fields_read(zoho) - fields_before;
    assert!(
        fields <= 1,
        "{fields} field requests: the picklist was read and then remembered"
    );
}

/// Without a running integration the console keeps one connection per
/// grant: still at most one token for all the renders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_integration_the_console_keeps_one_connection() {
    let (_pbx, zoho, _refresh, rb) = start_with(false).await;
    let before = zoho.request_count("POST", "/oauth/v2/token");
    let (users_before, fields_before) = (users_read(&zoho), fields_read(&zoho));
    for _ in 0..12 {
        let page = rb.get("/console/users").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let settings = rb.get("/console/settings").await;
        assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    }
    let minted = zoho.request_count("POST", "/oauth/v2/token") - before;
    assert_eq!(minted, 1, "one token for 24 renders");
    assert_users_remembered(&zoho, users_before, fields_before);
}

/// The Calls records of one caller.
fn calls_from(zoho: &SimZoho, caller: &str) -> usize {
    zoho.calls()
        .iter()
        .filter(|c| c.get("Caller_ID").and_then(Value::as_str) == Some(caller))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_grant_shows_reconnect_needed_and_keeps_the_call() {
    let (pbx, zoho, refresh, rb) = start().await;
    eventually("the CRM connection up in /metrics", async || {
        rb.metric("ringbridge_crm_connection_up").await == Some(1.0)
    })
    .await;

    // The admin revokes ringbridge in Zoho; then a call ends.
    assert!(zoho.revoke_refresh_token(&refresh));
    let caller = "+14155550199";
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", "4155550199")
        .expect("caller");
    pbx.play(&scenario).await.expect("played");
    eventually("reconnect needed on the dashboard", async || {
        rb.get("/console")
            .await
            .body
            .contains("id=\"crm-reconnect\"")
    })
    .await;
    let dashboard = rb.get("/console").await.body;
    let crm = dashboard
        .split("id=\"link-crm\"")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .unwrap_or_default();
    assert!(crm.contains("Reconnect needed"), "{crm}");
    assert!(
        dashboard.contains("id=\"crm-reconnect-link\" href=\"/console/zoho\""),
        "a link to connect Zoho again: {dashboard}"
    );
    assert!(
        dashboard.contains("id=\"pending-jobs\""),
        "the call waits: {dashboard}"
    );
    eventually("/metrics shows the connection down", async || {
        rb.metric("ringbridge_crm_connection_up").await == Some(0.0)
    })
    .await;
    // /readyz says so too, and the node stays ready: calls wait queued.
    let ready = rb.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    let ready: Value = serde_json::from_str(&ready.body).expect("JSON");
    assert!(
        ready["crm"]
            .as_str()
            .unwrap_or_default()
            .starts_with("reconnect needed"),
        "{ready}"
    );
    assert_eq!(
        calls_from(&zoho, caller),
        0,
        "nothing written while revoked"
    );

    // A new consent: the waiting call is written, once.
    rb.connect_zoho(&zoho).await;
    // Released calls wait out the engine's reconnect pause (1 s here) first.
    within(
        60,
        "the queued call written after reconnecting",
        async || calls_from(&zoho, caller) > 0,
    )
    .await;
    eventually("the dashboard back to connected", async || {
        let body = rb.get("/console").await.body;
        !body.contains("id=\"crm-reconnect\"") && body.matches("state ok").count() == 2
    })
    .await;
    eventually("/metrics shows the connection up", async || {
        rb.metric("ringbridge_crm_connection_up").await == Some(1.0)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(calls_from(&zoho, caller), 1, "written exactly once");
}
