//! The admin console in headless Chromium from an empty data directory to
//! a working PhoneBridge configuration against the simulators
//! (`browser/tests/console-setup.mjs`); then a hostile name on the
//! dashboard is inert and its retry button queues the job again.

use std::time::Duration;

use chrono::Utc;
use ringbridge::config::Config;
use ringbridge::serve::runtime;
use ringbridge_core::crm::{CallLog, CallLogType};
use ringbridge_core::outbox::{JobKind, JobStatus, OutboxStore};
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use ringbridge_store::{SecretKey, SqlStore};
use tokio::sync::oneshot;

use crate::support::{Scenario, browser, workspace};

const HOSTILE: &str = "<script>window.rbPwned = 1</script>";
const ADMIN_PW: &str = "console admin password";

/// `ringbridge serve` with a file naming only the data directory and the
/// Zoho simulator's accounts server (and `zoho_extra` lines of the `[zoho]`
/// section: a secret and a grant, for a CRM connected from the start).
pub(crate) fn config(zoho: &SimZoho, url: &str, dir: &std::path::Path, zoho_extra: &str) -> Config {
    let toml = format!(
        "data_dir = {data:?}\n\
         [http]\nlisten = \"127.0.0.1:0\"\npublic_url = \"{url}\"\nsecure_cookies = false\n\
         [zoho]\nclient_id = \"{id}\"\naccounts_server = \"{acc}\"\napi_domain = \"{api}\"\n{zoho_extra}\
         [timing]\npoll_ms = 200\nflush_delay_ms = 300\n",
        data = dir.join("data").display().to_string(),
        id = zoho.client_id(),
        acc = zoho.accounts_url(),
        api = zoho.api_url(),
    );
    let file = dir.join("ringbridge.toml");
    std::fs::write(&file, toml).expect("config written");
    Config::load(Some(&file)).expect("config loads")
}

/// The `[zoho]` lines of a grant issued by the simulator: the CRM is
/// connected from the start.
pub(crate) fn granted(zoho: &SimZoho) -> String {
    let grant = zoho.issue_tokens(ringbridge_zoho::oauth::DEFAULT_SCOPES);
    format!(
        "client_secret = \"{}\"\nrefresh_token = \"{}\"\n",
        zoho.client_secret(),
        grant.refresh_token
    )
}

/// `ringbridge serve` on `listener` until the sender is used or dropped.
pub(crate) fn serve(
    config: Config,
    listener: std::net::TcpListener,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(runtime::serve(config, listener, async move {
        let _ = stopped.await;
    }));
    (stop, served)
}

/// What a console scenario is told: where, the admin's password, where
/// screenshots go.
pub(crate) fn console_env(url: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("RB_BASE_URL", url.to_owned()),
        ("RB_ADMIN_PASSWORD", password.to_owned()),
        (
            "RB_SCREENSHOTS",
            workspace().join("target/screenshots").display().to_string(),
        ),
    ]
}

/// The service's own store, opened beside it (SQLite in WAL mode).
pub(crate) async fn open_store(dir: &std::path::Path) -> SqlStore {
    let data = dir.join("data");
    let key = std::fs::read_to_string(data.join("secret.key")).expect("the generated key");
    let url = format!("sqlite://{}", data.join("ringbridge.db").display());
    SqlStore::open(&url, SecretKey::from_base64(&key).expect("a key"))
        .await
        .expect("the store opens")
}

