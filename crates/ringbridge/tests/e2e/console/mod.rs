//! The admin console against the simulators, `ringbridge serve` in this
//! process on loopback: what it takes to drive it like a browser.

mod defaults;
mod failing;
mod file_settings;
mod hours;
mod live;
mod offline;
mod page_reads;
mod phonebook;
mod retry;
mod setup;
mod tasks;
mod tokens;
mod zoho_admin_profile;
mod zoho_roles;
mod zoho_sign_in;

use std::time::Duration;

use reqwest::header::LOCATION;
use reqwest::{Client, StatusCode};
use ringbridge::config::Config;
use ringbridge::serve::runtime;
use ringbridge_sim_yeastar::SimYeastar;
use ringbridge_sim_zoho::SimZoho;
use tokio::sync::oneshot;

pub(super) const ADMIN_PW: &str = "admin password 1";
/// The first-run form that creates the admin account.
pub(crate) const FIRST_ADMIN: &[(&str, &str)] = &[
    ("username", "root"),
    ("display_name", "Rita"),
    ("password", ADMIN_PW),
    ("password_confirm", ADMIN_PW),
];
pub(super) const HOSTILE: &str = "<script>alert(1)</script>";

pub(crate) struct Page {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

pub(crate) async fn read(response: reqwest::Response) -> Page {
    Page {
        status: response.status(),
        location: response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        body: response.text().await.expect("a body"),
    }
}

pub(crate) fn csrf(body: &str) -> String {
    let start = "name=\"csrf_token\" value=\"";
    let from = body.find(start).expect("a form") + start.len();
    body[from..].split('"').next().unwrap_or("").to_owned()
}

/// A browser of its own (cookies kept, redirects not followed), signed in
/// on `url`'s login page as `username`.
pub(super) async fn signed_in_browser(url: &str, username: &str, password: &str) -> Client {
    let browser = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let login = read(
        browser
            .get(format!("{url}/login"))
            .send()
            .await
            .expect("login page"),
    )
    .await;
    let token = csrf(&login.body);
    let signed = read(
        browser
            .post(format!("{url}/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("username", username),
                ("password", password),
            ])
            .send()
            .await
            .expect("signed in"),
    )
    .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    browser
}

/// The hidden fields of the simulator's consent form, unescaped.
pub(super) fn hidden_fields(body: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    body.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|tag| {
            let name = tag.split("name=\"").nth(1)?.split('"').next()?;
            let value = tag.split("value=\"").nth(1)?.split('"').next()?;
            Some((unescape(name), unescape(value)))
        })
        .collect()
}

pub(super) struct Ringbridge {
    url: String,
    client: Client,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Ringbridge {
    /// First run: creates the admin account (and signs in as it).
    pub(super) async fn create_admin(&self) {
        let setup = self.post("/setup", FIRST_ADMIN).await;
        assert_eq!(setup.status, StatusCode::SEE_OTHER, "{}", setup.body);
    }

    /// Waits until the dashboard shows both links (PBX and Zoho) up.
    pub(super) async fn links_up(&self) {
        eventually("both links up", async || {
            self.get("/console").await.body.matches("state ok").count() == 2
        })
        .await;
    }

    /// Stops the service; it must end cleanly.
    pub(super) async fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.done)
            .await
            .expect("joined")
            .expect("serve ended cleanly");
    }

    pub(super) async fn get(&self, path: &str) -> Page {
        read(
            self.client
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    pub(super) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let token = csrf(
            &self
                .get(if path.starts_with("/setup") {
                    "/setup"
                } else {
                    "/console"
                })
                .await
                .body,
        );
        let mut fields = vec![("csrf_token", token.as_str())];
        fields.extend_from_slice(form);
        let sent = self
            .client
            .post(format!("{}{path}", self.url))
            .form(&fields);
        read(sent.send().await.expect("POST")).await
    }
}

/// `ringbridge serve` on loopback with a configuration file that names only
/// the data directory and where the Zoho simulator's accounts server is.
pub(super) async fn start(
    zoho: &SimZoho,
    listener: std::net::TcpListener,
    extra_toml: &str,
) -> Ringbridge {
    launch(zoho, listener, "", extra_toml).await
}

/// As [`start`], with the PBX simulator and a Zoho grant (`refresh`) in
/// the configuration file: the integration runs from the first moment, and
/// the console only has the admin account and the settings to add.
pub(super) async fn start_connected(
    pbx: &SimYeastar,
    zoho: &SimZoho,
    listener: std::net::TcpListener,
    refresh: &str,
) -> Ringbridge {
    start_connected_with(pbx, zoho, listener, refresh, "").await
}

/// As [`start_connected`], with `extra_toml` after the `[pbx]` table.
pub(super) async fn start_connected_with(
    pbx: &SimYeastar,
    zoho: &SimZoho,
    listener: std::net::TcpListener,
    refresh: &str,
    extra_toml: &str,
) -> Ringbridge {
    let grant = format!(
        "client_secret = \"{}\"\nrefresh_token = \"{refresh}\"\n",
        zoho.client_secret()
    );
    let pbx = format!(
        "[pbx]\nbase_url = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\
         default_country = \"US\"\n",
        pbx.base_url(),
        pbx.client_id(),
        pbx.client_secret()
    ) + extra_toml;
    launch(zoho, listener, &grant, &pbx).await
}

