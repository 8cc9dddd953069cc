//! The small encodings the [`super::PhoneDirectory`] keeps a record in.

use chrono::{DateTime, Utc};

use crate::crm::CrmModule;

/// Names longer than this many bytes are cut (at a character boundary),
/// so one odd record cannot take much memory. CRM name fields are far
/// shorter (Zoho's are at most a few hundred characters).
pub const MAX_NAME_BYTES: usize = u16::MAX as usize;
/// Numbers kept per record; CRMs have a handful of phone fields.
pub const MAX_NUMBERS_PER_RECORD: usize = u8::MAX as usize;

pub(super) const NO_MODULE: u8 = 0xF;

/// The delta is merged into a new base once it (or the base's dead
/// records) outnumbers both this and an eighth of the base. Tests merge
/// far more often, so every path through a merge is exercised.
pub(super) const MIN_DELTA: usize = if cfg!(test) { 8 } else { 4096 };

pub(super) fn module_code(m: CrmModule) -> u8 {
    match m {
        CrmModule::Contacts => 0,
        CrmModule::Leads => 1,
        CrmModule::Accounts => 2,
        CrmModule::Deals => 3,
    }
}

pub(super) fn module_of(code: u8) -> Option<CrmModule> {
    match code {
        0 => Some(CrmModule::Contacts),
        1 => Some(CrmModule::Leads),
        2 => Some(CrmModule::Accounts),
        3 => Some(CrmModule::Deals),
        _ => None,
    }
}

/// A modification time as the directory keeps it: whole seconds since the
/// Unix epoch, rounded up (so a record changed within a second of a sync's
/// start still counts as changed after it), clamped to what `u32` holds
/// (1970 to 2106). The CRM's own times are whole seconds (Zoho's
/// `Modified_Time`), so nothing a sync compares is lost.
pub(super) fn modified_secs(at: DateTime<Utc>) -> u32 {
    let secs = at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0);
    secs.clamp(0, i64::from(u32::MAX)) as u32
}

pub(super) fn modified_at(secs: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(i64::from(secs), 0).unwrap_or_default()
}
