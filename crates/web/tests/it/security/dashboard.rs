//! Issue 12: the admin sees recent failed sign-ins on the console's
//! dashboard — who was tried, from where — escaped like everything else.

use reqwest::StatusCode;

use crate::console::{browser, start};

#[tokio::test]
async fn the_dashboard_lists_recent_failed_sign_ins_escaped() {
    let app = start().await;
    let admin = app.admin().await;
    let guesser = browser();
    for name in ["root", "<b>mallory</b>"] {
        let tried = app
            .submit(
                &guesser,
                "/login",
                "/login",
                &[("username", name), ("password", "guess guess guess")],
            )
            .await;
        assert_eq!(tried.status, StatusCode::UNAUTHORIZED);
    }
    let page = app.get(&admin, "/console").await;
    assert_eq!(page.status, StatusCode::OK);
    let table = &page.body[page
        .body
        .find("id=\"failed-sign-ins\"")
        .expect("a table of failed sign-ins")..];
    assert!(table.contains("<td>root</td>"), "{table}");
    assert!(table.contains("&#60;b&#62;mallory&#60;/b&#62;"), "{table}");
    assert!(!table.contains("<b>mallory"), "{table}");
    assert!(table.contains("127.0.0.1"), "{table}");
}
