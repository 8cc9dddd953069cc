//! Every CRM REST request the client builds, checked against Zoho's OpenAPI files.

use chrono::DateTime;
use ringbridge_zoho::ApiRequest;
use ringbridge_zoho::rest::{
    self, CallType, CallsRecordBuilder, Converted, CoqlCondition, CoqlQuery, Criteria, ListParams,
    Record, RelatedTo, SearchBy, SearchParams, SortBy, SortOrder, Trigger, UserType,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use url::Url;

use crate::spec::{Specs, Wire, specs};

fn wire(r: &ApiRequest) -> Wire {
    let http = reqwest::Client::new();
    let req = r
        .build(
            &http,
            &Url::parse("https://www.zohoapis.com").expect("url"),
            &SecretString::from("1000.token".to_owned()),
            std::time::Duration::from_secs(5),
        )
        .expect("request builds");
    assert_eq!(
        req.headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Zoho-oauthtoken 1000.token")
    );
    Wire::from_request(&req)
}

fn record(v: Value) -> Record {
    match v {
        Value::Object(m) => Record(m),
        _ => unreachable!("objects only"),
    }
}

fn all_requests() -> Vec<(&'static str, ApiRequest)> {
    let fields: Vec<String> = ["Full_Name", "Phone", "Mobile"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let since = DateTime::from_timestamp(1_741_564_800, 0).expect("ts");
    let mut list = ListParams::new(&["Last_Name", "Phone"]).modified_since(since);
    list.page = Some(3);
    list.converted = Some(Converted::Both);
    let mut list_token = ListParams::new(&["Last_Name"]);
    list_token.page_token = Some("tok".into());
    list_token.sort_by = Some(SortBy::Id);
    list_token.sort_order = Some(SortOrder::Desc);
    let mut search_crit = SearchParams::new(SearchBy::Criteria(Criteria::any_field_equals(
        &["Phone", "Mobile"],
        "+1 (415)",
    )));
    search_crit.page = 2;
    search_crit.converted = Some(Converted::False);
    let search_crit = search_crit.fields(&["Full_Name", "Phone"]);
    let coql = rest::phone_lookup_queries(
        "Contacts",
        &["id", "Full_Name", "Phone"],
        &["Phone", "Mobile"],
        &["+14155550123".into()],
    )
    .expect("queries")
    .remove(0);
    let mut coql_paged = CoqlQuery::new(
        &["id"],
        "Leads",
        CoqlCondition::Gt("id".into(), "100".into()),
    );
    coql_paged.limit = 2000;
    coql_paged.offset = 2000;
    coql_paged.order_by = vec![("id".into(), true)];
    let call = CallsRecordBuilder::new(
        "Missed call",
        CallType::Missed,
        since,
        chrono_tz::Europe::Berlin,
    )
    .related_to(&RelatedTo::Lead("5725767000002222001".into()))
    .owner("5725767000000411001")
    .caller_id("+14155550199")
    .dialled_number("+4930123456")
    .voice_recording("https://rb.example.com/rec/1")
    .build()
    .expect("call");
    let contact = record(
        json!({"Last_Name":"Pereira","Phone":"+351211234567","Account_Name":{"id":"5725767000000998877"}}),
    );
    let update = record(json!({"id":"5725767000001234001","Mobile":"+351912345678"}));
    // What `ZohoCrm::relate_call` sends: a Lead goes to What_Id with `$se_module`.
    let relate = record(json!({
        "id": "5725767000003333001",
        "Who_Id": {"id": "5725767000000998001"},
        "What_Id": {"id": "5725767000002222001"},
        "$se_module": "Leads",
    }));
    vec![
        (
            "search by phone",
            rest::build_search(
                "Contacts",
                &SearchParams::new(SearchBy::Phone("+14155550123".into())),
            )
            .expect("ok"),
        ),
        (
            "search by criteria",
            rest::build_search("Leads", &search_crit).expect("ok"),
        ),
        (
            "search by email",
            rest::build_search("Leads", &SearchParams::new(SearchBy::Email("a@b.c".into())))
                .expect("ok"),
        ),
        ("coql lookup", rest::build_coql(&coql).expect("ok")),
        ("coql keyset", rest::build_coql(&coql_paged).expect("ok")),
        (
            "get record",
            rest::build_get_record("Contacts", "5725767000001234001", &fields).expect("ok"),
        ),
        (
            "get record all fields",
            rest::build_get_record("Calls", "1", &[]).expect("ok"),
        ),
        (
            "get records",
            rest::build_get_records("Contacts", &["1".into(), "2".into()], &fields).expect("ok"),
        ),
        (
            "list modified since",
            rest::build_list("Contacts", &list).expect("ok"),
        ),
        (
            "list page token",
            rest::build_list("Accounts", &list_token).expect("ok"),
        ),
        (
            "insert contact",
            rest::build_insert("Contacts", &[contact], Some(&[Trigger::Workflow])).expect("ok"),
        ),
        (
            "insert call",
            rest::build_insert("Calls", &[call.to_record()], Some(&[])).expect("ok"),
        ),
        (
            "update",
            rest::build_update("Contacts", &[update], None).expect("ok"),
        ),
        (
            "update with trigger",
            rest::build_update(
                "Leads",
                &[record(
                    json!({"id":"5725767000002222001","Lead_Status":"Contacted"}),
                )],
                Some(&[Trigger::Workflow, Trigger::Blueprint]),
            )
            .expect("ok"),
        ),
        (
            "relate call",
            rest::build_update("Calls", &[relate], None).expect("ok"),
        ),
        (
            "search by word",
            rest::build_search(
                "Accounts",
                &SearchParams::new(SearchBy::Word("Zylker".into())),
            )
            .expect("ok"),
        ),
        (
            "users",
            rest::build_users(Some(UserType::ActiveUsers), 1, 200, Some(since)).expect("ok"),
        ),
        (
            "deactivated users",
            rest::build_users(Some(UserType::DeactiveUsers), 2, 200, None).expect("ok"),
        ),
        (
            "users of any type",
            rest::build_users(None, 1, 200, None).expect("ok"),
        ),
        ("org", rest::build_org()),
        ("fields", rest::build_fields("Calls").expect("ok")),
    ]
}

#[test]
fn every_rest_request_matches_zohos_openapi() {
    let Some(specs) = specs() else { return };
    let mut failures = Vec::new();
    for (name, req) in all_requests() {
        match specs.check(&wire(&req)) {
            Ok(op) => eprintln!("{name}: {op}"),
            Err(problems) => failures.push(format!("{name}: {problems:#?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checker_catches_bad_requests() {
    let Some(specs) = specs() else { return };
    let bad_param = ApiRequest::new(
        reqwest::Method::GET,
        "/crm/v8/Contacts/search",
        ringbridge_zoho::Operation::SearchRecords,
    )
    .query("phone", "+1")
    .query("per_page", "200")
    .query("telephone", "+1");
    assert!(
        specs.check(&wire(&bad_param)).is_err(),
        "undeclared parameter"
    );
    let no_per_page = ApiRequest::new(
        reqwest::Method::GET,
        "/crm/v8/Contacts/search",
        ringbridge_zoho::Operation::SearchRecords,
    )
    .query("phone", "+1");
    // record.json's search does not require per_page, module_search.json does: one
    // operation still accepts it, so this is checked by `search_always_sends_per_page`.
    let _ = specs.check(&wire(&no_per_page));
    let bad_body = ApiRequest::new(
        reqwest::Method::POST,
        "/crm/v8/coql",
        ringbridge_zoho::Operation::Coql,
    )
    .json(json!({"query": "x"}));
    assert!(
        specs.check(&wire(&bad_body)).is_err(),
        "missing select_query"
    );
    let bad_type = ApiRequest::new(
        reqwest::Method::POST,
        "/crm/v8/Contacts",
        ringbridge_zoho::Operation::InsertRecords,
    )
    .json(json!({"data": {"Last_Name": "x"}}));
    assert!(
        specs.check(&wire(&bad_type)).is_err(),
        "data must be an array"
    );
    let bad_enum = rest::build_users(None, 1, 200, None)
        .expect("ok")
        .query("type", "Everyone");
    assert!(specs.check(&wire(&bad_enum)).is_err(), "type enum");
    let bad_int = ApiRequest::new(
        reqwest::Method::GET,
        "/crm/v8/users",
        ringbridge_zoho::Operation::ListUsers,
    )
    .query("page", "one");
    assert!(specs.check(&wire(&bad_int)).is_err(), "page is an integer");
    let bad_path = ApiRequest::new(
        reqwest::Method::PATCH,
        "/crm/v8/org",
        ringbridge_zoho::Operation::GetOrg,
    );
    assert!(specs.check(&wire(&bad_path)).is_err(), "no PATCH on org");
    let body_on_get = rest::build_org().json(json!({}));
    assert!(
        specs.check(&wire(&body_on_get)).is_err(),
        "GET takes no body"
    );
}

#[test]
fn an_unresolvable_ref_fails_the_check() {
    // Zoho's files point at siblings they did not publish, e.g. tags.json.
    let tags = "v8.0/tags.json";
    let doc = |body_ref: &str, param_ref: &str| {
        json!({"paths": {"/crm/v8/Probe": {"post": {
            "parameters": [{"$ref": param_ref}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": body_ref}}}}
        }}}})
    };
    let req = ApiRequest::new(
        reqwest::Method::POST,
        "/crm/v8/Probe",
        ringbridge_zoho::Operation::InsertRecords,
    )
    .json(json!({"data": []}));
    let ok = Specs::default().with_file("probe.json", {
        let mut d = doc("#/components/schemas/Body", "#/components/parameters/P");
        d["components"] = json!({
            "schemas": {"Body": {"type": "object"}},
            "parameters": {"P": {"name": "p", "in": "query"}}
        });
        d
    });
    assert!(ok.check(&wire(&req)).is_ok(), "{:?}", ok.check(&wire(&req)));
    for (body_ref, param_ref) in [
        (
            format!("{tags}#/components/schemas/Body"),
            "#/components/parameters/P".to_owned(),
        ),
        (
            "#/components/schemas/Nowhere".to_owned(),
            "#/components/parameters/P".to_owned(),
        ),
        (
            "#/components/schemas/Body".to_owned(),
            format!("{tags}#/components/parameters/X"),
        ),
    ] {
        let mut d = doc(&body_ref, &param_ref);
        d["components"] = json!({
            "schemas": {"Body": {"type": "object"}},
            "parameters": {"P": {"name": "p", "in": "query"}}
        });
        let specs = Specs::default().with_file("probe.json", d);
        let problems = specs.check(&wire(&req)).expect_err("unresolvable");
        assert!(
            problems.iter().any(|p| p.contains("unresolvable $ref")),
            "{problems:?}"
        );
    }
}

#[test]
fn search_always_sends_per_page() {
    for (name, req) in all_requests() {
        if req.path.ends_with("/search") {
            assert!(
                req.query.iter().any(|(k, _)| k == "per_page"),
                "{name} lacks per_page (required by module_search.json)"
            );
        }
    }
}
