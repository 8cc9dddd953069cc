//! COQL: selection, conditions, ordering, paging, errors, credits.

use reqwest::StatusCode;
use serde_json::json;

use crate::{H, assert_error};

fn col(r: &crate::R, f: &str) -> Vec<String> {
    r.body["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x[f].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn selects_filters_and_orders() {
    let h = H::new().await;
    let r = h
        .coql("select Full_Name, Phone, Mobile, Account_Name from Contacts where (Phone in ('+14155550123','4155550123') or Mobile in ('+14155550123')) limit 200")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let row = &r.body["data"][0];
    assert_eq!(row["Full_Name"], "Ana Pereira");
    assert!(row["id"].is_string(), "id always returned");
    assert_eq!(
        row["Account_Name"].as_object().map(|o| o.len()),
        Some(1),
        "lookups carry only id"
    );
    assert_eq!(row["Mobile"], "+351 912 345 678");
    assert_eq!(r.body["info"], json!({"count": 1, "more_records": false}));

    let like = h
        .coql("select Last_Name from Contacts where Phone like '%0124' limit 10")
        .await;
    assert_eq!(col(&like, "Last_Name"), ["Miller"]);
    let nulls = h
        .coql("select Last_Name from Contacts where Email is null")
        .await;
    assert_eq!(col(&nulls, "Last_Name"), ["Wei"]);
    let ordered = h
        .coql("select Last_Name from Contacts where Last_Name is not null order by Last_Name desc limit 2 offset 1")
        .await;
    assert_eq!(col(&ordered, "Last_Name"), ["Pereira", "Miller"]);
    assert_eq!(ordered.body["info"]["more_records"], true);
    let nested = h
        .coql("select Last_Name from Contacts where (Last_Name != 'Wei' and (Email like '%example%' and Last_Name not in ('Dora')))")
        .await;
    assert_eq!(col(&nested, "Last_Name"), ["Pereira", "Miller"]);
    let mysql_limit = h
        .coql("select Last_Name from Contacts where Last_Name is not null limit 1, 1")
        .await;
    assert_eq!(col(&mysql_limit, "Last_Name"), ["Miller"]);
    let none = h
        .coql("select Last_Name from Contacts where Last_Name = 'Nobody'")
        .await;
    assert_eq!(none.status, StatusCode::NO_CONTENT);
    let dt = h
        .coql("select Deal_Name from Deals where Created_Time >= '2000-01-01T00:00:00+00:00' and Amount > 1000")
        .await;
    assert_eq!(col(&dt, "Deal_Name"), ["Zylker renewal"]);
}

#[tokio::test]
async fn errors_follow_the_spec() {
    let h = H::new().await;
    let r = h.coql("select Last_Name form Contacts").await;
    assert_error(&r, 400, "SYNTAX_ERROR");
    assert_eq!(
        r.body["details"],
        json!({"line": 1, "column": 18, "near": "form"})
    );
    let three = h
        .coql(
            "select Last_Name from Contacts where Last_Name = 'a' and Email = 'b' and Phone = 'c'",
        )
        .await;
    assert_error(&three, 400, "SYNTAX_ERROR");
    assert_error(&h.coql("select * from Contacts").await, 400, "SYNTAX_ERROR");
    let col = h.coql("select Nope from Contacts").await;
    assert_error(&col, 400, "INVALID_QUERY");
    assert_eq!(col.body["message"], "column given seems to be invalid");
    assert_error(
        &h.coql("select Last_Name from Nowhere").await,
        400,
        "INVALID_QUERY",
    );
    let val = h
        .coql("select Last_Name from Contacts where Created_Time > 'yesterday'")
        .await;
    assert_eq!(
        val.body["message"],
        "value given seems to be invalid for the column"
    );
    assert_error(
        &h.coql("select Last_Name from Contacts limit 2001").await,
        400,
        "LIMIT_EXCEEDED",
    );
    assert_error(
        &h.coql("select Last_Name from Contacts limit 2000 offset 99000")
            .await,
        400,
        "LIMIT_EXCEEDED",
    );
    let missing = h.post_json("/crm/v8/coql", &json!({"query": "x"})).await;
    assert_error(&missing, 400, "REQUIRED_PARAM_MISSING");
}

#[tokio::test]
async fn credits_by_limit() {
    let h = H::new().await;
    let mut last = h.sim.credits_used();
    for (limit, cost) in [(200, 1), (1000, 2), (2000, 3)] {
        let r = h
            .coql(&format!("select Last_Name from Contacts limit {limit}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let now = h.sim.credits_used();
        assert_eq!(now - last, cost, "limit {limit}");
        last = now;
    }
}
