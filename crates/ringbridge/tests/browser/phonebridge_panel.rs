//! In PhoneBridge mode Zoho pops the call in its own UI: the panel shows
//! the call and who is calling, says why it opens no tab, and opens none
//! (before, a second tab opened on top of Zoho's pop).

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_phonebridge_mode_the_panel_shows_the_call_but_opens_no_tab() {
    let Some(browser) = browser() else { return };
    let mut options = options();
    options.phonebridge = true;
    let w = ringbridge::world::World::start(options)
        .await
        .expect("world starts");
    let maya = agent(&w, "maya", "1005").await;
    let mut scenario =
        Scenario::start(&browser, "phonebridge_panel", &scenario_env(&w, &maya)).await;
    scenario.step("connected").await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    let results = scenario.finish().await;

    assert_eq!(results["zoho_pops"], "true", "{results}");
    assert!(
        results["note"]
            .as_str()
            .is_some_and(|n| n.contains("PhoneBridge")),
        "{results}"
    );
    assert!(
        results["card"]
            .as_str()
            .is_some_and(|c| c.contains("Ana Pereira")),
        "the panel still names the caller: {results}"
    );
    assert_eq!(
        results["tabs_opened"], 0,
        "no tab on top of Zoho's pop: {results}"
    );
    w.stop().await;
}
