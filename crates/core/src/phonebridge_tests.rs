//! The plan fed by the real tracker, so the update sequences are the ones
//! the engine sees.

use chrono::{TimeZone, Utc};

use super::*;
use crate::crm::CrmUser;
use crate::pbx::{
    CallRecord, CallSnapshot, LegState, Participant, ParticipantState, PbxEvent, RecordingRef,
};
use crate::tracker::CallTracker;

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

fn outside(number: &str, inbound: bool, state: LegState) -> ParticipantState {
    ParticipantState {
        participant: Participant::External {
            number: number.into(),
            dialed: "8800".into(),
            trunk: "CarrierA".into(),
            channel: format!("PJSIP/trunk-{number}"),
            inbound,
        },
        state,
        via: None,
    }
}

fn caller(state: LegState) -> ParticipantState {
    outside("+14155550100", true, state)
}

fn callee(state: LegState) -> ParticipantState {
    outside("+14155550100", false, state)
}

fn frame(members: Vec<ParticipantState>) -> PbxEvent {
    PbxEvent::CallState(CallSnapshot {
        call_id: "7.1".into(),
        participants: members,
    })
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
}

fn end(direction: CallDirection, disposition: CallStatus, to: &str) -> PbxEvent {
    let answered = disposition == CallStatus::Answered;
    PbxEvent::CallEnded(Box::new(CallRecord {
        call_id: "7.1".into(),
        leg_id: None,
        started_at: start(),
        direction,
        disposition,
        from_number: "+14155550100".into(),
        from_name: None,
        to_number: to.into(),
        to_name: None,
        duration_s: Some(75),
        ring_s: Some(13),
        talk_s: Some(if answered { 62 } else { 0 }),
        inbound_trunk: None,
        outbound_trunk: None,
        did: None,
        recording: answered.then(|| RecordingRef("rec-7.1.wav".into())),
    }))
}

/// 1001–1003 are mapped to u1–u3; 1009 is not.
fn users() -> UserMap {
    let mut map = UserMap::default();
    for n in 1..=3 {
        map.set_manual(
            &format!("100{n}"),
            &CrmUser {
                id: format!("u{n}"),
                email: None,
                name: format!("Agent {n}"),
                active: true,
            },
        );
    }
    map
}

fn play_with(config: &PlanConfig, events: Vec<PbxEvent>) -> Vec<PbNotification> {
    let (mut tracker, mut plan, users) = (CallTracker::new(), NotifyPlan::new(), users());
    let at = start();
    let out: Vec<_> = events
        .iter()
        .flat_map(|e| tracker.apply(e, at))
        .flat_map(|u| plan.apply(&u, &users, config, at))
        .collect();
    assert!(plan.is_empty(), "the end forgets the call");
    out
}

fn play(events: Vec<PbxEvent>) -> Vec<PbNotification> {
    play_with(&PlanConfig::default(), events)
}

/// `id extension state` per notification, e.g. `7.1 1001 ringing`.
fn summary(ns: &[PbNotification]) -> Vec<String> {
    ns.iter()
        .map(|n| {
            let state = match &n.state {
                PbState::Ringing {
                    transferred_from: Some(t),
                } => format!("ringing from {t}"),
                PbState::Ringing { .. } => "ringing".into(),
                PbState::Answered => "answered".into(),
                PbState::Ended { duration_s, .. } => format!("ended {duration_s}"),
                PbState::Missed { .. } => "missed".into(),
                PbState::Unattended { reason, .. } => format!("{reason:?}"),
                PbState::DialFailed { reason, .. } => format!("dial failed {reason:?}"),
            };
            format!("{} {} {state}", n.leg_id, n.extension)
        })
        .collect()
}

fn terminals(ns: &[PbNotification]) -> usize {
    ns.iter().filter(|n| n.is_terminal()).count()
}

fn ring_group(answer: Option<&str>) -> Vec<PbxEvent> {
    let mut events = vec![frame(vec![
        caller(LegState::Alerting),
        ext("1001", LegState::Ringing),
        ext("1002", LegState::Ringing),
        ext("1009", LegState::Ringing),
    ])];
    let disposition = match answer {
        Some(a) => {
            let others = ["1001", "1002", "1009"].into_iter().filter(|e| *e != a);
            let mut members = vec![caller(LegState::Answered), ext(a, LegState::Talking)];
            members.extend(others.map(|e| ext(e, LegState::Gone)));
            events.push(frame(members));
            CallStatus::Answered
        }
        None => CallStatus::NoAnswer,
    };
    events.push(end(
        CallDirection::Inbound,
        disposition,
        answer.unwrap_or("6300"),
    ));
    events
}

