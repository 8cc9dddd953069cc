//! Caller names come from outside (anyone can type a Lead's name into a
//! web form that feeds the CRM): a `<script>` name shows as text in the
//! panel, in the recent calls and on the pop, and never runs.

use ringbridge::world::World;
use ringbridge_sim_zoho::{Module, SeedRecord};
use serde_json::json;

use crate::support::*;

const HOSTILE_FIRST: &str = "<script>window.rbPwned=1</script>";
const HOSTILE_LAST: &str = "<img src=x onerror=\"window.rbPwned=2\">";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_in_a_callers_name_is_shown_as_text() {
    let Some(browser) = browser() else { return };
    let mut options = options();
    options.zoho.seed.records.push(SeedRecord {
        module: Module::Contacts,
        key: None,
        fields: json!({"First_Name": HOSTILE_FIRST, "Last_Name": HOSTILE_LAST, "Phone": "+14155550177"}),
    });
    let w = World::start(options).await.expect("world starts");
    let maya = agent(&w, "maya", "1005").await;
    let mut scenario = Scenario::start(&browser, "hostile_name", &scenario_env(&w, &maya)).await;

    scenario.step("connected").await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550177"), ("agent", "1005")],
    )
    .await;
    let results = scenario.finish().await;
    let card = results["card"].as_str().unwrap();
    assert!(card.contains(HOSTILE_FIRST), "shown as typed: {results}");
    assert!(card.contains(HOSTILE_LAST), "shown as typed: {results}");
    assert_eq!(results["pwned"], false, "{results}");
    assert_eq!(
        results["injected"], 0,
        "no element came from the name: {results}"
    );
    w.stop().await;
}
