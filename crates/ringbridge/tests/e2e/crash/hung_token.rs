//! A token request the accounts server never answers must not stall the
//! CRM side: the refresh gives up like any other Zoho request and is tried
//! again.

use std::time::Duration;

use ringbridge_sim_zoho::{Fault, FaultRule, FaultTarget};
use ringbridge_store::testing::fresh_sqlite;

use super::node::{kill_9, simulators, start_node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_request_that_hangs_times_out_and_is_retried() {
    // A hang lasts far longer than the test waits: only a client timeout ends it.
    let (pbx, zoho, refresh) = simulators(Duration::from_secs(300)).await;
    zoho.inject_fault(
        FaultRule::next(1, Fault::Hang)
            .on(FaultTarget::Accounts)
            .path_prefix("/oauth/v2/token"),
    );
    let db = fresh_sqlite();
    let data_dir = tempfile::tempdir().unwrap();
    // The CRM timeout is 2 s (see `node::command`).
    let node = start_node(&pbx, &zoho, &refresh, &db, data_dir.path(), &[]).await;
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .unwrap()
        .with_param("caller", "4155550123")
        .unwrap();
    pbx.play(&scenario).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while zoho.calls().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(zoho.injected_faults().get("hang"), Some(&1));
    assert_eq!(
        zoho.calls().len(),
        1,
        "logged despite the hung token request"
    );
    assert!(zoho.request_count("POST", "/oauth/v2/token") >= 2);
    kill_9(node).await;
}
