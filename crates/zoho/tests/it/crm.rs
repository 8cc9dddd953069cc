//! The `ringbridge_core::crm::Crm` implementation over HTTP.

use chrono::DateTime;
use ringbridge_core::crm::{
    CallLog, CallLogType, Crm, CrmError, CrmModule, CrmRecordRef, NewRecord,
};
use ringbridge_zoho::crm::{CallMarkerKey, ZohoCrm, ZohoCrmConfig};
use serde_json::json;

use crate::fake::{self, Fake};

const ORG: &str = r#"{"org":[{"id":"1","time_zone":"Europe/Berlin"}]}"#;

fn calls_fields(extra: &str) -> String {
    let mut f = vec![
        json!({"api_name":"Subject"}),
        json!({"api_name":"Call_Type"}),
        json!({"api_name":"Call_Start_Time"}),
        json!({"api_name":"Call_Duration"}),
        json!({"api_name":"Description"}),
        json!({"api_name":"Who_Id"}),
        json!({"api_name":"What_Id"}),
        json!({"api_name":"Owner"}),
        json!({"api_name":"Caller_ID"}),
    ];
    if !extra.is_empty() {
        f.push(json!({ "api_name": extra }));
    }
    json!({ "fields": f }).to_string()
}

fn log(key: &str) -> CallLog {
    CallLog {
        key: key.into(),
        call_type: CallLogType::Inbound,
        started_at: DateTime::from_timestamp(1_741_611_912, 0).expect("ts"),
        duration_s: 275,
        subject: "Inbound call from +14155550123".into(),
        description: "Answered by ext 201".into(),
        owner_id: Some("42".into()),
        who: Some(CrmRecordRef {
            module: CrmModule::Contacts,
            id: "7".into(),
        }),
        what: Some(CrmRecordRef {
            module: CrmModule::Accounts,
            id: "9".into(),
        }),
        caller_number: Some("+14155550123".into()),
        dialled_number: Some("+4930123456".into()),
        result: None,
        recording_url: Some("https://rb.example.com/rec/1".into()),
    }
}

#[tokio::test]
async fn find_by_phone_uses_standard_and_custom_phone_fields() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let crm = ZohoCrm::new(conn.rest(), ZohoCrmConfig::default());
    z.script("GET", "/crm/v8/settings/fields", 200, json!({"fields":[
        {"api_name":"Phone","data_type":"phone"},{"api_name":"Mobile","data_type":"phone"},
        {"api_name":"Work_Phone__c","data_type":"phone","custom_field":true},{"api_name":"Full_Name","data_type":"text"}]}).to_string());
    z.script("POST", "/crm/v8/coql", 200, json!({"data":[{"id":"7","Full_Name":"Ana Pereira","Phone":null,"Mobile":"+14155550123",
        "Work_Phone__c":"+1 415 555 0123","Owner":{"id":"42"},"Modified_Time":"2025-03-10T10:15:00+01:00"}],"info":{"count":1,"more_records":false}}).to_string());
    z.script(
        "GET",
        "/crm/v8/settings/fields",
        200,
        json!({"fields":[{"api_name":"Deal_Name","data_type":"text"}]}).to_string(),
    );
    let found = crm
        .find_by_phone(
            &[CrmModule::Contacts, CrmModule::Deals],
            &["+14155550123".into(), "4155550123".into(), "it's".into()],
        )
        .await
        .expect("found");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].phones, vec!["+14155550123", "+1 415 555 0123"]);
    assert_eq!(found[0].owner_id.as_deref(), Some("42"));
    let q = z.api_seen()[1].json()["select_query"]
        .as_str()
        .expect("query")
        .to_owned();
    assert!(
        q.contains("Work_Phone__c in ('+14155550123','4155550123')"),
        "{q}"
    );
    assert!(
        !q.contains("Home_Phone"),
        "fields the org lacks are not queried: {q}"
    );
    assert_eq!(
        z.api_seen().len(),
        3,
        "Deals have no phone fields: metadata read, no query"
    );
}

