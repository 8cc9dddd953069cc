//! An outbound call nobody picked up is logged as unanswered: no talk
//! time, the Call Result the settings give "not answered", and a subject
//! that says so — not as a one-second answered call.

use ringbridge_core::policy::CallKind;

use super::start_with;
use crate::support::*;

#[tokio::test]
async fn an_unanswered_outbound_call_is_logged_as_unanswered() {
    let w = start_with(|s| {
        s.call_results
            .insert(CallKind::OutboundUnanswered, "No response/Busy".into());
        s.call_results
            .insert(CallKind::OutboundAnswered, "Interested".into());
    })
    .await;
    let unanswered = play(
        &w,
        "outbound_unanswered",
        &[("number", "4155550123"), ("agent", "1004")],
    )
    .await;
    let answered = play(
        &w,
        "outbound_answered",
        &[("number", "4155550123"), ("agent", "1004")],
    )
    .await;
    settle(&w, 2).await;
    let calls = crm_calls(&w);

    let log = call_for(&calls, &unanswered[0]);
    assert_eq!(log["Call_Type"], "Outbound", "{log:#?}");
    assert!(
        log.get("Call_Duration")
            .is_none_or(|d| d.is_null() || d == "00:00"),
        "no talk time: {log:#?}"
    );
    assert_eq!(log["Call_Result"], "No response/Busy", "{log:#?}");
    let subject = log["Subject"].as_str().unwrap_or_default();
    assert!(
        subject.to_lowercase().contains("unanswered"),
        "the subject says so: {subject}"
    );

    // An answered one keeps its talk time and result.
    let log = call_for(&calls, &answered[0]);
    assert_ne!(log["Call_Duration"], "00:00", "{log:#?}");
    assert_eq!(log["Call_Result"], "Interested", "{log:#?}");
    assert!(
        !log["Subject"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("unanswered")
    );
    w.stop().await;
}
