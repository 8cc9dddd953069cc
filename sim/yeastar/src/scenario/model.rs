//! Scenario data model; the format is described in the parent module.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ScenarioError;
use super::StartAt;
use crate::engine::AttendedOp;
use crate::faults::Fault;

/// One party of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PartySpec {
    /// External number via a trunk.
    External {
        /// Number.
        number: String,
        /// Trunk (default: the first trunk).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trunk: Option<String>,
        /// DID dialled, inbound only (default: the trunk's DID).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        did: Option<String>,
    },
    /// An extension.
    Extension {
        /// Number.
        number: String,
    },
    /// A ring group.
    RingGroup {
        /// Number.
        number: String,
    },
    /// A queue.
    Queue {
        /// Number.
        number: String,
    },
}

fn yes() -> bool {
    true
}

/// A call of the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSpec {
    /// Label steps refer to.
    pub id: String,
    /// Caller.
    pub from: PartySpec,
    /// Callee.
    pub to: PartySpec,
    /// Record the call when answered.
    #[serde(default = "yes")]
    pub record: bool,
    /// Extension whose outbound rights the call borrows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dial_permission: Option<String>,
}

fn caller() -> String {
    "caller".into()
}

fn three() -> u64 {
    3
}

fn five() -> u64 {
    5
}

fn complete() -> AttendedOp {
    AttendedOp::Complete
}

/// One step. `call` defaults to the first call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Click-to-call first leg: the caller extension rings.
    RingCaller {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
    },
    /// The callee (or every group/queue member) rings.
    Ring {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Outbound callee reports `EARLYMEDIA` instead of `RING`.
        #[serde(default)]
        early_media: bool,
    },
    /// A ringing callee answers (`by`: member number; default the first ringing one).
    Answer {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Who answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// A member goes on hold.
    Hold {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Who holds.
        by: String,
    },
    /// A member comes back from hold.
    Unhold {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Who.
        by: String,
    },
    /// `by` (the transferor) blind-transfers its partner to extension `to`.
    TransferBlind {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Transferor.
        by: String,
        /// Target extension.
        to: String,
    },
    /// `by` consults extension `to`, then completes / aborts / ... the transfer.
    TransferAttended {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Transferor.
        by: String,
        /// Target extension.
        to: String,
        /// Target rings this long before answering the consultation.
        #[serde(default = "three")]
        ring_secs: u64,
        /// Consultation talk time.
        #[serde(default = "five")]
        talk_secs: u64,
        /// Final operation.
        #[serde(default = "complete")]
        outcome: AttendedOp,
    },
    /// The ringing callee's forwarding rule sends the call to extension `to` (30014).
    Forward {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Target extension.
        to: String,
    },
    /// A queue agent's ringing times out (30026; 30025 after repeated misses).
    AgentTimeout {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Agent extension.
        agent: String,
    },
    /// Voicemail picks up the ringing call.
    Voicemail {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
    },
    /// The ring timeout expires with nobody answering.
    NoAnswer {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
    },
    /// A member hangs up (default: the caller).
    Hangup {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Who hangs up.
        #[serde(default = "caller")]
        by: String,
    },
    /// The call fails with a vendor reason (30015).
    Fail {
        /// Call label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// Vendor reason, e.g. `486 Busy here`.
        reason: String,
        /// List the members in 30015 (else `null`).
        #[serde(default = "yes")]
        members: bool,
    },
    /// Simulated time passes.
    Wait {
        /// Seconds.
        secs: u64,
    },
    /// Fault: every open WebSocket is dropped; with `secs`, new ones are refused that long.
    DropWebsockets {
        /// Refusal after the drop, wall-clock seconds.
        #[serde(default)]
        secs: u64,
    },
    /// Fault: WebSocket upgrades are refused for `secs` (wall clock).
    RefuseWebsockets {
        /// Seconds.
        secs: u64,
    },
    /// Fault: every access token expires now.
    ExpireTokens,
    /// Fault: CDRs of calls ending from now on appear `secs` (wall clock) late; 0 ends it.
    DelayCdrs {
        /// Seconds.
        secs: u64,
    },
}

