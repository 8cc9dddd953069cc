//! Rehearsing a customer's setup without Rust: the PBX simulator loaded from a company file
//! (the example Berlin office), a scenario with an absolute start time and a fault step
//! played through the simulator's `/_sim/play` endpoint, and the outcome checked where the
//! user sees it — the call log in the (simulated) CRM.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use ringbridge::world::World;
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::{Origin, StreamStatus};
use ringbridge_sim_yeastar::CompanyFile;
use ringbridge_sim_zoho::{Module, SeedRecord, SeedUser};
use ringbridge_yeastar::BackoffConfig;
use serde_json::{Value, json};

use crate::support::*;

const COMPANY: &str = include_str!("../../../../examples/yeastar-company.toml");
const ADMIN_TOKEN: &str = "rehearsal-admin-token";

/// An inbound call from a client's Berlin landline to the service queue, answered by
/// Leonie Schulz (202); while they talk the PBX's event socket drops and stays refused for
/// two seconds, so the hang-up reaches ringbridge only through the catch-up from CDRs.
fn scenario(start_at: &str) -> String {
    format!(
        r#"
name = "rehearsal_service_call"
start_at = {start_at}

[params]
caller = "0305550871"

[[calls]]
id = "main"
from = {{ kind = "external", number = "{{caller}}", trunk = "Telekom", did = "03055510299" }}
to = {{ kind = "queue", number = "610" }}

[[steps]]
do = "ring"
[[steps]]
do = "wait"
secs = 6
[[steps]]
do = "answer"
by = "202"
[[steps]]
do = "wait"
secs = 40
[[steps]]
do = "drop_websockets"
secs = 2
[[steps]]
do = "wait"
secs = 5
[[steps]]
do = "hangup"
by = "caller"
"#
    )
}

#[tokio::test]
async fn a_scenario_played_over_sim_play_on_a_company_file_is_logged_once() {
    let mut options = options();
    options.pbx = CompanyFile::from_toml(COMPANY)
        .expect("the example company parses")
        .apply(options.pbx);
    options.pbx.admin_token = Some(ADMIN_TOKEN.into());
    options.plan = NumberPlan::new("DE").expect("Germany");
    options.events.backoff = BackoffConfig {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(200),
        multiplier: 2.0,
        jitter: 0.0,
    };
    // The CRM side of the same office: the agent as a user, the caller as a contact.
    options.zoho.seed.users.push(SeedUser {
        first_name: Some("Leonie".into()),
        last_name: "Schulz".into(),
        email: "leonie.schulz@kanzlei-vogel.example".into(),
        role: "Agent".into(),
        profile: "Standard".into(),
        active: true,
        phone: None,
    });
    options.zoho.seed.records.push(SeedRecord {
        module: Module::Contacts,
        key: Some("kraus".into()),
        fields: json!({"First_Name": "Thomas", "Last_Name": "Kraus", "Phone": "+49 30 5550871"}),
    });
    let mut w = World::start(options).await.expect("world starts");
    let mut updates = w.updates.take().expect("updates receiver");
    let mut stream = w.stream.clone();
    tokio::time::timeout(
        Duration::from_secs(20),
        stream.wait_for(|s| *s == StreamStatus::Connected),
    )
    .await
    .expect("the event stream connects")
    .expect("ingest runs");

    let http = reqwest::Client::new();
    let start_at =
        (Utc::now() + chrono::Duration::minutes(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let url = w.pbx_sim.admin_url("play?wait=true");
    let refused = http
        .post(&url)
        .body(scenario(&start_at))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 401, "the admin token is required");
    let played: Value = http
        .post(&url)
        .bearer_auth(ADMIN_TOKEN)
        .body(scenario(&start_at))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json answer");
    assert_eq!(played["state"], "done", "{played}");
    let call_id = played["call_ids"][0]
        .as_str()
        .expect("a call id")
        .to_owned();
    settle(&w, 1).await;

    let calls = crm_calls(&w);
    assert_eq!(
        calls.len(),
        1,
        "one log, despite the socket drop: {calls:#?}"
    );
    let log = call_for(&calls, &call_id);
    assert_eq!(log["Call_Type"], "Inbound");
    assert_eq!(
        log["Who_Id"]["id"],
        record_id(&w, Module::Contacts, "Kraus").as_str(),
        "the caller's contact"
    );
    assert_eq!(
        log["Owner"]["id"],
        user_id(&w, "leonie.schulz@kanzlei-vogel.example").as_str(),
        "owned by the agent of extension 202, paired by the company file's e-mail"
    );
    assert_eq!(log["Call_Duration"], "00:45");
    let record = w
        .pbx_sim
        .call_records()
        .into_iter()
        .find(|r| r.call_id == call_id)
        .expect("CDR");
    let start = chrono::DateTime::parse_from_rfc3339(&start_at).expect("rfc3339");
    assert_eq!(
        record.started_at,
        start.timestamp(),
        "the scenario's start time"
    );
    let logged = log["Call_Start_Time"].as_str().expect("a start time");
    let logged = chrono::DateTime::parse_from_rfc3339(logged).expect("rfc3339");
    assert_eq!(
        logged.timestamp(),
        record.started_at,
        "the same instant as the Berlin PBX's record"
    );
    // The fault step did its part: the call's end came from the catch-up.
    let mut ends = Vec::new();
    while let Ok(item) = updates.try_recv() {
        if let CallUpdate::Ended(outcome) = item.update {
            ends.push((outcome.call_id.as_str().to_owned(), item.origin));
        }
    }
    assert_eq!(ends, [(call_id.clone(), Origin::CatchUp)]);
    w.stop().await;
}
