//! Crate error type.

use crate::scenario::ScenarioError;

/// Errors of the simulator's control surface.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address could not be bound.
    #[error("cannot bind the simulator listener: {0}")]
    Bind(#[source] std::io::Error),
    /// Serving failed.
    #[error("simulator server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// A file could not be read.
    #[error("cannot read file: {0}")]
    Io(#[source] std::io::Error),
    /// The company file did not load.
    #[error(transparent)]
    Company(#[from] crate::company::CompanyError),
    /// A scenario failed to load or play.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}
