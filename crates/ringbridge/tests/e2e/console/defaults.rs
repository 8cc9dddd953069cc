//! `ringbridge sim zoho` and `ringbridge serve`, each started with its
//! defaults, work together: the simulator's consent accepts the console's
//! callback at serve's default address, so the admin only types the
//! simulator's accounts server into the Zoho page.

use reqwest::StatusCode;
use ringbridge::config::Config;
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use ringbridge_zoho::oauth::DEFAULT_SCOPES;

#[tokio::test]
async fn the_simulators_consent_returns_to_serves_default_console() {
    let serve = Config::load(None).expect("the built-in defaults");
    let callback = format!("{}/console/zoho/callback", serve.http.public_url());
    let zoho = SimZoho::start(SimConfig::default())
        .await
        .expect("Zoho simulator");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let consent = client
        .get(format!("{}/oauth/v2/auth", zoho.accounts_url()))
        .query(&[
            ("client_id", zoho.client_id()),
            ("redirect_uri", callback.as_str()),
            ("response_type", "code"),
            ("scope", &DEFAULT_SCOPES.join(",")),
            ("state", "s"),
            ("access_type", "offline"),
        ])
        .send()
        .await
        .expect("the consent page answers");
    let status = consent.status();
    let to = consent
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = consent.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::FOUND, "{body}");
    assert!(to.starts_with(&format!("{callback}?")), "{to}");
    assert!(to.contains("code="), "{to}");
}
