//! CRM REST over HTTP: 204s, paging, bulk writes, the missed-call fallback,
//! retries, limits and credit counting.

use std::time::Duration;

use ringbridge_zoho::rest::{
    CallType, CallsRecordBuilder, ListOutcome, ListParams, Record, RecordError, RelatedTo,
};
use ringbridge_zoho::{ConnectionOptions, Edition, ErrorCode, Operation, RetryPolicy, ZohoError};
use serde_json::{Value, json};

use crate::fake::{self, Fake};

fn rec(v: Value) -> Record {
    match v {
        Value::Object(m) => Record(m),
        _ => unreachable!("objects only"),
    }
}

fn ok_item(id: &str) -> Value {
    json!({"code":"SUCCESS","status":"success","message":"record added","details":{"id": id,"Created_Time":"2025-03-10T10:15:00+01:00"}})
}

#[tokio::test]
async fn search_by_phone_encodes_plus_and_204_is_no_match() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    z.script("GET", "/crm/v8/Contacts/search", 204, "");
    let found = conn
        .rest()
        .search_by_phone("Contacts", "+14155550123", &["Full_Name", "Phone"])
        .await
        .expect("search");
    assert!(found.is_empty());
    let q = &z.api_seen()[0].query;
    assert!(q.contains("phone=%2B14155550123"), "{q}");

    z.script("GET", "/crm/v8/Contacts/search", 200, json!({"data":[{"id":"7","Full_Name":"Ana","Phone":"+14155550123"}],"info":{"more_records":false,"count":1,"page":1,"per_page":200}}).to_string());
    let found = conn
        .rest()
        .search_by_phone("Contacts", "+14155550123", &["Full_Name"])
        .await
        .expect("search");
    assert_eq!(found[0].id(), Some("7"));

    // 200 with an empty body is never a success.
    z.script("GET", "/crm/v8/Contacts/search", 200, "");
    let e = conn
        .rest()
        .search_by_phone("Contacts", "+1", &[])
        .await
        .expect_err("empty 200");
    assert!(matches!(e, ZohoError::UnexpectedResponse { .. }));
}

#[tokio::test]
async fn bulk_insert_chunks_by_100_with_per_record_results() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let records: Vec<Record> = (0..250)
        .map(|i| rec(json!({"Last_Name": format!("L{i}"), "Phone": format!("+1415555{i:04}")})))
        .collect();
    let batch = |from: usize, n: usize, fail: Option<usize>| {
        let items: Vec<Value> = (from..from + n)
            .map(|i| {
                if Some(i) == fail {
                    json!({"code":"DUPLICATE_DATA","status":"error","message":"duplicate data","details":{"api_name":"Phone","json_path":"$.data[0].Phone"}})
                } else {
                    ok_item(&format!("id{i}"))
                }
            })
            .collect();
        json!({ "data": items }).to_string()
    };
    z.script("POST", "/crm/v8/Leads", 201, batch(0, 100, None));
    z.script("POST", "/crm/v8/Leads", 207, batch(100, 100, Some(150)));
    z.script("POST", "/crm/v8/Leads", 201, batch(200, 50, None));
    let out = conn
        .rest()
        .insert_records("Leads", &records, None)
        .await
        .expect("insert");
    assert_eq!(out.len(), 250);
    assert_eq!(out[0].as_ref().expect("ok").id, "id0");
    assert_eq!(out[249].as_ref().expect("ok").id, "id249");
    match &out[150] {
        Err(RecordError::Rejected(e)) => assert_eq!(e.code, ErrorCode::DuplicateData),
        other => panic!("{other:?}"),
    }
    let sizes: Vec<usize> = z
        .api_seen()
        .iter()
        .map(|s| s.json()["data"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, vec![100, 100, 50]);
    let m = conn.metrics_snapshot();
    assert_eq!(
        m.op(Operation::InsertRecords).credits,
        10 + 10 + 5,
        "1 credit per 10 records"
    );
    assert_eq!(m.op(Operation::InsertRecords).requests, 3);
}

#[tokio::test]
async fn a_failing_later_batch_keeps_earlier_results() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let records: Vec<Record> = (0..150)
        .map(|i| rec(json!({"Last_Name": format!("L{i}")})))
        .collect();
    let items: Vec<Value> = (0..100).map(|i| ok_item(&i.to_string())).collect();
    z.script(
        "POST",
        "/crm/v8/Leads",
        201,
        json!({ "data": items }).to_string(),
    );
    z.script(
        "POST",
        "/crm/v8/Leads",
        400,
        json!({"code":"INVALID_MODULE","details":{},"message":"invalid module","status":"error"})
            .to_string(),
    );
    let out = conn
        .rest()
        .insert_records("Leads", &records, None)
        .await
        .expect("partial");
    assert!(out[..100].iter().all(Result::is_ok));
    assert!(
        out[100..]
            .iter()
            .all(|o| matches!(o, Err(RecordError::Failed(_))))
    );
}

