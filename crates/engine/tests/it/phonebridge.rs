//! PhoneBridge mode against the Zoho simulator: a ring-group call's updates
//! through the notifier and a real `PhoneBridgeClient`, ending with one log.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use ringbridge_core::crm::CrmUser;
use ringbridge_core::pbx::{
    CallDirection, CallRecord, CallSnapshot, CallStatus, LegState, Participant, ParticipantState,
    PbxEvent, RecordingRef,
};
use ringbridge_core::phonebridge::PlanConfig;
use ringbridge_core::tracker::CallTracker;
use ringbridge_core::usermap::UserMap;
use ringbridge_engine::phonebridge::{
    FixedPlan, MemoryTerminalSink, Outgoing, PhoneBridgeNotifier, PhoneBridgeSender, SendError,
    deliver_terminal,
};
use ringbridge_engine::{Ingested, Origin, RecordingLinks};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use ringbridge_zoho::dc::DcTable;
use ringbridge_zoho::oauth::{OAuthClient, OAuthConfig, TokenSet};
use ringbridge_zoho::phonebridge::{
    CallNotify, ClickToDialRegistration, PhoneBridgeClient, from_core,
};
use ringbridge_zoho::{ConnectionOptions, RetryPolicy, ZohoConnection};
use secrecy::SecretString;
use url::Url;

/// The product's mapping (`from_core`), sent over a real client.
struct ZohoSender(PhoneBridgeClient);

fn to_zoho(out: &Outgoing) -> Result<CallNotify, SendError> {
    let voice_uri = out
        .voice_uri
        .as_deref()
        .map(Url::parse)
        .transpose()
        .map_err(|e| SendError::Permanent(e.to_string()))?;
    from_core::call_notify(&out.notification, voice_uri)
        .ok_or_else(|| SendError::Permanent("not a callnotify".into()))
}

#[async_trait]
impl PhoneBridgeSender for ZohoSender {
    async fn send(&self, out: &Outgoing) -> Result<(), SendError> {
        self.0.call_notify(&to_zoho(out)?).await.map_err(|e| {
            if e.is_retryable() {
                SendError::Retryable(e.to_string())
            } else {
                SendError::Permanent(e.to_string())
            }
        })
    }
}

struct Links;

impl RecordingLinks for Links {
    fn link(&self, call_key: &str) -> String {
        format!("https://rb.example.com/recordings/{call_key}?sig=abc")
    }
}

/// A PhoneBridge client with the integration on and `n` users registered.
async fn bring_up(sim: &SimZoho, n: usize) -> (PhoneBridgeClient, Vec<String>) {
    let tokens = sim.issue_tokens(&[
        "ZohoCRM.modules.ALL",
        "ZohoCRM.users.READ",
        "PhoneBridge.call.log",
    ]);
    let mut cfg = OAuthConfig::new(
        sim.client_id(),
        SecretString::from(sim.client_secret().to_owned()),
        Url::parse(&sim.config().redirect_uris[0]).expect("url"),
    );
    let (accounts, api) = (
        Url::parse(sim.accounts_url()).expect("url"),
        Url::parse(sim.api_url()).expect("url"),
    );
    cfg.dc = DcTable::single(accounts.clone(), api.clone());
    let client = OAuthClient::new(cfg, reqwest::Client::new());
    let set = TokenSet::from_refresh_token(SecretString::from(tokens.refresh_token), api, accounts);
    let options = ConnectionOptions {
        retry: RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        },
        timeout: Duration::from_secs(5),
        ..Default::default()
    };
    let pb = ZohoConnection::new(client, set, options).phonebridge();
    pb.integrate().await.expect("integrate");
    let users: Vec<String> = pb
        .all_users()
        .await
        .expect("users")
        .into_iter()
        .map(|u| u.zohouser)
        .take(n)
        .collect();
    assert_eq!(users.len(), n, "the simulator has enough users");
    for user in &users {
        pb.enable_click_to_dial(&ClickToDialRegistration {
            uri: Url::parse("https://rb.example.com/zoho/clicktodial").expect("url"),
            zohouser: Some(user.clone()),
            authorization: None,
            params: Vec::new(),
        })
        .await
        .expect("clicktodial");
    }
    (pb, users)
}

fn ext(number: &str, state: LegState) -> ParticipantState {
    ParticipantState {
        participant: Participant::Extension {
            number: number.into(),
            channel: format!("PJSIP/{number}-01"),
        },
        state,
        via: Some("6300".into()),
    }
}

fn caller(state: LegState) -> ParticipantState {
    ParticipantState {
        participant: Participant::External {
            number: "+14155550100".into(),
            dialed: "8800".into(),
            trunk: "CarrierA".into(),
            channel: "PJSIP/trunk-1".into(),
            inbound: true,
        },
        state,
        via: None,
    }
}

