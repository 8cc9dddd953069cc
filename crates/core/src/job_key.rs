//! [`JobKey`]: the unique key of an outbox job, built in one place.
//!
//! Keys are stored, and a key is what makes a repeat of the same work one
//! job (the outbox keeps one job per kind and key). So the formats below
//! never change: a new format would let a job queued by an older binary run
//! a second time under its new key.

use std::fmt;

use crate::crm::CrmModule;

/// An outbox job's key (unique per [`JobKind`](crate::outbox::JobKind)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobKey(String);

impl JobKey {
    /// A call's processing (`ProcessCall`) and its REST log (`WriteCallLog`):
    /// `<pbx>:<call id>` — call ids are unique per PBX. This is also the
    /// call's key everywhere else (recording links, the log's marker).
    pub fn call(pbx_id: &str, call_id: &str) -> Self {
        Self(format!("{pbx_id}:{call_id}"))
    }

    /// A call's one terminal PhoneBridge notification (`NotifyPhoneBridge`):
    /// per call, not per leg, so the live path and the call's processing
    /// submitting it both make one job.
    pub fn phonebridge_terminal(pbx_id: &str, call_id: &str) -> Self {
        Self(format!("pb:{pbx_id}:{call_id}"))
    }

    /// An agent's note on a call (`AnnotateCall`): one per call, holding
    /// the latest version.
    pub fn call_note(pbx_id: &str, call_id: &str) -> Self {
        Self(format!("note:{pbx_id}:{call_id}"))
    }

    /// The follow-up task for a caller (`CreateTask`): one per record,
    /// holding the task of the caller's latest window.
    pub fn missed_call_task(module: CrmModule, record_id: &str) -> Self {
        Self(format!("task:{module}:{record_id}"))
    }

    /// The record created for an unknown number (`CreateRecord`): one per
    /// module and number, shared by every call from it.
    pub fn record_creation(module: CrmModule, e164: &str) -> Self {
        Self(format!("{module}:{e164}"))
    }

    /// A Contact copied into the PBX phonebook (`SyncPhonebook`), per
    /// version of what the PBX shows of it: a changed contact syncs again,
    /// an unchanged one once.
    pub fn phonebook_contact(record_id: &str, version: u64) -> Self {
        Self(format!("{record_id}@{version:016x}"))
    }

    /// A key read back from the store (or given by a caller who has one).
    pub fn from_stored(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for JobKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<JobKey> for String {
    fn from(key: JobKey) -> Self {
        key.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formats stored by every earlier release; a change here would
    /// make queued work run twice after an upgrade.
    #[test]
    fn key_formats_stay_what_earlier_releases_stored() {
        assert_eq!(JobKey::call("pbx", "1.2").as_str(), "pbx:1.2");
        assert_eq!(
            JobKey::phonebridge_terminal("pbx", "1.2").as_str(),
            "pb:pbx:1.2"
        );
        assert_eq!(JobKey::call_note("pbx", "1.2").as_str(), "note:pbx:1.2");
        assert_eq!(
            JobKey::missed_call_task(CrmModule::Contacts, "41").as_str(),
            "task:Contacts:41"
        );
        assert_eq!(
            JobKey::record_creation(CrmModule::Leads, "+14155550123").as_str(),
            "Leads:+14155550123"
        );
        assert_eq!(
            JobKey::phonebook_contact("4150868000000123", 0xabc).as_str(),
            "4150868000000123@0000000000000abc"
        );
    }
}
