//! Pops for one call reuse one tab: with all three triggers on, a call that
//! rings, is answered and ends opens one tab, not three; and the ended call
//! leaves "Calls now" after the agent's chosen while.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_call_pops_into_one_tab_and_then_leaves() {
    let Some(browser) = browser() else { return };
    let (w, results) = maya_answers_a_known_caller(&browser, "one_tab").await;
    assert_eq!(results["pages"], 2, "the panel and one tab: {results}");
    assert!(
        results["last_pop"]
            .as_str()
            .unwrap()
            .contains("/crm/tab/Contacts/"),
        "{results}"
    );
    w.stop().await;
}
