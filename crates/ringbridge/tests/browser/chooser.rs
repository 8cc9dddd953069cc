//! A number shared by several records: the panel offers a chooser instead
//! of guessing, and opens the record the agent picks.

use ringbridge::world::World;
use ringbridge_sim_zoho::{Module, SeedRecord};
use serde_json::json;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_number_offers_a_chooser() {
    let Some(browser) = browser() else { return };
    let mut options = options();
    for (module, fields) in [
        (
            Module::Contacts,
            json!({"First_Name": "Kim", "Last_Name": "Lopez", "Phone": "415-555-0191"}),
        ),
        (
            Module::Leads,
            json!({"First_Name": "Kim", "Last_Name": "Lopez", "Company": "Lopez Bakery", "Phone": "+14155550191"}),
        ),
    ] {
        options.zoho.seed.records.push(SeedRecord {
            module,
            key: None,
            fields,
        });
    }
    let w = World::start(options).await.expect("world starts");
    let maya = agent(&w, "maya", "1005").await;
    let mut scenario = Scenario::start(&browser, "chooser", &scenario_env(&w, &maya)).await;

    scenario.step("connected").await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550191"), ("agent", "1005")],
    )
    .await;
    let results = scenario.finish().await;
    let choices = results["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 2, "{results}");
    assert!(
        choices
            .iter()
            .any(|c| c.as_str().unwrap().contains("· Lead")),
        "{results}"
    );
    assert_eq!(
        results["auto_pops"], 0,
        "nothing opened by itself: {results}"
    );
    assert_eq!(
        results["chosen_url"], results["second_choice_url"],
        "{results}"
    );
    w.stop().await;
}
