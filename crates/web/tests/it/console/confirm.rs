//! The console says what a click did, asks before disconnecting Zoho, and
//! calls setup complete only when every extension logs for an active user.

use std::sync::atomic::Ordering;

use reqwest::StatusCode;
use ringbridge_core::console::{ConsoleStore, CrmMode, PbxConnection};

use super::{App, assert_inert, plain};

/// PBX, Zoho and mode stored: the three steps the config itself knows.
pub async fn set_up() -> App {
    let app = super::disconnect::connected().await;
    app.store
        .put_pbx(&PbxConnection {
            base_url: "https://pbx.test:8088".into(),
            client_id: "pbx".into(),
            client_secret: "s".to_owned().into(),
            accept_invalid_certs: false,
        })
        .await
        .unwrap();
    app.store.put_mode(CrmMode::Rest).await.unwrap();
    app
}

/// Posts the users page's form for `extension` (`user` empty: by e-mail).
async fn pair(app: &App, admin: &reqwest::Client, extension: &str, user: &str) -> super::Page {
    let form = [("extension", extension), ("crm_user_id", user)];
    app.submit(admin, "/console/users", "/console/users", &form)
        .await
}

#[tokio::test]
async fn setup_is_complete_only_when_every_extension_logs_for_an_active_user() {
    let app = set_up().await;
    let admin = app.admin().await;
    // 1007 has no e-mail and no pair: its calls would be logged for nobody.
    let page = app.get(&admin, "/console").await;
    let body = plain(&page.body);
    assert!(!body.contains("id=\"setup-complete\""), "{body}");
    assert!(body.contains("id=\"setup-incomplete\""), "{body}");
    assert!(
        body.contains("href=\"/console/users#user-gaps\"")
            && body.contains("Extensions without a Zoho user: 1."),
        "{body}"
    );
    let users = app.get(&admin, "/console/users").await;
    assert!(
        users
            .body
            .contains("data-extension=\"1007\" class=\"gap unmapped\""),
        "{}",
        users.body
    );

    // Zoho deactivates Lee: 1006 now logs for an inactive user.
    app.backend.lee_inactive.store(true, Ordering::SeqCst);
    let page = plain(&app.get(&admin, "/console").await.body);
    assert!(
        page.contains("id=\"inactive-link\"") && page.contains("inactive: 1."),
        "{page}"
    );
    let users = app.get(&admin, "/console/users").await;
    assert!(
        users
            .body
            .contains("data-extension=\"1006\" class=\"gap inactive\""),
        "{}",
        users.body
    );
    assert_inert(&users.body);

    // Pair 1007 by hand and 1006 to Maya: complete.
    for ext in ["1007", "1006"] {
        let done = pair(&app, &admin, ext, "u1").await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    let page = app.get(&admin, "/console").await;
    assert!(page.body.contains("id=\"setup-complete\""), "{}", page.body);
    assert!(!page.body.contains("id=\"unmapped-link\""), "{}", page.body);

    // Zoho cannot be asked: not called complete, and the page says why.
    app.backend.users_fail.store(true, Ordering::SeqCst);
    let page = app.get(&admin, "/console").await;
    assert!(
        !page.body.contains("id=\"setup-complete\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"users-unchecked\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn every_save_says_what_it_did() {
    let app = set_up().await;
    let admin = app.admin().await;
    let mode = app
        .submit(
            &admin,
            "/console/mode",
            "/console/mode",
            &[("mode", "rest")],
        )
        .await;
    assert_eq!(mode.status, StatusCode::SEE_OTHER);
    assert_eq!(mode.location, "/console/users?done=mode");
    let next = app.get(&admin, &mode.location).await;
    assert!(
        next.body
            .contains("id=\"flash\" role=\"status\">Mode saved."),
        "{}",
        next.body
    );

    let paired = pair(&app, &admin, "1007", "u1").await;
    assert_eq!(paired.location, "/console/users?done=user");
    let next = app
        .get(&admin, &format!("{}&lang=zh-CN", paired.location))
        .await;
    assert!(
        next.body.contains("分机已与所选 CRM 用户配对。"),
        "{}",
        next.body
    );

    let auto = pair(&app, &admin, "1007", "").await;
    assert_eq!(auto.location, "/console/users?done=user-auto");

    // Only the known words say anything: a link cannot put text on a page.
    let crafted = app
        .get(
            &admin,
            "/console/users?done=%3Cscript%3Ealert(1)%3C/script%3E",
        )
        .await;
    assert!(!crafted.body.contains("id=\"flash\""), "{}", crafted.body);
    assert!(!crafted.body.contains("<script>"), "{}", crafted.body);

    // Accounts too.
    let pw = "agent password 1";
    let made = app
        .submit(
            &admin,
            "/admin/accounts",
            "/admin/accounts",
            &[
                ("username", "bo"),
                ("display_name", "Bo"),
                ("role", "agent"),
                ("extension", "1005"),
                ("password", pw),
                ("password_confirm", pw),
            ],
        )
        .await;
    assert_eq!(made.location, "/admin/accounts?done=account-created");
    let next = app.get(&admin, &format!("{}&lang=en", made.location)).await;
    assert!(next.body.contains("Account created."), "{}", next.body);
}

#[tokio::test]
async fn disconnecting_zoho_asks_first_without_script() {
    let app = set_up().await;
    let admin = app.admin().await;
    let zoho = app.get(&admin, "/console/zoho").await;
    assert!(
        zoho.body.contains(
            "<form method=\"get\" action=\"/console/zoho/disconnect\" id=\"zoho-disconnect\">"
        ),
        "the button only leads to the question: {}",
        zoho.body
    );
    let question = app.get(&admin, "/console/zoho/disconnect").await;
    assert_eq!(question.status, StatusCode::OK);
    assert!(
        question.body.contains("Disconnect Zoho CRM?"),
        "{}",
        question.body
    );
    assert!(
        question.body.contains("www.zohoapis.eu"),
        "{}",
        question.body
    );
    assert!(
        question.body.contains("name=\"confirm\" value=\"yes\"")
            && question
                .body
                .contains("href=\"/console/zoho\" id=\"zoho-disconnect-cancel\""),
        "{}",
        question.body
    );
    let csrf = question.csrf();

    // A post without the answer (an old form, a forged click) only asks.
    let asked = app
        .post(&admin, "/console/zoho/disconnect", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(
        asked.body.contains("Disconnect Zoho CRM?"),
        "{}",
        asked.body
    );
    assert!(app.backend.revoked.lock().unwrap().is_empty());
    assert!(
        app.store
            .console()
            .await
            .unwrap()
            .crm
            .unwrap()
            .grant
            .is_some()
    );

    // The answer without the form's token is refused.
    let forged = app
        .post(&admin, "/console/zoho/disconnect", &[("confirm", "yes")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let done = app
        .post(
            &admin,
            "/console/zoho/disconnect",
            &[("csrf_token", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Zoho is disconnected"), "{}", done.body);
    assert!(
        app.store
            .console()
            .await
            .unwrap()
            .crm
            .unwrap()
            .grant
            .is_none()
    );
    // Nothing left to ask about.
    let gone = app.get(&admin, "/console/zoho/disconnect").await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
}
