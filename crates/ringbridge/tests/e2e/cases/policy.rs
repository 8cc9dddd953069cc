//! The logging policy: log or skip per kind of call, a minimum talk time,
//! and business hours (judged on the PBX's own start time in the hours'
//! time zone).

use chrono::{NaiveTime, TimeZone, Utc, Weekday};
use ringbridge_core::policy::{BusinessHours, LoggingPolicy};

use super::{crm_started_at, logs_for, pbx_started_at, start_with};
use crate::support::*;

#[tokio::test]
async fn each_kind_of_call_is_logged_or_skipped_as_set() {
    let w = start_with(|s| {
        s.logging = LoggingPolicy {
            internal: true,
            voicemail: false,
            outbound_unanswered: false,
            ..LoggingPolicy::default()
        };
    })
    .await;
    let answered = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    let voicemail = play(&w, "voicemail", &[("caller", "4155550124")]).await;
    let unanswered = play(&w, "outbound_unanswered", &[("number", "4155550125")]).await;
    let internal = play(&w, "internal", &[("caller", "1004"), ("callee", "1005")]).await;
    let missed = play(&w, "inbound_missed", &[("caller", "4155550127")]).await;
    settle(&w, 5).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert_eq!(call_for(&calls, &answered[0])["Call_Type"], "Inbound");
    assert_eq!(call_for(&calls, &missed[0])["Call_Type"], "Missed");
    assert!(
        call_for(&calls, &internal[0])["Subject"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Internal")
    );
    assert!(
        logs_for(&calls, &voicemail[0]).is_empty(),
        "voicemail: skip"
    );
    assert!(
        logs_for(&calls, &unanswered[0]).is_empty(),
        "outbound unanswered: skip"
    );
    w.stop().await;
}

#[tokio::test]
async fn by_default_voicemail_is_logged_as_missed_and_internal_calls_are_not() {
    let w = start_with(|_| {}).await;
    let voicemail = play(
        &w,
        "voicemail",
        &[("caller", "4155550124"), ("agent", "1007")],
    )
    .await;
    let internal = play(&w, "internal", &[]).await;
    let unanswered = play(&w, "outbound_unanswered", &[("number", "4155550125")]).await;
    settle(&w, 3).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "{calls:#?}");
    let vm = call_for(&calls, &voicemail[0]);
    assert_eq!(
        vm["Call_Type"], "Missed",
        "the agent did not talk to the caller"
    );
    assert_eq!(vm["Owner"]["id"], user_id(&w, "priya@corp.test").as_str());
    assert!(logs_for(&calls, &internal[0]).is_empty());
    assert_eq!(call_for(&calls, &unanswered[0])["Call_Type"], "Outbound");
    w.stop().await;
}

#[tokio::test]
async fn answered_calls_shorter_than_the_minimum_are_not_logged() {
    let w = start_with(|s| s.logging.min_talk_s = 60).await;
    // 62 s of talk: logged.
    let long = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    // 20 s + 5 s + 30 s = 55 s in all: skipped.
    let short = play(&w, "blind_transfer", &[("caller", "4155550124")]).await;
    // 15 s + 14 s on hold + 40 s = 69 s, though no agent talked a minute
    // (the agents' consultation is a call of its own, 10 s, internal).
    let transferred = play(&w, "attended_transfer", &[("caller", "4155550125")]).await;
    // Unanswered calls have no talk time to judge: logged.
    let missed = play(&w, "inbound_missed", &[("caller", "4155550127")]).await;
    settle(&w, 5).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert_eq!(call_for(&calls, &long[0])["Call_Duration"], "01:02");
    assert_eq!(call_for(&calls, &transferred[0])["Call_Duration"], "01:09");
    assert_eq!(call_for(&calls, &missed[0])["Call_Type"], "Missed");
    assert!(logs_for(&calls, &short[0]).is_empty(), "55 s < 60 s");
    w.stop().await;
}

#[tokio::test]
async fn calls_outside_business_hours_are_not_logged() {
    let weekdays = vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let w = start_with(|s| {
        s.logging.business_hours = Some(BusinessHours {
            time_zone: "America/New_York".into(),
            days: weekdays,
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        });
    })
    .await;
    // Calls start when the PBX's clock says; set it before each call.
    let at = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
    let cases = [
        // Friday 09:30 in New York (summer time, UTC-4): open. In winter
        // time the same instant would be 08:30, closed.
        (at(2026, 10, 30, 13, 30), "4155550123", true),
        // Monday 10:00 (winter time, UTC-5): open.
        (at(2026, 11, 2, 15, 0), "4155550124", true),
        // Monday 18:30: closed.
        (at(2026, 11, 2, 23, 30), "4155550125", false),
        // Saturday 11:00: closed.
        (at(2026, 11, 7, 16, 0), "4155550127", false),
    ];
    let mut played = Vec::new();
    for (start, caller, inside) in cases {
        w.pbx_sim.clock().set(start.timestamp());
        let id = play(&w, "inbound_answered", &[("caller", caller)]).await;
        assert_eq!(pbx_started_at(&w, &id[0]), start.timestamp());
        played.push((id[0].clone(), inside));
    }
    settle(&w, 4).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "{calls:#?}");
    for (id, inside) in &played {
        let logs = logs_for(&calls, id);
        assert_eq!(logs.len(), usize::from(*inside), "call {id}: {calls:#?}");
        if let Some(log) = logs.first() {
            assert_eq!(crm_started_at(log), pbx_started_at(&w, id));
        }
    }
    w.stop().await;
}