impl Step {
    /// The call label the step targets (`None` for waits or the default call).
    pub fn call(&self) -> Option<&str> {
        match self {
            Self::RingCaller { call }
            | Self::Ring { call, .. }
            | Self::Answer { call, .. }
            | Self::Hold { call, .. }
            | Self::Unhold { call, .. }
            | Self::TransferBlind { call, .. }
            | Self::TransferAttended { call, .. }
            | Self::Forward { call, .. }
            | Self::AgentTimeout { call, .. }
            | Self::Voicemail { call }
            | Self::NoAnswer { call }
            | Self::Hangup { call, .. }
            | Self::Fail { call, .. } => call.as_deref(),
            Self::Wait { .. }
            | Self::DropWebsockets { .. }
            | Self::RefuseWebsockets { .. }
            | Self::ExpireTokens
            | Self::DelayCdrs { .. } => None,
        }
    }

    /// The fault this step switches on, if it is a fault step.
    pub fn fault(&self) -> Option<Fault> {
        Some(match self {
            Self::DropWebsockets { secs } => Fault::DropWebsockets { secs: *secs },
            Self::RefuseWebsockets { secs } => Fault::RefuseWebsockets { secs: *secs },
            Self::ExpireTokens => Fault::ExpireTokens,
            Self::DelayCdrs { secs } => Fault::DelayCdrs { secs: *secs },
            _ => return None,
        })
    }
}

/// A call scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// Placeholder values.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// The PBX clock is set to this time when the scenario starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<StartAt>,
    /// Calls.
    pub calls: Vec<CallSpec>,
    /// Timeline.
    pub steps: Vec<Step>,
}

fn substitute(text: &str, params: &BTreeMap<String, String>) -> Result<String, ScenarioError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| ScenarioError::Invalid(format!("unclosed placeholder in {text:?}")))?;
        let key = &after[..close];
        let value = params
            .get(key)
            .ok_or_else(|| ScenarioError::UnknownParam(key.to_owned()))?;
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn walk(v: &mut Value, params: &BTreeMap<String, String>) -> Result<(), ScenarioError> {
    match v {
        Value::String(s) => *s = substitute(s, params)?,
        Value::Array(items) => {
            for i in items {
                walk(i, params)?;
            }
        }
        Value::Object(map) => {
            for (_, i) in map.iter_mut() {
                walk(i, params)?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl Scenario {
    /// Parses TOML.
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        toml::from_str(text).map_err(|e| ScenarioError::Parse(e.to_string()))
    }

    /// Overrides a declared parameter (unknown names are an error, to catch typos).
    pub fn with_param(
        mut self,
        key: &str,
        value: impl Into<String>,
    ) -> Result<Self, ScenarioError> {
        match self.params.get_mut(key) {
            Some(v) => {
                *v = value.into();
                Ok(self)
            }
            None => Err(ScenarioError::UnknownParam(key.to_owned())),
        }
    }

    /// The scenario with every placeholder replaced and references checked.
    pub fn resolved(&self) -> Result<Self, ScenarioError> {
        let params = self.params.clone();
        let mut v = serde_json::to_value(Self {
            params: BTreeMap::new(),
            ..self.clone()
        })
        .map_err(|e| ScenarioError::Invalid(e.to_string()))?;
        walk(&mut v, &params)?;
        let mut out: Self =
            serde_json::from_value(v).map_err(|e| ScenarioError::Invalid(e.to_string()))?;
        out.params = params;
        if out.calls.is_empty() {
            return Err(ScenarioError::Invalid(
                "a scenario needs at least one call".into(),
            ));
        }
        for (i, c) in out.calls.iter().enumerate() {
            if out.calls[..i].iter().any(|o| o.id == c.id) {
                return Err(ScenarioError::Invalid(format!(
                    "duplicate call id {}",
                    c.id
                )));
            }
        }
        for s in &out.steps {
            if let Some(c) = s.call()
                && !out.calls.iter().any(|o| o.id == c)
            {
                return Err(ScenarioError::UnknownCall(c.to_owned()));
            }
        }
        Ok(out)
    }
}
