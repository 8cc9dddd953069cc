//! Finding the CRM record behind a phone number.
//!
//! The engine asks a [`CallerMatcher`]; the local phone directory
//! (`crate::directory::DirectoryService`) implements it, with the match
//! rule and number spellings of `ringbridge_core::directory`, and asks the
//! CRM itself only on a miss.

use async_trait::async_trait;
use ringbridge_core::crm::{CrmError, CrmRecord};

/// The record chosen for a number, and the other records that share it
/// (kept for the panel's chooser; never a log per record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Match {
    pub chosen: Option<CrmRecord>,
    pub others: Vec<CrmRecord>,
}

#[async_trait]
pub trait CallerMatcher: Send + Sync {
    /// Looks up an outside number (never an extension). `owner_user_id` is
    /// the CRM user the call belongs to, preferred when several records match.
    async fn lookup(&self, number: &str, owner_user_id: Option<&str>) -> Result<Match, CrmError>;

    /// Makes a record ringbridge just created known to later lookups.
    async fn remember(&self, record: &CrmRecord);

    /// Whether lookups are trustworthy yet. A local directory that has not
    /// finished its first full copy of the CRM would answer "unknown" for
    /// known numbers (and unknown numbers may get records created), so
    /// calls wait for it.
    fn ready(&self) -> bool {
        true
    }
}
