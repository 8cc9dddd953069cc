//! Limits against the simulator: the org's edition sizes the client's
//! concurrency and credit budget; the token endpoint's throttling.

use std::time::Duration;

use ringbridge_sim_zoho::{Edition as SimEdition, Fault, FaultRule, SimConfig, SimZoho};
use ringbridge_zoho::oauth::ConnectionState;
use ringbridge_zoho::{ConnectionOptions, Edition, OAuthError, ZohoError};

use crate::sim::{connect, options};

#[tokio::test]
async fn the_org_read_applies_its_edition() {
    for (edition, concurrency) in [(SimEdition::Free, 5), (SimEdition::Enterprise, 20)] {
        let sim = SimZoho::start(SimConfig {
            edition,
            ..SimConfig::default()
        })
        .await
        .expect("sim");
        let (conn, _) = connect(&sim, options()).await;
        assert_eq!(
            conn.limiter().limits(),
            (5, 5),
            "Free until the org is read"
        );
        assert_eq!(conn.metrics().credit_budget(), None);
        let org = conn.rest().org().await.expect("org");
        assert_eq!(org.edition().concurrency(), concurrency);
        assert_eq!(
            conn.limiter().limits(),
            (concurrency, concurrency.min(10)),
            "{edition:?}"
        );
        assert_eq!(
            conn.metrics().credit_budget(),
            Some(sim.credits_limit()),
            "the budget is the simulated edition's daily credits ({edition:?})"
        );
        crate::sim_traffic::assert_traffic_matches_spec(&sim);
    }
}

#[tokio::test]
async fn a_lower_configured_budget_stays() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(
        &sim,
        ConnectionOptions {
            credit_budget: Some(1_000),
            ..options()
        },
    )
    .await;
    conn.rest().org().await.expect("org");
    assert!(sim.credits_limit() > 1_000);
    assert_eq!(conn.metrics().credit_budget(), Some(1_000));
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}

/// A client configured for more than the org's edition allows learns the
/// Free limit from the org and stops earning 429s for concurrency.
#[tokio::test]
async fn the_free_edition_limit_is_respected_after_the_org_read() {
    let sim = SimZoho::start(SimConfig {
        edition: SimEdition::Free,
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let (conn, _) = connect(
        &sim,
        ConnectionOptions {
            edition: Edition::Enterprise,
            ..options()
        },
    )
    .await;
    let burst = async |n: u32| {
        sim.inject_fault(
            FaultRule::next(n, Fault::Slow(Duration::from_millis(150))).path_prefix("/crm/v8/org"),
        );
        let rest = conn.rest();
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let r = rest.clone();
                tokio::spawn(async move { r.org().await })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.expect("join"));
        }
        sim.clear_faults();
        results
    };
    // Twelve slow calls at once: over Free's 5, the simulator answers 429.
    let first = burst(12).await;
    assert!(conn.metrics_snapshot().throttled > 0, "{first:?}");
    // Any successful org read applied Free's limit: the same burst now queues locally.
    assert_eq!(conn.limiter().limits(), (5, 5));
    let throttled = conn.metrics_snapshot().throttled;
    for r in burst(12).await {
        r.expect("no 429 once the limit is Free's");
    }
    assert_eq!(conn.metrics_snapshot().throttled, throttled);
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}

/// Zoho mints at most 10 access tokens per refresh token in 10 minutes. The
/// 11th refresh is throttled: a retryable error, the grant stays good, and
/// the token endpoint is left alone until the lockout is over.
#[tokio::test]
async fn token_endpoint_throttling_is_not_a_revocation() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, clock) = connect(&sim, options()).await;
    // The code exchange minted the first token of the window.
    for _ in 0..9 {
        sim.expire_access_tokens();
        conn.rest().org().await.expect("refreshed");
    }
    assert_eq!(conn.tokens().refresh_count(), 9);
    sim.expire_access_tokens();
    let e = conn.rest().org().await.expect_err("throttled");
    assert!(
        matches!(e, ZohoError::OAuth(OAuthError::Throttled(_))),
        "{e:?}"
    );
    assert!(e.is_retryable() && !e.needs_reconnect());
    assert!(
        matches!(conn.state(), ConnectionState::Throttled { .. }),
        "{:?}",
        conn.state()
    );
    // While locked out, the token endpoint is not asked again.
    let asked = sim.request_count("POST", "/oauth/v2/token");
    conn.rest().org().await.expect_err("still throttled");
    assert_eq!(sim.request_count("POST", "/oauth/v2/token"), asked);

    // Ten minutes on, the same grant works again.
    sim.advance(Duration::from_secs(600));
    clock.advance(chrono::Duration::minutes(10));
    conn.rest().org().await.expect("works again");
    assert_eq!(conn.state(), ConnectionState::Connected);
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}
