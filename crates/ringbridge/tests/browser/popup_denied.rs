//! Pop-ups blocked and notifications denied: the panel says a pop cannot
//! reach the agent by itself and what to do, instead of silently nothing.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_pops_with_notifications_denied_are_explained() {
    let Some(browser) = browser() else { return };
    let (w, results) = maya_answers_a_known_caller(&browser, "popup_denied").await;
    let help = results["help"].as_str().unwrap();
    assert!(help.contains("blocked a screen pop"), "{help}");
    assert!(help.contains("notifications are blocked"), "{help}");
    assert!(help.contains("Open in Zoho"), "{help}");
    assert_eq!(results["enable_button_visible"], false, "{results}");
    assert_eq!(results["tabs"], 1, "{results}");
    w.stop().await;
}
