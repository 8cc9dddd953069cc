//! Numbers the CRM does not know: per direction, a Contact, a Lead or
//! nothing is created, and the call's log is linked to what was created.
//! (Two calls at once from one unknown number: calls.rs.)

use ringbridge::world::World;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_sim_zoho::Module;
use serde_json::Value;

use super::start_with;
use crate::support::*;

pub(super) fn with_phone(w: &World, module: Module, e164: &str) -> Vec<Value> {
    w.zoho_sim
        .records(module)
        .into_iter()
        .filter(|r| r["Phone"] == e164)
        .collect()
}

#[tokio::test]
async fn an_unknown_inbound_caller_becomes_a_contact_linked_as_who() {
    let w = start_with(|s| {
        s.unknown_inbound = UnknownNumberAction::CreateContact;
        s.unknown_outbound = UnknownNumberAction::Nothing;
    })
    .await;
    let leads_before = w.zoho_sim.records(Module::Leads).len();
    let inbound = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550190"), ("agent", "1005")],
    )
    .await;
    // The other direction is set to "nothing".
    let outbound = play(
        &w,
        "outbound_answered",
        &[("number", "4155550191"), ("agent", "1004")],
    )
    .await;
    settle(&w, 2).await;

    let contacts = with_phone(&w, Module::Contacts, "+14155550190");
    assert_eq!(
        contacts.len(),
        1,
        "one Contact for the caller: {contacts:#?}"
    );
    let contact = &contacts[0];
    assert_eq!(
        contact["Owner"]["id"],
        user_id(&w, "maya@corp.test").as_str(),
        "created for the agent who took the call"
    );
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2);
    let log = call_for(&calls, &inbound[0]);
    assert_eq!(log["Who_Id"]["id"], contact["id"]);
    assert!(log["What_Id"].is_null(), "a new Contact has no Account");
    assert!(
        log["$se_module"].is_null(),
        "$se_module goes with What_Id only"
    );
    assert_eq!(log["Caller_ID"], "+14155550190");

    let out = call_for(&calls, &outbound[0]);
    assert!(out["Who_Id"].is_null() && out["What_Id"].is_null());
    assert!(with_phone(&w, Module::Contacts, "+14155550191").is_empty());
    assert_eq!(w.zoho_sim.records(Module::Leads).len(), leads_before);
    w.stop().await;
}

#[tokio::test]
async fn an_unknown_outbound_number_becomes_a_lead_linked_as_what() {
    let w = start_with(|s| {
        s.unknown_inbound = UnknownNumberAction::Nothing;
        s.unknown_outbound = UnknownNumberAction::CreateLead;
    })
    .await;
    let contacts_before = w.zoho_sim.records(Module::Contacts).len();
    let outbound = play(
        &w,
        "outbound_answered",
        &[("number", "4155550191"), ("agent", "1004")],
    )
    .await;
    let inbound = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550192"), ("agent", "1005")],
    )
    .await;
    settle(&w, 2).await;

    let leads = with_phone(&w, Module::Leads, "+14155550191");
    assert_eq!(
        leads.len(),
        1,
        "one Lead for the number dialled: {leads:#?}"
    );
    assert_eq!(
        leads[0]["Owner"]["id"],
        user_id(&w, "dana@corp.test").as_str()
    );
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2);
    let log = call_for(&calls, &outbound[0]);
    assert_eq!(log["Call_Type"], "Outbound");
    assert_eq!(log["Dialled_Number"], "+14155550191");
    assert_eq!(log["What_Id"]["id"], leads[0]["id"]);
    assert_eq!(log["$se_module"], "Leads");
    assert!(
        log["Who_Id"].is_null(),
        "Zoho relates Leads through What_Id"
    );

    let inb = call_for(&calls, &inbound[0]);
    assert!(inb["Who_Id"].is_null() && inb["What_Id"].is_null());
    assert!(with_phone(&w, Module::Leads, "+14155550192").is_empty());
    assert_eq!(w.zoho_sim.records(Module::Contacts).len(), contacts_before);
    w.stop().await;
}

#[tokio::test]
async fn with_nothing_set_unknown_numbers_create_no_record_and_logs_stand_alone() {
    let w = start_with(|s| {
        s.unknown_inbound = UnknownNumberAction::Nothing;
        s.unknown_outbound = UnknownNumberAction::Nothing;
    })
    .await;
    let contacts_before = w.zoho_sim.records(Module::Contacts).len();
    let leads_before = w.zoho_sim.records(Module::Leads).len();
    let accounts_before = w.zoho_sim.records(Module::Accounts).len();
    let inbound = play(&w, "inbound_answered", &[("caller", "4155550190")]).await;
    let missed = play(&w, "inbound_missed", &[("caller", "4155550191")]).await;
    let outbound = play(&w, "outbound_answered", &[("number", "4155550192")]).await;
    settle(&w, 3).await;

    assert_eq!(w.zoho_sim.records(Module::Contacts).len(), contacts_before);
    assert_eq!(w.zoho_sim.records(Module::Leads).len(), leads_before);
    assert_eq!(w.zoho_sim.records(Module::Accounts).len(), accounts_before);
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 3, "the calls are still logged: {calls:#?}");
    for (id, number) in [
        (&inbound[0], "+14155550190"),
        (&missed[0], "+14155550191"),
        (&outbound[0], "+14155550192"),
    ] {
        let log = call_for(&calls, id);
        assert!(log["Who_Id"].is_null(), "{log:#?}");
        assert!(log["What_Id"].is_null(), "{log:#?}");
        assert!(log["$se_module"].is_null(), "{log:#?}");
        // With no record to name, the subject shows the number.
        let subject = log["Subject"].as_str().unwrap_or_default();
        assert!(subject.contains(number), "{subject}");
    }
    w.stop().await;
}
