//! Issue 12, password hashing: a flood of sign-ins used to run one argon2
//! hash (~19 MiB) per request, all at once. Now at most one per core runs,
//! a few wait, and the rest are turned away with 429 and Retry-After —
//! and the admin still signs in once the flood has passed.

use std::sync::Arc;

use reqwest::StatusCode;
use ringbridge_web::auth::{PasswordParams, SystemClock, WebConfig};
use ringbridge_web::guard::GuardConfig;
use ringbridge_web::{AppState, router, serve};

use super::Site;

#[tokio::test]
async fn a_sign_in_flood_beyond_the_hashing_slots_is_turned_away() {
    let (store, _db) = crate::open().await;
    let shared = Arc::new(store);
    let config = WebConfig {
        secure_cookies: false,
        // Costly enough (in a debug build) that the flood overlaps.
        password: PasswordParams {
            memory_kib: 1024,
            iterations: 2,
            parallelism: 1,
        },
        // Many attackers, as far as the per-address rate limit can tell.
        guard: GuardConfig {
            sign_in_per_minute: 0,
            ..GuardConfig::default()
        },
        ..WebConfig::default()
    };
    let state = AppState::new(shared.clone(), shared, None)
        .with_web(config, Arc::new(SystemClock))
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, router(state, None), std::future::pending()));
    Site::new(url.clone()).setup_admin().await;
    let site = Site::new(url);

    let csrf = site.csrf("/login").await;
    let attempts: Vec<_> = (0..120)
        .map(|n| {
            let (site, csrf) = (site.clone(), csrf.clone());
            tokio::spawn(async move {
                let response = site
                    .post_form(
                        "/login",
                        &[
                            ("username", &format!("nobody{n}")),
                            ("password", "not the password"),
                            ("csrf_token", &csrf),
                        ],
                    )
                    .await;
                let retry_after = response.headers().get("retry-after").cloned();
                (response.status(), retry_after)
            })
        })
        .collect();
    let (mut refused, mut busy) = (0, 0);
    for attempt in attempts {
        match attempt.await.unwrap() {
            (StatusCode::UNAUTHORIZED, _) => refused += 1,
            (StatusCode::TOO_MANY_REQUESTS, Some(_)) => busy += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert!(busy > 0, "all {refused} attempts were hashed at once");
    assert!(refused > 0, "no attempt was checked at all");
    let signed_in = site.login(super::ADMIN, super::ADMIN_PW).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
}
