//! Before the settings page is first saved, it shows the settings the
//! service runs with — the configuration file's — not built-in defaults,
//! so saving it once does not silently replace them.

use reqwest::StatusCode;
use ringbridge_sim_zoho::{SimConfig, SimZoho};

use super::start;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_page_starts_from_the_configuration_file() {
    let zoho = SimZoho::start(SimConfig::default())
        .await
        .expect("Zoho simulator");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let file = "[engine]\nunknown_inbound = \"create_contact\"\nphonebook = \"From The File\"\n\
                [engine.logging]\nmin_talk_s = 42\n";
    let mut rb = start(&zoho, listener, file).await;
    rb.create_admin().await;
    let page = rb.get("/console/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<input id=\"min_talk_s\" name=\"min_talk_s\" value=\"42\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<input id=\"phonebook\" name=\"phonebook\" value=\"From The File\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<option value=\"create_contact\" selected>"),
        "{}",
        page.body
    );
    rb.shut_down().await;
}
