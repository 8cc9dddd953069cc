//! The local phone directory: which CRM records each number belongs to,
//! kept in memory so caller matching needs no API call.
//!
//! * [`DirectoryEntry`]: one CRM record with its numbers as E.164 keys
//!   (derived from the CRM's text; the CRM data itself is never rewritten).
//! * [`PhoneDirectory`]: the compact in-memory index (number → records);
//!   [`DirectoryLoader`] fills one from many records at once.
//! * [`MatchRule`]: which record a call belongs to when several match.
//! * [`DirectoryStore`]: the port for keeping the directory, its sync
//!   cursors and the miss cache.
//! * [`spellings`]: the forms of a number to ask a CRM search for.
//!
//! Pure: no I/O here; the engine runs the syncs and lookups.

mod base;
mod delta;
mod index;
mod load;
mod numbers;
mod port;
mod rules;
mod slot;
mod spellings;
mod text;
mod view;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use index::{EntryView, MAX_NAME_BYTES, MAX_NUMBERS_PER_RECORD, PhoneDirectory, Upsert};
pub use load::DirectoryLoader;
pub use port::{DirectoryStore, SyncCursor};
pub use rules::{Candidate, MatchRule, Matched};
pub use spellings::spellings;
pub use text::DirectoryFull;

use crate::crm::{CrmRecord, CrmRecordRef};
use crate::phone::{E164, NumberPlan};

/// A CRM record as the phone directory keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub record: CrmRecordRef,
    pub name: String,
    pub company: Option<String>,
    pub owner_id: Option<String>,
    /// The Account a Contact belongs to, for relating calls.
    pub account: Option<CrmRecordRef>,
    pub modified_at: DateTime<Utc>,
    /// The record's numbers, normalised; no duplicates.
    pub numbers: Vec<E164>,
}

impl DirectoryEntry {
    /// The entry for `record`, its phones read with `plan`. Also returns
    /// how many of its phones were not numbers (skipped, left as they are
    /// in the CRM).
    pub fn from_record(record: &CrmRecord, plan: &NumberPlan) -> (Self, usize) {
        let mut numbers = Vec::with_capacity(record.phones.len());
        let mut unparseable = 0;
        for raw in record.phones.iter().filter(|p| !p.trim().is_empty()) {
            match plan.normalize(raw) {
                Ok(n) if !numbers.contains(&n) => numbers.push(n),
                Ok(_) => {}
                Err(_) => unparseable += 1,
            }
        }
        let entry = Self {
            record: record.reference.clone(),
            name: record.name.clone(),
            company: record.company.clone(),
            owner_id: record.owner_id.clone(),
            account: record.account.clone(),
            modified_at: record.modified_at,
            numbers,
        };
        (entry, unparseable)
    }
}

/// E.164 digits as a `u64`: at most 15 digits and never a leading zero
/// (country codes start at 1), so the key is exact.
pub(crate) fn e164_key(number: &E164) -> Option<u64> {
    number.digits().parse().ok()
}

pub(crate) fn e164_from_key(key: u64) -> Option<E164> {
    E164::try_from(format!("+{key}")).ok()
}
