//! Disconnecting Zoho: admins only, with the form's token; the grant goes
//! whatever Zoho answers, and the page says when Zoho could not be told.

use std::sync::atomic::Ordering;

use reqwest::StatusCode;
use ringbridge_core::audit::{AuditStore, AuditSystem};
use ringbridge_core::console::{ConsoleStore, CrmConnection, CrmGrant};

use super::{App, start};

const ZOHO: &str = "/console/zoho";
const DISCONNECT: &str = "/console/zoho/disconnect";

/// A consented Zoho client, as the callback stores it.
pub(super) async fn connected() -> App {
    let app = start().await;
    app.store
        .put_crm(&CrmConnection {
            location: "eu".into(),
            accounts_server: "https://accounts.zoho.eu".into(),
            client_id: "1000.CLIENT".into(),
            client_secret: "zoho-secret".to_owned().into(),
            grant: Some(CrmGrant {
                refresh_token: "1000.refresh".to_owned().into(),
                accounts_server: "https://accounts.zoho.eu".into(),
                api_domain: "https://www.zohoapis.eu".into(),
            }),
        })
        .await
        .unwrap();
    app
}

async fn has_grant(app: &App) -> bool {
    app.store
        .console()
        .await
        .unwrap()
        .crm
        .is_some_and(|c| c.grant.is_some())
}

#[tokio::test]
async fn only_an_admin_with_the_forms_token_disconnects() {
    let app = connected().await;
    let admin = app.admin().await;
    let page = app.get(&admin, ZOHO).await;
    assert!(
        page.body.contains("action=\"/console/zoho/disconnect\""),
        "the button shows while connected: {}",
        page.body
    );

    let refused = app.post(&admin, DISCONNECT, &[("confirm", "yes")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no token");
    let refused = app
        .post(
            &admin,
            DISCONNECT,
            &[("csrf_token", "AAAA"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a forged token");
    let agent = app.agent(&admin).await;
    let refused = app
        .submit(&agent, "/", DISCONNECT, &[("confirm", "yes")])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "an agent's own token"
    );
    let anonymous = super::browser();
    let refused = app
        .post(&anonymous, DISCONNECT, &[("confirm", "yes")])
        .await;
    assert_ne!(refused.status, StatusCode::OK, "signed out");

    assert!(has_grant(&app).await, "still connected");
    assert!(app.backend.revoked.lock().unwrap().is_empty());
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn disconnecting_revokes_at_zoho_and_forgets_the_grant() {
    let app = connected().await;
    let admin = app.admin().await;
    let done = app
        .submit(&admin, ZOHO, DISCONNECT, &[("confirm", "yes")])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Zoho is disconnected"), "{}", done.body);
    assert!(!done.body.contains("could not be told"), "{}", done.body);
    assert!(
        !done.body.contains("id=\"zoho-connected\""),
        "{}",
        done.body
    );
    assert!(
        !done.body.contains("id=\"zoho-disconnect\""),
        "{}",
        done.body
    );

    assert_eq!(*app.backend.revoked.lock().unwrap(), ["1000.refresh"]);
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 1, "applied");
    let crm = app.store.console().await.unwrap().crm.unwrap();
    assert!(crm.grant.is_none(), "the grant is gone");
    assert_eq!(crm.client_id, "1000.CLIENT", "the client stays for later");

    let audit = app.store.recent(10).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "revoke")
        .expect("audited");
    assert_eq!(entry.system, AuditSystem::Crm);
    assert_eq!(entry.key, "console:root");
    assert!(entry.outcome.is_ok());

    // A second click has nothing to disconnect: back to the page.
    let again = app
        .submit(&admin, ZOHO, DISCONNECT, &[("confirm", "yes")])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location, ZOHO);
    assert_eq!(app.backend.revoked.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn when_zoho_cannot_be_told_the_grant_goes_and_the_page_says_so() {
    let app = connected().await;
    app.backend.revoke_fails.store(true, Ordering::SeqCst);
    let admin = app.admin().await;
    let done = app
        .submit(&admin, ZOHO, DISCONNECT, &[("confirm", "yes")])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("Zoho could not be told to revoke it"),
        "{}",
        done.body
    );
    assert!(done.body.contains("Connected apps"), "{}", done.body);
    assert!(done.body.contains("connection timed out"), "{}", done.body);
    assert!(!done.body.contains("Zoho is disconnected"), "{}", done.body);

    assert!(!has_grant(&app).await, "removed here all the same");
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 1);
    let audit = app.store.recent(10).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "revoke")
        .expect("audited");
    assert!(!entry.outcome.is_ok(), "recorded as failed");

    // No button once disconnected; the message in Chinese too (the
    // language sticks once chosen). (the language sticks once chosen).
    assert!(
        app.get(&admin, "/console?lang=zh-CN")
            .await
            .body
            .contains("<html lang=\"zh-CN\">")
    );
    let page = app.get(&admin, ZOHO).await;
    assert!(
        !page.body.contains("id=\"zoho-disconnect\""),
        "{}",
        page.body
    );
    app.store
        .put_crm_grant(&CrmGrant {
            refresh_token: "1000.refresh2".to_owned().into(),
            accounts_server: "https://accounts.zoho.eu".into(),
            api_domain: "https://www.zohoapis.eu".into(),
        })
        .await
        .unwrap();
    let done = app
        .submit(&admin, ZOHO, DISCONNECT, &[("confirm", "yes")])
        .await;
    assert!(
        done.body.contains("未能通知 Zoho 撤销该授权"),
        "{}",
        done.body
    );
}
