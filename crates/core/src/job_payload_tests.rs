//! Payloads stored by earlier binaries keep running after an upgrade.
//!
//! The `V1_*` fixtures are the exact JSON the encoders before typed
//! payloads stored (captured from a run of that code: ingest's call
//! outcome, the call log the processing job built, and the other kinds'
//! values), not re-encoded by this build.

use super::*;

const V1_PROCESS_CALL: &str = r#"{"call_id":"1796603482.1","direction":"inbound","other_party":"4155550123","internal_parties":null,"answered":true,"initiator":null,"talked":["1005"],"rang":["1005"],"via":null,"record":{"call_id":"1796603482.1","leg_id":null,"started_at":"2026-12-07T00:31:22Z","direction":"inbound","disposition":"answered","from_number":"4155550123","from_name":null,"to_number":"1005","to_name":null,"duration_s":75,"ring_s":null,"talk_s":62,"inbound_trunk":"CarrierA","outbound_trunk":null,"did":"8800","recording":"20261207003122-1796603482.1-4155550123-1005-Inbound.wav"}}"#;
const V1_WRITE_CALL_LOG: &str = r#"{"key":"pbx:1796603482.1","call_type":"inbound","started_at":"2026-12-07T00:31:22Z","duration_s":62,"subject":"Inbound call Ana Pereira","description":"Inbound call with +14155550123, extension 1005 (Maya Ortiz), talk time 1:02. PBX call 1796603482.1.","owner_id":"5725767000001006001","who":{"module":"Contacts","id":"5725767000001010001"},"what":{"module":"Accounts","id":"5725767000001009001"},"caller_number":"+14155550123","dialled_number":"8800","result":null,"recording_url":"http://127.0.0.1:35799/recordings/AQ1rMTc5NjYwMzQ4MGE431K2Hv6ks_Tn4MQjwnnRIAAAAABrFf5aABBwYng6MTc5NjYwMzQ4Mi4xQ3GUkrmItneGQ-oKHseBA7HMoHQTWtEQztc-VPBvEMI"}"#;
const V1_CREATE_RECORD: &str = r#"{"module":"Leads","first_name":null,"last_name":"Caller +14155550188","company":null,"phone":"+14155550188","owner_id":"4150868000000225013"}"#;
const V1_SYNC_PHONEBOOK: &str = r#"{"reference":{"module":"Contacts","id":"4150868000000231001"},"name":"Ana Lima","company":"Lima Foods","email":"ana@limafoods.example","phones":["+1 415 555 0142"],"owner_id":"4150868000000225013","account":{"module":"Accounts","id":"4150868000000231000"},"modified_at":"2026-12-07T00:31:22.840278001Z"}"#;
const V1_NOTIFY_PHONEBRIDGE: &str = r#"{"call_id":"1733533200.42","leg_id":"1733533200.42","direction":"received","state":{"state":"ended","start":"2026-12-07T00:31:22.840317434Z","duration_s":73,"recording":true},"customer":"4155550123","extension":"1005","zoho_user":"4150868000000225013"}"#;

const V1: [(JobKind, &str); 5] = [
    (JobKind::ProcessCall, V1_PROCESS_CALL),
    (JobKind::WriteCallLog, V1_WRITE_CALL_LOG),
    (JobKind::CreateRecord, V1_CREATE_RECORD),
    (JobKind::SyncPhonebook, V1_SYNC_PHONEBOOK),
    (JobKind::NotifyPhoneBridge, V1_NOTIFY_PHONEBRIDGE),
];

