//! Several records with one number: the record owned by the call's user
//! wins, else the most recently modified (whatever its module); the call
//! is logged once, and the other matches stay available for the chooser.

use ringbridge::world::World;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_sim_zoho::Module;
use serde_json::json;

use super::{insert, later, linked};
use crate::support::*;

async fn world() -> World {
    let mut options = options();
    options.settings.unknown_inbound = UnknownNumberAction::Nothing;
    World::start(options).await.unwrap()
}

fn contact(last: &str, phone: &str) -> serde_json::Value {
    json!({"First_Name": "Shared", "Last_Name": last, "Phone": phone})
}

#[tokio::test]
async fn the_answering_agents_own_record_wins_over_a_newer_one() {
    let w = world().await;
    let maya = user_id(&w, "maya@corp.test");
    let mut mine = contact("Mayas", "+1 415 555 0150");
    mine["Owner"] = json!({"id": maya});
    let mine = insert(&w, Module::Contacts, mine);
    later(&w);
    // Newer, and owned by the CRM's primary user (no agent of these calls).
    let newer = insert(&w, Module::Contacts, contact("Newer", "415.555.0150"));
    w.directory.sync().await.unwrap();

    // Maya (1005) answers: her record. Omar (1006) owns neither: the newer.
    let to_maya = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550150"), ("agent", "1005")],
    )
    .await;
    let to_omar = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550150"), ("agent", "1006")],
    )
    .await;
    settle(&w, 2).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "one log per call, not one per record");
    let m = call_for(&calls, &to_maya[0]);
    assert_eq!(linked(m), ("Contacts".to_owned(), mine.clone()));
    assert_eq!(m["Owner"]["id"], maya.as_str());
    let o = call_for(&calls, &to_omar[0]);
    assert_eq!(linked(o), ("Contacts".to_owned(), newer.clone()));
    assert_eq!(o["Owner"]["id"], user_id(&w, "omar@corp.test").as_str());

    // The other match is kept for the panel's chooser.
    let found = w
        .directory
        .lookup("4155550150", Some(maya.as_str()))
        .await
        .unwrap();
    let others: Vec<_> = found.others.iter().map(|e| e.record.id.clone()).collect();
    assert_eq!(found.chosen.map(|e| e.record.id), Some(mine));
    assert_eq!(others, [newer]);
    w.stop().await;
}

#[tokio::test]
async fn nobodys_records_the_most_recently_modified_wins() {
    let w = world().await;
    // Two Contacts, synced into the directory.
    let old_contact = insert(&w, Module::Contacts, contact("Older", "(415) 555-0151"));
    later(&w);
    let new_contact = insert(&w, Module::Contacts, contact("Newest", "+14155550151"));
    w.directory.sync().await.unwrap();
    // A Contact and a newer Lead, found through Zoho's search: the newer
    // record wins although Contacts come before Leads in the module order.
    let old_lead_rival = insert(&w, Module::Contacts, contact("Rival", "(415) 555-0152"));
    later(&w);
    let new_lead = insert(
        &w,
        Module::Leads,
        json!({"Last_Name": "Fresh Lead", "Company": "Fresh", "Phone": "+1 415-555-0152"}),
    );

    let contacts = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550151"), ("agent", "1005")],
    )
    .await;
    let mixed = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550152"), ("agent", "1005")],
    )
    .await;
    settle(&w, 2).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "one log per call, not one per record");
    assert_eq!(
        linked(call_for(&calls, &contacts[0])),
        ("Contacts".to_owned(), new_contact)
    );
    assert_eq!(
        linked(call_for(&calls, &mixed[0])),
        ("Leads".to_owned(), new_lead)
    );
    assert_eq!(w.directory.stats().lookups_remote, 1);
    // The older records stay the chooser's alternatives.
    for (number, older) in [("4155550151", old_contact), ("4155550152", old_lead_rival)] {
        let found = w.directory.lookup(number, None).await.unwrap();
        let others: Vec<_> = found.others.iter().map(|e| e.record.id.clone()).collect();
        assert_eq!(others, [older], "{number}");
    }
    w.stop().await;
}
