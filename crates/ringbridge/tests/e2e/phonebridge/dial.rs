//! Click-to-dial from Zoho into the PBX: authenticated per user, refused
//! when forged, reported to Zoho when the dial fails.

use std::time::Duration;

use ringbridge_core::crm::CrmUser;

use super::*;

async fn post_click(w: &World, user: &str, auth: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{}/zoho/phonebridge/clicktodial", w.http_url))
        .form(&[("tonumber", "+1 415 555 0123"), ("rb_user", user)]);
    if let Some(value) = auth {
        req = req.header("X-Ringbridge-Auth", value);
    }
    req.send().await.expect("request")
}

pub fn auth_value(w: &World, user: &str) -> String {
    w.zoho_sim.clicktodial_registrations()[user]
        .authorization
        .as_ref()
        .expect("authorization")
        .value
        .clone()
}

/// `[pbx.dialing]`: the PBX's outbound routes want the outside line (9)
/// and national numbers; abroad goes with the US's 011. Extensions are
/// dialled as they are.
#[tokio::test]
async fn numbers_are_dialled_the_way_the_pbx_routes_them() {
    use ringbridge_core::dialing::{DialFormat, DialRules};

    let mut options = pb_options();
    options.plan.outside_line_prefixes = vec!["9".into()];
    options.plan.dialing = DialRules {
        format: DialFormat::Local,
        outside_line_prefix: "9".into(),
        international_prefix: String::new(),
    };
    options.plan.dial_policy.allowed_countries = vec!["US".into(), "GB".into()];
    let w = World::start(options).await.expect("world starts");
    let maya = user_id(&w, "maya@corp.test");
    for (typed, dialled) in [
        ("+1 (415) 555-0123", "94155550123"),
        ("+44 20 7946 0000", "9011442079460000"),
        ("9 415 555 0124", "94155550124"),
        ("1006", "1006"),
    ] {
        let before = w.pbx_sim.dial_requests().len();
        let status = w.zoho_sim.click_to_dial(&maya, typed).await.expect("click");
        assert_eq!(status, 200, "{typed}");
        let dials = w.pbx_sim.dial_requests();
        assert_eq!(dials.len(), before + 1, "{dials:?}");
        assert_eq!(dials[before].caller, "1005");
        assert_eq!(dials[before].callee, dialled, "{typed}");
    }
    w.stop().await;
}

#[tokio::test]
async fn zoho_clicks_to_dial_and_the_pbx_rings_the_agent_then_the_number() {
    let w = pb_world().await;
    let maya = user_id(&w, "maya@corp.test");
    let status = w
        .zoho_sim
        .click_to_dial(&maya, "+1 (415) 555-0123")
        .await
        .expect("click");
    assert_eq!(status, 200);
    let dials = w.pbx_sim.dial_requests();
    assert_eq!(dials.len(), 1, "{dials:?}");
    assert_eq!(
        dials[0].caller, "1005",
        "the user's own extension rings first"
    );
    assert_eq!(dials[0].callee, "+14155550123");

    // The dialled call pops and is logged like any outbound call.
    let call_id = dials[0].call_id.clone();
    let ns = notified(&w, &call_id).await;
    let states: Vec<_> = summary(&ns).into_iter().map(|(_, s, _)| s).collect();
    assert_eq!(states, ["ringing", "answered", "ended"]);
    for n in &ns {
        assert_eq!(n.param("type"), Some("dialed"));
        assert_eq!(n.param("from"), Some("1005"));
        assert_eq!(n.param("to"), Some("+14155550123"));
        assert_eq!(n.param("zohouser"), Some(maya.as_str()));
    }
    settled_in_phonebridge(&w, 1).await;
    let logs = logs_for(&w, &call_id);
    assert_eq!(logs.len(), 1, "{logs:#?}");
    assert_eq!(logs[0]["Call_Type"], "Outbound");
    w.stop().await;
}

