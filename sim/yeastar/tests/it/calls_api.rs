//! `call/dial`, `call/query`, `call/hangup`, `call/transfer` over HTTP.

use ringbridge_sim_yeastar::{Scenario, SimYeastar};
use serde_json::{Value, json};

use crate::scenarios::TOPICS;
use crate::support::*;

fn v(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| strs(r)).collect()
}

/// An answered inbound call that stays up until someone acts on it.
async fn live_call(sim: &SimYeastar, agent: &str) -> String {
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
do = "wait"
secs = 4
[[steps]]
do = "answer"
"#
    ))
    .expect("toml");
    sim.play(&s).await.expect("played").remove(0)
}

fn channel(info: &Value, number: &str) -> String {
    info["members"]
        .as_array()
        .expect("members")
        .iter()
        .find_map(|m| {
            let (_, b) = m.as_object()?.iter().next()?;
            (b["number"] == number || b["from"] == number || b["to"] == number)
                .then(|| b["channel_id"].as_str().map(str::to_owned))?
        })
        .expect("member present")
}

#[tokio::test]
async fn click_to_call_rings_the_caller_first_and_returns_the_call_id() {
    let sim = sim_with(|s| s.dial.talk_secs = Some(10)).await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let r = api
        .post(
            "call/dial",
            &json!({"caller": "1005", "callee": "5550199", "auto_answer": "no"}),
        )
        .await;
    assert_eq!(r["errcode"], 0, "{r}");
    let call_id = r["call_id"]
        .as_str()
        .expect("call_id is a string")
        .to_owned();
    let ev = events_until_cdrs(&mut socket, 1).await;
    assert_eq!(
        frames(&ev, &call_id),
        v(&[
            &["extension:1005:RING"],
            &["extension:1005:ALERT", "outbound:5550199:RING"],
            &["extension:1005:ANSWERED", "outbound:5550199:ANSWER"],
            &["extension:1005:ANSWERED", "outbound:5550199:BYE"],
            &["extension:1005:BYE"],
        ])
    );
    assert_eq!(of_type(&ev, 30012)[0]["call_id"], call_id.as_str());
    let reqs = sim.dial_requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        (reqs[0].caller.as_str(), reqs[0].callee.as_str()),
        ("1005", "5550199")
    );
    assert_eq!(reqs[0].auto_answer.as_deref(), Some("no"));
    assert_eq!(reqs[0].call_id, call_id);
    // Caller rang 3 s, callee 6 s.
    let rec = &sim.call_records()[0];
    assert_eq!(rec.answered_at.map(|a| a - rec.started_at), Some(9));
}

#[tokio::test]
async fn auto_answer_skips_the_caller_ring_wait() {
    let sim = sim_with(|s| s.dial.talk_secs = Some(5)).await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let r = api
        .post(
            "call/dial",
            &json!({"caller": "1004", "callee": "1006", "auto_answer": "yes"}),
        )
        .await;
    assert_eq!(r["errcode"], 0);
    events_until_cdrs(&mut socket, 1).await;
    let rec = &sim.call_records()[0];
    assert_eq!(rec.answered_at.map(|a| a - rec.started_at), Some(6));
}

