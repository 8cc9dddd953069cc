use chrono::{TimeZone, Utc};

use super::*;
use crate::pbx::{CallSnapshot, ParticipantState};

fn ext(number: &str, state: LegState) -> ParticipantState {
    ParticipantState {
        participant: Participant::Extension {
            number: number.into(),
            channel: format!("PJSIP/{number}-01"),
        },
        state,
        via: None,
    }
}

fn via(mut p: ParticipantState, group: &str) -> ParticipantState {
    p.via = Some(group.into());
    p
}

fn caller(number: &str, state: LegState) -> ParticipantState {
    ParticipantState {
        participant: Participant::External {
            number: number.into(),
            dialed: "8800".into(),
            trunk: "CarrierA".into(),
            channel: format!("PJSIP/trunk-{number}"),
            inbound: true,
        },
        state,
        via: None,
    }
}

fn callee(number: &str, state: LegState) -> ParticipantState {
    ParticipantState {
        participant: Participant::External {
            number: number.into(),
            dialed: number.into(),
            trunk: "CarrierA".into(),
            channel: format!("PJSIP/trunk-out-{number}"),
            inbound: false,
        },
        state,
        via: None,
    }
}

fn frame(id: &str, members: Vec<ParticipantState>) -> PbxEvent {
    PbxEvent::CallState(CallSnapshot {
        call_id: id.into(),
        participants: members,
    })
}

fn record(
    id: &str,
    direction: CallDirection,
    disposition: CallStatus,
    from: &str,
    to: &str,
) -> PbxEvent {
    PbxEvent::CallEnded(Box::new(CallRecord {
        call_id: id.into(),
        leg_id: None,
        started_at: Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap(),
        direction,
        disposition,
        from_number: from.into(),
        from_name: None,
        to_number: to.into(),
        to_name: None,
        duration_s: Some(75),
        ring_s: Some(13),
        talk_s: Some(62),
        inbound_trunk: None,
        outbound_trunk: None,
        did: None,
        recording: None,
    }))
}

fn play(tracker: &mut CallTracker, events: Vec<PbxEvent>) -> Vec<CallUpdate> {
    let at = Utc::now();
    events.iter().flat_map(|e| tracker.apply(e, at)).collect()
}

fn ended(updates: &[CallUpdate]) -> &CallOutcome {
    updates
        .iter()
        .find_map(|u| match u {
            CallUpdate::Ended(o) => Some(o.as_ref()),
            _ => None,
        })
        .expect("an Ended update")
}

#[test]
fn inbound_answered_pops_then_ends_with_the_answering_owner() {
    let mut t = CallTracker::new();
    let updates = play(
        &mut t,
        vec![
            frame(
                "1.1",
                vec![
                    caller("5550199", LegState::Alerting),
                    ext("1005", LegState::Ringing),
                ],
            ),
            frame(
                "1.1",
                vec![
                    caller("5550199", LegState::Answered),
                    ext("1005", LegState::Talking),
                ],
            ),
            frame(
                "1.1",
                vec![
                    caller("5550199", LegState::Gone),
                    ext("1005", LegState::Gone),
                ],
            ),
            record(
                "1.1",
                CallDirection::Inbound,
                CallStatus::Answered,
                "5550199",
                "1005",
            ),
        ],
    );
    assert_eq!(
        updates[0],
        CallUpdate::Ringing {
            call_id: "1.1".into(),
            extension: "1005".into(),
            other_party: Some("5550199".into()),
            direction: CallDirection::Inbound
        }
    );
    assert!(matches!(&updates[1], CallUpdate::Answered { extension, .. } if extension == "1005"));
    assert!(matches!(&updates[2], CallUpdate::Left { extension, .. } if extension == "1005"));
    let outcome = ended(&updates);
    assert!(outcome.answered);
    assert_eq!(outcome.other_party.as_deref(), Some("5550199"));
    assert_eq!(outcome.owner(OwnerPolicy::LastTalker), Some("1005"));
    assert!(t.is_empty(), "the ended call is forgotten");
}