#[tokio::test]
async fn logs_calls_with_key_marker_and_finds_them_again() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let key = CallMarkerKey::new([3; 32]);
    let cfg = ZohoCrmConfig {
        marker_key: key.clone(),
        ..Default::default()
    };
    let crm = ZohoCrm::new(conn.rest(), cfg);
    z.script("GET", "/crm/v8/org", 200, ORG);
    z.script("GET", "/crm/v8/settings/fields", 200, calls_fields(""));
    z.script("POST", "/crm/v8/Calls", 201, json!({"data":[{"code":"SUCCESS","status":"success","message":"record added","details":{"id":"c1"}}]}).to_string());
    let out = crm
        .log_calls(&[log("pbx-1741611912.42")])
        .await
        .expect("logged");
    assert_eq!(out[0].as_ref().expect("ok"), "c1");
    let sent = z.api_seen()[2].json();
    let rec = &sent["data"][0];
    assert_eq!(rec["Call_Start_Time"], "2025-03-10T14:05:12+01:00");
    assert_eq!(rec["Call_Duration"], "04:35");
    assert_eq!(rec["Who_Id"]["id"], "7");
    assert_eq!(rec["$se_module"], "Accounts");
    assert!(
        rec.get("Voice_Recording__s").is_none(),
        "the org has no such field"
    );
    assert!(
        rec["Description"]
            .as_str()
            .expect("desc")
            .ends_with(&format!("\n{}", key.marker("pbx-1741611912.42")))
    );

    // Another call whose text quotes both markers (the keyed one could only
    // have been copied from the CRM) is not this call's log; the log an
    // earlier version wrote, with its unkeyed marker as the last line, is.
    let quoted = format!(
        "Missed call from {} [ringbridge:never-sent]\n{}",
        key.marker("pbx-1741611912.42"),
        key.marker("pbx-1741611912.43")
    );
    z.script("POST", "/crm/v8/coql", 200, json!({"data":[
        {"id":"c0","Description":"other call","Call_Start_Time":"2025-03-10T14:05:12+01:00"},
        {"id":"c9","Description":quoted,"Call_Start_Time":"2025-03-10T14:05:12+01:00"},
        {"id":"c1","Description":"Answered by ext 201\n[ringbridge:pbx-1741611912.42]","Call_Start_Time":"2025-03-10T14:05:12+01:00"}],
        "info":{"count":3,"more_records":false}}).to_string());
    let found = crm
        .find_logged_calls(&[log("pbx-1741611912.42"), log("never-sent")])
        .await
        .expect("found");
    assert_eq!(found, vec![Some("c1".to_owned()), None]);
    let q = z.api_seen()[3].json()["select_query"]
        .as_str()
        .expect("q")
        .to_owned();
    assert!(
        q.contains(
            "Call_Start_Time between '2025-03-10T14:05:11+01:00' and '2025-03-10T14:05:13+01:00'"
        ),
        "{q}"
    );
}

