//! What the demo's summary reports, read from the simulators — what a
//! person would see in the CRM and on the PBX — rather than from
//! ringbridge's own bookkeeping of finished jobs.

use std::collections::{HashMap, HashSet};

use ringbridge_sim_yeastar::SimYeastar;
use ringbridge_sim_zoho::{Module, SimZoho};
use serde_json::Value;

/// The CRM modules ringbridge may create records in for unknown numbers.
const CREATED_MODULES: [Module; 2] = [Module::Leads, Module::Contacts];

/// The CRM records that existed before the demo played its calls.
pub struct Baseline {
    ids: HashSet<String>,
}

impl Baseline {
    pub fn take(zoho: &SimZoho) -> Self {
        Self {
            ids: CREATED_MODULES
                .iter()
                .flat_map(|m| zoho.records(*m))
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect(),
        }
    }

    /// Leads and Contacts in the CRM now that were not there at the start
    /// (ringbridge is the simulator's only client during the demo).
    pub fn records_created(&self, zoho: &SimZoho) -> u64 {
        CREATED_MODULES
            .iter()
            .flat_map(|m| zoho.records(*m))
            .filter(|r| r["id"].as_str().is_some_and(|id| !self.ids.contains(id)))
            .count() as u64
    }
}

/// Calls records beyond one per ringbridge call key (the marker ringbridge
/// writes into each log's Description).
pub fn duplicate_logs(calls: &[Value]) -> u64 {
    let mut per_key: HashMap<&str, u64> = HashMap::new();
    for call in calls {
        let description = call["Description"].as_str().unwrap_or_default();
        if let Some(start) = description.find("[ringbridge:") {
            *per_key.entry(&description[start..]).or_default() += 1;
        }
    }
    per_key.values().map(|n| n.saturating_sub(1)).sum()
}

/// Contacts in the PBX phonebook named `book` that ringbridge copied from
/// the CRM (their remark names the CRM record: `crm:Contacts:<id>`).
pub fn phonebook_contacts(pbx: &SimYeastar, book: &str) -> u64 {
    let Some(book) = pbx.phonebooks().into_iter().find(|b| b.name == book) else {
        return 0;
    };
    pbx.contacts()
        .iter()
        .filter(|c| c.remark.starts_with("crm:"))
        .filter(|c| book.sel_all || book.members.contains(&c.id))
        .count() as u64
}
