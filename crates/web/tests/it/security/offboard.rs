//! Issue 12, offboarding: an admin disables an agent from the accounts
//! page and the agent's open session ends at once; the last admin cannot
//! disable or delete themself; every button is CSRF-checked.

use reqwest::StatusCode;

use crate::console::start;

/// The account's id, from its row's buttons on the accounts page.
fn account_id(page: &str, username: &str) -> String {
    let row = &page[page
        .find(&format!("<td>{username}</td>"))
        .unwrap_or_else(|| panic!("no {username} in {page}"))..];
    let marker = "action=\"/admin/accounts/";
    let from = row.find(marker).unwrap() + marker.len();
    row[from..].split('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_disabled_agent_is_signed_out_at_once_and_the_last_admin_stays() {
    let app = start().await;
    let admin = app.admin().await;
    let agent = app.agent(&admin).await;
    assert_eq!(app.get(&agent, "/panel").await.status, StatusCode::OK);

    let accounts = app.get(&admin, "/admin/accounts").await;
    let ana = account_id(&accounts.body, "ana");
    let root = account_id(&accounts.body, "root");

    // Without the CSRF token: refused, nothing changes.
    let forged = app
        .post(&admin, &format!("/admin/accounts/{ana}/disable"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&agent, "/panel").await.status, StatusCode::OK);
    // An agent cannot use the buttons.
    let csrf = app.get(&agent, "/").await.csrf();
    let by_agent = app
        .post(
            &agent,
            &format!("/admin/accounts/{root}/disable"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN);

    let disabled = app
        .submit(
            &admin,
            "/admin/accounts",
            &format!("/admin/accounts/{ana}/disable"),
            &[],
        )
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER, "{}", disabled.body);
    let after = app.get(&agent, "/panel").await;
    assert_ne!(
        after.status,
        StatusCode::OK,
        "the agent's session still works"
    );

    for action in ["disable", "delete"] {
        let refused = app
            .submit(
                &admin,
                "/admin/accounts",
                &format!("/admin/accounts/{root}/{action}"),
                &[],
            )
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{action}");
        assert!(
            refused.body.contains("last enabled admin"),
            "{}",
            refused.body
        );
    }
    assert_eq!(app.get(&admin, "/console").await.status, StatusCode::OK);

    let deleted = app
        .submit(
            &admin,
            "/admin/accounts",
            &format!("/admin/accounts/{ana}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let accounts = app.get(&admin, "/admin/accounts").await;
    assert!(!accounts.body.contains("<td>ana</td>"), "{}", accounts.body);
}
