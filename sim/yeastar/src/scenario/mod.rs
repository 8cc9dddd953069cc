//! Call scenarios: TOML data, built-in files (`scenarios/*.toml`), and the player that turns
//! them into events. A scenario names its calls (parties) and a timeline of steps.
//!
//! ```toml
//! name = "inbound_answered"
//! [params]
//! caller = "5550199"
//! agent = "1005"
//! [[calls]]
//! id = "main"
//! from = { kind = "external", number = "{caller}" }
//! to = { kind = "extension", number = "{agent}" }
//! [[steps]]
//! do = "ring"
//! [[steps]]
//! do = "wait"
//! secs = 8
//! [[steps]]
//! do = "answer"
//! [[steps]]
//! do = "hangup"
//! by = "caller"
//! ```
//!
//! `start_at` (optional) sets the PBX clock when the scenario starts, forward or back: a
//! TOML date-time with an offset is that instant, one without is PBX local time
//! ([`StartAt`]). Scenarios played at the same time share the one PBX clock.
//!
//! `{name}` placeholders in any string are replaced by `params` (overridable with
//! [`Scenario::with_param`]). Party references (`by`) are `caller`, `callee` or a number.
//!
//! Party kinds: `external` (`number`, optional `trunk`, `did`), `extension`, `ring_group`,
//! `queue`. Steps (`do`): `ring_caller`, `ring` (`early_media`), `answer` (`by`), `hold`,
//! `unhold`, `transfer_blind` (`by`, `to`), `transfer_attended` (`by`, `to`, `ring_secs`,
//! `talk_secs`, `outcome` = `complete`/`abort`/`threeway`/`swap`), `forward` (`to`),
//! `agent_timeout` (`agent`), `voicemail`, `no_answer`, `hangup` (`by`), `fail` (`reason`,
//! `members`), `wait` (`secs`). Every step but `wait` and the faults takes an optional `call`
//! label. Fault steps ([`crate::faults::Fault`]; wall-clock seconds): `drop_websockets`
//! (`secs`, default 0), `refuse_websockets` (`secs`), `expire_tokens`, `delay_cdrs` (`secs`).

mod builtin;
mod model;
pub(crate) mod player;
mod start;

pub use builtin::{BUILTIN_NAMES, builtin, builtins};
pub use model::{CallSpec, PartySpec, Scenario, Step};
pub use start::StartAt;

use crate::engine::EngineError;

/// Scenario loading and playing errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// TOML did not parse or did not fit the model.
    #[error("scenario does not parse: {0}")]
    Parse(String),
    /// A `{placeholder}` or override names an undeclared parameter.
    #[error("unknown scenario parameter {0:?}")]
    UnknownParam(String),
    /// A step names a call the scenario does not declare.
    #[error("unknown call label {0:?}")]
    UnknownCall(String),
    /// The scenario is structurally wrong.
    #[error("invalid scenario: {0}")]
    Invalid(String),
    /// No built-in scenario has that name.
    #[error("no built-in scenario {0:?}")]
    UnknownBuiltin(String),
    /// A step could not run on the call's state.
    #[error("step {step} failed: {source}")]
    Step {
        /// 0-based step index.
        step: usize,
        /// Engine error.
        source: EngineError,
    },
}
