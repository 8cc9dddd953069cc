//! Jobs queued by an older binary run after an upgrade: payloads exactly as
//! the untyped encoders stored them (see `core/src/job_payload_tests.rs`)
//! are left in the outbox, and the CRM gets the call as it would have.

use chrono::Utc;
use ringbridge_core::outbox::{JobKind, JobStatus, OutboxStore};

use crate::support::*;

/// Ingest's call outcome for an answered inbound call to 1005 (Maya), from
/// the Contact Ana Pereira's number, as stored before payloads were typed.
const V1_PROCESS_CALL: &str = r#"{"call_id":"1796603482.1","direction":"inbound","other_party":"4155550123","internal_parties":null,"answered":true,"initiator":null,"talked":["1005"],"rang":["1005"],"via":null,"record":{"call_id":"1796603482.1","leg_id":null,"started_at":"2026-12-07T00:31:22Z","direction":"inbound","disposition":"answered","from_number":"4155550123","from_name":null,"to_number":"1005","to_name":null,"duration_s":75,"ring_s":null,"talk_s":62,"inbound_trunk":"CarrierA","outbound_trunk":null,"did":"8800","recording":"20261207003122-1796603482.1-4155550123-1005-Inbound.wav"}}"#;

/// The call log the processing job built for that call, as stored before.
const V1_WRITE_CALL_LOG: &str = r#"{"key":"pbx:1796603482.1","call_type":"inbound","started_at":"2026-12-07T00:31:22Z","duration_s":62,"subject":"Inbound call Ana Pereira","description":"Inbound call with +14155550123, extension 1005 (Maya Ortiz), talk time 1:02. PBX call 1796603482.1.","owner_id":"5725767000001006001","who":{"module":"Contacts","id":"5725767000001010001"},"what":{"module":"Accounts","id":"5725767000001009001"},"caller_number":"+14155550123","dialled_number":"8800","result":null,"recording_url":"http://127.0.0.1:35799/recordings/AQ1rMTc5NjYwMzQ4MGE431K2Hv6ks_Tn4MQjwnnRIAAAAABrFf5aABBwYng6MTc5NjYwMzQ4Mi4xQ3GUkrmItneGQ-oKHseBA7HMoHQTWtEQztc-VPBvEMI"}"#;

const CALL: &str = "1796603482.1";

#[tokio::test]
async fn a_call_queued_by_the_untyped_binary_is_processed_and_logged_once() {
    let w = world().await;
    let key = format!("pbx:{CALL}");
    w.store
        .enqueue(JobKind::ProcessCall, &key, V1_PROCESS_CALL, Utc::now())
        .await
        .unwrap();
    settle(&w, 1).await;
    let calls = crm_calls(&w);
    let log = call_for(&calls, CALL);
    assert_eq!(log["Subject"], "Inbound call Ana Pereira");
    assert_eq!(log["Owner"]["id"], user_id(&w, "maya@corp.test").as_str());
    assert_eq!(log["Call_Duration"], "01:02");
    let job = w
        .store
        .job(JobKind::ProcessCall, &key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.status, JobStatus::Done);
    w.stop().await;
}

#[tokio::test]
async fn a_call_log_queued_by_the_untyped_binary_is_written_once() {
    let w = world().await;
    let key = format!("pbx:{CALL}");
    w.store
        .enqueue(JobKind::WriteCallLog, &key, V1_WRITE_CALL_LOG, Utc::now())
        .await
        .unwrap();
    crate::console::within(30, "the old call log is written", async || {
        w.store
            .job(JobKind::WriteCallLog, &key)
            .await
            .unwrap()
            .is_some_and(|j| j.status == JobStatus::Done)
    })
    .await;
    let calls = crm_calls(&w);
    let log = call_for(&calls, CALL);
    assert_eq!(log["Subject"], "Inbound call Ana Pereira");
    assert_eq!(log["Owner"]["id"], "5725767000001006001");
    assert_eq!(log["Who_Id"]["id"], "5725767000001010001");
    w.stop().await;
}
