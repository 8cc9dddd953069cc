//! A blind transfer pops the caller's record for the agent who receives
//! the call (not only for the one who answered first).

use ringbridge_core::crm::{Crm, CrmModule, CrmRecordRef};
use ringbridge_sim_zoho::Module;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transferred_call_pops_for_the_receiving_agent() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    // Only the receiving agent (1007) has the panel open.
    let dana = agent(&w, "dana", "1007").await;
    let mut scenario = Scenario::start(&browser, "transfer", &scenario_env(&w, &dana)).await;

    scenario.step("connected").await;
    play(
        &w,
        "blind_transfer",
        &[
            ("caller", "4155550124"),
            ("agent", "1005"),
            ("target", "1007"),
        ],
    )
    .await;
    let results = scenario.finish().await;

    let url = w.crm.record_url(&CrmRecordRef {
        module: CrmModule::Contacts,
        id: record_id(&w, Module::Contacts, "Miller").expect("Bob Miller"),
    });
    assert_eq!(results["pop_url"], url.as_str(), "{results}");
    assert!(
        results["card"].as_str().unwrap().contains("Bob Miller"),
        "{results}"
    );
    w.stop().await;
}