#[test]
fn inbound_answered_rings_answers_and_ends_once() {
    let ns = play(vec![
        frame(vec![
            caller(LegState::Alerting),
            ext("1001", LegState::Ringing),
        ]),
        frame(vec![
            caller(LegState::Answered),
            ext("1001", LegState::Talking),
        ]),
        frame(vec![caller(LegState::Gone), ext("1001", LegState::Gone)]),
        end(CallDirection::Inbound, CallStatus::Answered, "1001"),
    ]);
    assert_eq!(
        summary(&ns),
        ["7.1 1001 ringing", "7.1 1001 answered", "7.1 1001 ended 62"]
    );
    let last = ns.last().unwrap();
    assert_eq!(last.from_to(), ("+14155550100", "1001"));
    assert_eq!(
        (last.direction, last.zoho_user.as_str()),
        (PbDirection::Received, "u1")
    );
    assert_eq!(
        last.state,
        PbState::Ended {
            start: start(),
            duration_s: 62,
            recording: true
        }
    );
}

#[test]
fn inbound_missed_is_one_missed() {
    let ns = play(vec![
        frame(vec![
            caller(LegState::Alerting),
            ext("1002", LegState::Ringing),
        ]),
        frame(vec![caller(LegState::Gone), ext("1002", LegState::Gone)]),
        end(CallDirection::Inbound, CallStatus::NoAnswer, "1002"),
    ]);
    assert_eq!(summary(&ns), ["7.1 1002 ringing", "7.1 1002 missed"]);
}

#[test]
fn ring_group_answered_logs_only_on_the_answering_leg() {
    let ns = play(ring_group(Some("1002")));
    assert_eq!(
        summary(&ns),
        [
            "7.1 1001 ringing",
            "7.1 1002 ringing",
            "7.1 1002 answered",
            "7.1 1002 ended 62"
        ],
        "the unmapped 1009 is never notified; 1001 gets nothing that logs"
    );
    assert_eq!(terminals(&ns), 1);
}

#[test]
fn ring_group_unanswered_is_one_missed_for_the_first_mapped_agent_or_the_owner() {
    let ns = play(ring_group(None));
    assert_eq!(
        summary(&ns),
        ["7.1 1001 ringing", "7.1 1002 ringing", "7.1 1001 missed"]
    );
    let config = PlanConfig {
        group_missed_owner: Some("u3".into()),
        ..PlanConfig::default()
    };
    let ns = play_with(&config, ring_group(None));
    let last = ns.last().unwrap();
    assert_eq!(terminals(&ns), 1);
    assert_eq!(
        (last.leg_id.as_str(), last.zoho_user.as_str()),
        ("7.1", "u3"),
        "the agents' shared id, so every pop closes"
    );
}

#[test]
fn queue_agents_ringing_in_turn_log_once() {
    let ns = play(vec![
        frame(vec![
            caller(LegState::Alerting),
            ext("1001", LegState::Ringing),
        ]),
        frame(vec![
            ext("1001", LegState::Gone),
            ext("1003", LegState::Ringing),
        ]),
        // The queue tries 1001 again: no second pop for the same leg.
        frame(vec![
            ext("1003", LegState::Gone),
            ext("1001", LegState::Ringing),
        ]),
        frame(vec![
            caller(LegState::Answered),
            ext("1001", LegState::Talking),
        ]),
        end(CallDirection::Inbound, CallStatus::Answered, "1001"),
    ]);
    assert_eq!(
        summary(&ns),
        [
            "7.1 1001 ringing",
            "7.1 1003 ringing",
            "7.1 1001 answered",
            "7.1 1001 ended 62"
        ]
    );
}

#[test]
fn blind_transfer_carries_the_original_leg_and_logs_for_the_last_talker() {
    let ns = play(vec![
        frame(vec![
            caller(LegState::Alerting),
            ext("1001", LegState::Ringing),
        ]),
        frame(vec![
            caller(LegState::Answered),
            ext("1001", LegState::Talking),
        ]),
        PbxEvent::CallTransferred(CallSnapshot {
            call_id: "7.1".into(),
            participants: vec![ext("1001", LegState::Gone), ext("1002", LegState::Ringing)],
        }),
        frame(vec![ext("1002", LegState::Talking)]),
        end(CallDirection::Inbound, CallStatus::Answered, "1002"),
    ]);
    assert_eq!(
        summary(&ns),
        [
            "7.1 1001 ringing",
            "7.1 1001 answered",
            "7.1-1002 1002 ringing from 7.1",
            "7.1-1002 1002 answered",
            "7.1-1002 1002 ended 62"
        ]
    );
    let first = PlanConfig {
        owner: OwnerPolicy::FirstTalker,
        ..PlanConfig::default()
    };
    let ns = play_with(
        &first,
        vec![
            frame(vec![
                caller(LegState::Alerting),
                ext("1001", LegState::Ringing),
            ]),
            frame(vec![
                caller(LegState::Answered),
                ext("1001", LegState::Talking),
            ]),
            frame(vec![
                ext("1001", LegState::Gone),
                ext("1009", LegState::Ringing),
            ]),
            frame(vec![ext("1009", LegState::Talking)]),
            end(CallDirection::Inbound, CallStatus::Answered, "1009"),
        ],
    );
    assert_eq!(
        summary(&ns).last().map(String::as_str),
        Some("7.1 1001 ended 62")
    );
    // Handed over to a mapped agent: the log is the first talker's, on the
    // id the call was handed over to (which closes it in Zoho).
    let ns = play_with(
        &first,
        vec![
            frame(vec![
                caller(LegState::Alerting),
                ext("1001", LegState::Ringing),
            ]),
            frame(vec![
                caller(LegState::Answered),
                ext("1001", LegState::Talking),
            ]),
            frame(vec![
                ext("1001", LegState::Gone),
                ext("1002", LegState::Ringing),
            ]),
            frame(vec![ext("1002", LegState::Talking)]),
            end(CallDirection::Inbound, CallStatus::Answered, "1002"),
        ],
    );
    assert_eq!(
        summary(&ns).last().map(String::as_str),
        Some("7.1-1002 1001 ended 62")
    );
}

