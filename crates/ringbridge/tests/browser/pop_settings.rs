//! Per-agent screen-pop triggers: saved for the agent, and honoured — with
//! "when a call ends" only, the record opens once, at hang-up.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pop_follows_the_agents_trigger() {
    let Some(browser) = browser() else { return };
    let (w, results) = maya_answers_a_known_caller(&browser, "pop_settings").await;
    assert_eq!(
        results["persisted"],
        serde_json::json!({"on_ringing": false, "on_answer": false, "on_hangup": true}),
        "{results}"
    );
    assert_eq!(results["state_at_pop"], "ended", "{results}");
    assert_eq!(results["pages"], 2, "the panel and one pop: {results}");
    assert!(
        results["pop_url"]
            .as_str()
            .unwrap()
            .contains("/crm/tab/Contacts/"),
        "{results}"
    );
    w.stop().await;
}
