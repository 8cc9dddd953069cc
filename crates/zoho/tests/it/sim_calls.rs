//! Call logging against the simulator's switch for the unconfirmed rule that
//! a Missed call needs `Call_Duration`.

use ringbridge_sim_zoho::{Module, SimConfig, SimZoho};
use ringbridge_zoho::rest::{CallType, CallsRecordBuilder};
use serde_json::Value;

use crate::sim::{connect, options};

#[tokio::test]
async fn a_missed_call_is_logged_whether_or_not_zoho_wants_a_duration() {
    for needs_duration in [false, true] {
        let sim = SimZoho::start(SimConfig {
            missed_call_needs_duration: needs_duration,
            ..SimConfig::default()
        })
        .await
        .expect("sim");
        let (conn, _) = connect(&sim, options()).await;
        let rest = conn.rest();
        let tz = rest.org().await.expect("org").tz().expect("tz");
        let missed = |n: i64| {
            CallsRecordBuilder::new(
                "Missed call from +14155550199",
                CallType::Missed,
                sim.now() - chrono::Duration::minutes(n),
                tz,
            )
            .caller_id("+14155550199")
            .build()
            .expect("call")
        };
        let posts = || sim.request_count("POST", "/crm/v8/Calls");

        let first = rest.log_call(&missed(9), None).await.expect("logged");
        let stored = sim.record(Module::Calls, &first.id).expect("stored");
        assert_eq!(stored["Call_Type"], "Missed");
        let (duration, sent) = if needs_duration {
            (Value::from("00:00"), 2)
        } else {
            (Value::Null, 1)
        };
        assert_eq!(stored["Call_Duration"], duration, "{needs_duration}");
        assert_eq!(posts(), sent, "first try, then 00:00 where refused");
        assert_eq!(conn.quirks().missed_call_needs_duration(), needs_duration);

        // Learned: the next one goes out right the first time.
        let second = rest.log_call(&missed(4), None).await.expect("logged");
        let stored = sim.record(Module::Calls, &second.id).expect("stored");
        assert_eq!(stored["Call_Duration"], duration);
        assert_eq!(posts(), sent + 1);
        crate::sim_traffic::assert_traffic_matches_spec(&sim);
    }
}
