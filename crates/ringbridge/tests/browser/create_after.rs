//! After the call, from the recent calls: an unknown caller becomes a
//! Contact, and the call's log already in Zoho is updated to name it.

use std::time::Duration;

use ringbridge_sim_zoho::Module;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_created_after_the_call_updates_its_written_log() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550192"), ("agent", "1005")],
    )
    .await;
    w.settle(1, Duration::from_secs(30)).await.expect("logged");

    let results = Scenario::start(&browser, "create_after", &scenario_env(&w, &maya))
        .await
        .finish()
        .await;
    assert!(
        results["note"].as_str().unwrap().contains("updated"),
        "the written log was updated: {results}"
    );
    let contact = w
        .zoho_sim
        .records(Module::Contacts)
        .into_iter()
        .find(|r| r["Last_Name"] == "Marin")
        .expect("the Contact the agent created");
    let id = contact["id"].as_str().unwrap();
    assert_eq!(contact["Phone"], "+14155550192");
    let marker = format!("pbx:{}", ids[0]);
    let log = w
        .zoho_sim
        .calls()
        .into_iter()
        .find(|c| {
            c["Description"]
                .as_str()
                .is_some_and(|d| d.contains(&marker))
        })
        .expect("the call's log");
    assert_eq!(log["Who_Id"]["id"], id, "{log:#}");
    w.stop().await;
}
