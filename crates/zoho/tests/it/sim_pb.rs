//! PhoneBridge round trips against the simulator, including Zoho calling our
//! click-to-dial and call-control URLs (verified by the pure inbound functions).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use chrono::Utc;
use ringbridge_sim_zoho::{
    AuthParamPlacement, CallControlAction as SimAction, PhoneBridgeStrictness, SimConfig, SimZoho,
};
use ringbridge_zoho::phonebridge::{
    AuthorizationParam, CallControlAction, CallControlRegistration, CallNotify, CallState,
    ClickToDialRegistration, Direction, InboundNames, InboundRequest, Param, PhoneBridgeClient,
    authenticate_call_control, authenticate_click_to_dial,
};
use secrecy::SecretString;
use url::Url;

use crate::sim::{connect, options};

/// What our PBX-side endpoint accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Dial(String),
    Control(CallControlAction, Option<String>, Option<String>),
}

#[derive(Clone)]
struct Pbx {
    secret: SecretString,
    got: Arc<Mutex<Vec<Got>>>,
}

/// Integrates the org and registers its first user for click-to-dial:
/// notifications only reach users registered through /clicktodial
/// (bring-up step 4). Returns that user's `zohouser`.
pub(crate) async fn integrate_first_user(pb: &PhoneBridgeClient) -> String {
    pb.integrate().await.expect("integrate");
    let zohouser = pb.all_users().await.expect("users")[0].zohouser.clone();
    pb.enable_click_to_dial(&ClickToDialRegistration {
        uri: Url::parse("https://rb.example.com/zoho/clicktodial").expect("url"),
        zohouser: Some(zohouser.clone()),
        authorization: None,
        params: Vec::new(),
    })
    .await
    .expect("clicktodial");
    zohouser
}

fn names() -> InboundNames {
    InboundNames::new("X-Ringbridge-Token")
}

