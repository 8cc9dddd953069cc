//! The engine issue's call cases end to end, one file per topic: for each
//! setting, what a user sees in the simulated CRM (the Calls records and
//! the records created).

mod groups;
mod internal;
mod policy;
mod transfers;
mod unanswered;
mod unknown;
mod unknown_refused;

use ringbridge::world::{World, WorldOptions};
use ringbridge_core::settings::EngineSettings;
use serde_json::Value;

pub use crate::support::logs_for;
use crate::support::options;

/// A world with the demo's data and these engine settings.
pub async fn start_with(change: impl FnOnce(&mut EngineSettings)) -> World {
    start_options(|o| change(&mut o.settings)).await
}

/// A world with the demo's data and these options.
pub async fn start_options(change: impl FnOnce(&mut WorldOptions)) -> World {
    let mut options = options();
    change(&mut options);
    World::start(options).await.expect("world starts")
}

/// The PBX's own start time of a call (epoch seconds), from its CDR.
pub fn pbx_started_at(world: &World, call_id: &str) -> i64 {
    world
        .pbx_sim
        .call_records()
        .into_iter()
        .find(|r| r.call_id == call_id)
        .map(|r| r.started_at)
        .unwrap_or_else(|| panic!("no CDR for {call_id}"))
}

/// The epoch second of a `Call_Start_Time` as the CRM shows it.
pub fn crm_started_at(log: &Value) -> i64 {
    let text = log["Call_Start_Time"].as_str().expect("a start time");
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("ISO 8601 with offset")
        .timestamp()
}
