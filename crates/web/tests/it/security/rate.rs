//! Issue 12, rate limits: the unauthenticated routes that write to the
//! database, hash a password or reach the PBX and Zoho answer 429 with
//! Retry-After beyond their per-address allowance.

use reqwest::StatusCode;
use ringbridge_web::auth::WebConfig;
use ringbridge_web::guard::GuardConfig;

use super::{Site, fast_config, serve_app};

#[tokio::test]
async fn sign_in_and_callback_floods_get_429_with_retry_after() {
    let (url, _db) = serve_app(WebConfig {
        guard: GuardConfig {
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            sign_in_per_minute: 3,
            callbacks_per_second: 2,
            ..GuardConfig::default()
        },
        ..fast_config()
    })
    .await;
    let flood = Site::forwarded_for(&url, "203.0.113.5");
    let csrf = flood.csrf("/setup").await;
    let mut answers = Vec::new();
    for n in 0..5 {
        let user = format!("nobody{n}");
        let form = [
            ("username", user.as_str()),
            ("password", "x"),
            ("csrf_token", &csrf),
        ];
        answers.push(flood.post_form("/login", &form).await);
    }
    // The first three are answered (no admin yet: a redirect), the rest refused.
    let statuses: Vec<_> = answers.iter().map(|a| a.status()).collect();
    assert!(
        statuses[..3]
            .iter()
            .all(|s| *s != StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(statuses[3..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    let wait: u64 = answers[4].headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    // Another client behind the same proxy has its own allowance.
    let other = Site::forwarded_for(&url, "198.51.100.7");
    let csrf = other.csrf("/setup").await;
    let answer = other
        .post_form(
            "/login",
            &[("username", "x"), ("password", "x"), ("csrf_token", &csrf)],
        )
        .await;
    assert_ne!(answer.status(), StatusCode::TOO_MANY_REQUESTS);

    // Zoho PhoneBridge callbacks (and the PBX webhook) are limited per second.
    let statuses: Vec<_> = {
        let mut out = Vec::new();
        for _ in 0..4 {
            let answer = flood
                .post_form("/zoho/phonebridge/clicktodial", &[("userid", "1")])
                .await;
            out.push(answer.status());
        }
        out
    };
    assert_eq!(
        statuses[2..],
        [StatusCode::TOO_MANY_REQUESTS; 2],
        "{statuses:?}"
    );
}
