//! The admin's "recordings require sign-in": a link alone no longer plays;
//! the browser is sent to sign in and comes back to the recording.

use std::time::Duration;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_link_needs_sign_in_when_the_admin_says_so() {
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
    let link = w
        .zoho_sim
        .calls()
        .iter()
        .find_map(|c| c["Voice_Recording__s"].as_str().map(str::to_owned))
        .expect("a recording link in the call log");
    w.recordings.set_require_sign_in(true);
    // Without a session the link is refused (and points to sign-in).
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&link)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);

    let mut env = scenario_env(&w, &maya);
    env.push(("RB_RECORDING_URL", link.clone()));
    let results = Scenario::start(&browser, "recording_sign_in", &env)
        .await
        .finish()
        .await;
    let path = link.strip_prefix(&w.http_url).unwrap();
    let expected = format!("{}/login?{}", w.http_url, next_query(path));
    assert_eq!(results["login_url"], expected.as_str(), "{results}");
    assert!(
        results["content_type"]
            .as_str()
            .unwrap()
            .starts_with("audio/"),
        "{results}"
    );
    w.stop().await;
}

/// `next=<path>` as the sign-in redirect encodes it.
fn next_query(path: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", path)
        .finish()
}
