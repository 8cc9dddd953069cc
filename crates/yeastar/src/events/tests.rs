use chrono::{TimeZone, Utc};
use ringbridge_core::pbx::{
    CallDirection, CallId, CallStatus, ExtensionCallState, LegState, Participant, PbxEvent,
    RecordingRef,
};

use super::*;

const TZ: chrono_tz::Tz = chrono_tz::Europe::Berlin;

/// The 30011 example of docs/yeastar-api.md §6.1, verbatim.
const DOC_30011: &str = r#"{"type":30011,"sn":"3631A0000001","msg":"{\"call_id\":\"1767258000.23\",\"members\":[{\"inbound\":{\"from\":\"5550199\",\"to\":\"8800\",\"trunk_name\":\"CarrierA\",\"channel_id\":\"PJSIP/trunk-CarrierA-endpoint-0000001a\",\"member_status\":\"ANSWERED\",\"call_path\":\"\"}},{\"extension\":{\"number\":\"1005\",\"channel_id\":\"PJSIP/1005-0000001b\",\"member_status\":\"ANSWER\",\"call_path\":\"\"}}]}"}"#;

/// The 30012 example of docs/yeastar-api.md §6.2, verbatim.
const DOC_30012: &str = r#"{"type":30012,"sn":"3631A0000001","msg":"{\"call_id\":\"1767258000.23\",\"time_start\":\"2026-01-01 09:00:00\",\"call_from\":\"5550199\",\"call_to\":\"1005\",\"call_duration\":75,\"talk_duration\":62,\"src_trunk_name\":\"CarrierA\",\"dst_trunk_name\":\"\",\"pin_code\":\"\",\"status\":\"ANSWERED\",\"type\":\"Inbound\",\"recording\":\"20260101090000-1767258000.23-5550199-1005-Inbound.wav\",\"did_number\":\"8800\",\"agent_ring_time\":0}"}"#;

fn parse(text: &str) -> PbxEvent {
    parse_event(text, TZ)
        .expect("parses")
        .expect("is a used event")
}

/// Re-encodes an envelope with `msg` as a plain object instead of a string.
fn with_object_msg(text: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(text).expect("json");
    let msg = value["msg"].as_str().expect("string msg").to_owned();
    value["msg"] = serde_json::from_str(&msg).expect("inner json");
    value.to_string()
}

#[test]
fn doc_30011_call_state() {
    let PbxEvent::CallState(snap) = parse(DOC_30011) else {
        panic!("not a call state");
    };
    assert_eq!(snap.call_id, CallId::from("1767258000.23"));
    assert_eq!(snap.participants.len(), 2);
    let caller = &snap.participants[0];
    assert_eq!(
        caller.participant,
        Participant::External {
            number: "5550199".into(),
            dialed: "8800".into(),
            trunk: "CarrierA".into(),
            channel: "PJSIP/trunk-CarrierA-endpoint-0000001a".into(),
            inbound: true,
        }
    );
    assert_eq!(caller.state, LegState::Answered);
    assert_eq!(caller.via, None);
    let agent = &snap.participants[1];
    assert_eq!(agent.participant.extension(), Some("1005"));
    assert_eq!(agent.participant.channel(), "PJSIP/1005-0000001b");
    assert_eq!(agent.state, LegState::Talking);
}

#[test]
fn every_type_accepts_object_msg() {
    for doc in [DOC_30011, DOC_30012] {
        assert_eq!(parse(doc), parse(&with_object_msg(doc)));
    }
    let failed = r#"{"type":30015,"sn":"x","msg":"{\"call_id\":\"1.2\",\"reason\":\"DND\",\"members\":null}"}"#;
    assert_eq!(parse(failed), parse(&with_object_msg(failed)));
    let ext = r#"{"type":30008,"msg":"{\"extension\":\"1005\",\"status\":\"Busy\"}"}"#;
    assert_eq!(parse(ext), parse(&with_object_msg(ext)));
}

