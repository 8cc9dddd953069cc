//! `call/hold`, `call/unhold`, `call/mute`, `call/unmute`, `call/accept_inbound`,
//! `call/refuse_inbound` over HTTP.

use std::time::Duration;

use ringbridge_sim_yeastar::{Scenario, SimYeastar};
use serde_json::{Value, json};

use crate::support::*;

/// An answered inbound call from 5550199 to `agent`, left up; returns (call id, agent channel).
async fn live_call(sim: &SimYeastar, api: &Api, agent: &str) -> (String, String) {
    let s = Scenario::from_toml(&format!(
        r#"
name = "live"
[[calls]]
id = "c"
from = {{ kind = "external", number = "5550199" }}
to = {{ kind = "extension", number = "{agent}" }}
[[steps]]
do = "ring"
[[steps]]
do = "answer"
"#
    ))
    .expect("toml");
    let call_id = sim.play(&s).await.expect("played").remove(0);
    let info = api.get("call/query", &[("call_id", &call_id)]).await["data"][0].clone();
    (call_id, ext_channel(&info, agent))
}

fn ext_channel(info: &Value, number: &str) -> String {
    info["members"]
        .as_array()
        .expect("members")
        .iter()
        .find_map(|m| {
            let e = m.get("extension")?;
            (e["number"] == number).then(|| e["channel_id"].as_str().map(str::to_owned))?
        })
        .expect("extension member")
}

fn ext_status(info: &Value, number: &str) -> String {
    info["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|m| {
            let e = m.get("extension")?;
            (e["number"] == number).then(|| e["member_status"].as_str().map(str::to_owned))?
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn hold_and_unhold_show_in_the_call_and_unknown_channels_are_70130() {
    let sim = sim().await;
    let api = login(&sim).await;
    let (call_id, channel) = live_call(&sim, &api, "1005").await;
    let body = json!({ "channel_id": channel });

    let r = api.post("call/hold", &body).await;
    assert_eq!(
        (r["errcode"].clone(), r["call_id"].clone()),
        (json!(0), json!(call_id))
    );
    let info = api.get("call/query", &[("call_id", &call_id)]).await["data"][0].clone();
    assert_eq!(ext_status(&info, "1005"), "HOLD");
    let last = sim
        .events()
        .into_iter()
        .rev()
        .find(|e| e.type_id == 30011)
        .expect("frame");
    assert_eq!(
        ext_status(&last.msg, "1005"),
        "HOLD",
        "the hold is in a 30011 frame"
    );
    // Holding twice is an operation the channel does not support now.
    assert_eq!(api.post("call/hold", &body).await["errcode"], 70132);

    assert_eq!(api.post("call/unhold", &body).await["errcode"], 0);
    let info = api.get("call/query", &[("call_id", &call_id)]).await["data"][0].clone();
    assert_eq!(ext_status(&info, "1005"), "ANSWER");

    for endpoint in ["call/hold", "call/unhold", "call/mute", "call/unmute"] {
        let r = api
            .post(endpoint, &json!({"channel_id": "PJSIP/1005-ffffffff"}))
            .await;
        assert_eq!(r["errcode"], 70130, "{endpoint}");
        assert_eq!(api.post(endpoint, &json!({})).await["errcode"], 40002);
    }
    let log = sim.control_requests();
    assert_eq!(log[0].endpoint, "call/hold");
    assert_eq!(log[0].channel_id, channel);
    assert_eq!(log[1].errcode, 70132);
}

#[tokio::test]
async fn mute_and_unmute_a_talking_member() {
    let sim = sim().await;
    let api = login(&sim).await;
    let (_, channel) = live_call(&sim, &api, "1005").await;
    let body = json!({ "channel_id": channel });
    assert_eq!(api.post("call/mute", &body).await["errcode"], 0);
    assert_eq!(sim.muted_channels(), vec![channel.clone()]);
    assert_eq!(api.post("call/unmute", &body).await["errcode"], 0);
    assert!(sim.muted_channels().is_empty());
}

#[tokio::test]
async fn an_invited_inbound_call_waits_for_accept_then_rings_its_destination() {
    let sim = sim_with(|s| s.invitation_window = Duration::from_secs(30)).await;
    let api = login(&sim).await;
    let (call_id, trunk_channel) = sim.invite_inbound("5550199", "1005").expect("invited");
    let invitation = sim
        .events()
        .into_iter()
        .find(|e| e.type_id == 30016)
        .expect("30016");
    assert_eq!(invitation.msg["call_id"], call_id.as_str());
    let inbound = &invitation.msg["members"][0]["inbound"];
    assert_eq!(inbound["from"], "5550199");
    assert_eq!(inbound["channel_id"], trunk_channel.as_str());
    assert_eq!(inbound["member_status"], "ALERT");
    // Held: live, but nothing rings.
    let info = api.get("call/query", &[("call_id", &call_id)]).await["data"][0].clone();
    assert_eq!(info["members"].as_array().map(Vec::len), Some(1));

    // An extension's channel is not an invitation.
    let r = api
        .post(
            "call/accept_inbound",
            &json!({"channel_id": "PJSIP/1005-ffffffff"}),
        )
        .await;
    assert_eq!(r["errcode"], 70130);
    let r = api
        .post("call/accept_inbound", &json!({"channel_id": trunk_channel}))
        .await;
    assert_eq!(
        (r["errcode"].clone(), r["call_id"].clone()),
        (json!(0), json!(call_id))
    );
    let mut rang = false;
    for _ in 0..100 {
        rang = sim.events().iter().any(|e| {
            e.type_id == 30011
                && e.msg["call_id"] == call_id.as_str()
                && ext_status(&e.msg, "1005") == "RING"
        });
        if rang {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(rang, "the destination rings once accepted");
    // Accepting again: the call is no longer waiting (70132 while it lasts, 70130 after).
    let r = api
        .post("call/accept_inbound", &json!({"channel_id": trunk_channel}))
        .await;
    assert!(r["errcode"] == 70132 || r["errcode"] == 70130, "{r}");
}

#[tokio::test]
async fn a_refused_invitation_rings_nobody_and_an_undecided_one_routes_itself() {
    let sim = sim_with(|s| s.invitation_window = Duration::from_millis(200)).await;
    let api = login(&sim).await;
    let (refused, channel) = sim.invite_inbound("5550199", "1005").expect("invited");
    let r = api
        .post("call/refuse_inbound", &json!({"channel_id": channel}))
        .await;
    assert_eq!(r["errcode"], 0);
    assert!(!sim.live_calls().contains(&refused));

    let (undecided, _) = sim.invite_inbound("5550188", "1005").expect("invited");
    let mut routed = false;
    for _ in 0..100 {
        routed = sim.events().iter().any(|e| {
            e.type_id == 30011
                && e.msg["call_id"] == undecided.as_str()
                && e.msg["members"].to_string().contains("\"RING\"")
        });
        if routed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(routed, "after the window the PBX routes the call by itself");
}
