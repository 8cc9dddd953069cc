//! Pop-up blocking is handled honestly: the panel explains how to allow
//! pop-ups and falls back to a desktop notification — in the browser's
//! language (Simplified Chinese here).

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_pop_is_explained_and_becomes_a_notification() {
    let Some(browser) = browser() else { return };
    let (w, results) = maya_answers_a_known_caller(&browser, "popup_blocked").await;

    assert!(
        results["title"].as_str().unwrap().contains("坐席面板"),
        "{results}"
    );
    let help = results["help"].as_str().unwrap();
    assert!(help.contains("浏览器拦截了弹出的客户记录"), "{help}");
    assert!(help.contains("始终允许弹出窗口"), "{help}");
    let notes = results["notifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{results}");
    assert_eq!(notes[0]["title"], "来电");
    assert!(
        notes[0]["body"].as_str().unwrap().contains("Ana Pereira"),
        "{results}"
    );
    // The record's module is named in the page's language, not Zoho's API name.
    assert_eq!(results["module"], "联系人", "{results}");
    // Nothing opened behind the agent's back.
    assert_eq!(results["tabs"], 1, "{results}");
    w.stop().await;
}
