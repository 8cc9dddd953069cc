//! The admin console: first-run setup of the PBX and CRM connections and
//! the mode, the extension ↔ user mapping, the engine's settings and the
//! sync dashboard. Admins only; every form carries the CSRF token.

mod backend;

use axum::Router;

pub use backend::{
    BackendError, Console, ConsoleBackend, ConsoleData, DataCentre, LinkState, LinkStates,
    PbxInfo,
};

use crate::AppState;

/// The console's routes (none until a [`Console`] is given).
pub fn routes(state: AppState) -> Router {
    Router::new().with_state(state)
}
