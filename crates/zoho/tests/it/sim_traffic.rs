//! What the client really sent, checked against Zoho's OpenAPI files: every
//! `/crm/v8` request in the simulator's log, after scenarios that use every
//! REST operation ringbridge has.

use std::collections::BTreeSet;

use chrono::Utc;
use ringbridge_core::crm::{CallLog, CallLogType, Crm, CrmModule, CrmRecordRef, NewRecord};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use ringbridge_zoho::crm::{ZohoCrm, ZohoCrmConfig};
use ringbridge_zoho::rest::{
    Criteria, ListParams, Record, SearchBy, SearchParams, Trigger, UserType,
};
use serde_json::json;

use crate::sim::{connect, options};
use crate::spec::{Specs, Wire, specs};

/// Checks every `/crm/v8` request `sim` received; returns the operations seen,
/// or `None` when Zoho's OpenAPI files are absent (outside CI).
pub fn assert_traffic_matches_spec(sim: &SimZoho) -> Option<BTreeSet<String>> {
    let (seen, failures) = check_traffic(specs()?, sim);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Some(seen)
}

/// Endpoints described by a spec file Zoho publishes that the folder read may
/// lack (the layouts metadata is in `layouts.json`): checked when it is there.
const OPTIONAL_FILES: &[(&str, &str)] = &[("/crm/v8/settings/layouts", "layouts.json")];

/// The operations every `/crm/v8` request matched, and the requests that matched none.
fn check_traffic(specs: &Specs, sim: &SimZoho) -> (BTreeSet<String>, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut failures = Vec::new();
    for r in sim.requests() {
        let unpublished = OPTIONAL_FILES
            .iter()
            .any(|(path, file)| r.path == *path && !specs.has_file(file));
        if !r.path.starts_with("/crm/v8/") || unpublished {
            continue;
        }
        match specs.check(&Wire::from_recorded(&r)) {
            Ok(op) => {
                seen.insert(op);
            }
            Err(problems) => failures.push(format!(
                "{} {}?{}: {problems:#?}",
                r.method,
                r.path,
                r.query.as_deref().unwrap_or("")
            )),
        }
    }
    (seen, failures)
}

fn call_log(key: &str, who: &CrmRecordRef, owner: &str) -> CallLog {
    CallLog {
        key: key.into(),
        call_type: CallLogType::Inbound,
        started_at: Utc::now() - chrono::Duration::minutes(10),
        duration_s: 95,
        subject: "Inbound call from +14155550123".into(),
        description: "Answered by ext 1001".into(),
        owner_id: Some(owner.into()),
        who: Some(who.clone()),
        what: None,
        caller_number: Some("+14155550123".into()),
        dialled_number: Some("+4930123456".into()),
        result: None,
        recording_url: Some("https://rb.example.com/rec/1".into()),
    }
}

#[tokio::test]
async fn every_request_the_client_sent_matches_zohos_openapi() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let rest = conn.rest();
    let crm = ZohoCrm::new(conn.rest(), ZohoCrmConfig::default());

    // What the engine does: users, lookups, directory sync, call logs.
    let users = crm.users().await.expect("users");
    let owner = users.iter().find(|u| u.active).expect("a user").id.clone();
    let hits = crm
        .find_by_phone(
            &[CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts],
            &["+14155550123".into(), "4155550199".into()],
        )
        .await
        .expect("lookup");
    assert!(!hits.is_empty());
    let since = Utc::now() - chrono::Duration::days(30);
    for m in [CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts] {
        crm.records_changed_since(m, None, None)
            .await
            .expect("sync");
        crm.records_changed_since(m, Some(since), None)
            .await
            .expect("incremental sync");
    }
    let ana = hits[0].reference.clone();
    let logs = [call_log("k-1", &ana, &owner), call_log("k-2", &ana, &owner)];
    let written = crm.log_calls(&logs).await.expect("log");
    let call_id = written[0].clone().expect("written");
    assert_eq!(
        crm.find_logged_calls(&logs).await.expect("find")[0].as_deref(),
        Some(call_id.as_str())
    );
    let lead = crm
        .create_record(&NewRecord {
            module: CrmModule::Leads,
            first_name: Some("Nova".into()),
            last_name: "Caller".into(),
            company: Some("Unknown".into()),
            phone: "+14155550777".into(),
            owner_id: Some(owner.clone()),
            fields: Default::default(),
        })
        .await
        .expect("lead");
    crm.relate_call(&call_id, None, Some(&lead.reference))
        .await
        .expect("related");

    // The rest of the REST client.
    for by in [
        SearchBy::Phone("+14155550123".into()),
        SearchBy::Email("ana@example.com".into()),
        SearchBy::Word("Pereira".into()),
        SearchBy::Criteria(Criteria::any_field_equals(
            &["Phone", "Mobile"],
            "+14155550123",
        )),
    ] {
        rest.search("Contacts", &SearchParams::new(by).fields(&["Full_Name"]))
            .await
            .expect("search");
    }
    let fields = ["Full_Name".to_owned(), "Phone".to_owned()];
    rest.get_record("Contacts", &ana.id, &fields)
        .await
        .expect("get");
    rest.get_records("Contacts", std::slice::from_ref(&ana.id), &fields)
        .await
        .expect("get many");
    rest.list_all_records("Accounts", &ListParams::new(&["Account_Name"]))
        .await
        .expect("list");
    for kind in [
        UserType::ActiveUsers,
        UserType::DeactiveUsers,
        UserType::CurrentUser,
    ] {
        rest.all_users(kind).await.expect("users by type");
    }
    rest.update_records(
        "Leads",
        &[Record(
            json!({"id": lead.reference.id, "Lead_Status": "Contacted"})
                .as_object()
                .cloned()
                .expect("object"),
        )],
        Some(&[Trigger::Workflow]),
    )
    .await
    .expect("update with trigger");
    rest.fields("Calls").await.expect("fields");
    rest.org().await.expect("org");

    let Some(seen) = assert_traffic_matches_spec(&sim) else {
        return;
    };
    assert!(seen.len() >= 8, "operations seen: {seen:?}");
}

#[tokio::test]
async fn a_request_off_the_spec_is_caught_in_the_log() {
    let Some(specs) = specs() else { return };
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    conn.rest().org().await.expect("org");
    assert!(check_traffic(specs, &sim).1.is_empty());
    let token = sim.issue_tokens(&["ZohoCRM.modules.ALL"]).access_token;
    reqwest::Client::new()
        .get(format!("{}/crm/v8/Contacts/search", sim.api_url()))
        .query(&[("phone", "+14155550123"), ("telephone", "1")])
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .send()
        .await
        .expect("sent");
    let (_, failures) = check_traffic(specs, &sim);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("telephone"), "{failures:?}");
}
