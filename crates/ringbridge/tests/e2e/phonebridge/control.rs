//! Call control from Zoho's call bar reaching the PBX: hold, unhold, mute,
//! unmute on the agent's own leg; answer accepting a call the PBX holds
//! for ringbridge's decision; keypress and forged values refused.

use std::time::Duration;

use ringbridge_sim_zoho::CallControlAction as Action;

use super::dial::auth_value;
use super::*;

/// A click-to-dial by Maya that stays up; returns (PBX call id, the Zoho id).
async fn maya_on_a_call(w: &World) -> (String, String) {
    let maya = user_id(w, "maya@corp.test");
    assert_eq!(
        w.zoho_sim.click_to_dial(&maya, "4155550123").await.unwrap(),
        200
    );
    let call_id = w.pbx_sim.dial_requests()[0].call_id.clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let answered = w.zoho_sim.notifications().into_iter().find(|n| {
            n.param("state") == Some("answered")
                && n.param("id").is_some_and(|id| id.starts_with(&call_id))
        });
        if let Some(n) = answered {
            return (call_id, n.param("id").unwrap_or_default().to_owned());
        }
        assert!(tokio::time::Instant::now() < deadline, "never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The channel of `extension` in the PBX call, as the simulator reports it.
fn channel_of(w: &World, call_id: &str, extension: &str) -> String {
    w.pbx_sim
        .events()
        .into_iter()
        .filter(|e| e.type_id == 30011 && e.msg["call_id"] == call_id)
        .find_map(|e| {
            e.msg["members"].as_array()?.iter().find_map(|m| {
                let x = m.get("extension")?;
                (x["number"] == extension).then(|| x["channel_id"].as_str().map(str::to_owned))?
            })
        })
        .expect("the extension's channel")
}

async fn post(w: &World, action: &str, auth: &str, form: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!(
            "{}/zoho/phonebridge/callcontrol/{action}",
            w.http_url
        ))
        .header("X-Ringbridge-Auth", auth)
        .form(form)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn hold_unhold_mute_unmute_reach_the_pbx_on_the_agents_own_channel() {
    let mut options = pb_options();
    options.pbx.dial.talk_secs = None;
    let w = World::start(options).await.expect("world starts");
    let maya = user_id(&w, "maya@corp.test");
    let (call_id, zoho_id) = maya_on_a_call(&w).await;
    let channel = channel_of(&w, &call_id, "1005");

    for action in [Action::Hold, Action::Unhold, Action::Mute, Action::Unmute] {
        let status = w
            .zoho_sim
            .call_control(&maya, action, &zoho_id, None)
            .await
            .unwrap();
        assert_eq!(status, 200, "{action:?}");
        if action == Action::Mute {
            assert_eq!(w.pbx_sim.muted_channels(), vec![channel.clone()]);
        }
    }
    let sent: Vec<_> = w
        .pbx_sim
        .control_requests()
        .into_iter()
        .map(|r| (r.endpoint, r.channel_id, r.errcode))
        .collect();
    let expected: Vec<_> = ["call/hold", "call/unhold", "call/mute", "call/unmute"]
        .into_iter()
        .map(|e| (e.to_owned(), channel.clone(), 0))
        .collect();
    assert_eq!(sent, expected);
    // The hold showed on the PBX: the agent's leg went HOLD and came back.
    let statuses: Vec<String> = w
        .pbx_sim
        .events()
        .into_iter()
        .filter(|e| e.type_id == 30011 && e.msg["call_id"] == call_id.as_str())
        .filter_map(|e| {
            e.msg["members"].as_array()?.iter().find_map(|m| {
                let x = m.get("extension")?;
                (x["channel_id"] == channel.as_str())
                    .then(|| x["member_status"].as_str().map(str::to_owned))?
            })
        })
        .collect();
    assert!(
        statuses
            .windows(2)
            .any(|p| p[0] == "HOLD" && p[1] != "HOLD"),
        "{statuses:?}"
    );
    assert!(w.pbx_sim.muted_channels().is_empty());

    // Holding a call that is not Maya's finds nothing of hers.
    let status = w
        .zoho_sim
        .call_control(&maya, Action::Hold, "1767258000.999", None)
        .await
        .unwrap();
    assert_eq!(status, 409);
    assert_eq!(w.pbx_sim.control_requests().len(), 4);
    w.stop().await;
}

#[tokio::test]
async fn answer_accepts_a_call_the_pbx_holds_for_a_decision() {
    let mut options = pb_options();
    options.pbx.invitation_window = Duration::from_secs(60);
    let w = World::start(options).await.expect("world starts");
    let maya = user_id(&w, "maya@corp.test");
    let (call_id, trunk) = w.pbx_sim.invite_inbound("4155550123", "1005").unwrap();
    let status = w
        .zoho_sim
        .call_control(&maya, Action::Answer, &call_id, None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    let sent = w.pbx_sim.control_requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].endpoint, "call/accept_inbound");
    assert_eq!(sent[0].channel_id, trunk);
    assert_eq!(sent[0].errcode, 0);
    // Accepted, the call rings Maya, and Zoho pops it.
    let ns = notified(&w, &call_id).await;
    assert_eq!(ns[0].param("state"), Some("ringing"));
    assert_eq!(ns[0].param("type"), Some("received"));
    w.stop().await;
}

#[tokio::test]
async fn keypress_is_refused_clearly_and_forged_values_change_nothing() {
    let mut options = pb_options();
    options.pbx.dial.talk_secs = None;
    let w = World::start(options).await.expect("world starts");
    let maya = user_id(&w, "maya@corp.test");
    let ben = user_id(&w, "ben@corp.test");
    let (_, zoho_id) = maya_on_a_call(&w).await;
    let mine = auth_value(&w, &maya);

    let keys = post(
        &w,
        "keypress",
        &mine,
        &[("rb_user", &maya), ("id", &zoho_id), ("digit", "5")],
    )
    .await;
    assert_eq!(keys.status(), 501);
    let body: serde_json::Value = keys.json().await.unwrap();
    assert_eq!(body["code"], "NOT_SUPPORTED");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("tones")),
        "{body}"
    );

    // Ben's value, a made-up one, or none: refused before the PBX is asked.
    let bens = auth_value(&w, &ben);
    for action in ["hold", "unhold", "mute", "unmute", "answer"] {
        for auth in [bens.as_str(), "not-the-value"] {
            let r = post(&w, action, auth, &[("rb_user", &maya), ("id", &zoho_id)]).await;
            assert_eq!(r.status(), 401, "{action}");
        }
    }
    assert!(w.pbx_sim.control_requests().is_empty());
    w.stop().await;
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_value_get_the_same_answer() {
    let mut options = pb_options();
    options.pbx.dial.talk_secs = None;
    let w = World::start(options).await.expect("world starts");
    let maya = user_id(&w, "maya@corp.test");
    let (_, zoho_id) = maya_on_a_call(&w).await;
    let mine = auth_value(&w, &maya);
    let answer = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    };
    let wrong_value = answer(
        post(
            &w,
            "hold",
            "not-the-value",
            &[("rb_user", &maya), ("id", &zoho_id)],
        )
        .await,
    )
    .await;
    let unknown_user = answer(
        post(
            &w,
            "hold",
            &mine,
            &[("rb_user", "4000000000001"), ("id", &zoho_id)],
        )
        .await,
    )
    .await;
    assert_eq!(wrong_value.0, 401);
    assert_eq!(unknown_user, wrong_value, "nothing tells the two apart");
    assert!(w.pbx_sim.control_requests().is_empty());
    w.stop().await;
}
