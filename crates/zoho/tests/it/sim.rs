//! Full round trips against ringbridge's Zoho simulator: OAuth from the consent
//! redirect, token expiry/refresh, revocation, bulk writes, 429s and credits.

use std::sync::Arc;
use std::time::Duration;

use ringbridge_core::crm::{Crm, CrmModule};
use ringbridge_sim_zoho::{Fault, FaultRule, Module, SimConfig, SimZoho};
use ringbridge_zoho::clock::{Clock, ManualClock};
use ringbridge_zoho::crm::{ZohoCrm, ZohoCrmConfig};
use ringbridge_zoho::dc::DcTable;
use ringbridge_zoho::oauth::{
    ConnectionState, OAuthClient, OAuthConfig, StateSigner, parse_redirect,
};
use ringbridge_zoho::rest::{CallType, CallsRecordBuilder, Record, RecordError, RelatedTo};
use ringbridge_zoho::{
    ConnectionOptions, ErrorCode, Operation, RetryPolicy, ZohoConnection, ZohoError,
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use url::Url;

pub const REDIRECT: &str = "http://127.0.0.1/oauth/callback";

/// A client of the simulator asking for `scopes` (`None`: ringbridge's).
pub fn oauth_client_scoped(
    sim: &SimZoho,
    clock: Arc<ManualClock>,
    scopes: Option<Vec<String>>,
) -> OAuthClient {
    let mut cfg = OAuthConfig::new(
        sim.client_id(),
        sim.client_secret().into(),
        Url::parse(REDIRECT).expect("url"),
    );
    cfg.dc = DcTable::single(
        Url::parse(sim.accounts_url()).expect("url"),
        Url::parse(sim.api_url()).expect("url"),
    );
    if let Some(scopes) = scopes {
        cfg.scopes = scopes;
    }
    OAuthClient::new(cfg, reqwest::Client::new()).with_clock(clock)
}

/// The admin's browser: consent URL → Zoho's 302 → our redirect handler → exchange.
pub async fn connect(
    sim: &SimZoho,
    options: ConnectionOptions,
) -> (ZohoConnection, Arc<ManualClock>) {
    connect_scoped(sim, options, None).await
}

/// [`connect`] with a grant of `scopes` (`None`: ringbridge's).
pub async fn connect_scoped(
    sim: &SimZoho,
    options: ConnectionOptions,
    scopes: Option<Vec<String>>,
) -> (ZohoConnection, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(sim.now()));
    let client = oauth_client_scoped(sim, clock.clone(), scopes);
    let signer = StateSigner::random();
    let state = signer.issue("admin-session", clock.now());
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let consent = browser
        .get(client.authorization_url(&state, None))
        .send()
        .await
        .expect("consent");
    assert_eq!(consent.status(), 302, "auto-approved consent redirects");
    let location = consent
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_owned();
    let back = Url::parse(&location).expect("redirect url");
    assert!(back.as_str().starts_with(REDIRECT));
    let redirect = parse_redirect(back.query().expect("query")).expect("redirect");
    signer
        .verify(&redirect.state, "admin-session", clock.now())
        .expect("state verifies");
    let tokens = client.exchange_code(&redirect).await.expect("exchange");
    assert_eq!(
        tokens.api_domain.as_str().trim_end_matches('/'),
        sim.api_url()
    );
    (ZohoConnection::new(client, tokens, options), clock)
}

pub fn options() -> ConnectionOptions {
    ConnectionOptions {
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        timeout: Duration::from_secs(5),
        ..Default::default()
    }
}

fn rec(v: Value) -> Record {
    match v {
        Value::Object(m) => Record(m),
        _ => unreachable!("objects only"),
    }
}

fn advance(sim: &SimZoho, clock: &ManualClock, minutes: i64) {
    sim.advance(Duration::from_secs(minutes as u64 * 60));
    clock.advance(chrono::Duration::minutes(minutes));
}