/// A call log that can never be written, under a hostile subject.
async fn hostile_failed_job(store: &SqlStore) -> i64 {
    let later = Utc::now() + chrono::Duration::days(1);
    let log = CallLog {
        key: "console:hostile".into(),
        call_type: CallLogType::Inbound,
        started_at: Utc::now(),
        duration_s: 12,
        subject: HOSTILE.into(),
        description: String::new(),
        owner_id: None,
        who: None,
        what: None,
        caller_number: Some("+14155550100".into()),
        dialled_number: None,
        result: None,
        recording_url: None,
    };
    let payload = serde_json::to_string(&log).expect("json");
    // Due tomorrow, claimed "tomorrow": the running workers leave it alone.
    store
        .enqueue(JobKind::WriteCallLog, &log.key, &payload, later)
        .await
        .expect("enqueued");
    let claimed = store
        .claim(
            JobKind::WriteCallLog,
            10,
            later,
            Duration::from_secs(60),
            "test",
        )
        .await
        .expect("claimed");
    let job = claimed.iter().find(|j| j.key == log.key).expect("our job");
    store
        .fail(job, &format!("INVALID_DATA: {HOSTILE}"))
        .await
        .expect("failed");
    job.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_sets_up_phonebridge_from_an_empty_data_dir() {
    let Some(browser) = browser() else { return };
    let pbx = SimYeastar::start(SimSettings::default())
        .await
        .expect("PBX simulator");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let zoho = SimZoho::start(SimConfig {
        redirect_uris: vec![format!("{url}/console/zoho/callback")],
        auto_approve: false,
        seed: ringbridge::demo::seed(),
        ..SimConfig::default()
    })
    .await
    .expect("Zoho simulator");
    let dir = tempfile::tempdir().expect("a temp dir");
    let (stop, served) = serve(config(&zoho, &url, dir.path(), ""), listener);

    let env = vec![
        ("RB_BASE_URL", url.clone()),
        ("RB_ADMIN_PASSWORD", ADMIN_PW.to_owned()),
        ("RB_PBX_URL", pbx.base_url()),
        ("RB_PBX_ID", pbx.client_id().to_owned()),
        ("RB_PBX_SECRET", pbx.client_secret().to_owned()),
        ("RB_ZOHO_ID", zoho.client_id().to_owned()),
        ("RB_ZOHO_SECRET", zoho.client_secret().to_owned()),
        (
            "RB_SCREENSHOTS",
            workspace().join("target/screenshots").display().to_string(),
        ),
    ];
    let mut scenario = Scenario::start(&browser, "console-setup", &env).await;
    let configured = scenario.step("configured").await;
    let settings = pbx.settings();
    assert_eq!(configured["pbx"]["model"], settings.model_name.as_str());
    assert_eq!(
        configured["pbx"]["version"],
        settings.firmware_version.as_str()
    );
    assert_eq!(
        configured["pbx"]["extensions"],
        settings.company.extensions.len().to_string()
    );
    assert!(
        configured["matched"].as_u64().unwrap_or(0) > 0,
        "{configured}"
    );

    // The running service registered the org and the mapped users.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let registered =
        || zoho.phonebridge_integrated() && !zoho.clicktodial_registrations().is_empty();
    while !registered() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "PhoneBridge not registered"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let registered = zoho.clicktodial_registrations();
    assert!(
        registered
            .values()
            .all(|r| r.uri.starts_with(&format!("{url}/zoho/phonebridge/"))),
        "{registered:?}"
    );

    let store = open_store(dir.path()).await;
    let job = hostile_failed_job(&store).await;
    scenario.go("hostile").await;
    let results = scenario.finish().await;
    assert!(
        results["steps"]
            .as_str()
            .is_some_and(|s| s.contains("Connect the phone system")),
        "setup went on in the console: {results}"
    );
    assert_eq!(results["shown_as_text"], true, "{results}");
    assert_eq!(results["pwned"], false, "{results}");
    assert_eq!(
        results["scripts"], 0,
        "console pages run no script: {results}"
    );
    assert_eq!(results["links"]["pbx"], "Connected", "{results}");
    assert_eq!(results["links"]["crm"], "Connected", "{results}");
    let retried = store
        .job(JobKind::WriteCallLog, "console:hostile")
        .await
        .expect("read")
        .expect("the job");
    assert_eq!(retried.id, job);
    assert!(
        retried.status != JobStatus::Failed || retried.attempts > 1,
        "the retry button queued it again: {retried:?}"
    );

    store.close().await;
    let _ = stop.send(());
    served.await.expect("joined").expect("serve ended cleanly");
}