fn frame(members: Vec<ParticipantState>) -> PbxEvent {
    PbxEvent::CallState(CallSnapshot {
        call_id: "1767258000.23".into(),
        participants: members,
    })
}

/// Ring group 6300 rings 1001, 1002 and the unmapped 1009; 1002 answers.
fn ring_group_answered() -> Vec<PbxEvent> {
    vec![
        frame(vec![
            caller(LegState::Alerting),
            ext("1001", LegState::Ringing),
            ext("1002", LegState::Ringing),
            ext("1009", LegState::Ringing),
        ]),
        frame(vec![
            caller(LegState::Answered),
            ext("1002", LegState::Talking),
            ext("1001", LegState::Gone),
            ext("1009", LegState::Gone),
        ]),
        frame(vec![caller(LegState::Gone), ext("1002", LegState::Gone)]),
        PbxEvent::CallEnded(Box::new(CallRecord {
            call_id: "1767258000.23".into(),
            leg_id: None,
            started_at: Utc::now() - chrono::Duration::minutes(2),
            direction: CallDirection::Inbound,
            disposition: CallStatus::Answered,
            from_number: "+14155550100".into(),
            from_name: None,
            to_number: "1002".into(),
            to_name: None,
            duration_s: Some(95),
            ring_s: Some(11),
            talk_s: Some(84),
            inbound_trunk: None,
            outbound_trunk: None,
            did: Some("8800".into()),
            recording: Some(RecordingRef("20260101-1767258000.23.wav".into())),
        })),
    ]
}

#[tokio::test]
async fn ring_group_answered_pops_every_mapped_agent_and_logs_once() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (pb, users) = bring_up(&sim, 2).await;
    let mut map = UserMap::default();
    for (ext, user) in ["1001", "1002"].iter().zip(&users) {
        let crm_user = CrmUser {
            id: user.clone(),
            email: None,
            name: format!("Agent {ext}"),
            active: true,
        };
        map.set_manual(ext, &crm_user);
    }
    let sender = Arc::new(ZohoSender(pb));
    let sink = Arc::new(MemoryTerminalSink::new());
    let plan = Arc::new(FixedPlan {
        users: map,
        config: PlanConfig::default(),
    });
    let notifier = PhoneBridgeNotifier::new("pbx1", sender.clone(), sink.clone(), plan);
    let calls_before = sim.calls().len();

    let mut tracker = CallTracker::new();
    for event in ring_group_answered() {
        for update in tracker.apply(&event, Utc::now()) {
            let done = notifier
                .handle(&Ingested {
                    update,
                    origin: Origin::Live,
                })
                .await;
            assert_eq!(done.dropped, 0, "{done:?}");
        }
    }
    // The outbox's part: deliver each queued terminal once.
    let pending = sink.take_pending();
    assert_eq!(pending.len(), 1);
    for (_, n) in &pending {
        deliver_terminal(sender.as_ref(), "pbx1", n, Some(&Links))
            .await
            .expect("terminal delivered");
    }

    let seen: Vec<(String, String, String)> = sim
        .notifications()
        .iter()
        .map(|n| {
            assert_eq!(n.status, 200, "{n:?}");
            let p = |k: &str| n.param(k).unwrap_or_default().to_owned();
            (p("id"), p("state"), p("zohouser"))
        })
        .collect();
    // One Zoho call for the ring group: its terminal closes every agent's pop.
    let id = || "1767258000.23".to_owned();
    let (u1, u2) = (users[0].clone(), users[1].clone());
    assert_eq!(
        seen,
        vec![
            (id(), "ringing".into(), u1),
            (id(), "ringing".into(), u2.clone()),
            (id(), "answered".into(), u2.clone()),
            (id(), "ended".into(), u2),
        ]
    );
    let last = sim.notifications().pop().expect("ended");
    assert_eq!(last.param("type"), Some("received"));
    assert_eq!(last.param("from"), Some("+14155550100"));
    assert_eq!(last.param("to"), Some("1002"));
    assert_eq!(last.param("duration"), Some("84"));
    assert_eq!(
        last.param("voiceuri"),
        Some("https://rb.example.com/recordings/pbx1:1767258000.23?sig=abc")
    );
    let calls = sim.calls();
    assert_eq!(calls.len(), calls_before + 1, "one Calls log for the call");
    let log = calls
        .iter()
        .find(|c| c["Description"].as_str().is_some_and(|d| d.contains(&id())))
        .expect("the log of the call");
    assert_eq!(log["Call_Type"], "Inbound");
}
