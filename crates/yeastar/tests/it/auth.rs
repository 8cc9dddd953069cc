//! Token handling against the simulator: one token per process, renewal,
//! no retry of refused credentials, revocation.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use ringbridge_core::pbx::{Pbx, PbxError};
use ringbridge_yeastar::{AccessState, YeastarError};

use crate::support::{client, client_with, sim, sim_with};

#[tokio::test]
async fn concurrent_callers_share_one_login() {
    let sim = sim().await;
    let client = client(&sim);
    let calls = (0..8).map(|_| client.extension_list());
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sim.request_count("v1.0/get_token"), 1);
    assert_eq!(sim.live_access_tokens(), 1);
}

#[tokio::test]
async fn expired_token_is_renewed_and_the_call_retried_once() {
    let sim = sim().await;
    let client = client(&sim);
    client.extension_list().await.expect("first call");
    // The PBX's clock passes the token's 30 minutes; ours does not.
    sim.clock().advance(Duration::from_secs(1801));
    let exts = client
        .extension_list()
        .await
        .expect("retried after renewal");
    assert!(!exts.is_empty());
    assert_eq!(sim.request_count("v1.0/refresh_token"), 1);
    assert_eq!(
        sim.request_count("v1.0/get_token"),
        1,
        "refresh, not a new login"
    );
    assert_eq!(
        sim.request_count("v1.0/extension/list"),
        3,
        "one failed, two good"
    );
}

#[tokio::test]
async fn refused_credentials_are_never_retried_until_reset() {
    let sim = sim().await;
    let client = client_with(&sim, |cfg| {
        cfg.client_secret = secrecy::SecretString::from("wrong-secret");
    });
    for _ in 0..4 {
        let err = client.extension_list().await.expect_err("refused");
        assert!(matches!(err, YeastarError::AccessDenied(_)), "{err}");
    }
    let err = Pbx::extensions(&client).await.expect_err("refused");
    assert!(matches!(err, PbxError::AccessDenied(_)), "{err}");
    // The PBX's `-1 FAILURE` names the refused field; so does what the console shows.
    assert!(err.to_string().contains("refused: password"), "{err}");
    assert_eq!(sim.request_count("v1.0/get_token"), 1, "one attempt only");
    assert!(matches!(
        client.access_state().await,
        AccessState::Denied { .. }
    ));
    client.reset_access().await;
    assert_eq!(client.access_state().await, AccessState::Ready);
    assert!(client.extension_list().await.is_err());
    assert!(client.extension_list().await.is_err());
    assert_eq!(sim.request_count("v1.0/get_token"), 2, "one more per reset");
    assert!(sim.blocked_ips().is_empty(), "far from the 5-failure block");
}

#[tokio::test]
async fn an_ip_outside_the_allow_list_is_fatal() {
    let sim = sim_with(|s| {
        s.ip_allow_list = vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))];
    })
    .await;
    let client = client(&sim);
    let err = client.extension_list().await.expect_err("forbidden");
    assert!(err.to_string().contains("70087"), "{err}");
    assert!(client.extension_list().await.is_err());
    assert_eq!(sim.request_count("v1.0/get_token"), 1);
}

#[tokio::test]
async fn shutdown_revokes_the_token() {
    let sim = sim().await;
    let client = client(&sim);
    client.extension_list().await.expect("call");
    assert_eq!(sim.live_access_tokens(), 1);
    client.shutdown().await;
    assert_eq!(sim.live_access_tokens(), 0);
    assert_eq!(sim.request_count("v1.0/del_token"), 1);
    let err = client.extension_list().await.expect_err("shut down");
    assert!(matches!(err, YeastarError::ShutDown));
    assert_eq!(client.access_state().await, AccessState::ShutDown);
}

#[tokio::test]
async fn superseded_tokens_are_revoked_not_leaked() {
    // Short lifetimes (in PBX seconds; the PBX clock stands still, so the
    // old token stays alive there): the client renews after 1.5 s, its
    // refresh token already counted as expired, so it logs in afresh.
    let sim = sim_with(|s| {
        s.access_token_ttl = 2;
        s.refresh_token_ttl = 1;
    })
    .await;
    let client = client(&sim);
    client.extension_list().await.expect("first call");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    client.extension_list().await.expect("after renewal");
    assert_eq!(sim.request_count("v1.0/get_token"), 2);
    // After the grace period the old token is revoked.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(sim.request_count("v1.0/del_token"), 1);
    assert_eq!(sim.live_access_tokens(), 1, "only the current token lives");
}

#[tokio::test]
async fn the_token_cap_is_a_pause_not_a_lockout() {
    let sim = sim_with(|s| s.max_access_tokens = 1).await;
    let other_process = client(&sim);
    other_process
        .extension_list()
        .await
        .expect("takes the only token");
    let client = client(&sim);
    let err = Pbx::extensions(&client).await.expect_err("cap reached");
    assert!(matches!(err, PbxError::Busy { .. }), "{err}");
    assert!(err.is_retryable());
    assert_eq!(client.access_state().await, AccessState::Ready);
    other_process.shutdown().await;
    client
        .extension_list()
        .await
        .expect("a token is free again");
}

#[tokio::test]
async fn an_expired_refresh_token_falls_back_to_a_new_login() {
    let sim = sim().await;
    let client = client(&sim);
    client.extension_list().await.expect("first call");
    // The PBX's clock passes the refresh token's 24 hours too; ours does not,
    // so the client still tries it first.
    let past = u64::try_from(sim.settings().refresh_token_ttl + 1).expect("positive");
    sim.clock().advance(Duration::from_secs(past));
    let exts = client
        .extension_list()
        .await
        .expect("retried after a new login");
    assert!(!exts.is_empty());
    assert_eq!(
        sim.request_count("v1.0/refresh_token"),
        1,
        "the refresh token, tried once"
    );
    assert_eq!(sim.request_count("v1.0/get_token"), 2, "then a new login");
    assert_eq!(client.access_state().await, AccessState::Ready);
    assert!(sim.blocked_ips().is_empty());
    // The new login's tokens work on.
    client.extension_list().await.expect("next call");
    assert_eq!(sim.request_count("v1.0/get_token"), 2);
}