async fn click(
    State(p): State<Pbx>,
    method: Method,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> StatusCode {
    let req = InboundRequest {
        method: &method,
        headers: &headers,
        query: q.as_deref(),
        body: &body,
    };
    let secret = p.secret.clone();
    match authenticate_click_to_dial(req, &names(), |params| {
        (params.get("ext") == Some("1001")).then_some(secret)
    }) {
        Ok(c) => {
            p.got.lock().expect("lock").push(Got::Dial(c.to_number));
            StatusCode::OK
        }
        Err(r) => StatusCode::from_u16(r.http_status()).expect("status"),
    }
}

async fn control(
    State(p): State<Pbx>,
    Path(action): Path<String>,
    method: Method,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> StatusCode {
    let action = match action.as_str() {
        "hangup" => CallControlAction::Hangup,
        "keypress" => CallControlAction::Keypress,
        _ => return StatusCode::NOT_FOUND,
    };
    let req = InboundRequest {
        method: &method,
        headers: &headers,
        query: q.as_deref(),
        body: &body,
    };
    let secret = p.secret.clone();
    match authenticate_call_control(action, req, &names(), |params| {
        (params.get("ext") == Some("1001")).then_some(secret)
    }) {
        Ok(c) => {
            p.got
                .lock()
                .expect("lock")
                .push(Got::Control(c.action, c.call_id, c.digits));
            StatusCode::OK
        }
        Err(r) => StatusCode::from_u16(r.http_status()).expect("status"),
    }
}

async fn start_pbx(secret: SecretString) -> (Url, Pbx) {
    let pbx = Pbx {
        secret,
        got: Arc::default(),
    };
    let app = Router::new()
        .route("/zoho/clicktodial", any(click))
        .route("/zoho/cc/{action}", any(control))
        .with_state(pbx.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = Url::parse(&format!("http://{}", l.local_addr().expect("addr"))).expect("url");
    tokio::spawn(async move { axum::serve(l, app).await });
    (url, pbx)
}

async fn click_to_dial_round_trip(placement: AuthParamPlacement) {
    let sim = SimZoho::start(SimConfig {
        auth_param_placement: placement,
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let pb = conn.phonebridge();
    pb.integrate().await.expect("integrate");
    assert!(sim.phonebridge_integrated());
    let users = pb.all_users().await.expect("users");
    let zohouser = users.first().expect("a user").zohouser.clone();

    let auth = AuthorizationParam::random("X-Ringbridge-Token");
    let (base, pbx) = start_pbx(auth.value.clone()).await;
    pb.enable_click_to_dial(&ClickToDialRegistration {
        uri: base.join("/zoho/clicktodial").expect("url"),
        zohouser: Some(zohouser.clone()),
        authorization: Some(auth.clone()),
        params: vec![Param::text("ext", "1001")],
    })
    .await
    .expect("clicktodial");
    assert!(sim.clicktodial_registrations().contains_key(&zohouser));

    let status = sim
        .click_to_dial(&zohouser, "+1 (415) 555-0123")
        .await
        .expect("zoho calls us");
    assert_eq!(status, 200);
    assert_eq!(
        pbx.got.lock().expect("lock").clone(),
        vec![Got::Dial("+1 (415) 555-0123".into())]
    );

    // A registration with another secret: Zoho's call is refused, nothing dials.
    pb.enable_click_to_dial(&ClickToDialRegistration {
        uri: base.join("/zoho/clicktodial").expect("url"),
        zohouser: Some(zohouser.clone()),
        authorization: Some(AuthorizationParam::random("X-Ringbridge-Token")),
        params: vec![Param::text("ext", "1001")],
    })
    .await
    .expect("re-register");
    assert_eq!(
        sim.click_to_dial(&zohouser, "+14155550123")
            .await
            .expect("refused"),
        401
    );
    assert_eq!(pbx.got.lock().expect("lock").len(), 1);

    pb.enable_call_control(&CallControlRegistration {
        hangup: Some(base.join("/zoho/cc/hangup").expect("url")),
        keypress: Some(base.join("/zoho/cc/keypress").expect("url")),
        zohouser: Some(zohouser.clone()),
        authorization: Some(auth),
        params: vec![Param::text("ext", "1001")],
        ..Default::default()
    })
    .await
    .expect("callcontrol");
    assert_eq!(
        sim.call_control(&zohouser, SimAction::Keypress, "1718000001.42", Some("5"))
            .await
            .expect("keypress"),
        200
    );
    assert_eq!(
        sim.call_control(&zohouser, SimAction::Hangup, "1718000001.42", None)
            .await
            .expect("hangup"),
        200
    );
    let got = pbx.got.lock().expect("lock").clone();
    assert_eq!(
        got[1],
        Got::Control(
            CallControlAction::Keypress,
            Some("1718000001.42".into()),
            Some("5".into())
        )
    );
    assert_eq!(
        got[2],
        Got::Control(
            CallControlAction::Hangup,
            Some("1718000001.42".into()),
            None
        )
    );

    pb.disable_call_control(&zohouser)
        .await
        .expect("disable cc");
    pb.disable_click_to_dial(&zohouser)
        .await
        .expect("disable c2d");
    assert!(sim.clicktodial_registrations().is_empty());
    pb.unintegrate().await.expect("unintegrate");
    assert!(!sim.phonebridge_integrated());
}

#[tokio::test]
async fn click_to_dial_with_secret_in_header() {
    click_to_dial_round_trip(AuthParamPlacement::Header).await;
}

#[tokio::test]
async fn click_to_dial_with_secret_as_parameter() {
    click_to_dial_round_trip(AuthParamPlacement::Param).await;
}

#[tokio::test]
async fn call_notifications_and_the_missed_fallback() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let pb = conn.phonebridge();
    let early = pb
        .call_notify(&notify("a1", CallState::Answered, None))
        .await
        .expect_err("not integrated yet");
    assert_eq!(
        early.code(),
        Some(&ringbridge_zoho::ErrorCode::PbxNotIntegrated)
    );
    let zohouser = integrate_first_user(&pb).await;
    let calls_before = sim.calls().len();
    let start = Utc::now() - chrono::Duration::minutes(3);
    for state in [
        CallState::Ringing {
            transferred_call_id: None,
        },
        CallState::Answered,
        CallState::Ended {
            start,
            duration_secs: 184,
            voice_uri: Some(Url::parse("https://rb.example.com/rec/a1?sig=x").expect("url")),
        },
    ] {
        pb.call_notify(&notify("a1", state, Some(&zohouser)))
            .await
            .expect("notify");
    }
    let n = sim.notifications();
    assert_eq!(n.len(), 4);
    assert!(n[1..].iter().all(|x| x.status == 200), "{n:?}");
    assert_eq!(
        n[3].param("from"),
        Some("+14155550100"),
        "the + survived form encoding"
    );
    assert_eq!(n[3].param("duration"), Some("184"));
    assert_eq!(
        n[3].param("start_time"),
        Some(start.format("%Y-%m-%d %H:%M:%S").to_string().as_str())
    );
    assert_eq!(
        sim.calls().len(),
        calls_before + 1,
        "the terminal event logs the call in Zoho"
    );

    // As observed live: `missed` answers 400, so it goes out as a zero-length `ended`.
    sim.set_strictness(PhoneBridgeStrictness::ObservedLive);
    pb.call_notify(&notify(
        "m1",
        CallState::Missed {
            start,
            voice_uri: None,
        },
        Some(&zohouser),
    ))
    .await
    .expect("fallback");
    let n = sim.notifications();
    let last_two: Vec<(Option<&str>, u16)> = n[n.len() - 2..]
        .iter()
        .map(|x| (x.param("state"), x.status))
        .collect();
    assert_eq!(last_two, vec![(Some("missed"), 400), (Some("ended"), 200)]);
    assert_eq!(n.last().and_then(|x| x.param("duration")), Some("0"));
}

fn notify(id: &str, state: CallState, zohouser: Option<&str>) -> CallNotify {
    CallNotify {
        direction: Direction::Received,
        state,
        id: id.into(),
        from: "+14155550100".into(),
        to: "+14155550199".into(),
        zohouser: zohouser.map(str::to_owned),
    }
}
