use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use ringbridge_core::crm::CrmUser;
use ringbridge_core::pbx::{CallDirection, CallRecord, CallStatus, RecordingRef};
use ringbridge_core::phonebridge::PbState;
use ringbridge_core::tracker::{CallOutcome, CallUpdate};

use super::*;

#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<Outgoing>>,
    fail: bool,
    hang: bool,
}

#[async_trait]
impl PhoneBridgeSender for Recorder {
    async fn send(&self, out: &Outgoing) -> Result<(), SendError> {
        if self.hang {
            std::future::pending::<()>().await;
        }
        self.sent.lock().unwrap().push(out.clone());
        if self.fail {
            return Err(SendError::Retryable("503".into()));
        }
        Ok(())
    }
}

struct Links;

impl RecordingLinks for Links {
    fn link(&self, call_key: &str) -> String {
        format!("https://rb.example.com/rec/{call_key}?sig=x")
    }
}

fn plan() -> Arc<FixedPlan> {
    let mut users = UserMap::default();
    let user = CrmUser {
        id: "u1".into(),
        email: None,
        name: "Agent".into(),
        active: true,
    };
    users.set_manual("1001", &user);
    Arc::new(FixedPlan {
        users,
        config: PlanConfig::default(),
    })
}

fn live(update: CallUpdate) -> Ingested {
    Ingested {
        update,
        origin: Origin::Live,
    }
}

fn ringing() -> CallUpdate {
    CallUpdate::Ringing {
        call_id: "9.1".into(),
        extension: "1001".into(),
        other_party: Some("+14155550100".into()),
        direction: CallDirection::Inbound,
    }
}

fn ended() -> CallUpdate {
    CallUpdate::Ended(Box::new(CallOutcome {
        call_id: "9.1".into(),
        direction: CallDirection::Inbound,
        other_party: Some("+14155550100".into()),
        internal_parties: None,
        answered: true,
        initiator: None,
        talked: vec!["1001".into()],
        rang: vec!["1001".into()],
        via: None,
        record: CallRecord {
            call_id: "9.1".into(),
            leg_id: None,
            started_at: Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap(),
            direction: CallDirection::Inbound,
            disposition: CallStatus::Answered,
            from_number: "+14155550100".into(),
            from_name: None,
            to_number: "1001".into(),
            to_name: None,
            duration_s: Some(40),
            ring_s: Some(5),
            talk_s: Some(35),
            inbound_trunk: None,
            outbound_trunk: None,
            did: None,
            recording: Some(RecordingRef("r.wav".into())),
        },
    }))
}

fn notifier(sender: Arc<Recorder>, sink: Arc<MemoryTerminalSink>) -> PhoneBridgeNotifier {
    PhoneBridgeNotifier::new("pbx1", sender, sink, plan())
        .with_live_timeout(Duration::from_millis(50))
}

#[tokio::test]
async fn live_states_go_out_and_the_terminal_is_queued_once() {
    let (sender, sink) = (
        Arc::new(Recorder::default()),
        Arc::new(MemoryTerminalSink::new()),
    );
    let n = notifier(sender.clone(), sink.clone());
    let h = n.handle(&live(ringing())).await;
    assert_eq!((h.sent, h.queued), (1, 0));
    let h = n.handle(&live(ended())).await;
    assert_eq!((h.sent, h.queued), (0, 1));
    assert_eq!(
        n.handle(&live(ended())).await.queued,
        0,
        "a repeat is not queued"
    );
    assert_eq!(
        sender.sent.lock().unwrap().len(),
        1,
        "terminals are never sent live"
    );

    let pending = sink.take_pending();
    assert_eq!(pending.len(), 1);
    let (key, terminal) = &pending[0];
    assert_eq!(key, "pb:pbx1:9.1");
    assert!(matches!(
        terminal.state,
        PbState::Ended { duration_s: 35, .. }
    ));
    deliver_terminal(sender.as_ref(), "pbx1", terminal, Some(&Links))
        .await
        .expect("delivered");
    let sent = sender.sent.lock().unwrap();
    assert_eq!(
        sent[1].voice_uri.as_deref(),
        Some("https://rb.example.com/rec/pbx1:9.1?sig=x")
    );
}

#[tokio::test]
async fn live_failures_and_hangs_are_dropped_and_catch_up_never_pops() {
    let sink = Arc::new(MemoryTerminalSink::new());
    let failing = Arc::new(Recorder {
        fail: true,
        ..Recorder::default()
    });
    let h = notifier(failing.clone(), sink.clone())
        .handle(&live(ringing()))
        .await;
    assert_eq!((h.sent, h.dropped), (0, 1));
    assert_eq!(
        failing.sent.lock().unwrap().len(),
        1,
        "tried once, not retried"
    );

    let hanging = Arc::new(Recorder {
        hang: true,
        ..Recorder::default()
    });
    let h = notifier(hanging, sink.clone())
        .handle(&live(ringing()))
        .await;
    assert_eq!(h.dropped, 1, "a hung Zoho does not hold the next pops");

    let quiet = Arc::new(Recorder::default());
    let n = notifier(quiet.clone(), sink.clone());
    let catch_up = |update| Ingested {
        update,
        origin: Origin::CatchUp,
    };
    assert_eq!(n.handle(&catch_up(ringing())).await.sent, 0);
    assert_eq!(n.handle(&catch_up(ended())).await.queued, 1);
    assert!(quiet.sent.lock().unwrap().is_empty());
}

fn dial_start(id: &str) -> ringbridge_core::phonebridge::DialStart {
    ringbridge_core::phonebridge::DialStart {
        call_id: id.into(),
        zoho_user: "u1".into(),
        extension: "1001".into(),
        number: "4155550100".into(),
    }
}

fn failed(id: &str) -> CallUpdate {
    CallUpdate::Failed {
        call_id: id.into(),
        reason: "486 Busy here".into(),
    }
}

#[tokio::test]
async fn a_failed_dial_zoho_never_saw_is_the_calls_terminal_and_one_it_saw_goes_beside_it() {
    let (sender, sink) = (
        Arc::new(Recorder::default()),
        Arc::new(MemoryTerminalSink::new()),
    );
    let dials = Arc::new(ClickToDials::default());
    let n = notifier(sender.clone(), sink.clone()).with_dials(dials.clone());

    // Never shown to Zoho: the report takes the call's terminal key.
    dials.remember(dial_start("9.2"));
    let h = n.handle(&live(failed("9.000002"))).await;
    assert_eq!((h.sent, h.queued), (0, 1));
    let pending = sink.take_pending();
    assert_eq!(pending[0].0, "pb:pbx1:9.2");
    assert!(matches!(
        pending[0].1.state,
        PbState::DialFailed {
            reason: ringbridge_core::phonebridge::PbUnattended::Busy,
            ..
        }
    ));

    // Shown to Zoho (it rang the agent with the customer known): sent live;
    // the call's own terminal still closes it.
    dials.remember(dial_start("9.1"));
    assert_eq!(n.handle(&live(ringing())).await.sent, 1);
    let h = n.handle(&live(failed("9.1"))).await;
    assert_eq!((h.sent, h.queued), (1, 0));
    assert!(matches!(
        sender.sent.lock().unwrap()[1].notification.state,
        PbState::DialFailed { .. }
    ));
    assert_eq!(n.handle(&live(ended())).await.queued, 1);

    // A failure of a call ringbridge did not dial says nothing.
    let h = n.handle(&live(failed("9.7"))).await;
    assert_eq!(h, Handled::default());
}