#[tokio::test]
async fn missed_call_without_duration_falls_back_to_zero() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let call = CallsRecordBuilder::new(
        "Missed call from +14155550199",
        CallType::Missed,
        chrono::Utc::now(),
        chrono_tz::Europe::Berlin,
    )
    .related_to(&RelatedTo::Lead("5725767000002222001".into()))
    .caller_id("+14155550199")
    .build()
    .expect("call");
    let mandatory = json!({"data":[{"code":"MANDATORY_NOT_FOUND","status":"error","message":"required field not found",
        "details":{"api_name":"Call_Duration","json_path":"$.data[0].Call_Duration"}}]});
    z.script("POST", "/crm/v8/Calls", 400, mandatory.to_string());
    z.script(
        "POST",
        "/crm/v8/Calls",
        201,
        json!({"data":[ok_item("c1")]}).to_string(),
    );
    let w = conn.rest().log_call(&call, None).await.expect("logged");
    assert_eq!(w.id, "c1");
    let sent = z.api_seen();
    assert!(sent[0].json()["data"][0].get("Call_Duration").is_none());
    assert_eq!(sent[1].json()["data"][0]["Call_Duration"], "00:00");
    assert_eq!(sent[1].json()["data"][0]["$se_module"], "Leads");

    // Learned: the next missed call carries 00:00 from the start.
    z.script(
        "POST",
        "/crm/v8/Calls",
        201,
        json!({"data":[ok_item("c2")]}).to_string(),
    );
    assert_eq!(
        conn.rest().log_call(&call, None).await.expect("logged").id,
        "c2"
    );
    assert_eq!(z.api_seen()[2].json()["data"][0]["Call_Duration"], "00:00");

    // Another rejection is reported as Zoho's error.
    let bad = json!({"data":[{"code":"INVALID_DATA","status":"error","message":"invalid data","details":{"api_name":"Call_Start_Time"}}]});
    z.script("POST", "/crm/v8/Calls", 400, bad.to_string());
    let e = conn
        .rest()
        .log_call(&call, None)
        .await
        .expect_err("invalid");
    assert_eq!(e.code(), Some(&ErrorCode::InvalidData));
}

#[tokio::test]
async fn list_pages_by_number_then_token_and_304() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let page = |n: u32, token: Option<&str>, more: bool| {
        json!({"data":[{"id": format!("r{n}")}],"info":{"per_page":200,"count":1,"page":n,"more_records":more,"next_page_token":token}}).to_string()
    };
    for n in 1..=10 {
        z.script("GET", "/crm/v8/Contacts", 200, page(n, Some("tok-a"), true));
    }
    z.script("GET", "/crm/v8/Contacts", 200, page(11, None, false));
    let since = chrono::DateTime::from_timestamp(1_741_564_800, 0).expect("ts");
    let params = ListParams::new(&["Last_Name", "Phone"]).modified_since(since);
    let all = conn
        .rest()
        .list_all_records("Contacts", &params)
        .await
        .expect("list")
        .expect("modified");
    assert_eq!(all.len(), 11);
    let seen = z.api_seen();
    assert!(seen[9].query.contains("page=10"));
    assert!(
        seen[10].query.contains("page_token=tok-a") && !seen[10].query.contains("page=11"),
        "{}",
        seen[10].query
    );
    assert_eq!(
        seen[0]
            .headers
            .get("if-modified-since")
            .and_then(|h| h.to_str().ok()),
        Some("2025-03-10T00:00:00+00:00")
    );

    z.script("GET", "/crm/v8/Contacts", 304, "");
    assert_eq!(
        conn.rest()
            .list_records("Contacts", &params)
            .await
            .expect("304"),
        ListOutcome::NotModified
    );
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_then_reported() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let tmr = json!({"code":"TOO_MANY_REQUESTS","details":{},"message":"too many requests","status":"error"}).to_string();
    z.script("GET", "/crm/v8/org", 429, tmr.clone());
    z.script(
        "GET",
        "/crm/v8/org",
        200,
        json!({"org":[{"id":"1","time_zone":"UTC"}]}).to_string(),
    );
    conn.rest().org().await.expect("second attempt succeeds");
    let m = conn.metrics_snapshot();
    assert_eq!((m.retries, m.throttled), (1, 1));
    assert_eq!(m.op(Operation::GetOrg).credits, 1, "a 429 costs no credit");

    for _ in 0..4 {
        z.script("GET", "/crm/v8/org", 429, tmr.clone());
    }
    let e = conn.rest().org().await.expect_err("gives up");
    assert_eq!(e.code(), Some(&ErrorCode::TooManyRequests));
    assert!(e.is_retryable());
    assert_eq!(z.api_seen().len(), 2 + 4, "1 + 3 retries");

    // A failed insert (500) is not repeated: the record might exist already.
    z.script(
        "POST",
        "/crm/v8/Leads",
        500,
        json!({"code":"INTERNAL_ERROR","details":{},"message":"x","status":"error"}).to_string(),
    );
    let e = conn
        .rest()
        .insert_records("Leads", &[rec(json!({"Last_Name":"x"}))], None)
        .await
        .expect_err("500");
    assert_eq!(e.code(), Some(&ErrorCode::InternalError));
    assert_eq!(z.api_seen().len(), 7);
}

