//! The configured module order: one number on a Lead and an Account (no
//! Contact), both modified at the same instant, links the module that
//! comes first — from the local directory and through Zoho's search, which
//! asks every configured module.

use ringbridge::world::World;
use ringbridge_core::crm::CrmModule;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_sim_zoho::Module;
use serde_json::json;

use super::{coql_queries, insert, linked, seed};
use crate::support::*;

/// Seeds a Lead and an Account sharing one number (in the directory from
/// the start), adds another such pair after the directory's sync (only
/// Zoho's search finds it), calls both numbers, and returns the module each
/// call was linked to, checking the link points at that pair's record.
async fn linked_modules(order: Option<Vec<CrmModule>>) -> (String, String) {
    let mut options = options();
    options.settings.unknown_inbound = UnknownNumberAction::Nothing;
    if let Some(order) = order {
        options.settings.match_modules = order;
    }
    seed(
        &mut options,
        Module::Leads,
        json!({"Last_Name": "Seeded Lead", "Company": "Lead Co", "Phone": "415-555-0140"}),
    );
    seed(
        &mut options,
        Module::Accounts,
        json!({"Account_Name": "Seeded Account", "Phone": "+1 (415) 555 0140"}),
    );
    let w = World::start(options).await.unwrap();
    // One modified time for both, so only the module order tells them apart.
    w.zoho_sim.clock().freeze_at(w.zoho_sim.now());
    insert(
        &w,
        Module::Leads,
        json!({"Last_Name": "Later Lead", "Company": "Lead Co", "Phone": "(415) 555-0141"}),
    );
    insert(
        &w,
        Module::Accounts,
        json!({"Account_Name": "Later Account", "Phone": "+14155550141"}),
    );
    let coql_before = coql_queries(&w);
    let local = play(&w, "inbound_answered", &[("caller", "4155550140")]).await;
    let remote = play(&w, "inbound_answered", &[("caller", "4155550141")]).await;
    settle(&w, 2).await;
    assert_eq!(
        w.directory.stats().lookups_remote,
        1,
        "the second number only"
    );
    assert!(coql_queries(&w) > coql_before);

    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "one log per call, never one per record");
    let mut modules = Vec::new();
    for (id, prefix) in [(&local[0], "Seeded"), (&remote[0], "Later")] {
        let (module, record) = linked(call_for(&calls, id));
        let name = match module.as_str() {
            "Leads" => format!("{prefix} Lead"),
            "Accounts" => format!("{prefix} Account"),
            other => panic!("call {id} linked to {other}"),
        };
        let expected = w
            .zoho_sim
            .records(if module == "Leads" {
                Module::Leads
            } else {
                Module::Accounts
            })
            .into_iter()
            .find(|r| r["Last_Name"] == name.as_str() || r["Account_Name"] == name.as_str())
            .and_then(|r| r["id"].as_str().map(str::to_owned));
        assert_eq!(Some(record), expected, "call {id} links {name}");
        modules.push(module);
    }
    w.stop().await;
    (modules.remove(0), modules.remove(0))
}

#[tokio::test]
async fn by_default_the_lead_comes_before_the_account() {
    assert_eq!(
        linked_modules(None).await,
        ("Leads".to_owned(), "Leads".to_owned()),
        "(local, remote)"
    );
}

#[tokio::test]
async fn a_configured_order_with_accounts_first_links_the_account() {
    let order = vec![CrmModule::Accounts, CrmModule::Contacts, CrmModule::Leads];
    assert_eq!(
        linked_modules(Some(order)).await,
        ("Accounts".to_owned(), "Accounts".to_owned()),
        "(local, remote)"
    );
}
