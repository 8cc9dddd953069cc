//! The fields of a call log: subject and description from custom
//! templates, the start time in the org's time zone with the offset in
//! force at that instant (across a DST change), the call result per kind
//! of call, and the recording link.

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use ringbridge::serve::crm::call_marker_key;
use ringbridge::world::World;
use ringbridge_core::policy::CallKind;
use ringbridge_core::template::Template;
use ringbridge_sim_yeastar::ClockStart;
use ringbridge_sim_zoho::Module;

use crate::support::*;

/// 2026-03-08 10:00 UTC is 02:00 PST, when Los Angeles moves to PDT.
fn dst_change() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, 10, 0, 0).unwrap()
}

async fn world() -> World {
    let mut options = options();
    options.settings.subject = Template::parse("{direction}: {name} ({number})").unwrap();
    options.settings.description = Template::parse(
        "{agent} on {extension} talked {duration} with {name}, {started_at}. Call {call_id}{{{via}}}",
    )
    .unwrap();
    options
        .settings
        .call_results
        .insert(CallKind::InboundAnswered, "Interested".into());
    options
        .settings
        .call_results
        .insert(CallKind::InboundMissed, "No response/Busy".into());
    // The PBX's clock stands one minute before the change.
    options.pbx.clock =
        ClockStart::Fixed((dst_change() - chrono::Duration::minutes(1)).timestamp());
    World::start(options).await.unwrap()
}

fn cdr_start(w: &World, call_id: &str) -> i64 {
    w.pbx_sim
        .call_records()
        .into_iter()
        .find(|r| r.call_id == call_id)
        .expect("CDR")
        .started_at
}

#[tokio::test]
async fn subject_description_start_time_across_dst_result_and_recording() {
    let w = world().await;
    // Ana Pereira (+1 (415) 555-0123 in the CRM) calls Maya at 09:59 UTC,
    // then again at 10:01 UTC, after the clocks went forward.
    let before = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    w.pbx_sim
        .clock()
        .set((dst_change() + chrono::Duration::minutes(1)).timestamp());
    let after = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    let missed = play(&w, "inbound_missed", &[("caller", "4155550124")]).await;
    settle(&w, 3).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 3);

    let ana = record_id(&w, Module::Contacts, "Pereira");
    for (id, start, local, offset) in [
        (
            &before[0],
            "2026-03-08T01:59:00-08:00",
            "2026-03-08 01:59",
            "-08:00",
        ),
        (
            &after[0],
            "2026-03-08T03:01:00-07:00",
            "2026-03-08 03:01",
            "-07:00",
        ),
    ] {
        let log = call_for(&calls, id);
        let at = cdr_start(&w, id);
        assert_eq!(log["Call_Start_Time"], start, "{log:#?}");
        // The same instant as the PBX's record, with the org zone's real offset then.
        let sent = DateTime::parse_from_rfc3339(start).unwrap();
        assert_eq!(sent.timestamp(), at);
        let real = Los_Angeles.timestamp_opt(at, 0).unwrap();
        assert_eq!(*sent.offset(), real.offset().fix());
        assert!(start.ends_with(offset));

        assert_eq!(log["Subject"], "Inbound: Ana Pereira (+14155550123)");
        assert_eq!(
            log["Description"],
            format!(
                "Maya Ortiz on 1005 talked 1:02 with Ana Pereira, {local}. Call {id}{{}}\n{}",
                call_marker_key(&w.store).marker(&format!("pbx:{id}"))
            ),
            "the template, then the marker that makes the write idempotent"
        );
        assert_eq!(log["Call_Type"], "Inbound");
        assert_eq!(log["Call_Duration"], "01:02");
        assert_eq!(log["Call_Result"], "Interested");
        assert_eq!(log["Who_Id"]["id"], ana.as_str());
        let link = log["Voice_Recording__s"]
            .as_str()
            .expect("a recording link");
        assert!(
            link.starts_with(&format!("{}/recordings/", w.http_url)),
            "{link}"
        );
    }

    let m = call_for(&calls, &missed[0]);
    assert_eq!(m["Call_Type"], "Missed");
    assert_eq!(m["Call_Result"], "No response/Busy", "a result per kind");
    assert_eq!(m["Subject"], "Missed: Bob Miller (+14155550124)");
    assert!(m["Voice_Recording__s"].is_null(), "nothing was recorded");
    assert!(
        m["Call_Start_Time"].as_str().unwrap().ends_with("-07:00"),
        "after the change"
    );
    w.stop().await;
}