#[test]
fn doc_30012_new_cdr() {
    let PbxEvent::CallEnded(record) = parse(DOC_30012) else {
        panic!("not a CDR");
    };
    assert_eq!(record.call_id, CallId::from("1767258000.23"));
    // 09:00 in Berlin in winter is 08:00 UTC.
    assert_eq!(
        record.started_at,
        Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap()
    );
    assert_eq!(record.direction, CallDirection::Inbound);
    assert_eq!(record.disposition, CallStatus::Answered);
    assert_eq!(record.from_number, "5550199");
    assert_eq!(record.to_number, "1005");
    assert_eq!(record.duration_s, Some(75));
    assert_eq!(record.talk_s, Some(62));
    assert_eq!(record.ring_s, None);
    assert_eq!(record.inbound_trunk.as_deref(), Some("CarrierA"));
    assert_eq!(record.outbound_trunk, None, "empty trunk name is absent");
    assert_eq!(record.did.as_deref(), Some("8800"));
    assert_eq!(
        record.recording,
        Some(RecordingRef(
            "20260101090000-1767258000.23-5550199-1005-Inbound.wav".into()
        ))
    );
}

#[test]
fn cdr_status_and_type_are_case_insensitive() {
    let text = r#"{"type":30012,"msg":{"call_id":"9.1","time_start":"2026-07-01 12:00:00","call_from":"1004","call_to":"1005","status":"answerd","type":"internal","recording":""}}"#;
    let PbxEvent::CallEnded(record) = parse(text) else {
        panic!("not a CDR");
    };
    assert_eq!(record.disposition, CallStatus::Answered);
    assert_eq!(record.direction, CallDirection::Internal);
    // Summer time: UTC+2.
    assert_eq!(
        record.started_at,
        Utc.with_ymd_and_hms(2026, 7, 1, 10, 0, 0).unwrap()
    );
    assert_eq!(record.recording, None);
    assert_eq!(record.duration_s, None, "absent stays absent");
    let failed = text.replace("answerd", "FAILED");
    let PbxEvent::CallEnded(record) = parse(&failed) else {
        panic!("not a CDR");
    };
    assert_eq!(record.disposition, CallStatus::Failed);
}

#[test]
fn cdr_with_bad_time_is_malformed() {
    let text = r#"{"type":30012,"msg":{"call_id":"9.1","time_start":"01/07/2026 12:00"}}"#;
    let err = parse_event(text, TZ).expect_err("bad time");
    assert!(err.0.contains("time_start"), "{err}");
}

#[test]
fn numeric_call_id_keeps_its_text() {
    let text = r#"{"type":30011,"msg":{"call_id":1767258000.10,"members":[]}}"#;
    assert_eq!(parse(text).call_id(), Some(&CallId::from("1767258000.10")));
}

#[test]
fn call_failed_with_null_members_and_odd_case() {
    let text = r#"{"type":30015,"sn":"x","msg":"{\"call_id\":\"1767258100.000012\",\"reason\":\"486 Busy Here\",\"members\":null}"}"#;
    assert_eq!(
        parse(text),
        PbxEvent::CallFailed {
            call_id: CallId::from("1767258100.000012"),
            reason: "486 Busy here".into(),
            participants: vec![],
        }
    );
    assert_eq!(failure_reason(" no dial permission "), "NO Dial Permission");
    assert_eq!(failure_reason("Something New"), "Something New");
}

#[test]
fn call_failed_with_members() {
    let text = r#"{"type":30015,"msg":{"call_id":"5.1","reason":"NO Dial Permission","members":[{"extension":{"number":"1005","channel_id":"PJSIP/1005-1","member_status":"BYE"}}]}}"#;
    let PbxEvent::CallFailed { participants, .. } = parse(text) else {
        panic!("not a failure");
    };
    assert_eq!(participants.len(), 1);
    assert_eq!(participants[0].state, LegState::Gone);
}

