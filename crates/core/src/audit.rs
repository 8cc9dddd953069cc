//! The audit trail: one entry for every write ringbridge attempts in another
//! system (a call log inserted into the CRM, a Lead created, a PBX phonebook
//! contact updated...), successful or not, so an admin can answer "what did
//! ringbridge change, and when?" without reading logs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// The system that was written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditSystem {
    Crm,
    Pbx,
}

impl AuditSystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Crm => "crm",
            Self::Pbx => "pbx",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Crm, Self::Pbx]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// How the write went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "error")]
pub enum AuditOutcome {
    Ok,
    /// The remote system refused it or could not be reached; the text is
    /// the error as ringbridge saw it.
    Failed(String),
}

impl AuditOutcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok)
    }
}

/// One write to another system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub system: AuditSystem,
    /// What was done: `insert`, `create`, `update`...
    pub action: String,
    /// What it was done to: a CRM module (`Calls`, `Leads`) or `phonebook`.
    pub target: String,
    /// The outbox job that asked for the write (e.g. `pbx:1712.34`).
    pub key: String,
    /// The id the remote system gave the record, when known.
    pub remote_id: Option<String>,
    pub outcome: AuditOutcome,
}

impl AuditEntry {
    /// A write that went through, now.
    pub fn ok(
        system: AuditSystem,
        action: &str,
        target: &str,
        key: &str,
        remote_id: Option<&str>,
    ) -> Self {
        Self {
            at: Utc::now(),
            system,
            action: action.to_owned(),
            target: target.to_owned(),
            key: key.to_owned(),
            remote_id: remote_id.map(str::to_owned),
            outcome: AuditOutcome::Ok,
        }
    }

    /// A write that failed, now.
    pub fn failed(
        system: AuditSystem,
        action: &str,
        target: &str,
        key: &str,
        error: impl Into<String>,
    ) -> Self {
        Self {
            at: Utc::now(),
            system,
            action: action.to_owned(),
            target: target.to_owned(),
            key: key.to_owned(),
            remote_id: None,
            outcome: AuditOutcome::Failed(error.into()),
        }
    }
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry. Entries are never changed afterwards.
    async fn record(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// The latest `limit` entries, newest first.
    async fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;

    /// Every entry for one job key, oldest first: the history of one call's
    /// writes, retries included.
    async fn for_key(&self, key: &str) -> Result<Vec<AuditEntry>, StoreError>;

    /// Deletes entries written before `before`; returns how many.
    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systems_round_trip() {
        for s in [AuditSystem::Crm, AuditSystem::Pbx] {
            assert_eq!(AuditSystem::parse(s.as_str()), Some(s));
        }
        assert_eq!(AuditSystem::parse("erp"), None);
    }

    #[test]
    fn constructors_fill_the_outcome() {
        let ok = AuditEntry::ok(AuditSystem::Crm, "insert", "Calls", "pbx:1", Some("900"));
        assert!(ok.outcome.is_ok());
        assert_eq!(ok.remote_id.as_deref(), Some("900"));
        let failed = AuditEntry::failed(AuditSystem::Pbx, "create", "phonebook", "pbx:2", "503");
        assert_eq!(failed.outcome, AuditOutcome::Failed("503".into()));
        assert_eq!(failed.remote_id, None);
    }
}
