//! Zoho stored the call log, then ringbridge died before it heard so: the
//! restarted process must find the record and not insert it again.

use std::time::Duration;

use ringbridge_sim_zoho::{Fault, FaultRule};
use ringbridge_store::testing::{TestDatabase, fresh_postgres, fresh_sqlite};

use super::node::{kill_9, metrics, simulators, start_node};
use crate::support::logs_for;

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run(db: TestDatabase) {
    let (pbx, zoho, refresh) = simulators(Duration::from_secs(120)).await;
    // The first call-log insert is stored, then its answer never comes.
    zoho.inject_fault(
        FaultRule::next(1, Fault::ApplyThenHang)
            .method("POST")
            .path_prefix("/crm/v8/Calls"),
    );
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path();
    // This process waits for the answer longer than the test waits to kill it.
    let patient = [("RINGBRIDGE_TIMING__CRM_TIMEOUT_SECS", "120")];
    let first = start_node(&pbx, &zoho, &refresh, &db, dir, &patient).await;
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .unwrap()
        .with_param("caller", "4155550123")
        .unwrap();
    let ids = pbx.play(&scenario).await.unwrap();
    assert_eq!(ids.len(), 1);
    wait_for("Zoho stores the call log", async || zoho.calls().len() == 1).await;
    assert_eq!(zoho.injected_faults().get("apply_then_hang"), Some(&1));
    // ringbridge is still waiting for Zoho's answer: kill it now.
    kill_9(first).await;

    let second = start_node(&pbx, &zoho, &refresh, &db, dir, &[]).await;
    let done = "ringbridge_jobs{kind=\"write_call_log\",status=\"done\"} 1";
    wait_for("the restarted process settles the job", async || {
        metrics(&second).await.contains(done)
    })
    .await;
    // Give a wrong second insert time to show itself.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let copies = logs_for(&zoho.calls(), &ids[0]).len();
    assert_eq!(copies, 1, "{:#?}", zoho.calls());
    assert_eq!(zoho.calls().len(), 1);
    assert_eq!(
        zoho.request_count("POST", "/crm/v8/Calls"),
        1,
        "found in the CRM, never sent again"
    );
    let text = metrics(&second).await;
    for line in [
        "ringbridge_jobs{kind=\"write_call_log\",status=\"pending\"} 0",
        "ringbridge_jobs{kind=\"write_call_log\",status=\"in_flight\"} 0",
        "ringbridge_jobs{kind=\"write_call_log\",status=\"failed\"} 0",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    kill_9(second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_zoho_stored_the_insert_logs_the_call_once_on_sqlite() {
    run(fresh_sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_zoho_stored_the_insert_logs_the_call_once_on_postgres() {
    if let Some(db) = fresh_postgres().await {
        run(db).await;
    }
}
