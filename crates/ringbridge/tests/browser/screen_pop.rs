//! A simulated inbound call from a known contact pops a tab at the
//! contact's Zoho record URL, and the panel names the caller.

use ringbridge_core::crm::{Crm, CrmModule, CrmRecordRef};
use ringbridge_sim_zoho::Module;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_caller_pops_the_contact_record() {
    let Some(browser) = browser() else { return };
    let (w, results) = maya_answers_a_known_caller(&browser, "screen_pop").await;

    let id = record_id(&w, Module::Contacts, "Pereira").expect("Ana Pereira");
    let expected = w.crm.record_url(&CrmRecordRef {
        module: CrmModule::Contacts,
        id,
    });
    assert_eq!(results["pop_url"], expected.as_str(), "{results}");
    assert_eq!(results["pop_heading"], "Ana Pereira", "{results}");
    assert!(
        results["card"].as_str().unwrap().contains("Ana Pereira"),
        "{results}"
    );
    w.stop().await;
}
