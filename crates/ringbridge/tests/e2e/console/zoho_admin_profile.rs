//! Admin rights from a Zoho profile: with `zoho_admin_profiles` naming
//! "Administrator", the org's Zoho admin (Ana, extension 1001) signing in
//! with Zoho lands on the console as an admin; without the setting the same
//! sign-in makes an agent.

use reqwest::StatusCode;

use super::zoho_sign_in::{browser, consent, get, me, sign_in_simulators};
use super::{eventually, start_connected_with};

const ADMIN: &str = "ana@corp.test";

/// Ana signs in with Zoho on a ringbridge started with `engine_toml`; where
/// she lands and the role `/api/me` reports.
async fn ana_signs_in(engine_toml: &str) -> (String, String) {
    let (pbx, zoho, listener) = sign_in_simulators(ringbridge::demo::seed()).await;
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    let rb = start_connected_with(&pbx, &zoho, listener, &refresh, engine_toml).await;
    rb.create_admin().await;
    let ana = browser();
    eventually("the sign-in page offers Zoho", async || {
        get(&ana, &format!("{}/login", rb.url))
            .await
            .body
            .contains("id=\"sign-in-zoho\"")
    })
    .await;
    let back = consent(&rb, &ana, &zoho, ADMIN, "/").await;
    let landed = get(&ana, &back).await;
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    let me = me(&rb, &ana).await;
    assert_eq!(me["extension"], "1001", "{me}");
    let role = me["role"].as_str().unwrap_or_default().to_owned();
    (landed.location, role)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zoho_profile_named_in_the_settings_gives_the_admin_role() {
    let tied = "\n[engine]\nzoho_admin_profiles = [\"Administrator\"]\n";
    assert_eq!(
        ana_signs_in(tied).await,
        ("/console".to_owned(), "admin".to_owned()),
        "the Administrator profile is tied to the admin role"
    );
    assert_eq!(
        ana_signs_in("").await,
        ("/panel".to_owned(), "agent".to_owned()),
        "without the setting, Zoho's admin is an agent in ringbridge"
    );
}