#[test]
fn transfer_and_forward() {
    let body = r#"{"call_id":"7.1","members":[{"outbound":{"from":"1005","to":"5550199","trunk_name":"CarrierA","channel_id":"PJSIP/trunk-CarrierA-endpoint-01","member_status":"EARLYMEDIA","call_path":"6400"}}]}"#;
    let transfer = format!(r#"{{"type":30013,"msg":{body}}}"#);
    let PbxEvent::CallTransferred(snap) = parse(&transfer) else {
        panic!("not a transfer");
    };
    let member = &snap.participants[0];
    assert!(matches!(
        &member.participant,
        Participant::External { number, inbound: false, .. } if number == "5550199"
    ));
    assert_eq!(member.state, LegState::EarlyMedia);
    assert_eq!(member.via.as_deref(), Some("6400"));
    // 30014's field table has no `type`, but frames carry one.
    let forward = format!(r#"{{"type":30014,"msg":{body}}}"#);
    assert!(matches!(parse(&forward), PbxEvent::CallForwarded(_)));
}

#[test]
fn extension_state() {
    let text = r#"{"type":30008,"sn":"x","msg":"{\"extension\":\"1005\",\"status\":\"Ringing\"}"}"#;
    assert_eq!(
        parse(text),
        PbxEvent::ExtensionState {
            extension: "1005".into(),
            state: ExtensionCallState::Ringing,
        }
    );
}

#[test]
fn unknown_types_and_members_are_skipped() {
    let presence =
        r#"{"type":30009,"sn":"x","msg":"{\"extension\":\"1005\",\"status\":\"away\"}"}"#;
    assert_eq!(parse_event(presence, TZ).expect("valid"), None);
    let agent = r#"{"type":30026,"msg":{"queue_number":"6400"}}"#;
    assert_eq!(parse_event(agent, TZ).expect("valid"), None);
    let odd_member = r#"{"type":30011,"msg":{"call_id":"1.1","members":[{"queue":{"number":"6400"}},{"extension":{"number":"1005","channel_id":"c","member_status":"RING"}}]}}"#;
    let PbxEvent::CallState(snap) = parse(odd_member) else {
        panic!("not a call state");
    };
    assert_eq!(snap.participants.len(), 1);
    // A repeated key is one key, its last value read (as a JSON map would).
    let repeated = r#"{"type":30011,"msg":{"call_id":"1.1","members":[{"extension":{"number":"1004"},"extension":{"number":"1005","channel_id":"c","member_status":"RING"}}]}}"#;
    let PbxEvent::CallState(snap) = parse(repeated) else {
        panic!("not a call state");
    };
    assert_eq!(snap.participants[0].participant.extension(), Some("1005"));
}

#[test]
fn malformed_inputs_have_reasons() {
    let cases = [
        ("not json", "not an event envelope"),
        (r#"{"type":30011,"msg":"{\"members\":[]}"}"#, "call_id"),
        (
            r#"{"type":30011,"msg":{"call_id":"1","members":[{}]}}"#,
            "exactly one key",
        ),
        (
            r#"{"type":30011,"msg":{"call_id":"1","members":[{"extension":{},"inbound":{}}]}}"#,
            "exactly one key",
        ),
        (
            r#"{"type":30011,"msg":{"call_id":"1","members":[[1]]}}"#,
            "bad member",
        ),
        (
            r#"{"type":30011,"msg":{"call_id":"1","members":[{"extension":{"number":"1"}}]}}"#,
            "bad `extension` member",
        ),
        (r#"{"type":"abc","msg":{}}"#, "not a number"),
        (
            r#"{"type":30011,"msg":{"call_id":"","members":[]}}"#,
            "empty `call_id`",
        ),
    ];
    for (text, expected) in cases {
        let err = parse_event(text, TZ).expect_err(text);
        assert!(err.0.contains(expected), "{text}: {err}");
    }
}

#[test]
fn local_time_edges() {
    // Autumn overlap in Berlin (02:30 happens twice): the earlier instant.
    let overlap = pbx_local_time("2026-10-25 02:30:00", TZ).expect("valid");
    assert_eq!(
        overlap,
        Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()
    );
    // Spring gap (02:30 does not exist): the first instant after it.
    let gap = pbx_local_time("2026-03-29 02:30:00", TZ).expect("valid");
    assert_eq!(gap, Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap());
    assert_eq!(pbx_local_time("2026-13-01 00:00:00", TZ), None);
}
