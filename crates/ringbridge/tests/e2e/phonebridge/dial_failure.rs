//! A click-to-dial the PBX fails after accepting it (Yeastar 30015) is
//! reported to Zoho with `clicktodialerror`, with Zoho's code for the
//! PBX's reason; a dial Zoho was never shown gets no Calls log.

use std::time::Duration;

use super::*;

/// `clicktodialerror` requests so far, waiting for at least one.
pub async fn dial_errors(w: &World) -> Vec<Notification> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let errors: Vec<_> = w
            .zoho_sim
            .notifications()
            .into_iter()
            .filter(|n| n.endpoint == "clicktodialerror")
            .collect();
        if !errors.is_empty() {
            return errors;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no clicktodialerror"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_busy_callee_is_reported_as_busy_instead_of_a_log() {
    let mut options = pb_options();
    options.pbx.dial.callee_failure = Some("486 Busy here".into());
    // The vendor's zero-padded failure ids must still find the dial.
    options.pbx.zero_pad_failed_call_ids = true;
    let w = World::start(options).await.expect("world starts");
    let maya = user_id(&w, "maya@corp.test");
    let status = w
        .zoho_sim
        .click_to_dial(&maya, "+1 (415) 555-0123")
        .await
        .unwrap();
    assert_eq!(status, 200, "the PBX accepted the dial");
    let call_id = w.pbx_sim.dial_requests()[0].call_id.clone();

    let errors = dial_errors(&w).await;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(e.status, 200, "{:?}", e.params);
    assert_eq!(e.param("code"), Some("busy"));
    assert_eq!(e.param("from"), Some("1005"));
    assert_eq!(e.param("to"), Some("+1 (415) 555-0123"));
    assert_eq!(e.param("zohouser"), Some(maya.as_str()));
    assert!(
        e.param("message")
            .is_some_and(|m| m.contains("486 Busy here")),
        "{:?}",
        e.params
    );

    // The PBX still wrote its call record: processed, but Zoho logs nothing
    // for a dial it was never shown.
    settled_in_phonebridge(&w, 1).await;
    let notified: Vec<_> = w
        .zoho_sim
        .notifications()
        .into_iter()
        .filter(|n| n.endpoint == "callnotify")
        .filter(|n| n.param("id").is_some_and(|id| id.starts_with(&call_id)))
        .collect();
    assert!(notified.is_empty(), "{notified:#?}");
    assert!(logs_for(&w, &call_id).is_empty());
    assert_eq!(dial_errors(&w).await.len(), 1, "reported once");
    w.stop().await;
}

#[tokio::test]
async fn a_forbidden_number_is_reported_as_blocked() {
    let mut options = pb_options();
    options.pbx.dial.callee_failure = Some("NO Outbound Restrictin".into());
    // Ringbridge's own dial policy lets the UK through: the PBX refuses.
    options.plan.dial_policy.allowed_countries = vec!["US".into(), "GB".into()];
    let w = World::start(options).await.expect("world starts");
    let ben = user_id(&w, "ben@corp.test");
    assert_eq!(
        w.zoho_sim
            .click_to_dial(&ben, "0044205550123")
            .await
            .unwrap(),
        200
    );
    let errors = dial_errors(&w).await;
    assert_eq!(errors[0].param("code"), Some("blocked"));
    assert_eq!(errors[0].param("from"), Some("1002"));
    w.stop().await;
}
