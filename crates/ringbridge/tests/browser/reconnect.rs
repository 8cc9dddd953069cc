//! The panel says when it is offline, reconnects by itself, and pops the
//! next call after that.

use ringbridge_core::crm::{Crm, CrmModule, CrmRecordRef};
use ringbridge_sim_zoho::Module;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_shows_offline_and_reconnects() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let mut scenario = Scenario::start(&browser, "reconnect", &scenario_env(&w, &maya)).await;

    scenario.step("reconnected").await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550124"), ("agent", "1005")],
    )
    .await;
    let results = scenario.finish().await;
    assert!(
        results["banner"].as_str().unwrap().starts_with("Offline"),
        "{results}"
    );
    let url = w.crm.record_url(&CrmRecordRef {
        module: CrmModule::Contacts,
        id: record_id(&w, Module::Contacts, "Miller").expect("Bob Miller"),
    });
    assert_eq!(results["pop_url"], url.as_str(), "{results}");
    w.stop().await;
}
