//! Paging past 2,000 records against the simulator: record lists switch from
//! `page` to `page_token` where page numbers stop reaching, COQL pages by offset.

use std::collections::BTreeSet;

use ringbridge_sim_zoho::{Module, SimConfig, SimZoho};
use ringbridge_zoho::rest::{CoqlCondition, CoqlQuery, ListParams};
use serde_json::json;

use crate::sim::{connect, options};

const EXTRA: usize = 2_150;

async fn big_org() -> SimZoho {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    for i in 0..EXTRA {
        sim.insert_record(
            Module::Contacts,
            json!({"Last_Name": format!("Paging {i:04}"), "Phone": format!("+1555200{i:04}")}),
        )
        .expect("seeded");
    }
    sim
}

#[tokio::test]
async fn listing_past_2000_records_switches_to_page_tokens() {
    let sim = big_org().await;
    let total = sim.records(Module::Contacts).len();
    assert!(total > 2_000);
    let (conn, _) = connect(&sim, options()).await;
    sim.clear_requests();
    let all = conn
        .rest()
        .list_all_records("Contacts", &ListParams::new(&["Last_Name"]))
        .await
        .expect("list")
        .expect("not a 304");
    let ids: BTreeSet<&str> = all.iter().filter_map(|r| r.id()).collect();
    assert_eq!((all.len(), ids.len()), (total, total), "every record once");

    let lists: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/crm/v8/Contacts")
        .map(|r| r.params())
        .collect();
    assert_eq!(lists.len(), total.div_ceil(200), "200 per request");
    for (i, p) in lists.iter().enumerate() {
        if i < 10 {
            assert_eq!(p.get("page"), Some(&(i + 1).to_string()), "{p:?}");
            assert!(!p.contains_key("page_token"));
        } else {
            assert!(p.contains_key("page_token"), "request {i}: {p:?}");
            assert!(!p.contains_key("page"));
        }
    }
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}

#[tokio::test]
async fn coql_pages_by_offset() {
    let sim = big_org().await;
    let (conn, _) = connect(&sim, options()).await;
    sim.clear_requests();
    let mut q = CoqlQuery::new(
        &["id", "Last_Name"],
        "Contacts",
        CoqlCondition::Like("Last_Name".into(), "Paging%".into()),
    );
    q.limit = 2_000;
    let rows = conn.rest().coql_all(&q).await.expect("coql");
    let ids: BTreeSet<&str> = rows.iter().filter_map(|r| r.id()).collect();
    assert_eq!((rows.len(), ids.len()), (EXTRA, EXTRA));
    let queries: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/crm/v8/coql")
        .filter_map(|r| r.json())
        .filter_map(|b| b["select_query"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(queries.len(), 2, "{queries:?}");
    assert!(queries[0].ends_with(" limit 2000"), "{}", queries[0]);
    assert!(
        queries[1].ends_with(" limit 2000 offset 2000"),
        "{}",
        queries[1]
    );
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}
