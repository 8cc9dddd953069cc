//! The dashboard in PhoneBridge mode: each mapped user's registration at
//! Zoho, and calls named by number, extension and time — never by an
//! internal key such as `pb:pbx:…`.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use ringbridge_core::console::{ConsoleStore, CrmMode};
use ringbridge_core::job_key::JobKey;
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::outbox::{JobKind, OutboxStore};
use ringbridge_core::pbx::CallId;
use ringbridge_core::phonebridge::{PbDirection, PbNotification, PbState};

use super::confirm::set_up;
use super::{HOSTILE, assert_inert, plain};

#[tokio::test]
async fn the_dashboard_names_phonebridge_calls_and_registrations() {
    let app = set_up().await;
    app.store.put_mode(CrmMode::PhoneBridge).await.unwrap();
    // Maya (u1) is registered; Lee (u2, 1006) was refused.
    *app.backend.pb_registered.lock().unwrap() = Some(vec!["u1".into()]);
    let start = Utc.with_ymd_and_hms(2026, 12, 7, 9, 30, 0).unwrap();
    let key = JobKey::phonebridge_terminal("pbx", "1733563800.42");
    let terminal = JobPayload::NotifyPhoneBridge(Box::new(PbNotification {
        call_id: CallId("1733563800.42".into()),
        leg_id: "1733563800.42".into(),
        direction: PbDirection::Received,
        state: PbState::Ended {
            start,
            duration_s: 61,
            recording: false,
        },
        customer: format!("+14155550100{HOSTILE}"),
        extension: "1005".into(),
        zoho_user: "u1".into(),
    }));
    let now = Utc::now();
    app.store.enqueue_job(&key, &terminal, now).await.unwrap();
    let claimed = app
        .store
        .claim(
            JobKind::NotifyPhoneBridge,
            1,
            now,
            std::time::Duration::from_secs(60),
            "t",
        )
        .await
        .unwrap();
    app.store.complete(&claimed[0], "sent").await.unwrap();

    let admin = app.admin().await;
    let page = app.get(&admin, "/console").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = plain(&page.body);
    let calls = &body[body.find("id=\"recent-calls\"").expect("calls")..];
    assert!(
        calls.contains("Call from +14155550100")
            && calls.contains("to extension 1005")
            && calls.contains("2026-12-07 09:30:00"),
        "{calls}"
    );
    assert!(
        !page.body.contains(key.as_str()),
        "no internal key: {calls}"
    );
    assert_inert(calls);

    let regs = &body[body.find("id=\"pb-registrations\"").expect("users")..];
    let row = |ext: &str| {
        let from = regs.find(&format!("data-extension=\"{ext}\"")).unwrap();
        regs[from..].split("</tr>").next().unwrap().to_owned()
    };
    assert!(row("1005").contains("Registered"), "{regs}");
    assert!(row("1006").contains("Not registered"), "{regs}");
    assert_inert(&row("1006"));

    let zh = plain(&app.get(&admin, "/console?lang=zh-CN").await.body);
    assert!(zh.contains("呼入分机 1005"), "{zh}");
    assert!(zh.contains("未注册"), "{zh}");

    // In REST mode there is nothing registered to show.
    app.store.put_mode(CrmMode::Rest).await.unwrap();
    let page = app.get(&admin, "/console").await;
    assert!(!page.body.contains("id=\"pb-registrations\""));
}
