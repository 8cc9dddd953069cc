//! Built-in scenario files shipped with the crate (`scenarios/*.toml`).

use super::{Scenario, ScenarioError};

const FILES: &[(&str, &str)] = &[
    (
        "inbound_answered",
        include_str!("../../scenarios/inbound_answered.toml"),
    ),
    (
        "inbound_missed",
        include_str!("../../scenarios/inbound_missed.toml"),
    ),
    (
        "ring_group_answered",
        include_str!("../../scenarios/ring_group_answered.toml"),
    ),
    (
        "ring_group_unanswered",
        include_str!("../../scenarios/ring_group_unanswered.toml"),
    ),
    (
        "queue_answered",
        include_str!("../../scenarios/queue_answered.toml"),
    ),
    (
        "queue_unanswered",
        include_str!("../../scenarios/queue_unanswered.toml"),
    ),
    (
        "outbound_answered",
        include_str!("../../scenarios/outbound_answered.toml"),
    ),
    (
        "outbound_unanswered",
        include_str!("../../scenarios/outbound_unanswered.toml"),
    ),
    ("internal", include_str!("../../scenarios/internal.toml")),
    (
        "blind_transfer",
        include_str!("../../scenarios/blind_transfer.toml"),
    ),
    (
        "attended_transfer",
        include_str!("../../scenarios/attended_transfer.toml"),
    ),
    ("voicemail", include_str!("../../scenarios/voicemail.toml")),
    (
        "caller_hangs_up_ringing",
        include_str!("../../scenarios/caller_hangs_up_ringing.toml"),
    ),
    (
        "simultaneous_same_caller",
        include_str!("../../scenarios/simultaneous_same_caller.toml"),
    ),
    (
        "inbound_forwarded",
        include_str!("../../scenarios/inbound_forwarded.toml"),
    ),
    (
        "outbound_busy",
        include_str!("../../scenarios/outbound_busy.toml"),
    ),
    (
        "click_to_call",
        include_str!("../../scenarios/click_to_call.toml"),
    ),
];

/// Names of the built-in scenarios, in demo order.
pub const BUILTIN_NAMES: &[&str] = &[
    "inbound_answered",
    "inbound_missed",
    "ring_group_answered",
    "ring_group_unanswered",
    "queue_answered",
    "queue_unanswered",
    "outbound_answered",
    "outbound_unanswered",
    "internal",
    "blind_transfer",
    "attended_transfer",
    "voicemail",
    "caller_hangs_up_ringing",
    "simultaneous_same_caller",
    "inbound_forwarded",
    "outbound_busy",
    "click_to_call",
];

/// A built-in scenario by name.
pub fn builtin(name: &str) -> Result<Scenario, ScenarioError> {
    let text = FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| ScenarioError::UnknownBuiltin(name.to_owned()))?;
    Scenario::from_toml(text)
}

/// Every built-in scenario.
pub fn builtins() -> Result<Vec<Scenario>, ScenarioError> {
    BUILTIN_NAMES.iter().map(|n| builtin(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_resolves() {
        assert_eq!(FILES.len(), BUILTIN_NAMES.len());
        for name in BUILTIN_NAMES {
            let s = builtin(name).expect(name);
            assert_eq!(&s.name, name);
            s.resolved().expect(name);
        }
    }
}
