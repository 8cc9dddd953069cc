//! COQL past Zoho's 100,000-row offset reach: paging continues by `id`.

use ringbridge_zoho::rest::{CoqlCondition, CoqlQuery};
use serde_json::json;

use crate::fake::{self, Fake};

#[tokio::test]
async fn coql_pages_by_id_past_the_offset_reach() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    // 2,000-row pages: offsets 0 .. 98,000 are 50 pages; the next would pass
    // 100,000, so the 51st asks for `id > last id` from offset 0.
    for page in 0..50 {
        let id = format!("{}", 1_000 + page);
        z.script(
            "POST",
            "/crm/v8/coql",
            200,
            json!({"data": [{"id": id}], "info": {"count": 1, "more_records": true}}).to_string(),
        );
    }
    z.script(
        "POST",
        "/crm/v8/coql",
        200,
        json!({"data": [{"id": "2000"}], "info": {"count": 1, "more_records": false}}).to_string(),
    );
    let mut q = CoqlQuery::new(
        &["id", "Last_Name"],
        "Contacts",
        CoqlCondition::Like("Last_Name".into(), "A%".into()),
    );
    q.limit = 2_000;
    q.order_by = vec![("id".into(), true)];
    let rows = conn.rest().coql_all(&q).await.expect("all pages");
    assert_eq!(rows.len(), 51);
    let sent: Vec<String> = z
        .api_seen()
        .iter()
        .map(|s| s.json()["select_query"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(sent.len(), 51);
    assert!(
        sent[49].ends_with("limit 2000 offset 98000"),
        "{}",
        sent[49]
    );
    let last = &sent[50];
    assert!(last.contains("id > '1049'"), "{last}");
    assert!(last.contains("Last_Name like 'A%'"), "{last}");
    assert!(last.ends_with("limit 2000"), "no offset: {last}");

    // Without `order by id` the id paging would skip rows: refused.
    z.script(
        "POST",
        "/crm/v8/coql",
        200,
        json!({"data": [{"id": "1"}], "info": {"count": 1, "more_records": true}}).to_string(),
    );
    let mut unordered = q.clone();
    unordered.order_by = vec![("Last_Name".into(), true)];
    unordered.offset = 98_000;
    assert!(conn.rest().coql_all(&unordered).await.is_err());
}
