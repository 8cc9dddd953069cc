//! `cdr/list`, `cdr/search` (v1.0) and the v2.0 variants.

use ringbridge_sim_yeastar::SimYeastar;
use serde_json::Value;

use crate::support::*;

const T0: i64 = 1_767_258_000; // 01/01/2026 09:00:00 AM

/// Three calls: 09:00 (queue, two legs), 10:00 (internal), 11:00 (missed inbound).
async fn three_calls(sim: &SimYeastar) {
    sim.play_builtin("queue_answered").await.expect("queue");
    sim.clock().set(T0 + 3600);
    sim.play_builtin("internal").await.expect("internal");
    sim.clock().set(T0 + 7200);
    sim.play_builtin("inbound_missed").await.expect("missed");
}

fn types(r: &Value) -> Vec<String> {
    r["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|row| row["call_type"].as_str().expect("type").to_owned())
        .collect()
}

#[tokio::test]
async fn search_takes_the_display_format_and_refuses_epoch() {
    let sim = sim().await;
    three_calls(&sim).await;
    let api = login(&sim).await;
    let r = api
        .get(
            "cdr/search",
            &[
                ("start_time", "01/01/2026 09:50:00 AM"),
                ("end_time", "01/01/2026 10:10:00 AM"),
            ],
        )
        .await;
    assert_eq!(types(&r), strs(&["Internal"]));
    let r = api
        .get("cdr/search", &[("start_time", "01/01/2026 10:00:00 AM")])
        .await;
    assert_eq!(types(&r), strs(&["Internal", "Inbound"]));
    let r = api
        .get("cdr/search", &[("end_time", "01/01/2026 09:30:00 AM")])
        .await;
    assert_eq!(r["total_number"], 2, "queue leg + agent leg");
    // Epoch seconds, another date order, a 24-hour time on a 12-hour PBX, ISO 8601: refused
    // with the parameter named.
    let epoch = (T0 + 3000).to_string();
    for bad in [
        epoch.as_str(),
        "2026/01/01 09:30:00 AM",
        "01/01/2026 10:00:00",
        "tomorrow",
        "13/13/2026 10:00:00 AM",
        "2026-01-01T10:00:00",
    ] {
        let r = api.get("cdr/search", &[("end_time", bad)]).await;
        assert_eq!(r["errcode"], 40002, "{bad}");
        assert_eq!(r["errmsg"], "PARAMETER ERROR", "{bad}");
        assert_eq!(r["invalid_param_list"][0]["field"], "end_time", "{bad}");
    }
}

#[tokio::test]
async fn firmware_that_takes_epoch_search_times() {
    let sim = sim_with(|s| s.search_accepts_epoch = true).await;
    three_calls(&sim).await;
    let api = login(&sim).await;
    let (a, b) = ((T0 + 3000).to_string(), (T0 + 4000).to_string());
    let r = api
        .get("cdr/search", &[("start_time", &a), ("end_time", &b)])
        .await;
    assert_eq!(r["errcode"], 0);
    assert_eq!(types(&r), strs(&["Internal"]));
}

#[tokio::test]
async fn search_filters() {
    let sim = sim().await;
    three_calls(&sim).await;
    let api = login(&sim).await;
    let r = api.get("cdr/search", &[("status", "NO ANSWER")]).await;
    assert_eq!(types(&r), strs(&["Inbound"]));
    assert_eq!(
        api.get("cdr/search", &[("status", "MAYBE")]).await["errcode"],
        40002
    );
    let r = api.get("cdr/search", &[("call_from", "5550142")]).await;
    assert_eq!(r["total_number"], 1);
    assert_eq!(
        api.get("cdr/search", &[("call_from", "555014")]).await["total_number"],
        0
    );
    let r = api
        .get(
            "cdr/search",
            &[("call_from", "555014"), ("enable_fuzzy_search", "1")],
        )
        .await;
    assert_eq!(r["total_number"], 1);
    let r = api.get("cdr/search", &[("call_to", "1005")]).await;
    assert_eq!(types(&r), strs(&["Internal"]));
    let r = api.get("cdr/search", &[("did", "8800:CarrierA")]).await;
    assert_eq!(r["total_number"], 3);
}

#[tokio::test]
async fn paging_and_sorting() {
    let sim = sim().await;
    three_calls(&sim).await;
    let api = login(&sim).await;
    let r = api
        .get("cdr/list", &[("page", "2"), ("page_size", "1")])
        .await;
    assert_eq!(r["total_number"], 4);
    assert_eq!(r["data"].as_array().map(Vec::len), Some(1));
    let r = api
        .get("cdr/list", &[("sort_by", "time"), ("order_by", "desc")])
        .await;
    assert_eq!(r["data"][0]["call_type"], "Inbound");
    assert_eq!(r["data"][0]["timestamp"], T0 + 7200);
    for q in [
        [("page_size", "10001")],
        [("page", "0")],
        [("sort_by", "colour")],
        [("order_by", "up")],
    ] {
        assert_eq!(api.get("cdr/list", &q).await["errcode"], 40002, "{q:?}");
    }
    assert_eq!(
        api.get("cdr/list", &[("from", "legacy")]).await["total_number"],
        0
    );
    assert_eq!(
        api.get("cdr/list", &[("from", "new")]).await["total_number"],
        4
    );
}

#[tokio::test]
async fn v2_has_one_row_per_call() {
    let sim = sim().await;
    three_calls(&sim).await;
    let api = login(&sim).await;
    let r = api.get_v("v2.0", "cdr/list", &[]).await;
    assert_eq!(r["total_number"], 3);
    let q = &r["data"][0];
    assert_eq!(q["call_to"], "Queue CC_Team<6400>");
    assert_eq!(q["second_participant_number"], "1003");
    assert_eq!(q["last_status"], "ANSWERED");
    assert_eq!(q["queues"], "CC_Team<6400>");
    assert_eq!(q["call_duration"], 102);
    assert_eq!(q["handling_duration"], 95);
    let r = api
        .get_v(
            "v2.0",
            "cdr/search",
            &[
                ("time_begin", "01/01/2026 10:30:00 AM"),
                ("time_end", "01/01/2026 11:30:00 AM"),
            ],
        )
        .await;
    assert_eq!(r["total_number"], 1);
    assert_eq!(r["data"][0]["last_status"], "NO ANSWER");
    assert_eq!(api.get_v("v2.0", "cdr/detail", &[]).await["errcode"], 10001);
}

#[tokio::test]
async fn display_format_follows_pbx_settings() {
    let sim = sim_with(|s| {
        s.utc_offset_secs = 3600;
        s.display_format.order = ringbridge_sim_yeastar::config::DateOrder::MonthDayYear;
        s.display_format.hour12 = false;
    })
    .await;
    sim.clock().set(T0 + 5 * 3600); // 14:00 UTC, 15:00 local
    sim.play_builtin("inbound_missed").await.expect("played");
    let api = login(&sim).await;
    let r = api.get("cdr/list", &[]).await;
    assert_eq!(r["data"][0]["time"], "01/01/2026 15:00:00");
    let r = api
        .get("cdr/search", &[("start_time", "01/01/2026 15:00:00")])
        .await;
    assert_eq!(r["total_number"], 1);
    let r = api
        .get("cdr/search", &[("start_time", "01/01/2026 03:00:00 PM")])
        .await;
    assert_eq!(r["errcode"], 40002, "12-hour time on a 24-hour PBX");
    sim.play_builtin("inbound_answered").await.expect("played");
    let r = api.get("recording/list", &[]).await;
    let time = r["data"][0]["time"].as_str().expect("recording time");
    assert!(
        time.starts_with("01/01/2026 15:") && time.len() == 19,
        "24-hour display format: {time}"
    );
    assert_eq!(
        sim.events()
            .iter()
            .find(|e| e.type_id == 30012)
            .map(|e| e.msg["time_start"].clone()),
        Some("2026-01-01 15:00:00".into())
    );
}
