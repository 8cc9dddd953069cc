//! The console's accounts and confirmations in headless Chromium with the
//! PBX and Zoho (the simulators) connected from the configuration file
//! (`browser/tests/console-accounts.mjs`): the extension is picked from the
//! PBX's list and one outside it (9999) or another account's is refused,
//! saves and edits say so, Disconnect Zoho asks first, a new token can be
//! copied, and at 390 px no page is wider than the screen.

use ringbridge_core::console::{ConsoleStore, CrmConnection, CrmGrant, CrmMode, PbxConnection};
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use ringbridge_zoho::oauth::DEFAULT_SCOPES;

use crate::console_setup::{config, console_env, granted, open_store, serve};
use crate::support::{Scenario, browser};

const ADMIN_PW: &str = "accounts admin password";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_take_extensions_from_the_pbx_and_every_change_is_confirmed() {
    let Some(browser) = browser() else { return };
    let pbx = SimYeastar::start(SimSettings::default())
        .await
        .expect("PBX simulator");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let zoho = SimZoho::start(SimConfig {
        seed: ringbridge::demo::seed(),
        ..SimConfig::default()
    })
    .await
    .expect("Zoho simulator");
    // The `[zoho]` grant, then the PBX in its own table.
    let extra = format!(
        "{}[pbx]\nbase_url = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n",
        granted(&zoho),
        pbx.base_url(),
        pbx.client_id(),
        pbx.client_secret(),
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let (stop, served) = serve(config(&zoho, &url, dir.path(), &extra), listener);
    let env = console_env(&url, ADMIN_PW);
    let mut scenario = Scenario::start(&browser, "console-accounts", &env).await;
    scenario.step("accounts").await;
    // Set up through the console, as its pages would store it.
    let store = open_store(dir.path()).await;
    let grant = zoho.issue_tokens(DEFAULT_SCOPES);
    store
        .put_crm(&CrmConnection {
            location: "custom".into(),
            accounts_server: zoho.accounts_url().to_owned(),
            client_id: zoho.client_id().to_owned(),
            client_secret: zoho.client_secret().to_owned().into(),
            grant: Some(CrmGrant {
                refresh_token: grant.refresh_token.clone().into(),
                accounts_server: zoho.accounts_url().to_owned(),
                api_domain: zoho.api_url().to_owned(),
            }),
        })
        .await
        .expect("the console's grant stored");
    store
        .put_pbx(&PbxConnection {
            base_url: pbx.base_url(),
            client_id: pbx.client_id().to_owned(),
            client_secret: pbx.client_secret().to_owned().into(),
            accept_invalid_certs: false,
        })
        .await
        .expect("the console's PBX stored");
    store.put_mode(CrmMode::Rest).await.expect("mode stored");
    store.close().await;
    scenario.go("zoho").await;
    scenario.step("checked").await;
    let r = scenario.finish().await;

    let extensions: Vec<String> = pbx
        .settings()
        .company
        .extensions
        .iter()
        .map(|e| e.number.clone())
        .collect();
    let offered: Vec<&str> = r["offered"]
        .as_array()
        .expect("offered")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(offered, extensions, "the PBX's own list: {r}");
    let first = &extensions[0];

    assert!(
        r["created"]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/admin/accounts?done=account-created")),
        "{r}"
    );
    assert_eq!(r["created"]["flash"], "Account created.", "{r}");
    assert!(
        r["flagged"]
            .as_str()
            .is_some_and(|t| t.contains("already ana's")),
        "the taken extension is flagged in the list: {r}"
    );
    let taken = r["taken"].to_string();
    assert!(
        taken.contains(&format!("Extension {first} is already ana's")),
        "{r}"
    );
    let unknown = r["unknown"].to_string();
    assert!(
        unknown.contains(&format!(
            "Extension 9999 is not on the phone system (it has {} extensions)",
            extensions.len()
        )),
        "{r}"
    );
    assert_eq!(r["edited"]["flash"], "Account saved.", "{r}");
    assert!(
        r["edited"]["heading"]
            .as_str()
            .is_some_and(|h| h.contains("Ana Pereira-Silva")),
        "{r}"
    );
    assert_eq!(r["question"], "Disconnect Zoho CRM?", "{r}");
    assert_eq!(r["stillConnected"], true, "Cancel keeps Zoho: {r}");
    assert_eq!(r["extensionLink"], "/extension.zip", "{r}");
    assert_eq!(r["copyLabel"], "Copied", "{r}");
    assert_eq!(r["clipboard"], r["token"], "the token was copied: {r}");
    assert_eq!(
        r["overflow"],
        serde_json::json!({}),
        "wider than 390 px: {r}"
    );
    // Setup is called complete or not, never both; when not, the
    // extensions logging for nobody are counted and linked.
    assert_ne!(
        r["dashboard"]["complete"], r["dashboard"]["incomplete"],
        "{r}"
    );
    if r["dashboard"]["incomplete"] == true {
        assert!(
            r["dashboard"]["unmapped"]
                .as_str()
                .is_some_and(|t| t.starts_with("Extensions without a Zoho user:")),
            "{r}"
        );
    }

    let _ = stop.send(());
    served.await.expect("joined").expect("serve ended cleanly");
}
