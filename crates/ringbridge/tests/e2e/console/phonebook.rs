//! Contact sync is on after the console's setup: the settings page offers
//! the "CRM Contacts" phonebook, and saving the page as offered copies a
//! known caller's CRM contact into that PBX phonebook.

use reqwest::StatusCode;

use super::{demo_simulators, eventually, settings_form, start_connected};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_turns_contact_sync_on_with_the_offered_phonebook() {
    let (pbx, zoho, refresh) = demo_simulators().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let mut rb = start_connected(&pbx, &zoho, listener, &refresh).await;
    rb.create_admin().await;
    let page = rb.get("/console/settings").await.body;
    assert!(
        page.contains("<input id=\"phonebook\" name=\"phonebook\" value=\"CRM Contacts\""),
        "the page offers the phonebook: {page}"
    );
    // The admin saves the page as offered.
    let saved = rb
        .post(
            "/console/settings",
            &settings_form(&[("min_talk_s", "0"), ("phonebook", "CRM Contacts")]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    rb.links_up().await;
    // A call from a known contact copies her into the PBX phonebook.
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", "4155550123")
        .expect("caller");
    pbx.play(&scenario).await.expect("played");
    eventually(
        "the contact in the PBX's CRM Contacts phonebook",
        async || ringbridge::demo::counts::phonebook_contacts(&pbx, "CRM Contacts") == 1,
    )
    .await;
    rb.shut_down().await;
}
