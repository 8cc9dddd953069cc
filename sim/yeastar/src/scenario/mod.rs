//! Call scenarios: TOML data, built-in files, and the player that turns them into events.

mod builtin;
mod model;
pub(crate) mod player;

pub use builtin::{BUILTIN_NAMES, builtin, builtins};
pub use model::{CallSpec, PartySpec, Scenario, Step};

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
