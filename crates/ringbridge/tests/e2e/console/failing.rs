//! A configuration the integration cannot start with still serves the
//! pages: the admin signs in and the dashboard says why it fails.

use reqwest::StatusCode;
use ringbridge_sim_zoho::{SimConfig, SimZoho};

use super::start;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_that_cannot_start_still_serves_the_console() {
    let zoho = SimZoho::start(SimConfig::default())
        .await
        .expect("Zoho simulator");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    // Webhook events without the secret to check them: its side cannot
    // start. (A value that cannot be read at all, such as a time zone that
    // does not exist, fails the load instead: see the config tests.)
    let broken = "[pbx]\nbase_url = \"http://127.0.0.1:9\"\nclient_id = \"id\"\n\
                  client_secret = \"secret\"\nevents = \"webhook\"\n";
    let mut rb = start(&zoho, listener, broken).await;
    rb.create_admin().await;
    let dashboard = rb.get("/console").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    let pbx_state = dashboard
        .body
        .split("id=\"link-pbx\"")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .unwrap_or_default()
        .to_owned();
    assert!(pbx_state.contains("state bad"), "{pbx_state}");
    assert!(
        pbx_state.contains("webhook_secret"),
        "says why: {pbx_state}"
    );
    rb.shut_down().await;
}
