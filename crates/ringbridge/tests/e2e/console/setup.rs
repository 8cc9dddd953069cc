//! From an empty data directory: first-run admin, the PBX (test
//! connection shows what it is), Zoho through its consent page, settings, a
//! call logged (its hostile caller name shown inert), then PhoneBridge mode
//! registered with Zoho, a hand-made pair too — each change applied by the
//! running service without a restart of the process.

use reqwest::StatusCode;
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{Module, SeedUser, SimConfig, SimZoho};
use serde_json::json;

use super::{HOSTILE, accept_admin_consent, consent_link, eventually, start};

/// The demo org, plus a Zoho user with a hostile name whom no extension
/// matches by e-mail (the admin pairs her by hand).
fn seed() -> ringbridge_sim_zoho::SeedData {
    let mut seed = ringbridge::demo::seed();
    seed.users.push(SeedUser {
        first_name: Some("Rosa".into()),
        last_name: HOSTILE.into(),
        email: "rosa@corp.test".into(),
        role: "Standard".into(),
        profile: "Standard".into(),
        active: true,
        phone: None,
    });
    seed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_from_an_empty_data_dir_to_phonebridge() {
    let pbx = SimYeastar::start(SimSettings::default())
        .await
        .expect("PBX simulator");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let callback = format!(
        "http://{}/console/zoho/callback",
        listener.local_addr().unwrap()
    );
    let zoho = SimZoho::start(SimConfig {
        redirect_uris: vec![callback],
        auto_approve: false,
        seed: seed(),
        ..SimConfig::default()
    })
    .await
    .expect("Zoho simulator");
    zoho.insert_record(
        Module::Contacts,
        json!({"Last_Name": HOSTILE, "Phone": "+14155550199"}),
    )
    .expect("a hostile contact");
    let mut rb = start(&zoho, listener, "").await;

    // First run: the pages ask for the admin account.
    rb.create_admin().await;
    let dashboard = rb.get("/console").await;
    assert!(
        dashboard.body.contains("Not configured"),
        "{}",
        dashboard.body
    );

    // The PBX: tested (model, firmware, extensions) and stored.
    let base = pbx.base_url();
    let saved = rb
        .post(
            "/console/pbx",
            &[
                ("base_url", base.as_str()),
                ("client_id", pbx.client_id()),
                ("client_secret", pbx.client_secret()),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let extensions = pbx.settings().company.extensions.len().to_string();
    for fact in [
        pbx.settings().model_name.as_str(),
        pbx.settings().firmware_version.as_str(),
        &format!("id=\"pbx-extensions\">{extensions}<"),
    ] {
        assert!(saved.body.contains(fact), "{fact} in {}", saved.body);
    }

    // Zoho: the client, then consent on the simulator's own page.
    let sent = rb
        .post(
            "/console/zoho",
            &[
                ("location", "custom"),
                ("client_id", zoho.client_id()),
                ("client_secret", zoho.client_secret()),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let consent_url = consent_link(&sent.body);
    assert!(
        consent_url.starts_with(zoho.accounts_url()),
        "{consent_url}"
    );
    let back = accept_admin_consent(&rb, &zoho, &consent_url).await;
    assert_eq!(
        (back.status, back.location.as_str()),
        (StatusCode::SEE_OTHER, "/console/mode?done=zoho")
    );

    // REST mode first, US numbers: a call from the hostile contact is logged.
    let chosen = rb.post("/console/mode", &[("mode", "rest")]).await;
    assert_eq!(chosen.location, "/console/users?done=mode");
    let settings_page = rb.get("/console/settings").await;
    assert_eq!(settings_page.status, StatusCode::OK);
    let settings = rb
        .post(
            "/console/settings",
            &[
                ("log_inbound_answered", "on"),
                ("log_inbound_missed", "on"),
                ("log_outbound_answered", "on"),
                ("log_outbound_unanswered", "on"),
                ("min_talk_s", "0"),
                ("subject", "{direction} call {name}"),
                ("description", "Talked {duration}"),
                ("pop_ringing", "on"),
                ("unknown_inbound", "nothing"),
                ("unknown_outbound", "nothing"),
                ("default_country", "US"),
                ("recording", "until_revoked"),
            ],
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    eventually("both links up", async || {
        let body = rb.get("/console").await.body;
        body.matches("state ok").count() == 2
    })
    .await;
    let users = rb.get("/console/users").await;
    assert!(users.body.contains("Matched by e-mail"), "{}", users.body);

    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", "4155550199")
        .expect("caller");
    pbx.play(&scenario).await.expect("played");
    eventually("the call logged in Zoho", async || !zoho.calls().is_empty()).await;
    eventually("the call on the dashboard", async || {
        rb.get("/console")
            .await
            .body
            .contains("id=\"recent-calls\"")
    })
    .await;
    for page in [
        "/console",
        "/console/users",
        "/console/pbx",
        "/console/zoho",
        "/console/mode",
        "/console/settings",
    ] {
        let body = rb.get(page).await.body;
        assert!(!body.contains("<script>"), "{page}: {body}");
    }
    let dashboard = rb.get("/console").await.body;
    assert!(
        dashboard.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || dashboard.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the caller's name shown inert: {dashboard}"
    );

    // PhoneBridge: the running service registers the org and the users.
    let chosen = rb.post("/console/mode", &[("mode", "phonebridge")]).await;
    assert_eq!(chosen.location, "/console/users?done=mode");
    eventually("PhoneBridge registered", async || {
        zoho.phonebridge_integrated() && !zoho.clicktodial_registrations().is_empty()
    })
    .await;
    let registered = zoho.clicktodial_registrations();
    assert!(
        registered
            .values()
            .all(|r| r.uri.starts_with(&format!("{}/zoho/phonebridge/", rb.url))),
        "{registered:?}"
    );

    // A pair made by hand reaches Zoho's registrations too.
    let rosa = zoho.user_id("rosa@corp.test").expect("Rosa's id");
    assert!(!registered.contains_key(&rosa), "nobody matches her e-mail");
    let paired = rb
        .post(
            "/console/users",
            &[("extension", "1008"), ("crm_user_id", rosa.as_str())],
        )
        .await;
    assert_eq!(paired.status, StatusCode::SEE_OTHER, "{}", paired.body);
    eventually("the hand-made pair registered", async || {
        zoho.clicktodial_registrations().contains_key(&rosa)
    })
    .await;
    let users = rb.get("/console/users").await.body;
    assert!(users.contains("Paired by hand"), "{users}");
    assert!(!users.contains("<script>"), "{users}");

    rb.shut_down().await;
}
