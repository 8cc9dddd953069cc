//! Missed-call tasks turned on from the console's settings page (not the
//! configuration file): the next missed call from a known caller becomes
//! a Zoho Task related to the caller's record.

use reqwest::StatusCode;
use ringbridge_sim_zoho::Module;

use super::{demo_simulators, eventually, settings_form, start_connected};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_enabled_in_the_console_make_a_task_for_a_missed_call() {
    let (pbx, zoho, refresh) = demo_simulators().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let mut rb = start_connected(&pbx, &zoho, listener, &refresh).await;
    rb.create_admin().await;
    let saved = rb
        .post(
            "/console/settings",
            &settings_form(&[
                ("min_talk_s", "0"),
                ("tasks_on", "on"),
                ("tasks_window", "60"),
                ("tasks_due_days", "1"),
                ("tasks_subject", "Console: call back {name}"),
                ("tasks_owner", ""),
            ]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    // Saving re-applies the settings, restarting the links.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    rb.links_up().await;
    assert!(zoho.records(Module::Tasks).is_empty());
    // Bob Miller, a known Contact, rings and nobody answers.
    let scenario = ringbridge_sim_yeastar::builtin("inbound_missed")
        .expect("scenario")
        .with_param("caller", "4155550124")
        .expect("caller")
        .with_param("agent", "1005")
        .expect("agent");
    pbx.play(&scenario).await.expect("played");
    eventually("a task for the missed call", async || {
        zoho.records(Module::Tasks).iter().any(|t| {
            t["Subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("Console: call back Bob Miller"))
        })
    })
    .await;
    rb.shut_down().await;
}
