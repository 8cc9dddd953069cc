//! Who may use the console, forged forms, hostile names, the retry button.

use chrono::Utc;
use reqwest::StatusCode;
use ringbridge_core::crm::{CallLog, CallLogType};
use ringbridge_core::outbox::{JobKind, JobStatus, OutboxStore};

use super::{HOSTILE, assert_inert, browser, start};

const PAGES: [&str; 6] = [
    "/console",
    "/console/pbx",
    "/console/zoho",
    "/console/mode",
    "/console/users",
    "/console/settings",
];

#[tokio::test]
async fn only_admins_see_the_console() {
    let app = start().await;
    let anonymous = browser();
    for page in PAGES {
        let seen = app.get(&anonymous, page).await;
        assert_eq!(seen.status, StatusCode::SEE_OTHER, "{page}");
        assert!(seen.location.starts_with("/login"), "{page}");
    }
    let admin = app.admin().await;
    let agent = app.agent(&admin).await;
    for page in PAGES {
        assert_eq!(
            app.get(&agent, page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
        assert_eq!(app.get(&admin, page).await.status, StatusCode::OK, "{page}");
    }
    // An agent cannot change anything either, even with a valid token.
    let refused = app
        .submit(&agent, "/", "/console/mode", &[("mode", "rest")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        app.backend
            .applied
            .load(std::sync::atomic::Ordering::SeqCst)
            == 0
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = start().await;
    let admin = app.admin().await;
    for (path, form) in [
        ("/console/mode", vec![("mode", "rest")]),
        ("/console/pbx", vec![("base_url", "http://pbx.test")]),
        (
            "/console/users",
            vec![("extension", "1005"), ("crm_user_id", "u1")],
        ),
        ("/console/settings", vec![("subject", "x")]),
        ("/console/jobs/1/retry", vec![]),
    ] {
        let refused = app.post(&admin, path, &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        let mut forged = form.clone();
        forged.push(("csrf_token", "AAAA"));
        let refused = app.post(&admin, path, &forged).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let config = ringbridge_core::console::ConsoleStore::console(&app.store)
        .await
        .unwrap();
    assert!(config.mode.is_none() && config.settings.is_none() && config.users.is_empty());
}

fn hostile_log(key: &str) -> String {
    serde_json::to_string(&CallLog {
        key: key.into(),
        call_type: CallLogType::Inbound,
        started_at: Utc::now(),
        duration_s: 42,
        subject: format!("Inbound call {HOSTILE}"),
        description: String::new(),
        owner_id: None,
        who: None,
        what: None,
        caller_number: Some("+15550100".into()),
        dialled_number: None,
        result: None,
        recording_url: None,
    })
    .unwrap()
}

#[tokio::test]
async fn hostile_names_are_inert_and_failed_jobs_can_be_retried() {
    let app = start().await;
    let admin = app.admin().await;
    let now = Utc::now();
    app.store
        .enqueue(
            JobKind::WriteCallLog,
            "pbx:1.1",
            &hostile_log("pbx:1.1"),
            now,
        )
        .await
        .unwrap();
    app.store
        .enqueue(
            JobKind::WriteCallLog,
            "pbx:1.2",
            &hostile_log("pbx:1.2"),
            now,
        )
        .await
        .unwrap();
    let claimed = app
        .store
        .claim(
            JobKind::WriteCallLog,
            2,
            now,
            std::time::Duration::from_secs(60),
            "t",
        )
        .await
        .unwrap();
    let (failed, done) = (&claimed[0], &claimed[1]);
    app.store
        .fail(failed, &format!("INVALID_DATA: {HOSTILE}"))
        .await
        .unwrap();
    app.store
        .complete(done, "4150868000001234567")
        .await
        .unwrap();

    let dashboard = app.get(&admin, "/console").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert_inert(&dashboard.body);
    assert!(
        dashboard.body.contains("4150868000001234567"),
        "where it was written"
    );
    assert!(
        dashboard
            .body
            .contains(&format!("/console/jobs/{}/retry", failed.id))
    );
    for page in ["/console/users", "/console/pbx", "/console/settings"] {
        let body = app.get(&admin, page).await.body;
        assert!(!body.contains("<script>"), "{page}: {body}");
    }
    assert_inert(&app.get(&admin, "/console/users").await.body);

    let retried = app
        .submit(
            &admin,
            "/console",
            &format!("/console/jobs/{}/retry", failed.id),
            &[],
        )
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.body);
    let job = app
        .store
        .job(JobKind::WriteCallLog, "pbx:1.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.status, JobStatus::Pending);
    // A job that has not failed is not "retried".
    let again = app
        .submit(
            &admin,
            "/console",
            &format!("/console/jobs/{}/retry", done.id),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_console_speaks_chinese_too() {
    let app = start().await;
    let admin = app.admin().await;
    for (page, text) in [
        ("/console?lang=zh-CN", "同步任务"),
        ("/console/pbx", "测试连接"),
        ("/console/zoho", "数据中心"),
        ("/console/settings", "录音链接"),
    ] {
        let body = app.get(&admin, page).await.body;
        assert!(body.contains(text), "{page}: {body}");
        assert!(body.contains("<html lang=\"zh-CN\">"), "{page}");
    }
}

#[tokio::test]
async fn without_a_console_there_are_no_console_pages() {
    let (store, _db) = crate::open().await;
    let app = crate::start(store, None).await;
    let client = browser();
    assert_eq!(
        client
            .get(format!("{app}/console"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}
