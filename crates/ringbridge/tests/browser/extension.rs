//! The MV3 extension, unpacked in headless Chromium against the Zoho
//! simulator's record page: a click on a phone number dials through
//! ringbridge with the agent's token; a call pops its record at the
//! moments the agent chose while the agent panel is not open.

use ringbridge_core::crm::{Crm, CrmModule, CrmRecordRef};
use ringbridge_sim_zoho::Module;
use ringbridge_web::panel::PopSettings;

use crate::support::*;

fn contact_url(w: &ringbridge::world::World, last_name: &str) -> String {
    let id = record_id(w, Module::Contacts, last_name).expect("contact");
    w.crm.record_url(&CrmRecordRef {
        module: CrmModule::Contacts,
        id,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_extension_dials_from_a_zoho_page_and_pops_records() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    // Maya wants the record when she answers and when she hangs up.
    let triggers = PopSettings {
        on_ringing: false,
        on_answer: true,
        on_hangup: true,
    };
    triggers.save(&w.store, maya.account.id).await.unwrap();
    let mut env = scenario_env(&w, &maya);
    env.push(("RB_RECORD_URL", contact_url(&w, "Pereira")));
    env.push(("RB_POP_URL", contact_url(&w, "Miller")));
    let mut scenario = Scenario::start(&browser, "extension", &env).await;

    scenario.step("configured").await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550124"), ("agent", "1005")],
    )
    .await;
    scenario.step("popped").await;
    // Sales (6300) rings 1005, 1006 and 1007; 1006 answers Cara Diaz: Maya's
    // call ends answered elsewhere, which must not pop her hang-up
    // trigger. Then Bob Miller calls her again.
    play(
        &w,
        "ring_group_answered",
        &[("caller", "4155550127"), ("agent", "1006")],
    )
    .await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550124"), ("agent", "1005")],
    )
    .await;
    let results = scenario.finish().await;

    assert_eq!(results["wrong_token_checked"], "wrong-token", "{results}");
    assert!(
        results["wrong_token_status"]
            .as_str()
            .is_some_and(|s| s.contains("refused this token")),
        "{results}"
    );
    // Ana Pereira's number as the CRM page shows it, cleaned by ringbridge.
    assert_eq!(results["shown"], "+1 (415) 555-0123", "{results}");
    assert_eq!(results["dialled"], "+14155550123", "{results}");
    let dials: Vec<(String, String)> = w
        .pbx_sim
        .dial_requests()
        .into_iter()
        .map(|d| (d.caller, d.callee))
        .collect();
    assert_eq!(dials, vec![("1005".to_owned(), "+14155550123".to_owned())]);

    let miller = contact_url(&w, "Miller");
    let urls: Vec<&str> = results["all_urls"]
        .as_array()
        .expect("urls")
        .iter()
        .filter_map(|u| u.as_str())
        .collect();
    assert_eq!(
        urls.iter().filter(|u| **u == miller).count(),
        4,
        "one pop on answer, one on hang-up, for each of Bob's calls: {results}"
    );
    assert_eq!(results["pop_heading"], "Bob Miller", "{results}");
    assert!(
        !urls.contains(&contact_url(&w, "Diaz").as_str()),
        "no pop for the ring-group call a colleague answered: {results}"
    );
    w.stop().await;
}