#[tokio::test]
async fn consent_expiry_refresh_and_invalid_token() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, clock) = connect(&sim, options()).await;
    let org = conn.rest().org().await.expect("first API call");
    org.tz().expect("org time zone");
    assert_eq!(sim.request_count("POST", "/oauth/v2/token"), 1);

    // 56 minutes on: refreshed before expiry, once, with no 401 on the way.
    advance(&sim, &clock, 56);
    let rest = conn.rest();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let r = rest.clone();
            tokio::spawn(async move { r.org().await })
        })
        .collect();
    for t in tasks {
        t.await.expect("join").expect("org");
    }
    assert_eq!(
        sim.request_count("POST", "/oauth/v2/token"),
        2,
        "one shared refresh"
    );
    assert!(sim.requests().iter().all(|r| {
        r.path != "/crm/v8/org"
            || r.header("authorization")
                .is_some_and(|a| a.starts_with("Zoho-oauthtoken "))
    }));

    // Zoho-side invalidation: one 401, one refresh, one re-send.
    sim.expire_access_tokens();
    conn.rest().org().await.expect("after INVALID_TOKEN");
    assert_eq!(sim.request_count("POST", "/oauth/v2/token"), 3);
    assert_eq!(conn.state(), ConnectionState::Connected);
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}

#[tokio::test]
async fn revocation_puts_the_connection_into_reconnect_needed() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let mut state = conn.subscribe_state();
    let rt = conn
        .tokens()
        .token_set()
        .refresh_token
        .expose_secret()
        .to_owned();
    assert!(sim.revoke_refresh_token(&rt));
    let e = conn.rest().org().await.expect_err("revoked");
    assert!(matches!(e, ZohoError::ReconnectNeeded { .. }), "{e:?}");
    state.changed().await.expect("changed");
    assert!(matches!(
        &*state.borrow(),
        ConnectionState::ReconnectNeeded { .. }
    ));

    // Our own revoke (disconnect button) drops the refresh token at Zoho.
    let (conn2, _) = connect(&sim, options()).await;
    let before = sim.refresh_token_count();
    conn2.tokens().revoke().await.expect("revoke");
    assert_eq!(sim.refresh_token_count(), before - 1);
    assert!(matches!(
        conn2.rest().org().await,
        Err(ZohoError::ReconnectNeeded { .. })
    ));
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}

