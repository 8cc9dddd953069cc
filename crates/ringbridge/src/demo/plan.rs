//! Which calls the demo plays, and what the CRM should hold afterwards —
//! computed from the scenarios and the default logging policy, not from
//! what the engine did.

use ringbridge_sim_yeastar::Scenario;

use super::data::{KNOWN_CALLERS, UNKNOWN_CALLERS};

/// A built-in scenario and the call logs it should produce under the
/// default policy (inbound, missed, outbound and voicemail calls logged;
/// internal calls not).
pub struct PlannedCall {
    pub scenario: &'static str,
    pub expected_logs: u64,
    /// The scenario parameter holding the outside party's number, if any.
    pub number_param: Option<&'static str>,
}

pub const SCENARIOS: &[PlannedCall] = &[
    PlannedCall {
        scenario: "inbound_answered",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "ring_group_answered",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "outbound_answered",
        expected_logs: 1,
        number_param: Some("number"),
    },
    PlannedCall {
        scenario: "inbound_missed",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "queue_answered",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "blind_transfer",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "outbound_unanswered",
        expected_logs: 1,
        number_param: Some("number"),
    },
    PlannedCall {
        scenario: "ring_group_unanswered",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "voicemail",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    // The consultation call is internal: only the customer's call is logged.
    PlannedCall {
        scenario: "attended_transfer",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "queue_unanswered",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "caller_hangs_up_ringing",
        expected_logs: 1,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "internal",
        expected_logs: 0,
        number_param: None,
    },
    PlannedCall {
        scenario: "simultaneous_same_caller",
        expected_logs: 2,
        number_param: Some("caller"),
    },
    PlannedCall {
        scenario: "inbound_forwarded",
        expected_logs: 1,
        number_param: Some("caller"),
    },
];

/// The `n`-th call of a demo run: a scenario with an outside number from
/// the pool (known callers mostly, an unknown one every fourth call).
pub fn nth(n: usize) -> anyhow::Result<(Scenario, u64)> {
    let planned = &SCENARIOS[n % SCENARIOS.len()];
    let number = if n % 4 == 3 {
        UNKNOWN_CALLERS[n / 4 % UNKNOWN_CALLERS.len()]
    } else {
        KNOWN_CALLERS[n % KNOWN_CALLERS.len()]
    };
    let mut scenario = ringbridge_sim_yeastar::builtin(planned.scenario)?;
    if let Some(param) = planned.number_param {
        scenario = scenario.with_param(param, number)?;
    }
    Ok((scenario, planned.expected_logs))
}

/// How many Leads the first `calls` calls should create: one per unknown
/// number that called in (the demo creates Leads for unknown inbound callers
/// only), however many times it called.
pub fn expected_new_records(calls: usize) -> usize {
    let mut numbers = std::collections::BTreeSet::new();
    for n in 0..calls {
        let planned = &SCENARIOS[n % SCENARIOS.len()];
        if n % 4 == 3 && planned.number_param == Some("caller") {
            numbers.insert(UNKNOWN_CALLERS[n / 4 % UNKNOWN_CALLERS.len()]);
        }
    }
    numbers.len()
}