fn outbound(answered: Option<CallStatus>) -> Vec<PbNotification> {
    let mut events = vec![frame(vec![
        ext("1003", LegState::Alerting),
        callee(LegState::Ringing),
    ])];
    let disposition = answered.unwrap_or(CallStatus::Answered);
    if disposition == CallStatus::Answered {
        events.push(frame(vec![
            ext("1003", LegState::Answered),
            callee(LegState::Talking),
        ]));
    }
    events.push(end(CallDirection::Outbound, disposition, "+14155550100"));
    play(events)
}

#[test]
fn outbound_answered_dials_answers_and_ends() {
    let ns = outbound(None);
    assert_eq!(
        summary(&ns),
        ["7.1 1003 ringing", "7.1 1003 answered", "7.1 1003 ended 62"]
    );
    assert!(ns.iter().all(|n| n.direction == PbDirection::Dialed));
    assert_eq!(ns[2].from_to(), ("1003", "+14155550100"));
}

#[test]
fn outbound_unanswered_or_busy_is_one_unattended_state() {
    // Caught from the record alone (the caller's phone never rang).
    let mut ns = outbound(Some(CallStatus::NoAnswer));
    assert_eq!(summary(&ns), ["7.1 1003 NoAnswer"]);
    ns = outbound(Some(CallStatus::Busy));
    assert_eq!(summary(&ns), ["7.1 1003 Busy"]);
    assert_eq!(
        ns[0].state,
        PbState::Unattended {
            reason: PbUnattended::Busy,
            start: start()
        }
    );
}

#[test]
fn unmapped_agents_and_internal_calls_are_ignored() {
    let ns = play(vec![
        frame(vec![
            caller(LegState::Alerting),
            ext("1009", LegState::Ringing),
        ]),
        frame(vec![
            caller(LegState::Answered),
            ext("1009", LegState::Talking),
        ]),
        end(CallDirection::Inbound, CallStatus::Answered, "1009"),
    ]);
    assert!(ns.is_empty(), "{ns:?}");
    let ns = play(vec![
        frame(vec![
            ext("1001", LegState::Alerting),
            ext("1002", LegState::Ringing),
        ]),
        frame(vec![
            ext("1001", LegState::Answered),
            ext("1002", LegState::Talking),
        ]),
        end(CallDirection::Internal, CallStatus::Answered, "1002"),
    ]);
    assert!(ns.is_empty(), "{ns:?}");
}

#[test]
fn a_mapped_agent_picking_up_stays_inbound_and_skipped_calls_get_no_terminal() {
    let ns = play(vec![
        frame(vec![
            caller(LegState::Alerting),
            ext("1009", LegState::Ringing),
        ]),
        frame(vec![
            caller(LegState::Answered),
            ext("1009", LegState::Gone),
            ext("1002", LegState::Talking),
        ]),
        end(CallDirection::Inbound, CallStatus::Answered, "1002"),
    ]);
    assert!(ns.iter().all(|n| n.direction == PbDirection::Received));
    assert_eq!(
        summary(&ns),
        ["7.1 1002 ringing", "7.1 1002 answered", "7.1 1002 ended 62"]
    );
    let no_missed = PlanConfig {
        logging: LoggingPolicy {
            inbound_missed: false,
            ..LoggingPolicy::default()
        },
        ..PlanConfig::default()
    };
    let ns = play_with(&no_missed, ring_group(None));
    assert_eq!(terminals(&ns), 0);
}

#[test]
fn notifications_survive_json_and_stale_calls_expire() {
    let ns = play(ring_group(Some("1001")));
    let json = serde_json::to_string(&ns).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<PbNotification>>(&json).unwrap(),
        ns
    );

    let (mut tracker, mut plan) = (CallTracker::new(), NotifyPlan::new());
    for u in tracker.apply(&ring_group(None)[0], start()) {
        plan.apply(&u, &users(), &PlanConfig::default(), start());
    }
    assert_eq!(plan.len(), 1);
    assert_eq!(plan.expire(start()), 0);
    assert_eq!(plan.expire(start() + chrono::Duration::seconds(1)), 1);
}
