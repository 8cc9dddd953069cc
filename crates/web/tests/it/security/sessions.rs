//! Issue 12, sessions: the admin sees every signed-in browser of an
//! account (when, last seen, from which address, which browser — shown
//! escaped) and ends one or all; a person ends their own other sessions.

use reqwest::StatusCode;

use crate::console::{App, HOSTILE, start};

/// An agent signed in from a browser announcing itself as `agent`.
async fn sign_in_as_ana(app: &App, agent: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(agent)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed = app
        .submit(
            &client,
            "/login",
            "/login",
            &[("username", "ana"), ("password", "agent password 1")],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    client
}

/// The `action` of every "end this session" form on `page`.
fn end_actions(page: &str) -> Vec<String> {
    page.match_indices("/end\"")
        .map(|(at, _)| {
            let start = page[..at].rfind("action=\"").unwrap() + 8;
            format!("{}/end", &page[start..at])
        })
        .filter(|a| !a.ends_with("end-all/end"))
        .collect()
}

#[tokio::test]
async fn the_admin_sees_and_ends_sessions_and_an_agent_ends_their_own() {
    let app = start().await;
    let admin = app.admin().await;
    let first = app.agent(&admin).await;
    let hostile = sign_in_as_ana(&app, HOSTILE).await;
    let laptop = sign_in_as_ana(&app, "Laptop browser").await;

    let accounts = app.get(&admin, "/admin/accounts").await;
    let row = &accounts.body[accounts.body.find("<td>ana</td>").unwrap()..];
    let from = row.find("href=\"/admin/accounts/").unwrap() + 22;
    let id = row[from..].split('"').next().unwrap().to_owned();
    let page = app.get(&admin, &format!("/admin/accounts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    crate::console::assert_inert(&page.body);
    assert!(page.body.contains("Laptop browser"), "{}", page.body);
    assert!(page.body.contains("127.0.0.1"), "client address not shown");
    let ends = end_actions(&page.body);
    assert_eq!(ends.len(), 3, "{ends:?}");

    // The admin ends the hostile browser's session: find which by trying.
    let mut ended_hostile = false;
    for action in &ends {
        let page = app.get(&admin, &format!("/admin/accounts/{id}")).await;
        let row_start = page.body.find(action.as_str()).unwrap();
        let row = &page.body[page.body[..row_start].rfind("<tr>").unwrap()..row_start];
        if row.contains("&#60;script") || row.contains("&lt;script") {
            let done = app
                .submit(&admin, &format!("/admin/accounts/{id}"), action, &[])
                .await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
            ended_hostile = true;
        }
    }
    assert!(ended_hostile);
    assert_ne!(app.get(&hostile, "/").await.status, StatusCode::OK);
    assert_eq!(app.get(&laptop, "/").await.status, StatusCode::OK);

    // The agent, from the laptop, ends their other sessions but not this one.
    let home = app.get(&laptop, "/").await;
    assert!(home.body.contains("This browser") || home.body.contains("当前浏览器"));
    assert_eq!(end_actions(&home.body).len(), 1, "only the other browser");
    let done = app.submit(&laptop, "/", "/sessions/end-all", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_ne!(app.get(&first, "/").await.status, StatusCode::OK);
    assert_eq!(app.get(&laptop, "/").await.status, StatusCode::OK);
    // An agent cannot end someone else's session, nor reach the admin's list.
    let second_admin = app.admin_again().await;
    let accounts = app.get(&admin, "/admin/accounts").await;
    let row = &accounts.body[accounts.body.find("<td>root</td>").unwrap()..];
    let from = row.find("href=\"/admin/accounts/").unwrap() + 22;
    let root = row[from..].split('"').next().unwrap().to_owned();
    let root_page = app.get(&admin, &format!("/admin/accounts/{root}")).await;
    let action = end_actions(&root_page.body)
        .pop()
        .expect("the other admin browser");
    let handle = action.split('/').nth(5).unwrap();
    let refused = app
        .submit(&laptop, "/", &format!("/sessions/{handle}/end"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&second_admin, "/").await.status, StatusCode::OK);
    assert_eq!(
        app.get(&laptop, &format!("/admin/accounts/{id}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The admin ends everything left.
    let all = app
        .submit(
            &admin,
            &format!("/admin/accounts/{id}"),
            &format!("/admin/accounts/{id}/sessions/end-all"),
            &[],
        )
        .await;
    assert_eq!(all.status, StatusCode::SEE_OTHER);
    assert_ne!(app.get(&laptop, "/").await.status, StatusCode::OK);
}
