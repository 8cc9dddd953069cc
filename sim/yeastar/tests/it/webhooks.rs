//! Webhook settings, signed delivery with retries, and `webhook/test`.

use ringbridge_sim_yeastar::{Event, webhook_signature};
use serde_json::{Value, json};

use crate::support::*;

fn target(url: &str, ids: &[u32]) -> Value {
    json!({"url": url, "secret": "NArDaguorcDjBGlTrGgKVAfrTN6xqyOC", "request_method": "POST", "event_ids": ids})
}

#[tokio::test]
async fn update_validates_and_query_reports() {
    let sim = sim().await;
    let api = login(&sim).await;
    let six: Vec<Value> = (0..6)
        .map(|i| target(&format!("http://127.0.0.1:9/{i}"), &[30011]))
        .collect();
    let r = api
        .post("webhook/update", &json!({"webhook_event_push_list": six}))
        .await;
    assert_eq!(r["errcode"], 60002, "at most 5 webhooks");
    for bad in [
        json!({"webhook_event_push_timeout": 2}),
        json!({"webhook_event_push_retry_count": 6}),
        json!({"webhook_event_push_list": [target("ftp://x", &[0])]}),
        json!({"webhook_event_push_list": [target("http://127.0.0.1:9/", &[12345])]}),
        json!({"webhook_event_push_list": [{"url": "http://127.0.0.1:9/", "request_method": "PUT", "event_ids": [0]}]}),
    ] {
        assert_eq!(
            api.post("webhook/update", &bad).await["errcode"],
            40002,
            "{bad}"
        );
    }
    let r = api
        .post(
            "webhook/update",
            &json!({"webhook_event_push_list": [{"url": "http://127.0.0.1:9/x", "request_method": "GET", "event_ids": [0]}],
                    "webhook_event_push_timeout": 3, "webhook_event_push_retry_count": 1}),
        )
        .await;
    assert_eq!(r["errcode"], 0);
    let q = api.get("webhook/query", &[]).await;
    let d = &q["data"];
    assert_eq!(d["enb_webhook_event_push"], 1);
    assert_eq!(d["webhook_event_push_timeout"], 3);
    assert_eq!(d["webhook_event_push_retry_count"], 1);
    let secret = d["webhook_event_push_list"][0]["secret"]
        .as_str()
        .expect("secret");
    assert_eq!(secret.len(), 32, "the PBX generates a secret");
    assert!(
        d["webhook_event_ids"]
            .as_array()
            .expect("ids")
            .contains(&json!(30011))
    );
    assert_eq!(sim.webhooks().targets.len(), 1);
}

#[tokio::test]
async fn events_are_pushed_signed_and_filtered() {
    let sim = sim().await;
    let hook = Hook::default();
    let url = hook.start().await;
    let api = login(&sim).await;
    let r = api
        .post(
            "webhook/update",
            &json!({"webhook_event_push_list": [target(&url, &[30012])]}),
        )
        .await;
    assert_eq!(r["errcode"], 0);
    sim.play_builtin("inbound_missed").await.expect("played");
    let hits = hook.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(hook.hits().len(), 1, "only the subscribed 30012");
    let (sig, body) = &hits[0];
    assert_eq!(
        *sig,
        webhook_signature("NArDaguorcDjBGlTrGgKVAfrTN6xqyOC", body.as_bytes())
    );
    let (t, msg, _) = decode(body);
    assert_eq!(t, 30012);
    assert_eq!(msg["status"], "NO ANSWER");
}

#[tokio::test]
async fn failed_deliveries_are_retried() {
    let sim = sim().await;
    let hook = Hook::default();
    *hook.statuses.lock().expect("lock") = vec![500, 503];
    let url = hook.start().await;
    let api = login(&sim).await;
    let r = api
        .post("webhook/update", &json!({"webhook_event_push_list": [target(&url, &[0])], "webhook_event_push_retry_count": 2}))
        .await;
    assert_eq!(r["errcode"], 0);
    sim.emit(Event::new(
        30015,
        json!({"call_id": "1.1", "reason": "DND", "members": null}),
    ));
    let hits = hook.wait_for(3).await;
    assert!(hits.iter().all(|h| h.1 == hits[0].1), "same body each time");
    let attempts: Vec<(u32, Option<u16>)> = sim
        .webhook_deliveries()
        .iter()
        .map(|d| (d.attempt, d.status))
        .collect();
    assert_eq!(
        attempts,
        vec![(1, Some(500)), (2, Some(503)), (3, Some(200))]
    );
    // A target that never answers 2xx gets 1 + retry_count attempts.
    *hook.statuses.lock().expect("lock") = vec![500; 10];
    sim.emit(Event::new(
        30015,
        json!({"call_id": "1.2", "reason": "DND", "members": null}),
    ));
    hook.wait_for(6).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(hook.hits().len(), 6);
}

#[tokio::test]
async fn switch_off_stops_pushing() {
    let sim = sim().await;
    let hook = Hook::default();
    let url = hook.start().await;
    let api = login(&sim).await;
    api.post(
        "webhook/update",
        &json!({"webhook_event_push_list": [target(&url, &[0])], "enb_webhook_event_push": 0}),
    )
    .await;
    sim.emit(Event::new(30012, json!({"call_id": "1.1"})));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(hook.hits().is_empty());
}

#[tokio::test]
async fn webhook_test_sends_a_signed_message() {
    let sim = sim().await;
    let hook = Hook::default();
    let url = hook.start().await;
    let api = login(&sim).await;
    let r = api
        .get(
            "webhook/test",
            &[
                ("url", &url),
                ("secret", "s3cret"),
                ("request_method", "POST"),
            ],
        )
        .await;
    assert_eq!(r, json!({"errcode": 0, "errmsg": "SUCCESS"}));
    let (sig, body) = &hook.hits()[0];
    assert_eq!(*sig, webhook_signature("s3cret", body.as_bytes()));
    *hook.statuses.lock().expect("lock") = vec![404];
    let r = api
        .get("webhook/test", &[("url", &url), ("secret", "s3cret")])
        .await;
    assert_eq!(r["errcode"], -1);
    assert_eq!(
        api.get("webhook/test", &[("url", "nope")]).await["errcode"],
        40002
    );
}
