//! Creating records in an org with unique and layout-mandatory fields: the
//! simulator's `DUPLICATE_DATA` and `MANDATORY_NOT_FOUND` reach the engine
//! as typed errors naming the existing record or the missing field.

use ringbridge_core::crm::{Crm, CrmError, CrmModule, CrmRecordRef, NewRecord};
use ringbridge_sim_zoho::{Module, SimConfig, SimZoho};
use ringbridge_zoho::crm::{ZohoCrm, ZohoCrmConfig};
use serde_json::json;

use crate::sim::{connect, options};

pub fn lead(phone: &str) -> NewRecord {
    NewRecord {
        module: CrmModule::Leads,
        first_name: None,
        last_name: format!("Caller {phone}"),
        company: None,
        phone: phone.to_owned(),
        owner_id: None,
        fields: Default::default(),
    }
}

#[tokio::test]
async fn a_duplicate_lead_names_the_existing_one_and_nothing_is_stored() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let crm = ZohoCrm::new(conn.rest(), ZohoCrmConfig::default());
    let existing = sim
        .insert_record(
            Module::Leads,
            json!({"Last_Name": "Known", "Company": "Acme", "Phone": "+14155550333"}),
        )
        .expect("seeded lead");
    sim.set_unique_fields(Module::Leads, &["Phone"]);
    let before = sim.records(Module::Leads).len();

    let mut new = lead("+14155550333");
    new.fields.insert("Company".into(), "Unknown caller".into());
    let err = crm.create_record(&new).await.expect_err("a duplicate");
    assert_eq!(
        err,
        CrmError::Duplicate {
            existing: CrmRecordRef {
                module: CrmModule::Leads,
                id: existing
            },
            field: Some("Phone".into()),
        }
    );
    assert_eq!(sim.records(Module::Leads).len(), before);

    // Another number is no duplicate.
    new.phone = "+14155550334".into();
    crm.create_record(&new).await.expect("created");
    assert_eq!(sim.records(Module::Leads).len(), before + 1);
}

#[tokio::test]
async fn a_mandatory_field_left_empty_is_named_and_a_default_fills_it() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let crm = ZohoCrm::new(conn.rest(), ZohoCrmConfig::default());
    sim.set_mandatory_fields(Module::Leads, &["Company", "Lead_Source"]);

    let mut new = lead("+14155550335");
    new.fields.insert("Company".into(), "Unknown caller".into());
    let err = crm.create_record(&new).await.expect_err("refused");
    assert_eq!(
        err,
        CrmError::RequiredField {
            module: CrmModule::Leads,
            field: "Lead_Source".into()
        }
    );

    new.fields.insert("Lead_Source".into(), "Cold Call".into());
    let made = crm.create_record(&new).await.expect("created");
    let stored = sim
        .record(Module::Leads, &made.reference.id)
        .expect("stored");
    assert_eq!(stored["Company"], "Unknown caller");
    assert_eq!(stored["Lead_Source"], "Cold Call");
}