#[test]
fn ring_group_answered_by_one_agent_closes_the_others_and_logs_once() {
    let mut t = CallTracker::new();
    let updates = play(
        &mut t,
        vec![
            frame(
                "2.1",
                vec![
                    caller("5550199", LegState::Alerting),
                    via(ext("1001", LegState::Ringing), "6300"),
                    via(ext("1002", LegState::Ringing), "6300"),
                    via(ext("1003", LegState::Ringing), "6300"),
                ],
            ),
            frame(
                "2.1",
                // The answering agent listed last, as some firmware orders it.
                vec![
                    caller("5550199", LegState::Answered),
                    via(ext("1001", LegState::Gone), "6300"),
                    via(ext("1003", LegState::Gone), "6300"),
                    via(ext("1002", LegState::Talking), "6300"),
                ],
            ),
            frame(
                "2.1",
                vec![
                    caller("5550199", LegState::Gone),
                    via(ext("1002", LegState::Gone), "6300"),
                ],
            ),
            record(
                "2.1",
                CallDirection::Inbound,
                CallStatus::Answered,
                "5550199",
                "1002",
            ),
        ],
    );
    let stopped: Vec<_> = updates
        .iter()
        .filter_map(|u| match u {
            CallUpdate::RingStopped {
                extension,
                answered_elsewhere: true,
                ..
            } => Some(extension.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(stopped, ["1001", "1003"]);
    let outcomes = updates
        .iter()
        .filter(|u| matches!(u, CallUpdate::Ended(_)))
        .count();
    assert_eq!(outcomes, 1);
    let outcome = ended(&updates);
    assert_eq!(outcome.rang, ["1001", "1002", "1003"]);
    assert_eq!(outcome.owner(OwnerPolicy::LastTalker), Some("1002"));
    assert_eq!(outcome.via.as_deref(), Some("6300"));
}

#[test]
fn ring_group_nobody_answered_is_one_missed_call_without_an_owner() {
    let mut t = CallTracker::new();
    let updates = play(
        &mut t,
        vec![
            frame(
                "3.1",
                vec![
                    caller("5550199", LegState::Alerting),
                    ext("1001", LegState::Ringing),
                    ext("1002", LegState::Ringing),
                ],
            ),
            record(
                "3.1",
                CallDirection::Inbound,
                CallStatus::NoAnswer,
                "5550199",
                "6300",
            ),
        ],
    );
    let outcome = ended(&updates);
    assert!(!outcome.answered);
    assert_eq!(
        outcome.owner(OwnerPolicy::LastTalker),
        None,
        "the missed-call setting decides"
    );
    let stopped = updates
        .iter()
        .filter(|u| {
            matches!(
                u,
                CallUpdate::RingStopped {
                    answered_elsewhere: false,
                    ..
                }
            )
        })
        .count();
    assert_eq!(stopped, 2, "both pops close when the record arrives");
}

#[test]
fn blind_transfer_keeps_the_caller_and_owner_follows_policy() {
    let mut t = CallTracker::new();
    let updates = play(
        &mut t,
        vec![
            frame(
                "4.1",
                vec![
                    caller("5550199", LegState::Alerting),
                    ext("1005", LegState::Ringing),
                ],
            ),
            frame(
                "4.1",
                vec![
                    caller("5550199", LegState::Answered),
                    ext("1005", LegState::Talking),
                ],
            ),
            PbxEvent::CallTransferred(CallSnapshot {
                call_id: "4.1".into(),
                participants: vec![
                    caller("5550199", LegState::Answered),
                    ext("1006", LegState::Ringing),
                    ext("1005", LegState::Gone),
                ],
            }),
            frame("4.1", vec![ext("1006", LegState::Talking)]),
            frame(
                "4.1",
                vec![
                    caller("5550199", LegState::Gone),
                    ext("1006", LegState::Gone),
                ],
            ),
            record(
                "4.1",
                CallDirection::Inbound,
                CallStatus::Answered,
                "5550199",
                "1006",
            ),
        ],
    );
    assert!(updates.iter().any(|u| matches!(u, CallUpdate::Ringing { extension, other_party: Some(n), .. } if extension == "1006" && n == "5550199")));
    let outcome = ended(&updates);
    assert_eq!(outcome.talked, ["1005", "1006"]);
    assert_eq!(outcome.owner(OwnerPolicy::LastTalker), Some("1006"));
    assert_eq!(outcome.owner(OwnerPolicy::FirstTalker), Some("1005"));
    assert_eq!(outcome.other_party.as_deref(), Some("5550199"));
}

#[test]
fn outbound_unanswered_is_owned_by_the_caller() {
    let mut t = CallTracker::new();
    let updates = play(
        &mut t,
        vec![
            frame(
                "5.1",
                vec![
                    ext("1005", LegState::Alerting),
                    callee("5550123", LegState::Ringing),
                ],
            ),
            frame(
                "5.1",
                vec![
                    ext("1005", LegState::Gone),
                    callee("5550123", LegState::Gone),
                ],
            ),
            record(
                "5.1",
                CallDirection::Outbound,
                CallStatus::NoAnswer,
                "1005",
                "5550123",
            ),
        ],
    );
    let outcome = ended(&updates);
    assert!(!outcome.answered);
    assert_eq!(outcome.direction, CallDirection::Outbound);
    assert_eq!(outcome.other_party.as_deref(), Some("5550123"));
    assert_eq!(outcome.owner(OwnerPolicy::LastTalker), Some("1005"));
}

#[test]
fn an_internal_call_is_owned_by_its_caller() {
    let mut t = CallTracker::new();
    let updates = play(
        &mut t,
        vec![
            frame(
                "6.1",
                vec![
                    ext("1004", LegState::Alerting),
                    ext("1006", LegState::Ringing),
                ],
            ),
            frame(
                "6.1",
                vec![
                    ext("1004", LegState::Talking),
                    ext("1006", LegState::Talking),
                ],
            ),
            frame(
                "6.1",
                vec![ext("1004", LegState::Gone), ext("1006", LegState::Gone)],
            ),
            record(
                "6.1",
                CallDirection::Internal,
                CallStatus::Answered,
                "1004",
                "1006",
            ),
        ],
    );
    let outcome = ended(&updates);
    assert_eq!(outcome.direction, CallDirection::Internal);
    assert_eq!(outcome.other_party, None);
    // Filed as the caller's outgoing call, whoever talked last.
    assert_eq!(outcome.owner(OwnerPolicy::LastTalker), Some("1004"));
    assert_eq!(outcome.owner(OwnerPolicy::FirstTalker), Some("1004"));
}

#[test]
fn a_call_known_only_from_its_record_still_has_an_owner() {
    let mut t = CallTracker::new();
    let inbound = play(
        &mut t,
        vec![record(
            "6.1",
            CallDirection::Inbound,
            CallStatus::Answered,
            "5550199",
            "1005",
        )],
    );
    assert_eq!(ended(&inbound).owner(OwnerPolicy::LastTalker), Some("1005"));
    let outbound = play(
        &mut t,
        vec![record(
            "6.2",
            CallDirection::Outbound,
            CallStatus::Answered,
            "1007",
            "5550123",
        )],
    );
    assert_eq!(
        ended(&outbound).owner(OwnerPolicy::LastTalker),
        Some("1007")
    );
    assert_eq!(ended(&outbound).talked, ["1007"]);
}

#[test]
fn an_answer_missed_by_the_stream_is_taken_from_the_record() {
    // The socket dropped while the queue rang three agents; the answer and
    // the hang-up reach ringbridge only as the call record.
    let mut t = CallTracker::new();
    let updates = play(
        &mut t,
        vec![
            frame(
                "6.3",
                vec![
                    caller("5550199", LegState::Alerting),
                    via(ext("201", LegState::Ringing), "610"),
                    via(ext("202", LegState::Ringing), "610"),
                    via(ext("203", LegState::Ringing), "610"),
                ],
            ),
            record(
                "6.3",
                CallDirection::Inbound,
                CallStatus::Answered,
                "5550199",
                "202",
            ),
        ],
    );
    let outcome = ended(&updates);
    assert!(outcome.answered);
    assert_eq!(outcome.talked, ["202"]);
    assert_eq!(outcome.rang, ["201", "202", "203"]);
    assert_eq!(outcome.owner(OwnerPolicy::LastTalker), Some("202"));
    assert_eq!(outcome.via.as_deref(), Some("610"));
}

#[test]
fn two_overlapping_calls_from_one_number_stay_two_calls() {
    let mut t = CallTracker::new();
    play(
        &mut t,
        vec![
            frame(
                "7.1",
                vec![
                    caller("5550199", LegState::Alerting),
                    ext("1001", LegState::Ringing),
                ],
            ),
            frame(
                "7.2",
                vec![
                    caller("5550199", LegState::Alerting),
                    ext("1002", LegState::Ringing),
                ],
            ),
        ],
    );
    assert_eq!(t.len(), 2);
    let first = play(
        &mut t,
        vec![record(
            "7.1",
            CallDirection::Inbound,
            CallStatus::Answered,
            "5550199",
            "1001",
        )],
    );
    assert_eq!(ended(&first).rang, ["1001"]);
    assert_eq!(t.len(), 1);
}

#[test]
fn stale_calls_expire() {
    let mut t = CallTracker::new();
    let long_ago = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    t.apply(
        &frame("8.1", vec![ext("1001", LegState::Ringing)]),
        long_ago,
    );
    assert_eq!(t.expire(long_ago + chrono::Duration::hours(1)), 1);
    assert!(t.is_empty());
}

#[test]
fn a_failure_is_reported_even_for_a_call_never_seen_live() {
    let mut tracker = CallTracker::new();
    let failed = PbxEvent::CallFailed {
        call_id: CallId("7.000009".into()),
        reason: "NO Dial Permission".into(),
        participants: Vec::new(),
    };
    let updates = tracker.apply(&failed, Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap());
    assert_eq!(
        updates,
        [CallUpdate::Failed {
            call_id: CallId("7.000009".into()),
            reason: "NO Dial Permission".into(),
        }]
    );
    assert!(tracker.is_empty(), "nothing to follow");
}