#[tokio::test]
async fn concurrency_is_limited_per_org() {
    let z = Fake::start().await;
    let clock = fake::clock();
    let options = ConnectionOptions {
        edition: Edition::Free,
        ..fake::fast_options()
    };
    let conn = fake::connect_with(&z, clock, options).await;
    z.set_delay(Duration::from_millis(40));
    for _ in 0..12 {
        z.script(
            "GET",
            "/crm/v8/org",
            200,
            json!({"org":[{"id":"1","time_zone":"UTC"}]}).to_string(),
        );
    }
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let r = conn.rest();
            tokio::spawn(async move { r.org().await })
        })
        .collect();
    for t in tasks {
        t.await.expect("join").expect("org");
    }
    assert!(
        z.max_in_flight() <= 5,
        "Free edition allows 5 in flight, saw {}",
        z.max_in_flight()
    );
}

#[tokio::test]
async fn local_credit_budget_refuses_before_sending() {
    let z = Fake::start().await;
    let clock = fake::clock();
    let options = ConnectionOptions {
        credit_budget: Some(2),
        retry: RetryPolicy::none(),
        ..fake::fast_options()
    };
    let conn = fake::connect_with(&z, clock.clone(), options).await;
    for _ in 0..2 {
        z.script(
            "GET",
            "/crm/v8/org",
            200,
            json!({"org":[{"id":"1","time_zone":"UTC"}]}).to_string(),
        );
    }
    conn.rest().org().await.expect("1");
    conn.rest().org().await.expect("2");
    let e = conn.rest().org().await.expect_err("budget");
    assert!(matches!(
        e,
        ZohoError::CreditBudgetExhausted { used: 2, budget: 2 }
    ));
    assert_eq!(z.api_seen().len(), 2, "nothing sent");
    clock.advance(chrono::Duration::hours(25));
    z.script(
        "GET",
        "/crm/v8/org",
        200,
        json!({"org":[{"id":"1","time_zone":"UTC"}]}).to_string(),
    );
    // (the token also needs a refresh after 25 h; the fake grants it)
    conn.rest().org().await.expect("credits freed after 24 h");
}

#[tokio::test]
async fn coql_lookup_pages_and_dedupes() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    z.script(
        "POST",
        "/crm/v8/coql",
        200,
        json!({"data":[{"id":"1","Phone":"+1"}],"info":{"count":1,"more_records":true}})
            .to_string(),
    );
    z.script(
        "POST",
        "/crm/v8/coql",
        200,
        json!({"data":[{"id":"2","Phone":"+2"}],"info":{"count":1,"more_records":false}})
            .to_string(),
    );
    z.script("POST", "/crm/v8/coql", 204, "");
    let numbers: Vec<String> = (0..60).map(|i| format!("+1415555{i:04}")).collect();
    let found = conn
        .rest()
        .coql_lookup_phones("Contacts", &["id", "Phone"], &["Phone", "Mobile"], &numbers)
        .await
        .expect("coql");
    assert_eq!(
        found.iter().filter_map(|r| r.id()).collect::<Vec<_>>(),
        vec!["1", "2"]
    );
    let seen = z.api_seen();
    assert_eq!(seen.len(), 3, "two pages of batch 1, one of batch 2");
    let q1 = seen[1].json()["select_query"]
        .as_str()
        .expect("query")
        .to_owned();
    assert!(q1.ends_with("limit 200 offset 200"), "{q1}");
    let q3 = seen[2].json()["select_query"]
        .as_str()
        .expect("query")
        .to_owned();
    assert_eq!(
        q3.matches("'+1415555").count(),
        20,
        "second batch holds the last 10 numbers twice (Phone, Mobile)"
    );
    assert_eq!(conn.metrics_snapshot().op(Operation::Coql).credits, 3);
}

#[tokio::test]
async fn timeouts_retry_reads_but_not_inserts() {
    let z = Fake::start().await;
    let options = ConnectionOptions {
        timeout: Duration::from_millis(50),
        ..fake::fast_options()
    };
    let conn = fake::connect_with(&z, fake::clock(), options).await;
    z.set_delay(Duration::from_millis(300));
    let e = conn.rest().org().await.expect_err("timeout");
    assert!(matches!(e, ZohoError::Timeout), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(z.api_seen().len(), 4, "a read is retried");
    let e = conn
        .rest()
        .insert_records("Leads", &[rec(json!({"Last_Name": "x"}))], None)
        .await
        .expect_err("timeout");
    assert!(matches!(e, ZohoError::Timeout));
    assert_eq!(
        z.api_seen().len(),
        5,
        "a POST that may have been processed is not repeated"
    );
}
