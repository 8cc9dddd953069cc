//! PhoneBridge v3: integration, registration, notifications, Calls logging, strictness and
//! the simulator calling the PBX side.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use reqwest::StatusCode;
use ringbridge_sim_zoho::{
    AuthParamPlacement, CallControlAction, Module, PhoneBridgeStrictness, SimConfig,
};

use crate::{H, assert_error};

type Seen = Arc<Mutex<Vec<(String, HashMap<String, String>, HeaderMap)>>>;

/// A tiny PBX-side receiver recording path, form and headers; answers 200.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let s = Arc::clone(&seen);
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let s = Arc::clone(&s);
            async move {
                let form = url::form_urlencoded::parse(&body).into_owned().collect();
                s.lock()
                    .expect("lock")
                    .push((uri.path().to_owned(), form, headers));
                "ok"
            }
        },
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", l.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(l, app).await });
    (base, seen)
}

async fn setup(h: &H, pbx: &str) -> String {
    let r = h.post_form("/phonebridge/v3/integrate", &[]).await;
    assert_eq!(
        r.body,
        serde_json::json!({"status": "success", "code": "SUCCESS"})
    );
    let user = h.sim.user_id("john@zylker.example").expect("john");
    let r = h
        .post_form(
            "/phonebridge/v3/clicktodial",
            &[
                ("clicktodialuri", &format!("{pbx}/zoho/dial")),
                ("zohouser", &user),
                ("authorizationparam", "{name:X-Auth,value:s3cret}"),
                (
                    "clicktodialparam",
                    "[{name:ext,value:1001}, {name:callee,value:'{to}'}]",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    user
}

fn notify<'a>(
    user: &'a str,
    state: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("type", "received"),
        ("state", state),
        ("id", "1718000001.42"),
        ("from", "+14155550123"),
        ("to", "+4930123456"),
        ("zohouser", user),
    ];
    f.extend_from_slice(extra);
    f
}

#[tokio::test]
async fn integrate_users_and_registration_errors() {
    let h = H::new().await;
    let r = h
        .post_form("/phonebridge/v3/callnotify", &notify("x", "ringing", &[]))
        .await;
    assert_error(&r, 400, "PBX_NOT_INTEGRATED");
    assert_error(
        &h.get("/phonebridge/v3/users").await,
        400,
        "PBX_NOT_INTEGRATED",
    );
    let (pbx, _) = receiver().await;
    let john = setup(&h, &pbx).await;
    let u = h.get("/phonebridge/v3/users?page=1&perPage=2").await;
    assert_eq!(u.body["users"].as_array().map(Vec::len), Some(2));
    assert_eq!(u.body["users"][1]["zohouser"], john.as_str());
    assert_eq!(u.body["users"][1]["username"], "John Smith");
    assert_eq!(
        u.body["paging"],
        serde_json::json!({"perPage": 2, "page": 1})
    );
    assert!(
        u.body["navigation"]["lastPage"]["uri"]
            .as_str()
            .is_some_and(|s| s.ends_with("page=2&perPage=2"))
    );
    let reg = &h.sim.clicktodial_registrations()[&john];
    assert_eq!(reg.params.len(), 2);
    assert_eq!(reg.params[1].value, "{to}");
    assert_error(
        &h.post_form("/phonebridge/v3/clicktodial", &[("zohouser", &john)])
            .await,
        400,
        "REQUIRED_PARAM_MISSING",
    );
    let bad_user = h
        .post_form(
            "/phonebridge/v3/clicktodial",
            &[
                ("clicktodialuri", "http://127.0.0.1:9/x"),
                ("zohouser", "123"),
            ],
        )
        .await;
    assert_error(&bad_user, 400, "INVALID_USER");
    let bad_param = h
        .post_form(
            "/phonebridge/v3/clicktodial",
            &[
                ("clicktodialuri", "http://127.0.0.1:9/x"),
                ("clicktodialparam", "[{name:a}]"),
            ],
        )
        .await;
    assert_error(&bad_param, 400, "INVALID_DATA");
    // PhoneBridge needs its own scope.
    let crm_only = h.sim.issue_tokens(&["ZohoCRM.modules.ALL"]).access_token;
    let r = h
        .send(h.req_as(
            &crm_only,
            reqwest::Method::POST,
            "/phonebridge/v3/integrate",
        ))
        .await;
    assert_error(&r, 401, "OAUTH_SCOPE_MISMATCH");
    let del = h
        .send(
            h.req(reqwest::Method::DELETE, "/phonebridge/v3/clicktodial")
                .form(&[("zohouser", &john)]),
        )
        .await;
    assert_eq!(del.status, StatusCode::OK);
    assert!(h.sim.clicktodial_registrations().is_empty());
}

#[tokio::test]
async fn inbound_call_flow_logs_a_call() {
    let h = H::new().await;
    let (pbx, _) = receiver().await;
    let john = setup(&h, &pbx).await;
    for state in ["ringing", "answered"] {
        let r = h
            .post_form("/phonebridge/v3/callnotify", &notify(&john, state, &[]))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    assert!(h.sim.calls().is_empty(), "only terminal states log");
    let missing = h
        .post_form(
            "/phonebridge/v3/callnotify",
            &notify(&john, "ended", &[("duration", "184")]),
        )
        .await;
    assert_error(&missing, 400, "REQUIRED_PARAM_MISSING");
    assert_eq!(missing.body["details"]["param"], "start_time");
    let iso = h
        .post_form(
            "/phonebridge/v3/callnotify",
            &notify(&john, "ended", &[("start_time", "2024-06-10T09:15:02Z")]),
        )
        .await;
    assert_error(&iso, 400, "INVALID_DATA");
    let ended = notify(
        &john,
        "ended",
        &[
            ("start_time", "2024-06-10 09:15:02"),
            ("duration", "184"),
            ("voiceuri", "https://bridge.example/rec/abc?sig=1"),
        ],
    );
    assert_eq!(
        h.post_form("/phonebridge/v3/callnotify", &ended)
            .await
            .status,
        StatusCode::OK
    );
    let calls = h.sim.calls();
    assert_eq!(calls.len(), 1);
    let c = &calls[0];
    assert_eq!(c["Call_Type"], "Inbound");
    assert_eq!(
        c["Call_Start_Time"], "2024-06-10T11:15:02+02:00",
        "org time zone Europe/Berlin"
    );
    assert_eq!(c["Call_Duration"], "03:04");
    assert_eq!(c["Call_Duration_in_seconds"], 184);
    assert_eq!(c["Who_Id"]["name"], "Ana Pereira");
    assert_eq!(c["Owner"]["id"], john.as_str());
    assert_eq!(c["CTI_Entry"], true);
    let rec = c["Voice_Recording__s"].as_str().expect("recording link");
    let redirect = h.send(h.http.get(rec)).await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    let notes = h.sim.notifications();
    assert_eq!(notes.len(), 5);
    assert_eq!(notes[4].call_id.as_deref(), c["id"].as_str());
    assert_eq!(
        notes[2].error_code.as_deref(),
        Some("REQUIRED_PARAM_MISSING")
    );
    // The web view lists the call and escapes what it shows.
    let page = h.send(h.http.get(h.api("/_sim/"))).await;
    assert!(page.text.contains("Incoming call from +14155550123"));
    let rec_page = h
        .send(
            h.http.get(
                h.sim
                    .record_url(Module::Calls, c["id"].as_str().unwrap_or_default()),
            ),
        )
        .await;
    assert_eq!(rec_page.status, StatusCode::OK);
    assert!(rec_page.text.contains("Ana Pereira"));
}

#[tokio::test]
async fn missed_and_unattended_depend_on_strictness() {
    let h = H::new().await;
    let (pbx, _) = receiver().await;
    let john = setup(&h, &pbx).await;
    let start = ("start_time", "2024-06-10 09:20:11");
    let lead_missed = [
        ("type", "received"),
        ("state", "missed"),
        ("id", "c2"),
        ("from", "+14155550199"),
        ("to", "201"),
        ("zohouser", john.as_str()),
        start,
    ];
    let busy = [
        ("type", "dialed"),
        ("state", "busy"),
        ("id", "c3"),
        ("from", "201"),
        ("to", "415-555-0124"),
        ("zohouser", john.as_str()),
        start,
    ];
    h.sim.set_strictness(PhoneBridgeStrictness::ObservedLive);
    assert_error(
        &h.post_form("/phonebridge/v3/callnotify", &lead_missed)
            .await,
        400,
        "INVALID_DATA",
    );
    assert_error(
        &h.post_form("/phonebridge/v3/callnotify", &busy).await,
        400,
        "INVALID_DATA",
    );
    assert!(h.sim.calls().is_empty());
    h.sim.set_strictness(PhoneBridgeStrictness::AsDocumented);
    assert_eq!(
        h.post_form("/phonebridge/v3/callnotify", &lead_missed)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.post_form("/phonebridge/v3/callnotify", &busy)
            .await
            .status,
        StatusCode::OK
    );
    let calls = h.sim.calls();
    assert_eq!(calls[0]["Call_Type"], "Missed");
    assert_eq!(calls[0]["What_Id"]["name"], "Lee Park");
    assert_eq!(calls[0]["$se_module"], "Leads");
    assert!(calls[0]["Call_Duration"].is_null());
    assert_eq!(calls[1]["Call_Type"], "Outbound");
    assert_eq!(calls[1]["Call_Result"], "No response/Busy");
    assert_eq!(calls[1]["Who_Id"]["name"], "Bob Miller");
    // Unregistered users get no pop-up and no log.
    let jane = h.sim.user_id("jane@zylker.example").expect("jane");
    let r = h
        .post_form("/phonebridge/v3/callnotify", &notify(&jane, "ringing", &[]))
        .await;
    assert_error(&r, 400, "INVALID_USER");
    let err = h
        .post_form(
            "/phonebridge/v3/clicktodialerror",
            &[
                ("code", "busy"),
                ("from", "201"),
                ("to", "+1415"),
                ("message", "x"),
            ],
        )
        .await;
    assert_eq!(err.status, StatusCode::OK);
    let err = h
        .post_form(
            "/phonebridge/v3/clicktodialerror",
            &[("code", "busy"), ("from", "201")],
        )
        .await;
    assert_error(&err, 400, "REQUIRED_PARAM_MISSING");
}

#[tokio::test]
async fn click_to_dial_and_call_control_reach_the_pbx() {
    let h = H::new().await;
    let (pbx, seen) = receiver().await;
    let john = setup(&h, &pbx).await;
    let status = h
        .sim
        .click_to_dial(&john, "+1 (415) 555-0123")
        .await
        .expect("dial");
    assert_eq!(status, 200);
    {
        let seen = seen.lock().expect("lock");
        let (path, form, headers) = &seen[0];
        assert_eq!(path, "/zoho/dial");
        assert_eq!(form["tonumber"], "+1 (415) 555-0123");
        assert_eq!(form["ext"], "1001");
        assert_eq!(form["callee"], "+1 (415) 555-0123");
        assert_eq!(headers["x-auth"], "s3cret");
    }
    let r = h
        .post_form(
            "/phonebridge/v3/callcontrol",
            &[
                ("zohouser", &john),
                ("keypressuri", &format!("{pbx}/zoho/key")),
                ("callcontrolparam", "[{name:ext,value:1001}]"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let status = h
        .sim
        .call_control(
            &john,
            CallControlAction::Keypress,
            "1718000001.42",
            Some("5"),
        )
        .await
        .expect("control");
    assert_eq!(status, 200);
    assert!(
        h.sim
            .call_control(&john, CallControlAction::Answer, "x", None)
            .await
            .is_err()
    );
    let seen = seen.lock().expect("lock");
    let (path, form, _) = &seen[1];
    assert_eq!(path, "/zoho/key");
    assert_eq!(form["callrefid"], "1718000001.42");
    assert_eq!(form["digit"], "5");
    assert_eq!(form["ext"], "1001");
    assert_eq!(h.sim.outbound_calls().len(), 2);
}

#[tokio::test]
async fn auth_param_as_form_field_and_free_edition() {
    let h = H::with(SimConfig {
        auth_param_placement: AuthParamPlacement::Param,
        ..SimConfig::default()
    })
    .await;
    let (pbx, seen) = receiver().await;
    let john = setup(&h, &pbx).await;
    assert_eq!(
        h.sim
            .click_to_dial(&john, "0415 5550125")
            .await
            .expect("dial"),
        200
    );
    {
        let seen = seen.lock().expect("lock");
        assert_eq!(seen[0].1["X-Auth"], "s3cret");
        assert!(!seen[0].2.contains_key("x-auth"));
    }
    h.sim.set_edition(ringbridge_sim_zoho::Edition::Free);
    assert_error(
        &h.post_form("/phonebridge/v3/integrate", &[]).await,
        403,
        "NO_PERMISSION",
    );
}
