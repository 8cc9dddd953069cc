//! The Zoho page takes an accounts server typed in (a data centre not
//! built in, the simulator): HTTPS, or plain HTTP on loopback only — the
//! client secret is sent to it.

use reqwest::StatusCode;
use ringbridge_core::console::ConsoleStore;

use super::{consent_link, plain, start};

fn form(server: &str) -> Vec<(&str, &str)> {
    vec![
        ("location", "custom"),
        ("accounts_server", server),
        ("client_id", "1000.CLIENT"),
        ("client_secret", "zoho-secret"),
    ]
}

#[tokio::test]
async fn a_typed_in_accounts_server_is_checked_and_used() {
    let app = start().await;
    let admin = app.admin().await;
    let page = app.get(&admin, "/console/zoho").await;
    assert!(
        page.body.contains("name=\"accounts_server\""),
        "{}",
        page.body
    );

    for (server, says) in [
        ("http://accounts.evil.test", "must use https://"),
        (
            "https://user:pw@accounts.zoho.uk",
            "no user name, query or fragment",
        ),
        ("javascript:alert(1)", "must be a plain address"),
    ] {
        let refused = app
            .submit(&admin, "/console/zoho", "/console/zoho", &form(server))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{server}");
        assert!(
            plain(&refused.body).contains(says),
            "{server}: {}",
            refused.body
        );
        assert!(app.store.console().await.unwrap().crm.is_none(), "{server}");
    }

    let sent = app
        .submit(
            &admin,
            "/console/zoho",
            "/console/zoho",
            &form("https://accounts.zoho.uk/"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let consent = consent_link(&sent.body);
    assert!(
        consent.starts_with("https://accounts.zoho.uk/oauth/v2/auth?client_id=1000.CLIENT"),
        "{consent}"
    );
    let crm = app.store.console().await.unwrap().crm.unwrap();
    assert_eq!(crm.location, "custom");
    assert_eq!(crm.accounts_server, "https://accounts.zoho.uk");
    // Shown again for the next visit.
    let again = app.get(&admin, "/console/zoho").await;
    assert!(
        again.body.contains("value=\"https://accounts.zoho.uk\""),
        "{}",
        again.body
    );

    // The simulator on this machine: plain HTTP on loopback is fine.
    let sim = app
        .submit(
            &admin,
            "/console/zoho",
            "/console/zoho",
            &form("http://127.0.0.1:9090"),
        )
        .await;
    assert_eq!(sim.status, StatusCode::OK, "{}", sim.body);
    assert!(consent_link(&sim.body).starts_with("http://127.0.0.1:9090/oauth/v2/auth"));
}
