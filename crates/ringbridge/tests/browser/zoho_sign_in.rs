//! Sign in with Zoho in headless Chromium (`browser/tests/zoho_sign_in.mjs`):
//! an agent with no ringbridge account uses the sign-in page's button and
//! the Zoho simulator's consent page, and lands on the panel mapped to
//! their extension (paired by e-mail).

use ringbridge::config::Config;
use ringbridge::serve::runtime;
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use tokio::sync::oneshot;

use crate::support::{Scenario, browser, workspace};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_in_with_zoho_and_lands_on_the_panel() {
    let Some(browser) = browser() else { return };
    let pbx = SimYeastar::start(SimSettings::default())
        .await
        .expect("PBX simulator");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let zoho = SimZoho::start(SimConfig {
        redirect_uris: vec![format!("{url}/auth/zoho/callback")],
        auto_approve: false,
        seed: ringbridge::demo::seed(),
        ..SimConfig::default()
    })
    .await
    .expect("Zoho simulator");
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    let dir = tempfile::tempdir().expect("a temp dir");
    // Connected from the start: the admin's grant and the PBX in the file.
    let toml = format!(
        "data_dir = {data:?}\n\
         [http]\nlisten = \"127.0.0.1:0\"\npublic_url = \"{url}\"\nsecure_cookies = false\n\
         [zoho]\nclient_id = \"{id}\"\nclient_secret = \"{secret}\"\nrefresh_token = \"{refresh}\"\n\
         accounts_server = \"{acc}\"\napi_domain = \"{api}\"\n\
         [pbx]\nbase_url = \"{pbx_url}\"\nclient_id = \"{pbx_id}\"\nclient_secret = \"{pbx_secret}\"\n\
         default_country = \"US\"\n",
        data = dir.path().join("data").display().to_string(),
        id = zoho.client_id(),
        secret = zoho.client_secret(),
        acc = zoho.accounts_url(),
        api = zoho.api_url(),
        pbx_url = pbx.base_url(),
        pbx_id = pbx.client_id(),
        pbx_secret = pbx.client_secret(),
    );
    let file = dir.path().join("ringbridge.toml");
    std::fs::write(&file, toml).expect("config written");
    let config = Config::load(Some(&file)).expect("config loads");
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(runtime::serve(config, listener, async move {
        let _ = stopped.await;
    }));
    // The first admin exists (the sign-in page needs setup done).
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let setup = client
        .get(format!("{url}/setup"))
        .send()
        .await
        .expect("setup")
        .text()
        .await
        .expect("body");
    let csrf = setup
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF token")
        .to_owned();
    let made = client
        .post(format!("{url}/setup"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "root"),
            ("display_name", "Rita"),
            ("password", "admin password 1"),
            ("password_confirm", "admin password 1"),
        ])
        .send()
        .await
        .expect("first admin");
    assert_eq!(made.status(), 303);
    // The engine pairs Chen (1003) by e-mail once it runs.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let login = reqwest::get(format!("{url}/login"))
            .await
            .expect("login")
            .text()
            .await
            .expect("body");
        if login.contains("id=\"sign-in-zoho\"") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the sign-in page offers Zoho"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    let env = vec![
        ("RB_BASE_URL", url.clone()),
        ("RB_ZOHO_EMAIL", "chen@corp.test".to_owned()),
        (
            "RB_SCREENSHOTS",
            workspace().join("target/screenshots").display().to_string(),
        ),
    ];
    let results = Scenario::start(&browser, "zoho_sign_in", &env)
        .await
        .finish()
        .await;
    assert!(
        results["consent_url"]
            .as_str()
            .is_some_and(|u| u.starts_with(zoho.accounts_url())),
        "{results}"
    );
    assert_eq!(results["landed"], "/panel", "{results}");
    assert_eq!(results["me"]["extension"], "1003", "{results}");
    assert_eq!(results["me"]["role"], "agent", "{results}");
    assert_eq!(
        results["me"]["crm_user_id"],
        zoho.user_id("chen@corp.test").expect("Chen").as_str(),
        "{results}"
    );
    let _ = stop.send(());
    served.await.expect("joined").expect("serve ended cleanly");
}
