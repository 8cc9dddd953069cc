//! The console's settings page in headless Chromium with Zoho (the
//! simulator) connected from the configuration file
//! (`browser/tests/console-settings.mjs`): the Call Result is picked from
//! the org's picklist and saved, two wrong fields are marked at once with
//! the first focused, and the preview follows the subject as it is typed.

use ringbridge_core::console::ConsoleStore;
use ringbridge_core::policy::CallKind;
use ringbridge_sim_zoho::{SimConfig, SimZoho};

use crate::console_setup::{config, console_env, granted, open_store, serve};
use crate::support::{Scenario, browser};

const ADMIN_PW: &str = "settings admin password";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_offer_the_orgs_call_results_mark_every_wrong_field_and_preview_the_log() {
    let Some(browser) = browser() else { return };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let zoho = SimZoho::start(SimConfig {
        seed: ringbridge::demo::seed(),
        ..SimConfig::default()
    })
    .await
    .expect("Zoho simulator");
    let dir = tempfile::tempdir().expect("a temp dir");
    let (stop, served) = serve(config(&zoho, &url, dir.path(), &granted(&zoho)), listener);
    let env = console_env(&url, ADMIN_PW);
    let results = Scenario::start(&browser, "console-settings", &env)
        .await
        .finish()
        .await;
    let offered: Vec<&str> = results["offered"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        offered,
        [
            "",
            "Interested",
            "Not interested",
            "No response/Busy",
            "Requested more info",
            "Requested call back",
            "Invalid number"
        ],
        "(none) and the simulated org's picklist: {results}"
    );
    assert_eq!(results["germany"], "Germany (DE, +49)", "{results}");
    assert_eq!(
        results["marked"],
        serde_json::json!(["min_talk_s", "display_time_zone"]),
        "{results}"
    );
    assert_eq!(results["described"], true, "{results}");
    assert_eq!(results["focused"], "min_talk_s", "{results}");
    assert_eq!(
        results["summary"],
        serde_json::json!(["#min_talk_s", "#display_time_zone"]),
        "{results}"
    );
    assert_eq!(results["kept"], "Requested call back", "{results}");
    assert_eq!(
        results["preview"], "Call with Ana Pereira, extension 1005 (Maya Ortiz)",
        "{results}"
    );
    assert!(
        results["previewProblem"]
            .as_str()
            .is_some_and(|p| p.contains("unknown placeholder")),
        "{results}"
    );
    assert_eq!(results["markedAfter"], 0, "{results}");
    assert_eq!(results["errors"], serde_json::json!([]), "{results}");

    let store = open_store(dir.path()).await;
    let settings = store
        .console()
        .await
        .expect("read")
        .settings
        .expect("saved");
    assert_eq!(
        settings.engine.call_results[&CallKind::InboundMissed],
        "Requested call back"
    );
    assert_eq!(settings.engine.logging.min_talk_s, 5);
    assert_eq!(settings.engine.display_time_zone, "Europe/Berlin");
    store.close().await;
    let _ = stop.send(());
    served.await.expect("joined").expect("serve ended cleanly");
}
