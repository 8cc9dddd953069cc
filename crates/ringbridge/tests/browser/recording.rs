//! A call's recording plays in the panel — straight from ringbridge, with
//! no PBX credentials in the browser — and a tampered link is refused.

use std::time::Duration;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_plays_and_a_tampered_link_is_refused() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    w.settle(1, Duration::from_secs(30)).await.expect("logged");

    let results = Scenario::start(&browser, "recording", &scenario_env(&w, &maya))
        .await
        .finish()
        .await;
    assert_eq!(results["canplay"], true, "{results}");
    assert!(
        results["now_playing"]
            .as_str()
            .unwrap()
            .starts_with("Now playing:"),
        "{results}"
    );
    assert_eq!(results["playing_rows"], 1, "{results}");
    assert!(results["duration"].as_f64().unwrap() > 0.0, "{results}");
    assert_eq!(results["same_origin"], true, "{results}");
    assert_eq!(results["tampered_status"], 403, "{results}");
    let text = results["tampered_text"].as_str().unwrap();
    assert!(
        text.to_lowercase().contains("altered") || text.to_lowercase().contains("changed"),
        "a clear page: {text}"
    );
    w.stop().await;
}
