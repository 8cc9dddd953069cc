//! Issue 12, password resets: after an admin resets an account's password
//! (console or CLI), the person signs in with it and must choose a new one
//! before any other page, console route or API call works — a leaked
//! reset password is only good for that one change.

use reqwest::StatusCode;

use crate::console::start;

#[tokio::test]
async fn after_an_admin_reset_nothing_works_until_a_new_password_is_chosen() {
    let app = start().await;
    let admin = app.admin().await;
    let agent = app.agent(&admin).await;
    let accounts = app.get(&admin, "/admin/accounts").await;
    let row = &accounts.body[accounts.body.find("<td>ana</td>").unwrap()..];
    let marker = "action=\"/admin/accounts/";
    let from = row.find(marker).unwrap() + marker.len();
    let id = row[from..].split('/').next().unwrap().to_owned();

    let reset = app
        .submit(
            &admin,
            "/admin/accounts",
            &format!("/admin/accounts/{id}/reset-password"),
            &[],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let from = reset.body.find("<code class=\"secret\">").unwrap() + 21;
    let password = reset.body[from..].split('<').next().unwrap().to_owned();
    assert_eq!(password.len(), 20);
    // The agent's open session ended with the reset.
    assert_ne!(app.get(&agent, "/panel").await.status, StatusCode::OK);

    let fresh = crate::console::browser();
    let signed = app
        .submit(
            &fresh,
            "/login",
            "/login",
            &[("username", "ana"), ("password", &password)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(signed.location, "/password");
    for page in ["/", "/panel", "/admin/accounts"] {
        let refused = app.get(&fresh, page).await;
        assert_eq!(refused.status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(refused.location, "/password", "{page}");
    }
    let api = app.get(&fresh, "/api/me").await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(
        api.body.contains("password_change_required"),
        "{}",
        api.body
    );
    let form = app.get(&fresh, "/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("administrator reset"), "{}", form.body);

    // The reset password itself is not an acceptable new one; a wrong
    // current password changes nothing.
    let same = app
        .submit(
            &fresh,
            "/password",
            "/password",
            &[
                ("current_password", &password),
                ("password", &password),
                ("password_confirm", &password),
            ],
        )
        .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new = "a brand new password";
    let wrong = app
        .submit(
            &fresh,
            "/password",
            "/password",
            &[
                ("current_password", "not it at all"),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&fresh, "/").await.location, "/password");

    let changed = app
        .submit(
            &fresh,
            "/password",
            "/password",
            &[
                ("current_password", &password),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(app.get(&fresh, "/").await.status, StatusCode::OK);
    assert_eq!(app.get(&fresh, "/api/me").await.status, StatusCode::OK);
}