#[tokio::test]
async fn missing_outbound_permission_succeeds_then_fails_with_30015() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let r = api
        .post("call/dial", &json!({"caller": "1008", "callee": "5550199"}))
        .await;
    assert_eq!(
        r["errcode"], 0,
        "permission problems do not fail the request"
    );
    let call_id = r["call_id"].as_str().expect("id").to_owned();
    let ev = events_until_cdrs(&mut socket, 1).await;
    let failed = of_type(&ev, 30015);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["reason"], "NO Dial Permission");
    assert!(failed[0]["members"].is_null());
    let (epoch, seq) = call_id.split_once('.').expect("epoch.seq");
    assert_eq!(failed[0]["call_id"], format!("{epoch}.{:0>6}", seq));
    assert_eq!(
        frames(&ev, &call_id),
        v(&[&["extension:1008:RING"], &["extension:1008:BYE"]])
    );
    assert_eq!(of_type(&ev, 30012)[0]["status"], "FAILED");
    // Borrowing another extension's rights works.
    let r = api
        .post(
            "call/dial",
            &json!({"caller": "1008", "callee": "5550199", "dial_permission": "1005"}),
        )
        .await;
    let ev = events_until_cdrs(&mut socket, 1).await;
    assert!(of_type(&ev, 30015).is_empty());
    assert_eq!(
        frames(&ev, r["call_id"].as_str().expect("id"))[1],
        strs(&["extension:1008:ALERT", "outbound:5550199:RING"])
    );
}

#[tokio::test]
async fn an_unknown_dial_permission_succeeds_then_fails_with_30015() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    for callee in ["5550199", "1006"] {
        let r = api
            .post(
                "call/dial",
                &json!({"caller": "1005", "callee": callee, "dial_permission": "9999"}),
            )
            .await;
        assert_eq!(r["errcode"], 0, "{callee}: {r}");
        let ev = events_until_cdrs(&mut socket, 1).await;
        let failed = of_type(&ev, 30015);
        assert_eq!(failed.len(), 1, "{callee}");
        assert_eq!(failed[0]["reason"], "NO Dial Permission");
    }
}

#[tokio::test]
async fn dial_validates_its_body() {
    let sim = sim().await;
    let api = login(&sim).await;
    for body in [
        json!({"caller": "1005"}),
        json!({"caller": "9999", "callee": "5550199"}),
        json!({"caller": "1005", "callee": "5550199", "auto_answer": "maybe"}),
        json!({"caller": "1005", "callee": "55a"}),
    ] {
        assert_eq!(
            api.post("call/dial", &body).await["errcode"],
            40002,
            "{body}"
        );
    }
    assert!(sim.dial_requests().is_empty());
}

