//! A caller ID is whatever the caller's carrier lets them send: it must never
//! suppress or corrupt another call's log, and never cost its own call its log.

use std::time::Duration;

use ringbridge::serve::crm::call_marker_key;
use ringbridge::world::World;
use ringbridge_core::outbox::{JobKind, JobStatus, OutboxStore};
use ringbridge_sim_zoho::{Fault, FaultRule};
use serde_json::Value;

use crate::support::*;

/// The Calls records whose Caller ID is `caller`.
fn logs_from<'a>(calls: &'a [Value], caller: &str) -> Vec<&'a Value> {
    calls.iter().filter(|c| c["Caller_ID"] == caller).collect()
}

async fn job_result(w: &World, call_id: &str) -> (JobStatus, Option<String>) {
    let job = w
        .store
        .job(JobKind::WriteCallLog, &format!("pbx:{call_id}"))
        .await
        .unwrap()
        .expect("a write job");
    (job.status, job.result)
}

#[tokio::test]
async fn a_caller_id_shaped_like_another_calls_marker_cannot_suppress_its_log() {
    let mut options = options();
    // The victim's retry waits long enough for the attacker's log to land first.
    options.tuning.backoff_base = Duration::from_secs(3);
    options.tuning.backoff_max = Duration::from_secs(3);
    let w = World::start(options).await.unwrap();
    // The victim's first write fails at Zoho (nothing stored), so its retry
    // looks for what an earlier attempt may have written.
    w.zoho_sim.inject_fault(
        FaultRule::next(1, Fault::InternalError)
            .method("POST")
            .path_prefix("/crm/v8/Calls"),
    );
    let victim = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    let victim = victim[0].clone();
    while w.zoho_sim.injected_faults().get("internal_error") != Some(&1) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The attacker calls in the same second, sending the victim's marker
    // (in the form ringbridge wrote before it was keyed) as caller ID.
    let started = w
        .pbx_sim
        .call_records()
        .into_iter()
        .find(|r| r.call_id == victim)
        .expect("the victim's CDR")
        .started_at;
    w.pbx_sim.clock().set(started);
    let forged = format!("[ringbridge:pbx:{victim}]");
    assert!(forged.len() <= 30, "fits Zoho's Caller ID field: {forged}");
    let attacker = play(
        &w,
        "inbound_answered",
        &[("caller", forged.as_str()), ("agent", "1006")],
    )
    .await;
    settle(&w, 2).await;

    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "both calls logged: {calls:#?}");
    let real = logs_from(&calls, "+14155550123");
    assert_eq!(
        real.len(),
        1,
        "the victim's call is logged once: {calls:#?}"
    );
    let marker = call_marker_key(&w.store).marker(&format!("pbx:{victim}"));
    assert!(real[0]["Description"].as_str().unwrap().ends_with(&marker));
    let (status, result) = job_result(&w, &victim).await;
    assert_eq!(status, JobStatus::Done);
    assert_eq!(result.as_deref(), real[0]["id"].as_str());

    let forged_logs: Vec<&Value> = calls.iter().filter(|c| c["id"] != real[0]["id"]).collect();
    assert_eq!(forged_logs.len(), 1);
    let text = forged_logs[0]["Description"].as_str().unwrap();
    assert!(
        !text.contains(&format!("[ringbridge:pbx:{victim}")),
        "caller text never reads as a marker: {text}"
    );
    assert!(text.ends_with(&call_marker_key(&w.store).marker(&format!("pbx:{}", attacker[0]))));
    assert_eq!(
        job_result(&w, &attacker[0]).await.1.as_deref(),
        forged_logs[0]["id"].as_str()
    );
    w.stop().await;
}

#[tokio::test]
async fn a_caller_name_longer_than_the_caller_id_field_is_logged_truncated() {
    let w = world().await;
    let name = "Dr Bartholomew Featherstonehaugh-Cholmondeley of Wolverhampt";
    assert_eq!(name.chars().count(), 60);
    let ids = play(&w, "inbound_answered", &[("caller", name)]).await;
    settle(&w, 1).await;
    let calls = crm_calls(&w);
    let log = call_for(&calls, &ids[0]);
    assert_eq!(log["Caller_ID"], "Dr Bartholomew Featherstonehau");
    assert_eq!(log["Subject"], format!("Inbound call {name}"));
    assert_eq!(job_result(&w, &ids[0]).await.0, JobStatus::Done);
    w.stop().await;
}

#[tokio::test]
async fn newlines_and_bidi_overrides_in_a_caller_id_are_stripped() {
    let w = world().await;
    let caller = "Bob\u{202E}lanif\nPAID\r\tin full";
    let ids = play(&w, "inbound_answered", &[("caller", caller)]).await;
    settle(&w, 1).await;
    let calls = crm_calls(&w);
    let log = call_for(&calls, &ids[0]);
    assert_eq!(log["Caller_ID"], "Boblanif PAID in full");
    assert_eq!(log["Subject"], "Inbound call Boblanif PAID in full");
    let description = log["Description"].as_str().unwrap();
    assert_eq!(
        description.lines().count(),
        2,
        "the template's line, then the marker: {description:?}"
    );
    assert!(!description.contains('\u{202E}'));
    w.stop().await;
}