#[tokio::test]
async fn bulk_writes_with_partial_failure_and_chunking() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let contacts_before = sim.records(Module::Contacts).len();
    let batch = [
        rec(json!({"Last_Name": "One", "Phone": "+15550000001"})),
        rec(json!({"First_Name": "NoLast", "Phone": "+15550000002"})),
        rec(json!({"Last_Name": "Three", "Phone": "+15550000003"})),
    ];
    let out = conn
        .rest()
        .insert_records("Contacts", &batch, None)
        .await
        .expect("insert");
    assert!(out[0].is_ok() && out[2].is_ok());
    match &out[1] {
        Err(RecordError::Rejected(e)) => {
            assert_eq!(e.code, ErrorCode::MandatoryNotFound);
            assert_eq!(e.api_name(), Some("Last_Name"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.records(Module::Contacts).len(), contacts_before + 2);
    let id = out[0].as_ref().expect("ok").id.clone();
    assert!(sim.record(Module::Contacts, &id).is_some());

    // A single failing record: 400 with `data`, still a per-record answer.
    let out = conn
        .rest()
        .insert_records("Contacts", &batch[1..2], None)
        .await
        .expect("per-record");
    assert!(
        matches!(&out[0], Err(RecordError::Rejected(e)) if e.code == ErrorCode::MandatoryNotFound)
    );

    let leads: Vec<Record> = (0..120).map(|i| rec(json!({"Last_Name": format!("Lead {i}"), "Company": "Bulk", "Phone": format!("+1555100{i:04}")}))).collect();
    let out = conn
        .rest()
        .insert_records("Leads", &leads, None)
        .await
        .expect("bulk");
    assert_eq!(out.iter().filter(|o| o.is_ok()).count(), 120);
    assert_eq!(sim.request_count("POST", "/crm/v8/Leads"), 2, "100 + 20");
    let update: Vec<Record> = out
        .iter()
        .take(3)
        .map(|o| rec(json!({"id": o.as_ref().expect("ok").id, "Mobile": "+15559999999"})))
        .collect();
    let up = conn
        .rest()
        .update_records("Leads", &update, None)
        .await
        .expect("update");
    assert!(up.iter().all(Result::is_ok));
    let stored = sim
        .record(Module::Leads, update[0].id().expect("id"))
        .expect("lead");
    assert_eq!(stored["Mobile"], "+15559999999");
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}

#[tokio::test]
async fn throttling_and_credit_exhaustion() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    sim.inject_fault(FaultRule::next(2, Fault::TooManyRequests));
    conn.rest().org().await.expect("third attempt gets through");
    let m = conn.metrics_snapshot();
    assert_eq!((m.throttled, m.retries), (2, 2));

    // Credits: the client's count matches the simulator's for documented costs.
    let used_before = sim.credits_used();
    let counted_before = conn.metrics_snapshot().credits_total;
    let leads: Vec<Record> = (0..25)
        .map(|i| rec(json!({"Last_Name": format!("C{i}"), "Company": "X"})))
        .collect();
    conn.rest()
        .insert_records("Leads", &leads, None)
        .await
        .expect("insert");
    conn.rest()
        .search_by_phone("Contacts", "+14155550123", &["Full_Name"])
        .await
        .expect("search");
    let used = sim.credits_used() - used_before;
    let counted = conn.metrics_snapshot().credits_total - counted_before;
    assert_eq!(counted, 3 + 1, "25 records = 3 credits, search = 1");
    assert_eq!(used, counted, "simulator and client agree on credits");

    // Exhausted: 429 on every try, bounded retries, a retryable typed error.
    sim.consume_credits(sim.credits_limit());
    let before = sim.request_count("GET", "/crm/v8/org");
    let e = conn.rest().org().await.expect_err("no credits left");
    assert_eq!(e.code(), Some(&ErrorCode::TooManyRequests));
    assert!(e.is_retryable());
    assert_eq!(
        sim.request_count("GET", "/crm/v8/org") - before,
        4,
        "1 try + 3 retries"
    );
    assert!(conn.metrics_snapshot().op(Operation::GetOrg).requests >= 5);
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}

#[tokio::test]
async fn lookup_and_call_logging_against_seed_data() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let rest = conn.rest();
    let found = rest
        .search_by_phone("Contacts", "+14155550123", &["Full_Name", "Phone"])
        .await
        .expect("search");
    assert_eq!(
        found
            .iter()
            .filter_map(|r| r.str("Full_Name"))
            .collect::<Vec<_>>(),
        vec!["Ana Pereira"]
    );
    let none = rest
        .search_by_phone("Contacts", "+19999999999", &["Full_Name"])
        .await
        .expect("204");
    assert!(none.is_empty());

    let crm = ZohoCrm::new(conn.rest(), ZohoCrmConfig::default());
    let hits = crm
        .find_by_phone(
            &[CrmModule::Contacts, CrmModule::Leads],
            &["+14155550123".into(), "+14155550199".into()],
        )
        .await
        .expect("coql");
    let mut names: Vec<&str> = hits.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, vec!["Ana Pereira", "Lee Park"]);
    let ana = hits.iter().find(|r| r.name == "Ana Pereira").expect("ana");
    assert!(ana.account.is_some(), "Contact carries its Account");

    let tz = rest.org().await.expect("org").tz().expect("tz");
    let lee = hits.iter().find(|r| r.name == "Lee Park").expect("lee");
    let missed = CallsRecordBuilder::new(
        "Missed call from +14155550199",
        CallType::Missed,
        sim.now() - chrono::Duration::minutes(5),
        tz,
    )
    .related_to(&RelatedTo::Lead(lee.reference.id.clone()))
    .caller_id("+14155550199")
    .build()
    .expect("call");
    let w = rest
        .log_call(&missed, None)
        .await
        .expect("missed call logged");
    let stored = sim.record(Module::Calls, &w.id).expect("stored call");
    assert_eq!(stored["Call_Type"], "Missed");
    assert_eq!(stored["What_Id"]["id"], lee.reference.id.as_str());

    let answered = CallsRecordBuilder::new(
        "Inbound call from +14155550123",
        CallType::Inbound,
        sim.now() - chrono::Duration::minutes(9),
        tz,
    )
    .duration_secs(4_503)
    .contact(&ana.reference.id)
    .caller_id("+14155550123")
    .build()
    .expect("call");
    let w = rest
        .log_call(&answered, None)
        .await
        .expect("answered call logged");
    let stored = sim.record(Module::Calls, &w.id).expect("stored call");
    assert_eq!(stored["Call_Duration"], "75:03");
    assert_eq!(stored["Who_Id"]["id"], ana.reference.id.as_str());
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}
