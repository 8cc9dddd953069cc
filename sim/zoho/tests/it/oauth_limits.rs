//! Zoho's limits on minting grants: 10 grant codes per client and 10 new
//! refresh tokens per user per client, each per 10 minutes.

use std::time::Duration;

use reqwest::StatusCode;

use crate::H;
use crate::oauth::{authorize, code, exchange};

#[tokio::test]
async fn grant_codes_are_limited_per_client() {
    let h = H::new().await;
    for _ in 0..10 {
        code(&h, "offline").await;
    }
    let refused = authorize(&h, "offline", "xyz").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = refused.text().await.expect("page");
    assert!(page.contains("too many requests"), "{page}");

    // The window slides: ten minutes after the first code, a new one is given.
    h.sim.advance(Duration::from_secs(600));
    let again = code(&h, "offline").await;
    assert!(
        exchange(&h, &again).await.body["refresh_token"].is_string(),
        "and it works"
    );
}

#[tokio::test]
async fn new_refresh_tokens_are_limited_per_user() {
    let h = H::new().await;
    let before = h.sim.refresh_token_count();
    let codes: Vec<String> = {
        let mut v = Vec::new();
        for _ in 0..10 {
            v.push(code(&h, "offline").await);
        }
        v
    };
    // Exchanged late (codes live 2 minutes), so the refresh tokens' window
    // ends after the codes' one.
    h.sim.advance(Duration::from_secs(110));
    for c in &codes {
        let r = exchange(&h, c).await;
        assert!(r.body["refresh_token"].is_string(), "{}", r.text);
    }
    assert_eq!(h.sim.refresh_token_count(), before + 10);

    // 10 minutes after the codes: a code is given, but an 11th refresh token
    // for the same user within 10 minutes is not.
    h.sim.advance(Duration::from_secs(500));
    let eleventh = code(&h, "offline").await;
    let denied = exchange(&h, &eleventh).await;
    assert_eq!(denied.body["error"], "Access Denied", "{}", denied.text);
    assert_eq!(h.sim.refresh_token_count(), before + 10);

    // Once the first ten leave the window, the same (unused) code works.
    h.sim.advance(Duration::from_secs(105));
    let r = exchange(&h, &eleventh).await;
    assert!(r.body["refresh_token"].is_string(), "{}", r.text);
    // An online code mints no refresh token and is not limited by them.
    let online = code(&h, "online").await;
    assert!(exchange(&h, &online).await.body["access_token"].is_string());
}
