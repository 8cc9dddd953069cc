//! ringbridge against an org shaped as Zoho documents it: fields its layout
//! requires (named before anything is sent, metadata read once), typed
//! defaults for standard fields, 429s under another code, COQL rows with or
//! without an `id` nobody asked for.

use ringbridge_core::crm::{Crm, CrmError, CrmModule, NewRecord};
use ringbridge_sim_zoho::{Fault, FaultRule, Module, SimConfig, SimZoho};
use ringbridge_zoho::crm::{ZohoCrm, ZohoCrmConfig};
use ringbridge_zoho::oauth::DEFAULT_SCOPES;
use serde_json::json;

use crate::sim::{connect, connect_scoped, options};

/// A Lead for `phone` with these configured defaults.
fn lead(phone: &str, fields: &[(&str, &str)]) -> NewRecord {
    let mut new = crate::create::lead(phone);
    for (k, v) in fields {
        new.fields.insert((*k).to_owned(), (*v).to_owned());
    }
    new
}

async fn crm_for(sim: &SimZoho) -> ZohoCrm {
    let (conn, _) = connect(sim, options()).await;
    ZohoCrm::new(conn.rest(), ZohoCrmConfig::default())
}

#[tokio::test]
async fn a_field_the_layout_requires_is_named_before_anything_is_sent() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let crm = crm_for(&sim).await;
    sim.set_mandatory_fields(Module::Leads, &["Company", "Lead_Source"]);
    sim.clear_requests();

    let err = crm
        .create_record(&lead("+14155550401", &[("Company", "Unknown caller")]))
        .await
        .expect_err("blocked");
    assert_eq!(
        err,
        CrmError::RequiredField {
            module: CrmModule::Leads,
            field: "Lead_Source".into()
        }
    );
    assert_eq!(
        sim.request_count("POST", "/crm/v8/Leads"),
        0,
        "nothing sent"
    );

    let filled = [("Company", "Unknown caller"), ("Lead_Source", "Cold Call")];
    crm.create_record(&lead("+14155550402", &filled))
        .await
        .expect("created");
    crm.create_record(&lead("+14155550403", &filled))
        .await
        .expect("created");
    assert_eq!(sim.request_count("POST", "/crm/v8/Leads"), 2);
    // Budget: the metadata is read once per module, not per record.
    assert_eq!(sim.request_count("GET", "/crm/v8/settings/layouts"), 1);
    assert_eq!(sim.request_count("GET", "/crm/v8/settings/fields"), 1);
}

#[tokio::test]
async fn without_the_layouts_scope_zohos_refusal_still_names_the_field() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let older_grant: Vec<String> = DEFAULT_SCOPES
        .iter()
        .filter(|s| !s.contains("layouts"))
        .map(|s| (*s).to_owned())
        .collect();
    let (conn, _) = connect_scoped(&sim, options(), Some(older_grant)).await;
    let crm = ZohoCrm::new(conn.rest(), ZohoCrmConfig::default());
    sim.set_mandatory_fields(Module::Leads, &["Company", "Lead_Source"]);
    sim.clear_requests();

    for phone in ["+14155550404", "+14155550405"] {
        let err = crm
            .create_record(&lead(phone, &[("Company", "Unknown caller")]))
            .await
            .expect_err("refused by Zoho");
        assert_eq!(
            err,
            CrmError::RequiredField {
                module: CrmModule::Leads,
                field: "Lead_Source".into()
            }
        );
    }
    assert_eq!(sim.request_count("POST", "/crm/v8/Leads"), 2);
    assert_eq!(
        sim.request_count("GET", "/crm/v8/settings/layouts"),
        1,
        "a refused read is not repeated"
    );
}

#[tokio::test]
async fn text_defaults_reach_standard_fields_typed() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let crm = crm_for(&sim).await;
    let made = crm
        .create_record(&lead(
            "+14155550406",
            &[
                ("Company", "Unknown caller"),
                ("Lead_Status", "Qualified"),
                ("Rating", "Acquired"),
                ("Annual_Revenue", "250000"),
                ("No_of_Employees", "12"),
                ("Email_Opt_Out", "true"),
                ("City", "Austin"),
                ("Tag", "pbx, unknown caller"),
            ],
        ))
        .await
        .expect("created");
    let stored = sim
        .record(Module::Leads, &made.reference.id)
        .expect("stored");
    assert_eq!(stored["Lead_Status"], "Qualified");
    assert_eq!(stored["Rating"], "Acquired");
    assert_eq!(stored["Annual_Revenue"], 250_000.0);
    assert_eq!(stored["No_of_Employees"], 12);
    assert_eq!(stored["Email_Opt_Out"], true);
    assert_eq!(stored["City"], "Austin");
    assert_eq!(
        stored["Tag"],
        json!([{"name": "pbx"}, {"name": "unknown caller"}])
    );
}

#[tokio::test]
async fn a_429_under_another_code_is_still_a_rate_limit() {
    for code in ["TOO_MANY_REQUESTS", "LIMIT_EXCEEDED"] {
        let sim = SimZoho::start(SimConfig {
            rate_limit_code: code.into(),
            ..SimConfig::default()
        })
        .await
        .expect("sim");
        let crm = crm_for(&sim).await;
        sim.inject_fault(FaultRule::next(10, Fault::TooManyRequests));
        let err = crm.users().await.expect_err("throttled");
        assert!(
            matches!(err, CrmError::RateLimited { .. }),
            "{code}: {err:?}"
        );
        assert!(err.is_retryable(), "{code}");
    }
}

#[tokio::test]
async fn coql_rows_match_with_or_without_an_unasked_id() {
    for adds_id in [true, false] {
        let sim = SimZoho::start(SimConfig {
            coql_adds_id: adds_id,
            ..SimConfig::default()
        })
        .await
        .expect("sim");
        let crm = crm_for(&sim).await;
        let hits = crm
            .find_by_phone(&[CrmModule::Contacts], &["+14155550123".into()])
            .await
            .expect("coql");
        let ana = sim
            .records(Module::Contacts)
            .into_iter()
            .find(|r| r["Last_Name"] == "Pereira")
            .expect("seeded");
        assert_eq!(hits.len(), 1, "adds_id {adds_id}: {hits:?}");
        assert_eq!(hits[0].reference.id, ana["id"].as_str().expect("id"));
    }
}

#[tokio::test]
async fn a_layouts_read_that_failed_for_now_is_tried_again() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let crm = crm_for(&sim).await;
    sim.set_mandatory_fields(Module::Leads, &["Company", "Lead_Source"]);
    // More 500s than the client retries: the first create goes without the layout.
    sim.inject_fault(
        FaultRule::next(10, Fault::InternalError).path_prefix("/crm/v8/settings/layouts"),
    );
    let company = [("Company", "Unknown caller")];
    let blocked = CrmError::RequiredField {
        module: CrmModule::Leads,
        field: "Lead_Source".into(),
    };
    let err = crm.create_record(&lead("+14155550407", &company)).await;
    assert_eq!(err.expect_err("refused by Zoho"), blocked);
    assert_eq!(sim.request_count("POST", "/crm/v8/Leads"), 1);
    sim.clear_faults();
    let err = crm.create_record(&lead("+14155550408", &company)).await;
    assert_eq!(err.expect_err("blocked"), blocked);
    assert_eq!(sim.request_count("POST", "/crm/v8/Leads"), 1, "not sent");
}
