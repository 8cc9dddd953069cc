//! An unknown caller shows "unknown"; the agent's create-lead form makes a
//! Lead in the Zoho simulator, and the call's log in Zoho is linked to it.

use std::time::Duration;

use ringbridge_sim_zoho::Module;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_caller_becomes_a_lead_linked_to_the_call() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let mut scenario = Scenario::start(&browser, "create_lead", &scenario_env(&w, &maya)).await;

    scenario.step("connected").await;
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550190"), ("agent", "1005")],
    )
    .await;
    let results = scenario.finish().await;
    assert_eq!(results["unknown"], "Unknown caller", "{results}");

    let lead = w
        .zoho_sim
        .records(Module::Leads)
        .into_iter()
        .find(|r| r["Last_Name"] == "Chen")
        .expect("the Lead the agent created");
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    assert_eq!(lead["First_Name"], "Lin");
    assert_eq!(lead["Company"], "Acme Dental");
    assert_eq!(lead["Phone"], "+14155550190");
    assert!(
        results["open_url"].as_str().unwrap().ends_with(&lead_id),
        "{results}"
    );

    // The call's log names the Lead, however far the log had got when the
    // agent pressed Create (queued, or already written and then updated).
    let log = eventually(
        "the call log related to the Lead",
        Duration::from_secs(30),
        || {
            logs_for(&w, &ids[0])
                .into_iter()
                .find(|c| c["What_Id"]["id"] == lead_id.as_str())
        },
    )
    .await;
    assert_eq!(log["$se_module"], "Leads", "{log:#}");
    let logs_for_call = logs_for(&w, &ids[0]).len();
    assert_eq!(logs_for_call, 1, "one log per call");
    w.stop().await;
}