#[tokio::test]
async fn a_forged_or_stale_click_to_dial_is_refused() {
    let w = pb_world().await;
    let maya = user_id(&w, "maya@corp.test");
    let ben = user_id(&w, "ben@corp.test");

    assert_eq!(post_click(&w, &maya, None).await.status(), 401);
    let wrong = post_click(&w, &maya, Some("not-the-value")).await;
    assert_eq!(wrong.status(), 401);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["status"], "error");
    assert_eq!(body["code"], "INVALID_AUTHORIZATION");
    // Ben's value does not dial as Maya.
    let bens = auth_value(&w, &ben);
    assert_eq!(post_click(&w, &maya, Some(&bens)).await.status(), 401);
    assert!(w.pbx_sim.dial_requests().is_empty(), "nothing was dialled");

    // Rotation: the old value stops working, the new one (Zoho's) works.
    let old = auth_value(&w, &maya);
    w.phonebridge.registration.rotate_user(&maya).await.unwrap();
    let new = auth_value(&w, &maya);
    assert_ne!(old, new);
    assert_eq!(post_click(&w, &maya, Some(&old)).await.status(), 401);
    assert!(w.pbx_sim.dial_requests().is_empty());
    assert_eq!(post_click(&w, &maya, Some(&new)).await.status(), 200);
    assert_eq!(w.pbx_sim.dial_requests().len(), 1);

    // Call control for a call that is not Maya's: a clear refusal.
    let hold = reqwest::Client::new()
        .post(format!("{}/zoho/phonebridge/callcontrol/hold", w.http_url))
        .header("X-Ringbridge-Auth", &new)
        .form(&[("rb_user", maya.as_str()), ("id", "1.2")])
        .send()
        .await
        .unwrap();
    assert_eq!(hold.status(), 409);
    let body: serde_json::Value = hold.json().await.unwrap();
    assert_eq!(body["code"], "NO_SUCH_CALL");
    w.stop().await;
}

#[tokio::test]
async fn a_dial_the_pbx_refuses_is_reported_to_zoho() {
    let w = pb_world().await;
    let ctx = w.engine.context();
    let dana = user_id(&w, "dana@corp.test");
    // Dana's extension is gone from the PBX but still mapped.
    let mut map = ctx.users();
    map.remove("1004");
    let user = CrmUser {
        id: dana.clone(),
        email: None,
        name: "Dana Kim".into(),
        active: true,
    };
    map.set_manual("1099", &user);
    ctx.set_users(map);
    let status = w.zoho_sim.click_to_dial(&dana, "4155550123").await.unwrap();
    assert_eq!(status, 502);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let error = loop {
        if let Some(n) = w
            .zoho_sim
            .notifications()
            .into_iter()
            .find(|n| n.endpoint == "clicktodialerror")
        {
            break n;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no clicktodialerror"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(error.status, 200, "{:?}", error.params);
    assert_eq!(error.param("from"), Some("1099"));
    assert_eq!(error.param("to"), Some("4155550123"));
    assert_eq!(error.param("zohouser"), Some(dana.as_str()));
    assert!(error.param("message").is_some());
    assert!(
        w.zoho_sim
            .calls()
            .iter()
            .all(|c| c["Call_Type"] != "Outbound")
    );
    w.stop().await;
}

#[tokio::test]
async fn hanging_up_from_zohos_call_bar_drops_the_agents_leg() {
    let mut options = pb_options();
    // The customer stays on the line until someone hangs up.
    options.pbx.dial.talk_secs = None;
    let w = World::start(options).await.expect("world starts");
    let maya = user_id(&w, "maya@corp.test");
    assert_eq!(
        w.zoho_sim.click_to_dial(&maya, "4155550123").await.unwrap(),
        200
    );
    let call_id = w.pbx_sim.dial_requests()[0].call_id.clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let zoho_id = loop {
        let answered = w.zoho_sim.notifications().into_iter().find(|n| {
            n.param("state") == Some("answered")
                && n.param("id").is_some_and(|id| id.starts_with(&call_id))
        });
        if let Some(n) = answered {
            break n.param("id").unwrap().to_owned();
        }
        assert!(tokio::time::Instant::now() < deadline, "never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Someone else's value cannot hang Maya's call up.
    let forged = reqwest::Client::new()
        .post(format!(
            "{}/zoho/phonebridge/callcontrol/hangup",
            w.http_url
        ))
        .header(
            "X-Ringbridge-Auth",
            auth_value(&w, &user_id(&w, "ben@corp.test")),
        )
        .form(&[("rb_user", maya.as_str()), ("callrefid", zoho_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(w.pbx_sim.request_count("v1.0/call/hangup"), 0);

    let status = w
        .zoho_sim
        .call_control(
            &maya,
            ringbridge_sim_zoho::CallControlAction::Hangup,
            &zoho_id,
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(w.pbx_sim.request_count("v1.0/call/hangup"), 1);
    let ns = notified(&w, &call_id).await;
    assert_eq!(
        ns.last().and_then(|n| n.param("state")),
        Some("ended"),
        "the hung-up call ends and is logged"
    );
    settled_in_phonebridge(&w, 1).await;
    assert_eq!(logs_for(&w, &call_id).len(), 1);
    w.stop().await;
}