#[tokio::test]
async fn key_field_mode_and_rejections() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let cfg = ZohoCrmConfig {
        call_key_field: Some("PBX_Call_ID".into()),
        ..Default::default()
    };
    let crm = ZohoCrm::new(conn.rest(), cfg);
    z.script("GET", "/crm/v8/org", 200, ORG);
    z.script(
        "GET",
        "/crm/v8/settings/fields",
        200,
        calls_fields("PBX_Call_ID"),
    );
    z.script("POST", "/crm/v8/Calls", 207, json!({"data":[
        {"code":"SUCCESS","status":"success","message":"record added","details":{"id":"c1"}},
        {"code":"INVALID_DATA","status":"error","message":"invalid data","details":{"api_name":"Owner"}}]}).to_string());
    let out = crm
        .log_calls(&[log("k1"), log("k2")])
        .await
        .expect("logged");
    assert_eq!(out[0].as_ref().expect("ok"), "c1");
    assert!(
        matches!(&out[1], Err(CrmError::Rejected { code, field, .. }) if code == "INVALID_DATA" && field.as_deref() == Some("Owner"))
    );
    assert_eq!(z.api_seen()[2].json()["data"][1]["PBX_Call_ID"], "k2");

    z.script(
        "POST",
        "/crm/v8/coql",
        200,
        json!({"data":[{"id":"c1","PBX_Call_ID":"k1"}],"info":{"more_records":false}}).to_string(),
    );
    assert_eq!(
        crm.find_logged_calls(&[log("k2"), log("k1")])
            .await
            .expect("found"),
        vec![None, Some("c1".to_owned())]
    );
    assert!(
        z.api_seen()[3].json()["select_query"]
            .as_str()
            .expect("q")
            .contains("PBX_Call_ID in ('k2','k1')")
    );
}

#[tokio::test]
async fn sync_users_create_and_links() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let crm = ZohoCrm::new(conn.rest(), ZohoCrmConfig::default());
    z.script("GET", "/crm/v8/settings/fields", 204, "");
    let page = |id: &str, more: bool| {
        json!({"data":[{"id": id,"Full_Name":"N","Phone":"+1","Modified_Time":"2025-03-10T10:15:00+01:00"}],
            "info":{"more_records": more,"page":1,"per_page":200}})
        .to_string()
    };
    z.script("GET", "/crm/v8/Leads", 200, page("1", true));
    let since = DateTime::from_timestamp(1_741_564_800, 0).expect("ts");
    let p1 = crm
        .records_changed_since(CrmModule::Leads, Some(since), None)
        .await
        .expect("page 1");
    assert_eq!(p1.next.as_deref(), Some("p:2"));
    z.script("GET", "/crm/v8/Leads", 200, page("2", false));
    let p2 = crm
        .records_changed_since(CrmModule::Leads, Some(since), p1.next)
        .await
        .expect("page 2");
    assert_eq!((p2.records[0].reference.id.as_str(), p2.next), ("2", None));
    assert!(z.api_seen()[2].query.contains("page=2"));
    z.script("GET", "/crm/v8/Leads", 304, "");
    assert!(
        crm.records_changed_since(CrmModule::Leads, Some(since), None)
            .await
            .expect("304")
            .records
            .is_empty()
    );

    z.script("GET", "/crm/v8/users", 200, json!({"users":[{"id":"42","full_name":"Jane Doe","email":"jane@zylker.example","status":"active"}],
        "info":{"more_records":false}}).to_string());
    z.script("GET", "/crm/v8/users", 204, "");
    let users = crm.users().await.expect("users");
    assert_eq!(
        (users.len(), users[0].active, users[0].name.as_str()),
        (1, true, "Jane Doe")
    );

    z.script(
        "POST",
        "/crm/v8/Leads",
        201,
        json!({"data":[{"code":"SUCCESS","status":"success","message":"record added",
        "details":{"id":"55","Created_Time":"2025-03-10T10:15:00+01:00"}}]})
        .to_string(),
    );
    let rec = crm
        .create_record(&NewRecord {
            module: CrmModule::Leads,
            first_name: None,
            last_name: "Caller +14155550199".into(),
            company: None,
            phone: "+14155550199".into(),
            owner_id: None,
            fields: [("Company".to_owned(), "Unknown caller".to_owned())].into(),
        })
        .await
        .expect("created");
    assert_eq!(rec.reference.id, "55");
    let sent = z.api_seen().last().expect("insert").json();
    assert_eq!(sent["data"][0]["Company"], "Unknown caller");
    assert_eq!(
        crm.record_url(&rec.reference),
        format!("{}crm/tab/Leads/55", conn.tokens().api_domain())
    );
}