#[tokio::test]
async fn query_is_bare_success_when_idle_and_lists_live_calls() {
    let sim = sim_with(|s| s.dial.talk_secs = None).await;
    let api = login(&sim).await;
    assert_eq!(
        api.get("call/query", &[]).await,
        json!({"errcode": 0, "errmsg": "SUCCESS"})
    );
    assert_eq!(
        api.get("queue/call_status", &[("number", "6400")]).await["errcode"],
        60001
    );
    let r = api
        .post("call/dial", &json!({"caller": "1005", "callee": "5550199"}))
        .await;
    let call_id = r["call_id"].as_str().expect("id").to_owned();
    // The background dial runs on the simulated clock; wait until it is connected.
    let mut info = Value::Null;
    for _ in 0..500 {
        let q = api.get("call/query", &[("call_id", &call_id)]).await;
        if summary(&q["data"][0]).contains(&"outbound:5550199:ANSWER".to_owned()) {
            info = q["data"][0].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(info["call_id"], call_id.as_str());
    assert_eq!(
        api.get("call/query", &[("type", "outbound")]).await["data"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert!(
        api.get("call/query", &[("type", "inbound")])
            .await
            .get("data")
            .is_none()
    );
    assert_eq!(
        api.get("call/query", &[("extension", "1005")]).await["data"][0]["call_id"],
        call_id.as_str()
    );
    assert_eq!(
        api.get("call/query", &[("type", "sideways")]).await["errcode"],
        40002
    );
    // Hang up the customer's channel.
    let r = api
        .post("call/hangup", &json!({"channel_id": "PJSIP/none-00000000"}))
        .await;
    assert_eq!(r["errcode"], 70130);
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let r = api
        .post(
            "call/hangup",
            &json!({"channel_id": channel(&info, "5550199")}),
        )
        .await;
    assert_eq!(r["errcode"], 0);
    assert_eq!(r["call_id"], call_id.as_str());
    let ev = events_until_cdrs(&mut socket, 1).await;
    assert_eq!(
        frames(&ev, &call_id).last().cloned(),
        Some(strs(&["extension:1005:BYE"]))
    );
    assert_eq!(api.get("call/query", &[]).await.get("data"), None);
}

#[tokio::test]
async fn api_blind_transfer_moves_the_caller() {
    let sim = sim().await;
    let api = login(&sim).await;
    let call_id = live_call(&sim, "1005").await;
    let info = api.get("call/query", &[("call_id", &call_id)]).await["data"][0].clone();
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let bad = api
        .post(
            "call/transfer",
            &json!({"type": "sideways", "channel_id": "x"}),
        )
        .await;
    assert_eq!(bad["errcode"], 40002);
    let r = api
        .post(
            "call/transfer",
            &json!({"type": "blind", "channel_id": channel(&info, "5550199"), "number": "1007"}),
        )
        .await;
    assert_eq!(r["errcode"], 0, "{r}");
    assert_eq!(r["call_id"], call_id.as_str());
    let first = next_text(&mut socket).await.expect("frame");
    assert_eq!(
        summary(&decode(&first).1),
        strs(&[
            "inbound:5550199:ANSWERED",
            "extension:1005:BYE",
            "extension:1007:RING"
        ])
    );
    let (t, m, _) = decode(&next_text(&mut socket).await.expect("30013"));
    assert_eq!(
        (t, summary(&m)),
        (
            30013,
            strs(&["inbound:5550199:ANSWERED", "extension:1007:RING"])
        )
    );
    let (_, m, _) = decode(&next_text(&mut socket).await.expect("answer"));
    assert_eq!(
        summary(&m),
        strs(&["inbound:5550199:ANSWERED", "extension:1007:ANSWER"])
    );
}

#[tokio::test]
async fn api_attended_transfer_complete() {
    let sim = sim().await;
    let api = login(&sim).await;
    let call_id = live_call(&sim, "1006").await;
    let info = api.get("call/query", &[("call_id", &call_id)]).await["data"][0].clone();
    let agent = channel(&info, "1006");
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let r = api
        .post(
            "call/transfer",
            &json!({"type": "attended", "channel_id": agent, "number": "1002"}),
        )
        .await;
    assert_eq!(r["errcode"], 0, "{r}");
    // Held caller, consultation ringing, then answered by the auto-answer.
    let mut seen = Vec::new();
    while !seen.contains(&strs(&["extension:1006:ANSWERED", "extension:1002:ANSWER"])) {
        let (_, m, _) = decode(&next_text(&mut socket).await.expect("frame"));
        seen.push(summary(&m));
    }
    assert_eq!(
        seen[0],
        strs(&["inbound:5550199:HOLD", "extension:1006:ANSWER"])
    );
    let r = api
        .post(
            "call/transfer",
            &json!({"type": "attended", "channel_id": agent, "attended_operate": "complete"}),
        )
        .await;
    assert_eq!(r["errcode"], 0, "{r}");
    let ev = events_until_cdrs(&mut socket, 1).await;
    let mut rest = ev.clone();
    while let Ok(Some(f)) = tokio::time::timeout(
        std::time::Duration::from_millis(100),
        next_text(&mut socket),
    )
    .await
    {
        let (t, m, _) = decode(&f);
        rest.push((t, m));
    }
    let transfer = of_type(&rest, 30013);
    assert_eq!(transfer[0]["call_id"], call_id.as_str());
    assert_eq!(
        summary(&transfer[0]),
        strs(&["inbound:5550199:ANSWERED", "extension:1002:ANSWER"])
    );
    let r = api
        .post(
            "call/transfer",
            &json!({"type": "attended", "channel_id": agent, "attended_operate": "complete"}),
        )
        .await;
    assert_eq!(r["errcode"], 70130, "the transferor's channel is gone");
}
