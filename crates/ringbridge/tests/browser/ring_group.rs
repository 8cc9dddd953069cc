//! A ring-group call pops the caller's record for every agent it rings,
//! and closes as "answered by a colleague" for the one who did not answer.

use ringbridge_core::accounts::Role;
use ringbridge_core::crm::{Crm, CrmModule, CrmRecordRef};
use ringbridge_sim_zoho::Module;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ring_group_call_pops_for_each_agent_and_closes_for_the_other() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let omar = person(&w, "omar", Role::Agent, Some("1006")).await;
    let mut env = scenario_env(&w, &maya);
    env.push(("RB_USERNAME2", omar.username.clone()));
    env.push(("RB_PASSWORD2", omar.password.clone()));
    let mut scenario = Scenario::start(&browser, "ring_group", &env).await;

    scenario.step("connected").await;
    // Sales (6300) rings 1005, 1006 and 1007; 1006 answers.
    play(
        &w,
        "ring_group_answered",
        &[("caller", "4155550123"), ("agent", "1006")],
    )
    .await;
    let results = scenario.finish().await;

    let url = w.crm.record_url(&CrmRecordRef {
        module: CrmModule::Contacts,
        id: record_id(&w, Module::Contacts, "Pereira").expect("Ana Pereira"),
    });
    assert_eq!(results["first_pop"], url.as_str(), "{results}");
    assert_eq!(results["second_pop"], url.as_str(), "{results}");
    assert_eq!(
        results["first_state"], "Answered by a colleague",
        "{results}"
    );
    w.stop().await;
}
