//! The disputed terminal PhoneBridge states (`missed` and the six dialed unattended
//! states) against both simulator modes: "as documented" logs them as sent, "as
//! observed live" refuses them and the client falls back to `ended` with duration 0.

use chrono::{DateTime, Utc};
use ringbridge_sim_zoho::{Module, PhoneBridgeStrictness, SimConfig, SimZoho};
use ringbridge_zoho::phonebridge::{
    CallNotify, CallState, Direction, PhoneBridgeClient, Unattended,
};
use ringbridge_zoho::{ErrorCode, ZohoConnection};
use serde_json::Value;

use crate::sim::{connect, options};
use crate::sim_pb::integrate_first_user;

/// Every dialed unattended state of `outgoing-unattended.html`.
const UNATTENDED: [Unattended; 6] = [
    Unattended::Busy,
    Unattended::Invalid,
    Unattended::Blocked,
    Unattended::NotAvailable,
    Unattended::NoAnswer,
    Unattended::Rejected,
];

const AGENT: &str = "+14155550199";
const CUSTOMER: &str = "+14155550100";

/// An integrated org with the first user registered for click-to-dial (which
/// notifications need).
async fn ready(sim: &SimZoho) -> (ZohoConnection, PhoneBridgeClient, String) {
    let (conn, _) = connect(sim, options()).await;
    let pb = conn.phonebridge();
    let zohouser = integrate_first_user(&pb).await;
    (conn, pb, zohouser)
}

fn dialed(id: &str, reason: Unattended, start: DateTime<Utc>, user: &str) -> CallNotify {
    CallNotify {
        direction: Direction::Dialed,
        state: CallState::Unattended {
            reason,
            start,
            voice_uri: None,
        },
        id: id.into(),
        from: AGENT.into(),
        to: CUSTOMER.into(),
        zohouser: Some(user.into()),
    }
}

fn missed(id: &str, start: DateTime<Utc>, user: &str) -> CallNotify {
    CallNotify {
        direction: Direction::Received,
        state: CallState::Missed {
            start,
            voice_uri: None,
        },
        id: id.into(),
        from: CUSTOMER.into(),
        to: AGENT.into(),
        zohouser: Some(user.into()),
    }
}

/// The Calls record the simulator built from the last notification.
fn logged_call(sim: &SimZoho) -> Value {
    let n = sim.notifications();
    let last = n.last().expect("a notification");
    let id = last
        .call_id
        .as_deref()
        .expect("the terminal event logged a call");
    sim.record(Module::Calls, id).expect("record")
}

fn field<'a>(rec: &'a Value, name: &str) -> Option<&'a str> {
    rec.get(name).and_then(Value::as_str)
}

fn start_of(rec: &Value) -> DateTime<Utc> {
    let s = field(rec, "Call_Start_Time").expect("Call_Start_Time");
    DateTime::parse_from_rfc3339(s).expect("ISO time").to_utc()
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).expect("time")
}

#[tokio::test]
async fn unattended_states_as_documented() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, pb, user) = ready(&sim).await;
    let start = whole_seconds(Utc::now() - chrono::Duration::minutes(2));
    for (i, reason) in UNATTENDED.into_iter().enumerate() {
        pb.call_notify(&dialed(&format!("u{i}"), reason, start, &user))
            .await
            .expect("accepted as documented");
        let n = sim.notifications();
        let last = n.last().expect("notification");
        assert_eq!(
            (last.param("state"), last.status),
            (Some(reason.as_str()), 200)
        );
        assert_eq!(last.param("duration"), None, "unattended has no duration");
        let rec = logged_call(&sim);
        assert_eq!(field(&rec, "Call_Type"), Some("Outbound"), "{reason:?}");
        let result = match reason {
            Unattended::Invalid | Unattended::Blocked => "Invalid number",
            _ => "No response/Busy",
        };
        assert_eq!(field(&rec, "Call_Result"), Some(result), "{reason:?}");
        assert_eq!(rec.get("Call_Duration"), Some(&Value::Null), "{rec}");
        assert_eq!(start_of(&rec), start);
    }
    assert_eq!(sim.notifications().len(), UNATTENDED.len(), "no re-sends");
    assert!(!conn.quirks().pb_unattended_rejected());
}

