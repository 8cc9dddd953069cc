//! Disconnecting Zoho from the console of a `ringbridge serve` child: the
//! grant revoked at Zoho (and PhoneBridge removed there first), the
//! dashboard shows Zoho not connected, calls wait queued, and connecting
//! again writes them, once each. When Zoho cannot be told, the grant goes
//! here all the same and the page says so.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use ringbridge_sim_zoho::{Fault, FaultRule, FaultTarget, SimZoho};
use serde_json::Value;

use super::{Serve, calls_from, eventually, start};
use crate::console::within;

/// The values of `name` in the form bodies of the simulator's requests to
/// `method path` whose `filter` field has `value`.
fn form_values(
    zoho: &SimZoho,
    path: &str,
    name: &str,
    filter: Option<(&str, &str)>,
) -> Vec<String> {
    zoho.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .filter_map(|r| {
            let fields: Vec<(String, String)> = url::form_urlencoded::parse(&r.body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let wanted = filter.is_none_or(|(k, v)| fields.iter().any(|f| f.0 == k && f.1 == v));
            wanted
                .then(|| fields.into_iter().find(|f| f.0 == name).map(|f| f.1))
                .flatten()
        })
        .collect()
}

/// The simulator's answer to a refresh with `refresh_token`.
async fn refresh_with(zoho: &SimZoho, refresh_token: &str) -> Value {
    Client::new()
        .post(format!(
            "{}/oauth/v2/token",
            zoho.accounts_url().trim_end_matches('/')
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", zoho.client_id()),
            ("client_secret", zoho.client_secret()),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .expect("token endpoint")
        .json()
        .await
        .expect("JSON")
}

/// The dashboard's CRM link state.
async fn crm_link(rb: &Serve) -> String {
    rb.get("/console")
        .await
        .body
        .split("id=\"link-crm\"")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .unwrap_or_default()
        .to_owned()
}

/// Waits until the service runs on the grant the console just stored: the
/// dashboard alone may still show the old generation (the file's grant).
/// Returns that grant's refresh token, as ringbridge sent it to Zoho.
async fn on_the_consoles_grant(rb: &Serve, zoho: &SimZoho, file_refresh: &str) -> String {
    let console_grant = || {
        form_values(
            zoho,
            "/oauth/v2/token",
            "refresh_token",
            Some(("grant_type", "refresh_token")),
        )
        .into_iter()
        .rfind(|t| t != file_refresh)
    };
    eventually(
        "ringbridge refreshed with the console's grant",
        async || console_grant().is_some(),
    )
    .await;
    eventually("both links up on the console's grant", async || {
        rb.get("/console").await.body.matches("state ok").count() == 2
    })
    .await;
    console_grant().expect("the console's grant")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnecting_revokes_the_grant_and_keeps_calls_until_connected_again() {
    let (pbx, zoho, file_refresh, rb) = start().await;
    rb.connect_zoho(&zoho).await;
    on_the_consoles_grant(&rb, &zoho, &file_refresh).await;
    let page = rb.get("/console/zoho").await;
    assert!(
        page.body.contains("id=\"zoho-disconnect\""),
        "{}",
        page.body
    );
    let live = zoho.refresh_token_count();

    let done = rb
        .post(
            "/console/zoho/disconnect",
            "/console/zoho",
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Zoho is disconnected"), "{}", done.body);
    assert!(
        !done.body.contains("id=\"zoho-connected\""),
        "{}",
        done.body
    );

    // Zoho was told: the console's token (the one ringbridge refreshed
    // with, not the file's) no longer works there.
    let revoked = form_values(&zoho, "/oauth/v2/token/revoke", "token", None);
    assert_eq!(revoked.len(), 1, "one revocation: {revoked:?}");
    let token = &revoked[0];
    assert_ne!(token, &file_refresh, "the console's grant was revoked");
    let used = form_values(
        &zoho,
        "/oauth/v2/token",
        "refresh_token",
        Some(("grant_type", "refresh_token")),
    );
    assert!(used.contains(token), "ringbridge had been using it");
    assert_eq!(zoho.refresh_token_count(), live - 1);
    let refused = refresh_with(&zoho, token).await;
    assert_eq!(refused["error"], "invalid_code", "{refused}");

    eventually("Zoho not connected on the dashboard", async || {
        crm_link(&rb).await.contains("Not configured")
    })
    .await;

    // A call while disconnected waits, queued.
    let caller = "+14155550177";
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", "4155550177")
        .expect("caller");
    pbx.play(&scenario).await.expect("played");
    eventually("the call queued on the dashboard", async || {
        rb.get("/console")
            .await
            .body
            .contains("id=\"pending-jobs\"")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        calls_from(&zoho, caller),
        0,
        "nothing written while disconnected"
    );
    assert!(
        !crm_link(&rb).await.contains("state ok"),
        "still not connected"
    );

    // Connected again: the waiting call is written, once.
    rb.connect_zoho(&zoho).await;
    within(
        60,
        "the queued call written after connecting again",
        async || calls_from(&zoho, caller) > 0,
    )
    .await;
    eventually("the dashboard back to connected", async || {
        rb.get("/console").await.body.matches("state ok").count() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(calls_from(&zoho, caller), 1, "written exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnecting_in_phonebridge_mode_removes_the_integration_at_zoho() {
    let (_pbx, zoho, _refresh, rb) = start().await;
    rb.connect_zoho(&zoho).await;
    let chosen = rb
        .post("/console/mode", "/console/mode", &[("mode", "phonebridge")])
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    eventually("PhoneBridge registered", async || {
        zoho.phonebridge_integrated() && !zoho.clicktodial_registrations().is_empty()
    })
    .await;

    let done = rb
        .post(
            "/console/zoho/disconnect",
            "/console/zoho",
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body
            .contains("PhoneBridge integration was removed from Zoho"),
        "{}",
        done.body
    );
    assert!(done.body.contains("Zoho is disconnected"), "{}", done.body);
    assert!(
        !zoho.phonebridge_integrated(),
        "the org's integration is gone"
    );
    assert!(
        zoho.clicktodial_registrations().is_empty(),
        "{:?}",
        zoho.clicktodial_registrations()
    );
    assert_eq!(zoho.request_count("POST", "/oauth/v2/token/revoke"), 1);
    eventually("Zoho not connected on the dashboard", async || {
        crm_link(&rb).await.contains("Not configured")
    })
    .await;
    // Nothing registers it again while disconnected.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!zoho.phonebridge_integrated());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_zoho_cannot_be_told_the_grant_goes_here_and_the_page_says_so() {
    let (_pbx, zoho, file_refresh, rb) = start().await;
    rb.connect_zoho(&zoho).await;
    let token = on_the_consoles_grant(&rb, &zoho, &file_refresh).await;
    zoho.inject_fault(
        FaultRule::next(1, Fault::InternalError)
            .on(FaultTarget::Accounts)
            .method("POST")
            .path_prefix("/oauth/v2/token/revoke"),
    );

    let done = rb
        .post(
            "/console/zoho/disconnect",
            "/console/zoho",
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("Zoho could not be told to revoke it"),
        "{}",
        done.body
    );
    assert!(done.body.contains("Connected apps"), "{}", done.body);
    assert!(!done.body.contains("Zoho is disconnected"), "{}", done.body);
    assert_eq!(zoho.injected_faults().get("internal_error"), Some(&1));

    // True: the token still works at Zoho, and ringbridge stopped using it.
    let still = refresh_with(&zoho, &token).await;
    assert!(still["access_token"].is_string(), "{still}");
    eventually("Zoho not connected on the dashboard", async || {
        crm_link(&rb).await.contains("Not configured")
    })
    .await;
    let page = rb.get("/console/zoho").await;
    assert!(
        !page.body.contains("id=\"zoho-connected\""),
        "{}",
        page.body
    );
}
