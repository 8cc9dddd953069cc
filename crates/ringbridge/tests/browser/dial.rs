//! Click-to-call from the panel (a number shown, then the dial box): the
//! Yeastar simulator receives each dial with the agent's extension as
//! caller and the number as callee.

use std::time::Duration;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shown_number_and_the_dial_box_dial_from_the_agents_extension() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    // A call in the agent's recent calls, so a number is shown to click.
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550124"), ("agent", "1005")],
    )
    .await;
    w.settle(1, Duration::from_secs(30)).await.expect("logged");

    let scenario = Scenario::start(&browser, "dial", &scenario_env(&w, &maya)).await;
    let results = scenario.finish().await;
    assert_eq!(results["clicked"], "4155550124", "{results}");
    assert_eq!(results["prefilled"], "+1-415-555-0111", "{results}");

    let dials: Vec<(String, String)> = w
        .pbx_sim
        .dial_requests()
        .into_iter()
        .map(|d| (d.caller, d.callee))
        .collect();
    assert_eq!(
        dials,
        vec![
            ("1005".to_owned(), "4155550124".to_owned()),
            ("1005".to_owned(), "+14155550199".to_owned()),
        ]
    );
    w.stop().await;
}
