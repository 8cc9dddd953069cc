//! Built-in scenarios, continued: internal, transfers, voicemail, failures, overlaps.

use ringbridge_sim_yeastar::{CdrMode, builtin};

use crate::scenarios::{TOPICS, cdr_rows, run};
use crate::support::*;

fn v(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| strs(r)).collect()
}

#[tokio::test]
async fn internal_call() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "internal", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["extension:1004:ALERT", "extension:1005:RING"],
            &["extension:1004:ANSWERED", "extension:1005:ANSWER"],
            &["extension:1004:ANSWERED", "extension:1005:BYE"],
            &["extension:1004:BYE"],
        ])
    );
    let cdr = &of_type(&ev, 30012)[0];
    assert_eq!(cdr["type"], "Internal");
    assert_eq!(
        cdr["recording"],
        format!("20260101090000-{}-1004-1005-Internal.wav", ids[0])
    );
    let rows = cdr_rows(&sim, &ids[0]).await;
    assert_eq!(
        rows[0]["reason"].as_str().map(str::trim),
        Some("dst hangup")
    );
}

#[tokio::test]
async fn blind_transfer() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "blind_transfer", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["inbound:5550199:ALERT", "extension:1005:RING"],
            &["inbound:5550199:ANSWERED", "extension:1005:ANSWER"],
            &[
                "inbound:5550199:ANSWERED",
                "extension:1005:BYE",
                "extension:1007:RING"
            ],
            &["inbound:5550199:ANSWERED", "extension:1007:ANSWER"],
            &["inbound:5550199:BYE", "extension:1007:ANSWER"],
            &["extension:1007:BYE"],
        ])
    );
    let transfers = of_type(&ev, 30013);
    assert_eq!(transfers.len(), 1);
    assert_eq!(transfers[0]["call_id"], ids[0]);
    assert_eq!(
        summary(&transfers[0]),
        strs(&["inbound:5550199:ANSWERED", "extension:1007:RING"])
    );
    // 30013 comes between the transfer frame and the target's answer.
    let pos = |t: u64, n: usize| {
        ev.iter()
            .enumerate()
            .filter(|(_, (ty, _))| *ty == t)
            .nth(n)
            .map(|(i, _)| i)
    };
    assert!(pos(30011, 2) < pos(30013, 0) && pos(30013, 0) < pos(30011, 3));
    let rows = cdr_rows(&sim, &ids[0]).await;
    let legs: Vec<(&str, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["call_to_number"].as_str().expect("n"),
                r["talk_duration"].as_i64().expect("talk"),
            )
        })
        .collect();
    assert_eq!(legs, vec![("1005", 20), ("1007", 30)]);
}

#[tokio::test]
async fn attended_transfer() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "attended_transfer", 2).await;
    assert_eq!(ids.len(), 1);
    let orig = &ids[0];
    let consult: String = ev
        .iter()
        .find(|(t, m)| *t == 30011 && m["call_id"] != *orig)
        .map(|(_, m)| m["call_id"].as_str().expect("id").to_owned())
        .expect("a consultation call");
    assert_eq!(
        frames(&ev, orig),
        v(&[
            &["inbound:5550188:ALERT", "extension:1006:RING"],
            &["inbound:5550188:ANSWERED", "extension:1006:ANSWER"],
            &["inbound:5550188:HOLD", "extension:1006:ANSWER"],
            &[
                "inbound:5550188:ANSWERED",
                "extension:1006:BYE",
                "extension:1002:ANSWER"
            ],
            &["inbound:5550188:ANSWERED", "extension:1002:BYE"],
            &["inbound:5550188:BYE"],
        ])
    );
    assert_eq!(
        frames(&ev, &consult),
        v(&[
            &["extension:1006:ALERT", "extension:1002:RING"],
            &["extension:1006:ANSWERED", "extension:1002:ANSWER"],
            &["extension:1006:BYE", "extension:1002:ANSWER"],
        ])
    );
    let t = of_type(&ev, 30013);
    assert_eq!(
        summary(&t[0]),
        strs(&["inbound:5550188:ANSWERED", "extension:1002:ANSWER"])
    );
    let cdrs = of_type(&ev, 30012);
    assert_eq!(cdrs[0]["call_id"], consult.as_str());
    assert_eq!(cdrs[1]["call_id"], orig.as_str());
    assert_eq!(cdrs[1]["status"], "ANSWERED");
}

#[tokio::test]
async fn voicemail() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "voicemail", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["inbound:5550144:ALERT", "extension:1007:RING"],
            &["inbound:5550144:ANSWERED", "extension:1007:BYE"],
            &["inbound:5550144:BYE"],
        ])
    );
    let cdr = &of_type(&ev, 30012)[0];
    assert_eq!(cdr["status"], "VOICEMAIL");
    assert_eq!(cdr["recording"], "");
    let rows = cdr_rows(&sim, &ids[0]).await;
    assert_eq!(rows[0]["disposition"], "VOICEMAIL");
    assert_eq!(rows[0]["talk_duration"], 20);
}

