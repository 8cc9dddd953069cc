//! Unknown numbers whose record Zoho refuses to create as asked: a unique
//! field naming a Lead ringbridge did not know (the call is related to it),
//! and a field the org's layout made mandatory (filled from
//! `create_defaults`, or named in the failed job).

use ringbridge_core::crm::CrmModule;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::outbox::{JobKind, JobStatus, OutboxStore};
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_sim_zoho::Module;
use serde_json::json;

use super::start_with;
use super::unknown::with_phone;
use crate::support::*;

#[tokio::test]
async fn a_caller_already_on_a_unique_checked_lead_is_related_to_it_not_duplicated() {
    // Leads are not searched, so the directory cannot know this one.
    let w = start_with(|s| {
        s.unknown_inbound = UnknownNumberAction::CreateLead;
        s.match_modules = vec![CrmModule::Contacts, CrmModule::Accounts];
    })
    .await;
    let existing = w
        .zoho_sim
        .insert_record(
            Module::Leads,
            json!({"Last_Name": "Known Lead", "Company": "Lead Co", "Phone": "+14155550193"}),
        )
        .expect("seeded lead");
    w.zoho_sim.set_unique_fields(Module::Leads, &["Phone"]);
    let leads_before = w.zoho_sim.records(Module::Leads).len();

    let inbound = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550193"), ("agent", "1005")],
    )
    .await;
    settle(&w, 1).await;

    assert_eq!(
        w.zoho_sim.records(Module::Leads).len(),
        leads_before,
        "no second Lead"
    );
    assert_eq!(with_phone(&w, Module::Leads, "+14155550193").len(), 1);
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let log = call_for(&calls, &inbound[0]);
    assert_eq!(log["What_Id"]["id"], existing.as_str());
    assert_eq!(log["$se_module"], "Leads");
    assert_eq!(w.outbox().await.expect("outbox").failed, 0, "no failed job");
    let key = JobKey::record_creation(CrmModule::Leads, "+14155550193");
    let job = OutboxStore::job(&w.store, JobKind::CreateRecord, key.as_str())
        .await
        .expect("store")
        .expect("creation job");
    assert_eq!(job.status, JobStatus::Done);
    w.stop().await;
}

#[tokio::test]
async fn a_mandatory_company_is_filled_from_the_configured_default() {
    let w = start_with(|s| {
        s.unknown_outbound = UnknownNumberAction::CreateLead;
        s.create_defaults.insert(
            CrmModule::Leads,
            [("Company".to_owned(), "Unknown caller".to_owned())].into(),
        );
    })
    .await;
    w.zoho_sim.set_mandatory_fields(Module::Leads, &["Company"]);
    let outbound = play(
        &w,
        "outbound_answered",
        &[("number", "4155550194"), ("agent", "1004")],
    )
    .await;
    settle(&w, 1).await;

    let leads = with_phone(&w, Module::Leads, "+14155550194");
    assert_eq!(leads.len(), 1, "{leads:#?}");
    assert_eq!(leads[0]["Company"], "Unknown caller");
    let calls = crm_calls(&w);
    assert_eq!(
        call_for(&calls, &outbound[0])["What_Id"]["id"],
        leads[0]["id"]
    );
    w.stop().await;
}

#[tokio::test]
async fn without_a_default_the_failed_job_names_the_mandatory_field_and_the_setting() {
    let w = start_with(|s| {
        s.unknown_outbound = UnknownNumberAction::CreateLead;
        s.create_defaults.clear();
    })
    .await;
    w.zoho_sim.set_mandatory_fields(Module::Leads, &["Company"]);
    let outbound = play(
        &w,
        "outbound_answered",
        &[("number", "4155550195"), ("agent", "1004")],
    )
    .await;
    settle(&w, 1).await;

    assert!(with_phone(&w, Module::Leads, "+14155550195").is_empty());
    assert_eq!(
        w.zoho_sim.request_count("POST", "/crm/v8/Leads"),
        0,
        "the layout's metadata blocked it before it was sent"
    );
    let key = JobKey::record_creation(CrmModule::Leads, "+14155550195");
    let job = OutboxStore::job(&w.store, JobKind::CreateRecord, key.as_str())
        .await
        .expect("store")
        .expect("creation job");
    assert_eq!(job.status, JobStatus::Failed);
    let error = job.last_error.unwrap_or_default();
    assert!(error.contains("field Company"), "{error}");
    assert!(error.contains("[engine.create_defaults.Leads]"), "{error}");
    // The call is still logged, standing alone.
    let calls = crm_calls(&w);
    let log = call_for(&calls, &outbound[0]);
    assert!(log["What_Id"].is_null(), "{log:#?}");
    w.stop().await;
}
