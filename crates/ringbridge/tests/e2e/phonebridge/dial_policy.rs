//! Toll fraud (issue 12): Zoho's click-to-dial to a premium-rate number is
//! refused before the PBX, reported to Zoho as `blocked`, and audited.

use ringbridge_core::audit::AuditStore;

use super::dial_failure::dial_errors;
use super::*;

#[tokio::test]
async fn a_premium_rate_click_to_dial_never_reaches_the_pbx() {
    let w = pb_world().await;
    let maya = user_id(&w, "maya@corp.test");
    let status = w
        .zoho_sim
        .click_to_dial(&maya, "1-900-234-5678")
        .await
        .expect("click");
    assert_eq!(status, 403);
    let errors = dial_errors(&w).await;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].param("code"), Some("blocked"));
    assert_eq!(errors[0].param("from"), Some("1005"));
    assert_eq!(errors[0].param("zohouser"), Some(maya.as_str()));
    let message = errors[0].param("message").unwrap_or_default();
    assert!(message.contains("premium rate"), "{message}");
    assert!(w.pbx_sim.dial_requests().is_empty(), "nothing was dialled");

    let audit = w.store.recent(50).await.unwrap();
    let refused: Vec<_> = audit
        .iter()
        .filter(|e| e.action == format!("dial by zoho user {maya}"))
        .collect();
    assert_eq!(refused.len(), 1, "{audit:#?}");
    assert_eq!(refused[0].key, "dial:1005");
    assert!(!refused[0].outcome.is_ok());

    // A domestic number still dials.
    let status = w.zoho_sim.click_to_dial(&maya, "4155550123").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(w.pbx_sim.dial_requests().len(), 1);
    w.stop().await;
}
