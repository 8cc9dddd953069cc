//! Caller matching, the fields of a call log, and batched writes, end to
//! end: each case of the engine issue's "Caller matching" and "Call-log
//! sync" sections, checked in the simulated CRM.

mod batching;
mod fields;
mod modules;
mod several;
mod uk;
mod unallocated;

use std::time::Duration;

use ringbridge::world::{World, WorldOptions};
use ringbridge_sim_zoho::{Module, SeedRecord};
use serde_json::Value;

/// Adds a record to the CRM the simulator starts with (before the phone
/// directory's first sync). All seeded records share one modified time.
pub fn seed(options: &mut WorldOptions, module: Module, fields: Value) {
    options.zoho.seed.records.push(SeedRecord {
        module,
        key: None,
        fields,
    });
}

/// Adds a record to the running CRM, as a person would: the directory does
/// not know it until its next sync (minutes away), so a call from its
/// number is looked up through Zoho's search.
pub fn insert(w: &World, module: Module, fields: Value) -> String {
    w.zoho_sim
        .insert_record(module, fields)
        .expect("the simulated CRM accepts the record")
}

/// Moves the CRM's clock on, so the next record is modified later.
pub fn later(w: &World) {
    w.zoho_sim.advance(Duration::from_secs(60));
}

/// The record a Calls record is linked to: `(module, id)`. A Contact is the
/// `Who_Id`; a Lead or Account the `What_Id` with `$se_module`.
pub fn linked(log: &Value) -> (String, String) {
    match log["Who_Id"]["id"].as_str() {
        Some(id) => ("Contacts".to_owned(), id.to_owned()),
        None => (
            log["$se_module"].as_str().unwrap_or_default().to_owned(),
            log["What_Id"]["id"].as_str().unwrap_or_default().to_owned(),
        ),
    }
}

/// How many COQL queries (Zoho's search path for a number) were made.
pub fn coql_queries(w: &World) -> u64 {
    w.zoho_sim.request_count("POST", "/crm/v8/coql")
}
