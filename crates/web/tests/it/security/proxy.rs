//! Issue 12, sign-in throttling behind a reverse proxy: every connection
//! came from the proxy, so five wrong passwords by anyone locked the admin
//! out for 15 minutes. Now the forwarded client address counts — only when
//! the proxy is trusted — and failures from many addresses slow the
//! account without locking it.

use reqwest::StatusCode;
use ringbridge_web::auth::WebConfig;
use ringbridge_web::guard::GuardConfig;

use super::{ADMIN, ADMIN_PW, Site, fast_config, serve_app};

fn config(trusted_proxies: &[&str]) -> WebConfig {
    WebConfig {
        guard: GuardConfig {
            trusted_proxies: trusted_proxies.iter().map(|p| p.parse().unwrap()).collect(),
            // The throttle is under test here, not the per-address rate.
            sign_in_per_minute: 0,
            ..GuardConfig::default()
        },
        ..fast_config()
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_a_guesser_does_not_lock_out_the_admin() {
    let (url, _db) = serve_app(config(&["127.0.0.1"])).await;
    Site::new(url.clone()).setup_admin().await;
    let guesser = Site::forwarded_for(&url, "203.0.113.5");
    for _ in 0..5 {
        let answer = guesser.login(ADMIN, "guess guess guess").await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = guesser.login(ADMIN, "guess guess guess").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));

    let admin = Site::forwarded_for(&url, "198.51.100.7");
    let signed_in = admin.login(ADMIN, ADMIN_PW).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_do_not_escape_the_throttle() {
    // No trusted proxy: the headers are the client's own words.
    let (url, _db) = serve_app(config(&[])).await;
    Site::new(url.clone()).setup_admin().await;
    for n in 0..5 {
        let spoofer = Site::forwarded_for(&url, &format!("203.0.113.{n}"));
        let answer = spoofer.login(ADMIN, "guess guess guess").await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let spoofer = Site::forwarded_for(&url, "198.51.100.99");
    let refused = spoofer.login(ADMIN, ADMIN_PW).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    // Nor does a trusted range that does not contain the peer.
    let (url, _db) = serve_app(config(&["10.0.0.0/8"])).await;
    Site::new(url.clone()).setup_admin().await;
    for n in 0..5 {
        let spoofer = Site::forwarded_for(&url, &format!("203.0.113.{n}"));
        spoofer.login(ADMIN, "guess guess guess").await;
    }
    let refused = Site::forwarded_for(&url, "198.51.100.99")
        .login(ADMIN, ADMIN_PW)
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn guesses_from_many_addresses_slow_the_account_but_never_lock_it() {
    let (url, _db) = serve_app(WebConfig {
        login_account_ceiling: 3,
        ..config(&["127.0.0.0/8"])
    })
    .await;
    Site::new(url.clone()).setup_admin().await;
    // Each from its own address: no pair is locked, the account is attacked.
    for n in 0..5 {
        let guesser = Site::forwarded_for(&url, &format!("203.0.113.{n}"));
        let answer = guesser.login(ADMIN, "guess guess guess").await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let admin = Site::forwarded_for(&url, "198.51.100.7");
    let signed_in = admin.login(ADMIN, ADMIN_PW).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
}