/// The settings page's form as an admin fills it in (US numbers, every
/// call kind logged, nothing created for unknown numbers); callers add
/// their own fields.
pub(super) fn settings_form<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("log_inbound_answered", "on"),
        ("log_inbound_missed", "on"),
        ("log_outbound_answered", "on"),
        ("log_outbound_unanswered", "on"),
        ("subject", "{direction} call {name}"),
        ("description", "Caller {number}"),
        ("unknown_inbound", "nothing"),
        ("unknown_outbound", "nothing"),
        ("default_country", "US"),
        ("recording", "until_revoked"),
    ];
    form.extend_from_slice(extra);
    form
}

/// The demo's simulators and a [`start_connected`] service whose admin is
/// signed in, once both links are up.
pub(super) async fn connected_with_admin() -> (SimYeastar, SimZoho, Ringbridge) {
    let (pbx, zoho, refresh) = demo_simulators().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let rb = start_connected(&pbx, &zoho, listener, &refresh).await;
    rb.create_admin().await;
    rb.links_up().await;
    (pbx, zoho, rb)
}

/// The simulators with the demo's org, and a Zoho grant (refresh token)
/// for [`start_connected`].
pub(super) async fn demo_simulators() -> (SimYeastar, SimZoho, String) {
    let pbx = SimYeastar::start(ringbridge_sim_yeastar::SimSettings::default())
        .await
        .expect("PBX simulator");
    let zoho = SimZoho::start(ringbridge_sim_zoho::SimConfig {
        seed: ringbridge::demo::seed(),
        ..Default::default()
    })
    .await
    .expect("Zoho simulator");
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    (pbx, zoho, refresh)
}

/// `zoho_keys` go into the `[zoho]` table, `extra_toml` after the rest.
async fn launch(
    zoho: &SimZoho,
    listener: std::net::TcpListener,
    zoho_keys: &str,
    extra_toml: &str,
) -> Ringbridge {
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let toml = format!(
        "data_dir = {data:?}\n\
         [http]\nlisten = \"127.0.0.1:0\"\npublic_url = \"{url}\"\nsecure_cookies = false\n\
         [zoho]\nclient_id = \"{id}\"\naccounts_server = \"{acc}\"\napi_domain = \"{api}\"\n\
         {zoho_keys}\
         [timing]\npoll_ms = 200\nflush_delay_ms = 300\nsettle_ms = 200\ncheckpoint_ms = 500\n\
         catchup_clock_skew_secs = 2592000\nreconcile_secs = 3\n",
        data = dir.path().join("data").display().to_string(),
        id = zoho.client_id(),
        acc = zoho.accounts_url(),
        api = zoho.api_url(),
    ) + extra_toml;
    let file = dir.path().join("ringbridge.toml");
    std::fs::write(&file, toml).expect("config written");
    let config = Config::load(Some(&file)).expect("config loads");
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(runtime::serve(config, listener, async move {
        let _ = stopped.await;
    }));
    // Connections are kept (and reused) across the console's restarts.
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    Ringbridge {
        url,
        client,
        stop: Some(stop),
        done,
        _dir: dir,
    }
}

pub(super) async fn eventually(what: &str, check: impl AsyncFnMut() -> bool) {
    within(30, what, check).await;
}

/// Waits until `check` holds, failing the test after `secs` seconds.
pub(crate) async fn within(secs: u64, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within {secs} s: {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The link to Zoho's consent page that the console's Zoho page offers,
/// with the HTML escaping of its `&`s undone.
/// The admin's consent at the Zoho simulator, opened from the console's
/// `consent_url` in a browser of its own and accepted; then Zoho's redirect
/// followed on ringbridge (as the signed-in admin): that page.
pub(super) async fn accept_admin_consent(
    rb: &Ringbridge,
    zoho: &SimZoho,
    consent_url: &str,
) -> Page {
    let outside = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let consent = read(outside.get(consent_url).send().await.expect("consent page")).await;
    assert!(consent.body.contains("Allow access"), "{}", consent.body);
    let mut form = hidden_fields(&consent.body);
    form.push(("decision".into(), "accept".into()));
    let accepted = read(
        outside
            .post(format!("{}/oauth/v2/auth/consent", zoho.accounts_url()))
            .form(&form)
            .send()
            .await
            .expect("consent given"),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::FOUND, "{}", accepted.body);
    rb.get(accepted.location.trim_start_matches(&rb.url)).await
}

pub(crate) fn consent_link(body: &str) -> String {
    let start = "id=\"zoho-consent\" class=\"button\" href=\"";
    let from = body.find(start).expect("a consent link") + start.len();
    body[from..]
        .split('"')
        .next()
        .unwrap_or("")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}