#[tokio::test]
async fn unattended_states_as_observed_live_fall_back_to_ended() {
    let sim = SimZoho::start(SimConfig {
        strictness: PhoneBridgeStrictness::ObservedLive,
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let (conn, pb, user) = ready(&sim).await;
    let start = whole_seconds(Utc::now() - chrono::Duration::minutes(2));
    for (i, reason) in UNATTENDED.into_iter().enumerate() {
        let before = sim.notifications().len();
        pb.call_notify(&dialed(&format!("u{i}"), reason, start, &user))
            .await
            .expect("logged through the fallback");
        let n = sim.notifications();
        let sent: Vec<(Option<&str>, Option<&str>, u16)> = n[before..]
            .iter()
            .map(|x| (x.param("state"), x.param("duration"), x.status))
            .collect();
        if i == 0 {
            // The first refusal teaches the client; the quirk is set once `ended` went through.
            assert_eq!(
                sent,
                vec![
                    (Some(reason.as_str()), None, 400),
                    (Some("ended"), Some("0"), 200)
                ]
            );
            assert_eq!(n[before].error_code.as_deref(), Some("INVALID_DATA"));
        } else {
            assert_eq!(sent, vec![(Some("ended"), Some("0"), 200)], "{reason:?}");
        }
        assert!(conn.quirks().pb_unattended_rejected());
        let rec = logged_call(&sim);
        // What the stand-in leaves in the CRM: an outbound call without talk time.
        assert_eq!(field(&rec, "Call_Type"), Some("Outbound"));
        assert_eq!(field(&rec, "Call_Result"), Some("No response/Busy"));
        assert_eq!(rec.get("Call_Duration"), Some(&Value::Null));
        assert_eq!(start_of(&rec), start);
    }
    // `missed` is its own quirk: it is tried as such once more.
    assert!(!conn.quirks().pb_missed_rejected());
    let before = sim.notifications().len();
    pb.call_notify(&missed("m1", start, &user))
        .await
        .expect("missed via fallback");
    assert_eq!(sim.notifications().len(), before + 2);
    assert!(conn.quirks().pb_missed_rejected());
    assert_eq!(field(&logged_call(&sim), "Call_Type"), Some("Missed"));
}

#[tokio::test]
async fn other_refusals_do_not_fall_back() {
    let sim = SimZoho::start(SimConfig {
        strictness: PhoneBridgeStrictness::ObservedLive,
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let (conn, pb, user) = ready(&sim).await;
    let start = Utc::now() - chrono::Duration::minutes(1);
    let calls_before = sim.calls().len();

    // A user never registered for click-to-dial: `missed` is refused first (observed
    // live), then the `ended` stand-in fails with INVALID_USER. That error comes back
    // and the quirk stays unset, since the fallback did not go through.
    let other = sim.user_id("john@zylker.example").expect("seeded user");
    assert_ne!(other, user);
    let e = pb
        .call_notify(&missed("x1", start, &other))
        .await
        .expect_err("unknown user");
    assert_eq!(e.code(), Some(&ErrorCode::InvalidUser));

    pb.unintegrate().await.expect("unintegrate");
    let before = sim.notifications().len();
    let e = pb
        .call_notify(&missed("x2", start, &user))
        .await
        .expect_err("not integrated");
    assert_eq!(e.code(), Some(&ErrorCode::PbxNotIntegrated));
    let e = pb
        .call_notify(&dialed("x3", Unattended::Busy, start, &user))
        .await
        .expect_err("not integrated");
    assert_eq!(e.code(), Some(&ErrorCode::PbxNotIntegrated));
    let states: Vec<Option<String>> = sim.notifications()[before..]
        .iter()
        .map(|x| x.param("state").map(str::to_owned))
        .collect();
    assert_eq!(
        states,
        vec![Some("missed".into()), Some("busy".into())],
        "no `ended` re-send"
    );
    assert!(!conn.quirks().pb_missed_rejected());
    assert!(!conn.quirks().pb_unattended_rejected());
    assert_eq!(sim.calls().len(), calls_before, "nothing was logged");
}
