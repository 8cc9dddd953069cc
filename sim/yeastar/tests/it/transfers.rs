//! Attended-transfer outcomes other than `complete`, driven by scenario data.

use ringbridge_sim_yeastar::Scenario;

use crate::scenarios::TOPICS;
use crate::support::*;

fn scenario(outcome: &str, hang_up: bool) -> Scenario {
    let mut text = format!(
        r#"
name = "attended_{outcome}"
[[calls]]
id = "c"
from = {{ kind = "external", number = "5550199" }}
to = {{ kind = "extension", number = "1006" }}
[[steps]]
do = "ring"
[[steps]]
do = "answer"
[[steps]]
do = "transfer_attended"
by = "1006"
to = "1002"
ring_secs = 2
talk_secs = 3
outcome = "{outcome}"
"#
    );
    if hang_up {
        text.push_str("[[steps]]\ndo = \"hangup\"\nby = \"caller\"\n");
    }
    Scenario::from_toml(&text).expect("toml")
}

fn consult_id(ev: &[(u64, serde_json::Value)], orig: &str) -> String {
    ev.iter()
        .find(|(t, m)| *t == 30011 && m["call_id"] != orig)
        .and_then(|(_, m)| m["call_id"].as_str().map(str::to_owned))
        .expect("consultation call")
}

fn v(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| strs(r)).collect()
}

#[tokio::test]
async fn abort_returns_to_the_held_caller() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let ids = sim.play(&scenario("abort", true)).await.expect("played");
    let ev = events_until_cdrs(&mut socket, 2).await;
    let consult = consult_id(&ev, &ids[0]);
    assert_eq!(
        frames(&ev, &consult),
        v(&[
            &["extension:1006:ALERT", "extension:1002:RING"],
            &["extension:1006:ANSWERED", "extension:1002:ANSWER"],
            &["extension:1006:ANSWERED", "extension:1002:BYE"],
            &["extension:1006:BYE"],
        ])
    );
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["inbound:5550199:ALERT", "extension:1006:RING"],
            &["inbound:5550199:ANSWERED", "extension:1006:ANSWER"],
            &["inbound:5550199:HOLD", "extension:1006:ANSWER"],
            &["inbound:5550199:ANSWERED", "extension:1006:ANSWER"],
            &["inbound:5550199:BYE", "extension:1006:ANSWER"],
            &["extension:1006:BYE"],
        ])
    );
    assert!(of_type(&ev, 30013).is_empty());
}

#[tokio::test]
async fn threeway_keeps_everyone() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let ids = sim.play(&scenario("threeway", true)).await.expect("played");
    let ev = events_until_cdrs(&mut socket, 2).await;
    let f = frames(&ev, &ids[0]);
    assert_eq!(
        f[3..].to_vec(),
        v(&[
            &[
                "inbound:5550199:ANSWERED",
                "extension:1006:ANSWER",
                "extension:1002:ANSWER"
            ],
            &[
                "inbound:5550199:BYE",
                "extension:1006:ANSWER",
                "extension:1002:ANSWER"
            ],
            &["extension:1006:BYE", "extension:1002:BYE"],
        ])
    );
    assert!(of_type(&ev, 30013).is_empty());
}

#[tokio::test]
async fn swap_toggles_the_held_party() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let ids = sim.play(&scenario("swap", false)).await.expect("played");
    let mut ev = Vec::new();
    while ev.len() < 7 {
        let (t, m, _) = decode(&next_text(&mut socket).await.expect("frame"));
        ev.push((t, m));
    }
    let consult = consult_id(&ev, &ids[0]);
    assert_eq!(
        frames(&ev, &ids[0]).last().cloned(),
        Some(strs(&["inbound:5550199:ANSWERED", "extension:1006:ANSWER"]))
    );
    assert_eq!(
        frames(&ev, &consult).last().cloned(),
        Some(strs(&["extension:1006:ANSWERED", "extension:1002:HOLD"]))
    );
    assert_eq!(sim.live_calls().len(), 2);
}
