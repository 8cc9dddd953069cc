//! What a page view costs the PBX and Zoho: the dashboard and the users
//! page show the PBX's extensions and Zoho's users on every render, the
//! settings page Zoho's Call Result values and the PBX's time zone, and
//! neither an admin refreshing them nor several admins at once may log in
//! to the PBX each time (Yeastar allows 8 live tokens per application) or
//! spend Zoho API calls per view. A saved change reads them again.

use reqwest::StatusCode;

use super::{connected_with_admin, eventually, settings_form};

const EXTENSION_LIST: &str = "v1.0/extension/list";
const PBX_LOGIN: &str = "v1.0/get_token";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_views_reuse_the_running_pbx_login_and_remember_the_lists() {
    let (pbx, zoho, mut rb) = connected_with_admin().await;
    let logins = pbx.request_count(PBX_LOGIN);
    let lists = pbx.request_count(EXTENSION_LIST);
    let users = zoho.request_count("GET", "/crm/v8/users");
    // The Calls module's only: the engine reads other modules' fields for
    // the phone directory at its start.
    let calls_fields = || {
        zoho.requests()
            .iter()
            .filter(|r| {
                r.path == "/crm/v8/settings/fields"
                    && r.query
                        .as_deref()
                        .is_some_and(|q| q.contains("module=Calls"))
            })
            .count()
    };
    let fields = calls_fields();
    for _ in 0..10 {
        let settings = rb.get("/console/settings").await;
        assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
        let page = rb.get("/console/users").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        // Each extension is paired with a Zoho user: both lists were
        // there for every view.
        assert!(page.body.contains("Matched by e-mail"), "{}", page.body);
    }
    assert_eq!(
        pbx.request_count(PBX_LOGIN) - logins,
        0,
        "the pages used the running integration's PBX token"
    );
    assert!(
        calls_fields() - fields <= 1,
        "the Calls fields (Call Result values) were read at most once for 10 settings views"
    );
    assert!(
        pbx.request_count(EXTENSION_LIST) - lists <= 1,
        "the extension list was read at most once for 10 views"
    );
    assert!(
        zoho.request_count("GET", "/crm/v8/users") - users <= 2,
        "Zoho's users were read at most once (active and inactive) for 10 views"
    );

    // Saving settings applies them: the next view reads both lists again.
    let saved = rb
        .post("/console/settings", &settings_form(&[("min_talk_s", "0")]))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let lists = pbx.request_count(EXTENSION_LIST);
    eventually("the extensions read again after the change", async || {
        rb.get("/console/users").await;
        pbx.request_count(EXTENSION_LIST) > lists
    })
    .await;
    rb.shut_down().await;
}
