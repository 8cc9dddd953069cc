//! While Zoho is not connected the PBX side runs on its own: the agent's
//! panel shows the call live and in recent calls, marked as not linked to
//! the CRM yet; once the admin connects Zoho (no restart) the call waiting
//! in the outbox is logged, exactly once.

use reqwest::{Client, StatusCode};
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use serde_json::Value;

use super::{
    Ringbridge, accept_admin_consent, consent_link, eventually, read, signed_in_browser, start,
};

const AGENT_PW: &str = "agent password 1";

/// Creates agent `maya` at 1005 as the admin, and a client signed in as her.
async fn agent_client(rb: &Ringbridge) -> Client {
    let made = rb
        .post(
            "/admin/accounts",
            &[
                ("username", "maya"),
                ("display_name", "Maya"),
                ("password", AGENT_PW),
                ("password_confirm", AGENT_PW),
                ("role", "agent"),
                ("extension", "1005"),
            ],
        )
        .await;
    assert!(made.status.is_redirection(), "{}", made.body);
    signed_in_browser(&rb.url, "maya", AGENT_PW).await
}

/// Connects Zoho through the console and the simulator's consent page.
async fn connect_zoho(rb: &Ringbridge, zoho: &SimZoho) {
    let sent = rb
        .post(
            "/console/zoho",
            &[
                ("location", "custom"),
                ("client_id", zoho.client_id()),
                ("client_secret", zoho.client_secret()),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let back = accept_admin_consent(rb, zoho, &consent_link(&sent.body)).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let chosen = rb.post("/console/mode", &[("mode", "rest")]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
}

async fn get_json(agent: &Client, url: &str) -> (StatusCode, Value) {
    let response = agent.get(url).send().await.expect("GET");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The SSE feed's events so far, until one for `call_id` is `state`.
async fn feed_event(feed: &mut reqwest::Response, state: &str) -> Value {
    let mut seen = String::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let chunk = feed.chunk().await.expect("a chunk").expect("open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(event) = seen
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
                .find(|e| e["state"] == state)
            {
                return event;
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("a {state} event"))
}

fn logs_of(zoho: &SimZoho, call_id: &str) -> usize {
    let marker = format!(":{call_id}");
    zoho.calls()
        .iter()
        .filter(|c| {
            c["Description"]
                .as_str()
                .unwrap_or_default()
                .contains(&marker)
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_shows_pbx_calls_before_zoho_is_connected_and_logs_them_once_after() {
    let pbx = SimYeastar::start(SimSettings::default())
        .await
        .expect("PBX simulator");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let callback = format!(
        "http://{}/console/zoho/callback",
        listener.local_addr().expect("an address")
    );
    let zoho = SimZoho::start(SimConfig {
        redirect_uris: vec![callback],
        auto_approve: false,
        seed: ringbridge::demo::seed(),
        ..SimConfig::default()
    })
    .await
    .expect("Zoho simulator");
    let pbx_toml = format!(
        "[pbx]\nbase_url = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\
         default_country = \"US\"\n",
        pbx.base_url(),
        pbx.client_id(),
        pbx.client_secret()
    );
    let mut rb = start(&zoho, listener, &pbx_toml).await;
    rb.create_admin().await;
    let agent = agent_client(&rb).await;

    // No Zoho connection: the page offers live calls all the same.
    let page = read(
        agent
            .get(format!("{}/panel", rb.url))
            .send()
            .await
            .expect("panel"),
    )
    .await;
    assert!(page.body.contains("data-live=\"true\""), "{}", page.body);
    assert!(page.body.contains("Not linked to the CRM yet"));
    let mut feed = agent
        .get(format!("{}/api/calls/stream", rb.url))
        .send()
        .await
        .expect("feed");
    assert_eq!(feed.status(), StatusCode::OK);

    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", "4155550123")
        .expect("caller")
        .with_param("agent", "1005")
        .expect("agent");
    let call_id = pbx.play(&scenario).await.expect("played").remove(0);
    let ringing = feed_event(&mut feed, "ringing").await;
    assert_eq!(ringing["extension"], "1005");
    assert_eq!(ringing["crm_linked"], false, "{ringing}");
    assert!(ringing["record"].is_null(), "{ringing}");

    let recent_url = format!("{}/api/calls/recent", rb.url);
    eventually("the call in recent calls", async || {
        let (status, calls) = get_json(&agent, &recent_url).await;
        status == StatusCode::OK
            && calls.as_array().is_some_and(|c| {
                c.iter().any(|c| {
                    c["call_id"] == call_id.as_str()
                        && c["crm_linked"] == false
                        && c["log"] == "queued"
                        && c["record"].is_null()
                })
            })
    })
    .await;
    assert_eq!(logs_of(&zoho, &call_id), 0, "nothing reaches Zoho yet");

    // The admin connects Zoho: the same service logs the waiting call.
    connect_zoho(&rb, &zoho).await;
    eventually("the waiting call logged", async || {
        logs_of(&zoho, &call_id) == 1
    })
    .await;
    eventually("recent calls linked and written", async || {
        let (_, calls) = get_json(&agent, &recent_url).await;
        calls.as_array().is_some_and(|c| {
            c.iter().any(|c| {
                c["call_id"] == call_id.as_str()
                    && c["crm_linked"] == true
                    && c["log"] == "written"
                    && c["record"]["name"] == "Ana Pereira"
            })
        })
    })
    .await;
    // Settled: still one log (no replay by the new generation's catch-up).
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    assert_eq!(logs_of(&zoho, &call_id), 1);

    // The next call is matched live.
    let mut feed = agent
        .get(format!("{}/api/calls/stream", rb.url))
        .send()
        .await
        .expect("feed");
    let next = pbx.play(&scenario).await.expect("played").remove(0);
    let ringing = feed_event(&mut feed, "ringing").await;
    assert_eq!(ringing["call_id"], next.as_str());
    assert_eq!(ringing["crm_linked"], true, "{ringing}");
    assert_eq!(ringing["record"]["name"], "Ana Pereira", "{ringing}");
    rb.shut_down().await;
}
