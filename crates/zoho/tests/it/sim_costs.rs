//! What ringbridge's Zoho operations cost against the simulator: HTTP
//! requests and API credits, counted by the simulator (what Zoho would see)
//! and checked against the client's own count.

use std::collections::BTreeMap;

use chrono::Utc;
use ringbridge_core::crm::{CallLog, CallLogType, Crm, CrmModule, CrmRecordRef};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use ringbridge_zoho::ZohoConnection;
use ringbridge_zoho::crm::{ZohoCrm, ZohoCrmConfig};
use ringbridge_zoho::phonebridge::{CallNotify, CallState, Direction};

use crate::sim::{connect, options};
use crate::sim_pb::integrate_first_user;

/// Requests (by "METHOD /path") and credits of whatever `work` does.
async fn measure(
    sim: &SimZoho,
    conn: &ZohoConnection,
    work: impl AsyncFnOnce(),
) -> (BTreeMap<String, u64>, u64) {
    let before = sim.request_counts();
    let credits = sim.credits_used();
    let counted = conn.metrics_snapshot().credits_total;
    work().await;
    let mut after = sim.request_counts();
    for (k, n) in before {
        if let Some(a) = after.get_mut(&k) {
            *a -= n;
        }
    }
    after.retain(|_, n| *n > 0);
    let used = sim.credits_used() - credits;
    assert_eq!(
        conn.metrics_snapshot().credits_total - counted,
        used,
        "the client counts the credits Zoho charges"
    );
    (after, used)
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

fn log(key: &str, who: &CrmRecordRef) -> CallLog {
    CallLog {
        key: key.into(),
        call_type: CallLogType::Inbound,
        started_at: Utc::now() - chrono::Duration::minutes(5),
        duration_s: 61,
        subject: "Inbound call".into(),
        description: String::new(),
        owner_id: None,
        who: Some(who.clone()),
        what: None,
        caller_number: Some("+14155550123".into()),
        dialled_number: None,
        result: None,
        recording_url: None,
    }
}

#[tokio::test]
async fn requests_and_credits_per_operation() {
    let sim = SimZoho::start(SimConfig::default()).await.expect("sim");
    let (conn, _) = connect(&sim, options()).await;
    let crm = ZohoCrm::new(conn.rest(), ZohoCrmConfig::default());
    let modules = [CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts];
    let spellings = ["+14155550123".to_owned(), "4155550123".to_owned()];

    // A lookup of one caller in three modules: one COQL query per module,
    // after each module's field metadata is read once.
    let mut hits = Vec::new();
    let (first, credits) = measure(&sim, &conn, async || {
        hits = crm
            .find_by_phone(&modules, &spellings)
            .await
            .expect("lookup");
    })
    .await;
    assert_eq!(
        first,
        counts(&[("GET /crm/v8/settings/fields", 3), ("POST /crm/v8/coql", 3)])
    );
    assert_eq!(credits, 3 + 3);
    let (again, credits) = measure(&sim, &conn, async || {
        crm.find_by_phone(&modules, &spellings)
            .await
            .expect("lookup");
    })
    .await;
    assert_eq!(again, counts(&[("POST /crm/v8/coql", 3)]));
    assert_eq!(credits, 3, "a lookup: 3 requests, 3 credits");

    // Logging calls: the org and the Calls metadata once, then one insert per
    // 100 calls, 1 credit per 10 of them.
    let who = hits[0].reference.clone();
    let (first, credits) = measure(&sim, &conn, async || {
        crm.log_calls(&[log("c-0", &who)]).await.expect("logged");
    })
    .await;
    assert_eq!(
        first,
        counts(&[
            ("GET /crm/v8/org", 1),
            ("GET /crm/v8/settings/fields", 1),
            ("POST /crm/v8/Calls", 1)
        ])
    );
    assert_eq!(credits, 3);
    let (one, credits) = measure(&sim, &conn, async || {
        crm.log_calls(&[log("c-1", &who)]).await.expect("logged");
    })
    .await;
    assert_eq!(one, counts(&[("POST /crm/v8/Calls", 1)]));
    assert_eq!(credits, 1, "one call: 1 request, 1 credit");
    let batch: Vec<CallLog> = (0..25).map(|i| log(&format!("b-{i}"), &who)).collect();
    let (many, credits) = measure(&sim, &conn, async || {
        crm.log_calls(&batch).await.expect("logged");
    })
    .await;
    assert_eq!(many, counts(&[("POST /crm/v8/Calls", 1)]));
    assert_eq!(credits, 3, "25 calls: 1 request, 3 credits (0.12 per call)");

    // Checking whether calls were already written (after a lost answer).
    let (check, credits) = measure(&sim, &conn, async || {
        crm.find_logged_calls(&batch).await.expect("checked");
    })
    .await;
    assert_eq!(check.values().sum::<u64>(), 1, "{check:?}");
    assert_eq!(credits, 1);

    // PhoneBridge: one request per event, no credits.
    let pb = conn.phonebridge();
    let zohouser = integrate_first_user(&pb).await;
    let (events, credits) = measure(&sim, &conn, async || {
        for state in [
            CallState::Ringing {
                transferred_call_id: None,
            },
            CallState::Answered,
            CallState::Ended {
                start: Utc::now() - chrono::Duration::minutes(2),
                duration_secs: 95,
                voice_uri: None,
            },
        ] {
            pb.call_notify(&CallNotify {
                direction: Direction::Received,
                state,
                id: "pb-1".into(),
                from: "+14155550123".into(),
                to: "+14155550199".into(),
                zohouser: Some(zohouser.clone()),
            })
            .await
            .expect("notified");
        }
    })
    .await;
    assert_eq!(events, counts(&[("POST /phonebridge/v3/callnotify", 3)]));
    assert_eq!(credits, 0);
    // All of it on the token minted at consent: no refresh within the hour.
    assert_eq!(sim.request_count("POST", "/oauth/v2/token"), 1);
    crate::sim_traffic::assert_traffic_matches_spec(&sim);
}
