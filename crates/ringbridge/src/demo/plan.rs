//! Which calls the demo plays, and what the CRM should hold afterwards —
//! computed from the scenarios and the default logging policy, not from
//! what the engine did.

use ringbridge_sim_yeastar::Scenario;

use std::collections::BTreeSet;

use super::data::{KNOWN_CALLERS, UNKNOWN_CALLERS, contact_numbers};

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
    // The callee is busy: an outbound call nobody answered.
    PlannedCall {
        scenario: "outbound_busy",
        expected_logs: 1,
        number_param: Some("number"),
    },
    // Dialled from the CRM: the agent's phone rings first, then the customer's.
    PlannedCall {
        scenario: "click_to_call",
        expected_logs: 1,
        number_param: Some("number"),
    },
];

/// The outside number of the `n`-th call: known callers mostly, an
/// unknown one every fourth call.
fn number(n: usize) -> &'static str {
    if n % 4 == 3 {
        UNKNOWN_CALLERS[n / 4 % UNKNOWN_CALLERS.len()]
    } else {
        KNOWN_CALLERS[n % KNOWN_CALLERS.len()]
    }
}

/// The `n`-th call of a demo run: a scenario with an outside number from
/// the pool.
pub fn nth(n: usize) -> anyhow::Result<(Scenario, u64)> {
    let planned = &SCENARIOS[n % SCENARIOS.len()];
    let mut scenario = ringbridge_sim_yeastar::builtin(planned.scenario)?;
    if let Some(param) = planned.number_param {
        scenario = scenario.with_param(param, number(n))?;
    }
    Ok((scenario, planned.expected_logs))
}

/// How many Leads the first `calls` calls should create: one per unknown
/// number that called in (the demo creates Leads for unknown inbound callers
/// only), however many times it called.
pub fn expected_new_records(calls: usize) -> usize {
    let mut numbers = BTreeSet::new();
    for n in 0..calls {
        let planned = &SCENARIOS[n % SCENARIOS.len()];
        if n % 4 == 3 && planned.number_param == Some("caller") {
            numbers.insert(number(n));
        }
    }
    numbers.len()
}

/// How many CRM Contacts the first `calls` calls should copy into the PBX
/// phonebook: one per Contact whose number was on a logged call, in either
/// direction, however many times.
pub fn expected_phonebook_contacts(calls: usize) -> usize {
    let contacts = contact_numbers();
    let mut numbers = BTreeSet::new();
    for n in 0..calls {
        let planned = &SCENARIOS[n % SCENARIOS.len()];
        if planned.number_param.is_some() && planned.expected_logs > 0 {
            let number = number(n);
            if contacts.contains(&number) {
                numbers.insert(number);
            }
        }
    }
    numbers.len()
}