#[test]
fn every_kind_stored_by_the_untyped_encoders_is_read_with_its_values() {
    for (kind, stored) in V1 {
        let payload = JobPayload::decode(kind, stored).unwrap();
        assert_eq!(payload.kind(), kind);
    }
    let outcome = CallOutcome::decode(V1_PROCESS_CALL).unwrap();
    assert_eq!(outcome.call_id.as_str(), "1796603482.1");
    assert_eq!(outcome.talked, ["1005"]);
    assert_eq!(outcome.record.talk_s, Some(62));
    let log = CallLog::decode(V1_WRITE_CALL_LOG).unwrap();
    assert_eq!(
        (log.key.as_str(), log.subject.as_str(), log.duration_s),
        ("pbx:1796603482.1", "Inbound call Ana Pereira", 62)
    );
    assert_eq!(
        NewRecord::decode(V1_CREATE_RECORD).unwrap().phone,
        "+14155550188"
    );
    assert_eq!(
        CrmRecord::decode(V1_SYNC_PHONEBOOK).unwrap().name,
        "Ana Lima"
    );
    assert_eq!(
        PbNotification::decode(V1_NOTIFY_PHONEBRIDGE)
            .unwrap()
            .extension,
        "1005"
    );
}

#[test]
fn the_current_encoding_names_its_version_and_kind_and_reads_back_equal() {
    for (kind, stored) in V1 {
        let payload = JobPayload::decode(kind, stored).unwrap();
        let encoded = payload.encode().unwrap();
        let value: serde_json::Value = serde_json::from_str(&encoded).unwrap();
        assert_eq!(value["v"], PAYLOAD_VERSION);
        assert_eq!(value["job"]["type"], kind.as_str());
        assert_eq!(JobPayload::decode(kind, &encoded).unwrap(), payload);
    }
}

#[test]
fn a_payload_from_a_newer_binary_is_left_for_a_newer_node() {
    let newer = r#"{"v":3,"job":{"type":"process_call","data":{"something":"new"}}}"#;
    let err = JobPayload::decode(JobKind::ProcessCall, newer).unwrap_err();
    assert!(
        matches!(err, PayloadError::Newer { version: 3, .. }),
        "{err}"
    );
}

#[test]
fn a_payload_of_another_kind_or_garbage_is_refused() {
    let log = JobPayload::decode(JobKind::WriteCallLog, V1_WRITE_CALL_LOG)
        .unwrap()
        .encode()
        .unwrap();
    let err = JobPayload::decode(JobKind::ProcessCall, &log).unwrap_err();
    assert!(
        matches!(
            err,
            PayloadError::WrongKind {
                kind: "process_call",
                found: "write_call_log"
            }
        ),
        "{err}"
    );
    assert!(matches!(
        CallOutcome::decode(&log),
        Err(PayloadError::WrongKind { .. })
    ));
    // An old untyped payload under the wrong kind does not fit that kind's shape.
    assert!(matches!(
        JobPayload::decode(JobKind::ProcessCall, V1_CREATE_RECORD),
        Err(PayloadError::Unreadable { .. })
    ));
    for garbage in ["", "not json", r#"{"v":"two"}"#, r#"{"v":1,"job":{}}"#] {
        assert!(
            matches!(
                JobPayload::decode(JobKind::ProcessCall, garbage),
                Err(PayloadError::Unreadable { .. })
            ),
            "{garbage:?}"
        );
    }
}

#[test]
fn a_note_is_stored_at_version_2_and_never_read_as_version_1() {
    let note = crate::call_note::CallNote::new(
        "1733533200.42",
        "Wants a quote",
        Some("Interested"),
        &[],
        "maya",
        chrono::DateTime::parse_from_rfc3339("2026-12-07T00:31:22Z")
            .unwrap()
            .into(),
    )
    .unwrap();
    let stored = note.clone().into_payload().encode().unwrap();
    assert_eq!(
        stored,
        r#"{"v":2,"job":{"type":"annotate_call","data":{"call_id":"1733533200.42","text":"Wants a quote","result":"Interested","author":"maya","saved_at":"2026-12-07T00:31:22Z"}}}"#
    );
    assert_eq!(crate::call_note::CallNote::decode(&stored).unwrap(), note);
    // A bare note was never written by a version-1 binary: unreadable, not guessed.
    let bare = serde_json::to_string(&note).unwrap();
    assert!(matches!(
        JobPayload::decode(JobKind::AnnotateCall, &bare),
        Err(PayloadError::Unreadable { .. })
    ));
}