#[tokio::test]
async fn caller_hangs_up_while_ringing() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "caller_hangs_up_ringing", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["inbound:5550135:ALERT", "extension:1005:RING"],
            &["inbound:5550135:BYE", "extension:1005:RING"],
            &["extension:1005:BYE"],
        ])
    );
    let rows = cdr_rows(&sim, &ids[0]).await;
    assert_eq!(rows[0]["disposition"], "NO ANSWER");
    assert_eq!(
        rows[0]["reason"].as_str().map(str::trim),
        Some("src hangup")
    );
}

#[tokio::test]
async fn two_simultaneous_calls_from_the_same_number() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "simultaneous_same_caller", 2).await;
    assert_eq!(ids, strs(&["1767258000.1", "1767258002.2"]));
    assert_eq!(
        frames(&ev, &ids[0])[0],
        strs(&["inbound:5550199:ALERT", "extension:1005:RING"])
    );
    assert_eq!(
        frames(&ev, &ids[1])[0],
        strs(&["inbound:5550199:ALERT", "extension:1006:RING"])
    );
    let cdrs = of_type(&ev, 30012);
    assert_eq!(cdrs.len(), 2);
    assert_eq!(cdrs[0]["call_id"], ids[0].as_str());
    assert_eq!(cdrs[1]["call_id"], ids[1].as_str());
    assert_eq!(sim.recordings().len(), 2);
    let (a, b) = (cdr_rows(&sim, &ids[0]).await, cdr_rows(&sim, &ids[1]).await);
    assert_ne!(a[0]["uid"], b[0]["uid"]);
}

#[tokio::test]
async fn forwarded_call() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "inbound_forwarded", 1).await;
    assert_eq!(
        frames(&ev, &ids[0])[1],
        strs(&[
            "inbound:5550177:ALERT",
            "extension:1001:BYE",
            "extension:1008:RING"
        ])
    );
    let fwd = of_type(&ev, 30014);
    assert_eq!(
        summary(&fwd[0]),
        strs(&["inbound:5550177:ALERT", "extension:1008:RING"])
    );
    let rows = cdr_rows(&sim, &ids[0]).await;
    let legs: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["call_to"].as_str().expect("to"),
                r["disposition"].as_str().expect("d"),
            )
        })
        .collect();
    assert_eq!(
        legs,
        vec![("Ana Silva<1001>", "NO ANSWER"), ("1008<1008>", "ANSWERED")]
    );
}

#[tokio::test]
async fn outbound_busy_fails_with_30015() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "outbound_busy", 1).await;
    let failed = of_type(&ev, 30015);
    assert_eq!(
        failed[0]["call_id"], "1767258000.000001",
        "zero-padded failure id"
    );
    assert_eq!(failed[0]["reason"], "486 Busy here");
    assert_eq!(
        summary(&failed[0]),
        strs(&["extension:1002:ALERT", "outbound:5550100:RING"])
    );
    assert_eq!(
        frames(&ev, &ids[0]).last().cloned(),
        Some(strs(&["extension:1002:BYE", "outbound:5550100:BYE"]))
    );
    assert_eq!(of_type(&ev, 30012)[0]["status"], "BUSY");
    assert_eq!(cdr_rows(&sim, &ids[0]).await[0]["disposition"], "BUSY");
}

#[tokio::test]
async fn click_to_call_scenario_rings_the_caller_first() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "click_to_call", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["extension:1005:RING"],
            &["extension:1005:ALERT", "outbound:5550199:RING"],
            &["extension:1005:ANSWERED", "outbound:5550199:ANSWER"],
            &["extension:1005:ANSWERED", "outbound:5550199:BYE"],
            &["extension:1005:BYE"],
        ])
    );
}

#[tokio::test]
async fn legacy_cdr_mode_gives_one_row_per_call() {
    let sim = sim_with(|s| s.cdr_mode = CdrMode::Legacy).await;
    let (ids, _) = run(&sim, "queue_answered", 1).await;
    let rows = cdr_rows(&sim, &ids[0]).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], 1);
    assert!(rows[0].get("new_id").is_none());
    assert_eq!(rows[0]["call_to"], "Chen Wei<1003>");
    assert_eq!(rows[0]["ring_duration"], 7);
}

#[tokio::test]
async fn scenario_parameters_are_overridable() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    for (i, caller) in ["5550001", "5550002", "5550003"].iter().enumerate() {
        let s = builtin("inbound_missed")
            .expect("b")
            .with_param("caller", *caller)
            .expect("caller")
            .with_param("agent", "1003")
            .expect("agent");
        let ids = sim.play(&s).await.expect("played");
        let ev = events_until_cdrs(&mut socket, 1).await;
        assert_eq!(
            frames(&ev, &ids[0])[0],
            strs(&[&format!("inbound:{caller}:ALERT"), "extension:1003:RING"]),
            "call {i}"
        );
    }
    assert!(
        builtin("inbound_missed")
            .expect("b")
            .with_param("nope", "1")
            .is_err()
    );
    assert_eq!(sim.call_records().len(), 3);
}
