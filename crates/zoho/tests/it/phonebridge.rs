//! PhoneBridge v3 over HTTP: bring-up calls, callnotify encoding and fallbacks.

use chrono::{DateTime, Utc};
use ringbridge_zoho::phonebridge::{
    AuthorizationParam, CallNotify, CallState, ClickToDialError, ClickToDialRegistration,
    Direction, Param, Unattended,
};
use ringbridge_zoho::{ErrorCode, Operation};
use serde_json::json;
use url::Url;

use crate::fake::{self, Fake};

const OK: &str = r#"{"status":"success","code":"SUCCESS"}"#;

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-06-10T09:20:11Z")
        .expect("ts")
        .with_timezone(&Utc)
}

fn notify(direction: Direction, state: CallState) -> CallNotify {
    CallNotify {
        direction,
        state,
        id: "1718000002.7".into(),
        from: "+14155550100".into(),
        to: "+14155550199".into(),
        zohouser: Some("4000000012345".into()),
    }
}

#[tokio::test]
async fn bring_up_and_users() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let pb = conn.phonebridge();
    z.script("POST", "/phonebridge/v3/integrate", 200, OK);
    pb.integrate().await.expect("integrate");

    z.script("GET", "/phonebridge/v3/users", 200, json!({"users":[{"zohouser":"4000000012345","email":"jane@zylker.example","username":"Jane Doe"}],
        "paging":{"perPage":200,"page":1}}).to_string());
    let users = pb.all_users().await.expect("users");
    assert_eq!(users[0].zohouser, "4000000012345");
    assert!(z.api_seen()[1].query.contains("perPage=200"));

    z.script("POST", "/phonebridge/v3/clicktodial", 200, OK);
    let auth = AuthorizationParam::random("X-RB-Token");
    pb.enable_click_to_dial(&ClickToDialRegistration {
        uri: Url::parse("https://rb.example.com/zoho/clicktodial").expect("url"),
        zohouser: Some("4000000012345".into()),
        authorization: Some(auth.clone()),
        params: vec![Param::text("ext", "1001")],
    })
    .await
    .expect("clicktodial");
    let c2d = &z.api_seen()[2];
    assert_eq!(
        c2d.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/x-www-form-urlencoded")
    );
    let form = c2d.form();
    assert!(form.contains(&("clicktodialparam".into(), "[{name:ext,value:1001}]".into())));
    assert!(
        form.iter()
            .any(|(k, v)| k == "authorizationparam" && v.starts_with("{name:X-RB-Token,value:"))
    );

    z.script("DELETE", "/phonebridge/v3/clicktodial", 200, OK);
    pb.disable_click_to_dial("4000000012345")
        .await
        .expect("disable");
    assert_eq!(
        z.api_seen()[3].form(),
        vec![("zohouser".to_owned(), "4000000012345".to_owned())]
    );

    // Typed PhoneBridge errors.
    z.script("POST", "/phonebridge/v3/integrate", 403, json!({"code":"DIFFERENT_PROVIDER_ALREADY_ENABLED","details":{},"message":"x","status":"error"}).to_string());
    let e = pb.integrate().await.expect_err("other provider");
    assert_eq!(e.code(), Some(&ErrorCode::DifferentProviderAlreadyEnabled));
    z.script("POST", "/phonebridge/v3/callnotify", 400, json!({"code":"PBX_NOT_INTEGRATED","details":{},"message":"x PBX Integration is not enabled","status":"error"}).to_string());
    let e = pb
        .call_notify(&notify(Direction::Received, CallState::Answered))
        .await
        .expect_err("not integrated");
    assert_eq!(e.code(), Some(&ErrorCode::PbxNotIntegrated));
    assert_eq!(
        conn.metrics_snapshot().op(Operation::PbCallNotify).credits,
        0
    );
}

#[tokio::test]
async fn callnotify_wire_format() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let pb = conn.phonebridge();
    z.script("POST", "/phonebridge/v3/callnotify", 200, OK);
    let ended = CallState::Ended {
        start: start(),
        duration_secs: 184,
        voice_uri: Some(Url::parse("https://bridge.example.com/rec/abc?sig=1").expect("url")),
    };
    pb.call_notify(&notify(Direction::Received, ended))
        .await
        .expect("ended");
    let body = &z.api_seen()[0].body;
    assert!(body.contains("from=%2B14155550100"), "{body}");
    assert!(
        body.contains("start_time=2024-06-10+09%3A20%3A11"),
        "{body}"
    );
    assert!(
        body.contains("duration=184")
            && body.contains("voiceuri=https%3A%2F%2Fbridge.example.com%2Frec%2Fabc%3Fsig%3D1")
    );

    // An empty 200 is not a success.
    z.script("POST", "/phonebridge/v3/callnotify", 200, "");
    assert!(
        pb.call_notify(&notify(Direction::Received, CallState::Answered))
            .await
            .is_err()
    );

    z.script("POST", "/phonebridge/v3/clicktodialerror", 200, OK);
    pb.click_to_dial_error(&ClickToDialError {
        code: Unattended::Busy,
        from: "1001".into(),
        to: "+4930123456".into(),
        zohouser: Some("4000000012345".into()),
        message: Some("Extension busy".into()),
    })
    .await
    .expect("c2d error");
    assert!(
        z.api_seen()[2]
            .body
            .starts_with("code=busy&from=1001&to=%2B4930123456")
    );
}

#[tokio::test]
async fn refused_missed_falls_back_to_zero_length_ended() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let pb = conn.phonebridge();
    z.script(
        "POST",
        "/phonebridge/v3/callnotify",
        400,
        json!({"code":"INVALID_DATA","details":{},"message":"invalid state","status":"error"})
            .to_string(),
    );
    z.script("POST", "/phonebridge/v3/callnotify", 200, OK);
    let missed = notify(
        Direction::Received,
        CallState::Missed {
            start: start(),
            voice_uri: None,
        },
    );
    pb.call_notify(&missed).await.expect("fallback");
    let seen = z.api_seen();
    assert!(seen[0].body.contains("state=missed"));
    assert!(seen[1].body.contains("state=ended") && seen[1].body.contains("duration=0"));
    assert!(conn.quirks().pb_missed_rejected());

    // Learned: straight to the fallback next time.
    z.script("POST", "/phonebridge/v3/callnotify", 200, OK);
    pb.call_notify(&missed).await.expect("direct");
    assert!(z.api_seen()[2].body.contains("state=ended"));

    // With the fallback off, Zoho's refusal is reported.
    z.script(
        "POST",
        "/phonebridge/v3/callnotify",
        400,
        json!({"code":"INVALID_DATA","details":{},"message":"x","status":"error"}).to_string(),
    );
    let strict = conn.phonebridge().with_terminal_fallback(false);
    let unattended = notify(
        Direction::Dialed,
        CallState::Unattended {
            reason: Unattended::NoAnswer,
            start: start(),
            voice_uri: None,
        },
    );
    assert_eq!(
        strict
            .call_notify(&unattended)
            .await
            .expect_err("strict")
            .code(),
        Some(&ErrorCode::InvalidData)
    );
}
