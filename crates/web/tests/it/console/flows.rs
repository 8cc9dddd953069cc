//! Setup through the pages: PBX test, Zoho consent, mode, users, settings.

use std::sync::atomic::Ordering;

use reqwest::StatusCode;
use ringbridge_core::console::{ConsoleStore, CrmMode, RecordingLinkPolicy};
use ringbridge_core::settings::UnknownNumberAction;
use secrecy::ExposeSecret;

use super::start;

#[tokio::test]
async fn the_pbx_is_tested_before_it_is_stored() {
    let app = start().await;
    let admin = app.admin().await;
    let form = |secret: &'static str, action: &'static str| {
        vec![
            ("base_url", "http://127.0.0.1:8088/"),
            ("client_id", "pbx-client"),
            ("client_secret", secret),
            ("action", action),
        ]
    };
    let refused = app
        .submit(
            &admin,
            "/console/pbx",
            "/console/pbx",
            &form("wrong", "save"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("10004 IP BLOCKED"),
        "{}",
        refused.body
    );
    let tested = app
        .submit(
            &admin,
            "/console/pbx",
            "/console/pbx",
            &form("s3cret", "test"),
        )
        .await;
    assert_eq!(tested.status, StatusCode::OK);
    for fact in ["Yeastar P550", "37.9.0.1", ">3<"] {
        assert!(tested.body.contains(fact), "{fact} in {}", tested.body);
    }
    assert!(
        app.store.console().await.unwrap().pbx.is_none(),
        "a test stores nothing"
    );
    let saved = app
        .submit(
            &admin,
            "/console/pbx",
            "/console/pbx",
            &form("s3cret", "save"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(!saved.body.contains("s3cret"), "the secret is never shown");
    let pbx = app.store.console().await.unwrap().pbx.unwrap();
    assert_eq!(pbx.base_url, "http://127.0.0.1:8088");
    assert_eq!(pbx.client_secret.expose_secret(), "s3cret");
    // An empty secret keeps the stored one.
    let kept = app
        .submit(&admin, "/console/pbx", "/console/pbx", &form("", "save"))
        .await;
    assert_eq!(kept.status, StatusCode::OK);
    let pbx = app.store.console().await.unwrap().pbx.unwrap();
    assert_eq!(pbx.client_secret.expose_secret(), "s3cret");
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn zoho_consent_needs_this_sessions_state() {
    let app = start().await;
    let admin = app.admin().await;
    let sent = app
        .submit(
            &admin,
            "/console/zoho",
            "/console/zoho",
            &[
                ("location", "custom"),
                ("client_id", "1000.CLIENT"),
                ("client_secret", "zoho-secret"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(
        !sent.body.contains("zoho-secret"),
        "the secret is never shown"
    );
    let consent = super::consent_link(&sent.body);
    assert!(
        consent.starts_with("http://127.0.0.1:9/oauth/v2/auth?client_id=1000.CLIENT&state="),
        "{consent}"
    );
    let state = consent.split("state=").nth(1).unwrap().to_owned();
    let stored = app.store.console().await.unwrap().crm.unwrap();
    assert!(stored.grant.is_none());

    // Another session (an attacker's redirect) and a tampered state fail.
    let other = app.admin_again().await;
    let stolen = app
        .get(
            &other,
            &format!("/console/zoho/callback?code=c&state={state}"),
        )
        .await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN);
    let tampered = format!("{}x", state);
    let forged = app
        .get(
            &admin,
            &format!("/console/zoho/callback?code=c&state={tampered}"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(app.backend.exchanged.lock().unwrap().is_empty());

    let denied = app
        .get(
            &admin,
            &format!("/console/zoho/callback?error=access_denied&state={state}"),
        )
        .await;
    assert_eq!(denied.status, StatusCode::OK);
    assert!(denied.body.contains("did not grant"), "{}", denied.body);

    let back = app
        .get(
            &admin,
            &format!("/console/zoho/callback?code=1000.code&location=eu&state={state}"),
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(back.location, "/console/mode?done=zoho");
    assert_eq!(app.backend.exchanged.lock().unwrap().len(), 1);
    let grant = app
        .store
        .console()
        .await
        .unwrap()
        .crm
        .unwrap()
        .grant
        .unwrap();
    assert_eq!(grant.refresh_token.expose_secret(), "1000.refresh");
    let page = app.get(&admin, "/console/zoho").await;
    assert!(page.body.contains("zohoapis.eu"), "shown as connected");
}

#[tokio::test]
async fn mode_users_and_settings_are_stored() {
    let app = start().await;
    let admin = app.admin().await;
    let bad = app
        .submit(
            &admin,
            "/console/mode",
            "/console/mode",
            &[("mode", "carrier pigeon")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let chosen = app
        .submit(
            &admin,
            "/console/mode",
            "/console/mode",
            &[("mode", "phonebridge")],
        )
        .await;
    assert_eq!(chosen.location, "/console/users?done=mode");
    assert_eq!(
        app.store.console().await.unwrap().mode,
        Some(CrmMode::PhoneBridge)
    );

    let users = app.get(&admin, "/console/users").await;
    assert!(users.body.contains("Matched by e-mail"), "{}", users.body);
    let paired = app
        .submit(
            &admin,
            "/console/users",
            "/console/users",
            &[("extension", "1007"), ("crm_user_id", "u1")],
        )
        .await;
    assert_eq!(paired.status, StatusCode::SEE_OTHER, "{}", paired.body);
    let stored = app.store.console().await.unwrap().users;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].extension.as_str(), stored[0].crm_user_id.as_str()),
        ("1007", "u1")
    );
    assert!(
        app.get(&admin, "/console/users")
            .await
            .body
            .contains("Paired by hand")
    );
    let unknown = app
        .submit(
            &admin,
            "/console/users",
            "/console/users",
            &[("extension", "1007"), ("crm_user_id", "nobody")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let auto = app
        .submit(
            &admin,
            "/console/users",
            "/console/users",
            &[("extension", "1007"), ("crm_user_id", "")],
        )
        .await;
    assert_eq!(auto.status, StatusCode::SEE_OTHER);
    assert!(app.store.console().await.unwrap().users.is_empty());

    let form = [
        ("log_inbound_answered", "on"),
        ("log_outbound_answered", "on"),
        ("min_talk_s", "5"),
        ("subject", "{direction} call with {name}"),
        ("description", "Talked {duration}"),
        ("pop_answer", "on"),
        ("unknown_inbound", "create_lead"),
        ("unknown_outbound", "nothing"),
        ("phonebook", "CRM contacts"),
        ("default_country", "de"),
        ("recording", "expire"),
        ("recording_days", "30"),
        ("recording_sign_in", "on"),
    ];
    let saved = app
        .submit(&admin, "/console/settings", "/console/settings", &form)
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert!(s.engine.logging.inbound_answered && !s.engine.logging.inbound_missed);
    assert_eq!(s.engine.logging.min_talk_s, 5);
    assert_eq!(s.engine.unknown_inbound, UnknownNumberAction::CreateLead);
    assert_eq!(s.engine.phonebook.as_deref(), Some("CRM contacts"));
    assert_eq!(s.default_country.as_deref(), Some("DE"));
    assert_eq!(s.recording, RecordingLinkPolicy::ExpireAfterDays(30));
    assert!(s.recording_sign_in, "recordings need a sign-in too");
    let mut bad = form.to_vec();
    bad[3] = ("subject", "{nonsense}");
    let refused = app
        .submit(&admin, "/console/settings", "/console/settings", &bad)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("unknown placeholder"));
}
