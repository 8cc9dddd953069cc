//! The CRM side of the domain, neutral to any vendor: records a phone number
//! can belong to, users calls are owned by, the call log ringbridge writes,
//! and the [`Crm`] trait the CRM adapter (Zoho today) implements.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cause::Cause;

/// The CRM modules a phone number can be matched in, and a call related to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CrmModule {
    Contacts,
    Leads,
    Accounts,
    Deals,
}

impl CrmModule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contacts => "Contacts",
            Self::Leads => "Leads",
            Self::Accounts => "Accounts",
            Self::Deals => "Deals",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Contacts, Self::Leads, Self::Accounts, Self::Deals]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for CrmModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Points at one CRM record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CrmRecordRef {
    pub module: CrmModule,
    pub id: String,
}

/// A CRM record as far as calls are concerned: who it is, its numbers as
/// typed in the CRM, who owns it, and when it last changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmRecord {
    pub reference: CrmRecordRef,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    /// Phone numbers exactly as stored in the CRM (never rewritten).
    pub phones: Vec<String>,
    pub owner_id: Option<String>,
    /// The Account a Contact belongs to, for relating calls.
    pub account: Option<CrmRecordRef>,
    pub modified_at: DateTime<Utc>,
}

/// One page of records changed since some time, for keeping the local
/// phone directory fresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPage {
    pub records: Vec<CrmRecord>,
    /// Pass back to get the next page; `None` when this was the last.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmUser {
    pub id: String,
    pub email: Option<String>,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallLogType {
    Inbound,
    Outbound,
    Missed,
}

/// A finished call as it is written to the CRM's call log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallLog {
    /// ringbridge's idempotency key for this call (stable across retries and
    /// restarts); adapters store it in the record so a re-send can be detected.
    pub key: String,
    pub call_type: CallLogType,
    pub started_at: DateTime<Utc>,
    /// Talk time; 0 only for a call nobody answered.
    pub duration_s: u32,
    pub subject: String,
    pub description: String,
    /// CRM user id of the owner (the user mapped to the extension).
    pub owner_id: Option<String>,
    /// A Contact the call was with.
    pub who: Option<CrmRecordRef>,
    /// A Lead, Account or Deal the call relates to.
    pub what: Option<CrmRecordRef>,
    pub caller_number: Option<String>,
    pub dialled_number: Option<String>,
    pub result: Option<String>,
    pub recording_url: Option<String>,
}

/// A Contact or Lead to create for an unknown number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecord {
    pub module: CrmModule,
    pub first_name: Option<String>,
    pub last_name: String,
    pub company: Option<String>,
    pub phone: String,
    pub owner_id: Option<String>,
    /// Further fields by the CRM's field name, e.g. a field the org made
    /// mandatory (filled from `EngineSettings::create_defaults`); the values
    /// above win over these.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// What an agent's note changes in a written call log: its description
/// (the note with the log's own text) and its call result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallAnnotation {
    pub description: String,
    pub result: Option<String>,
    /// The log's idempotency key when ringbridge wrote it (the adapter keeps
    /// whatever marks it as ringbridge's); `None` for a log the CRM wrote.
    pub key: Option<String>,
}

/// How to find the call log the CRM wrote itself for a call (PhoneBridge
/// mode): its owner, start and the outside party's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrmCallProbe {
    pub owner_id: String,
    pub started_at: DateTime<Utc>,
    pub customer: String,
}

/// A call log the CRM wrote itself, as found by [`Crm::find_crm_logged_call`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrmLoggedCall {
    pub id: String,
    pub description: String,
}

/// Why a CRM operation failed, classified for the engine's decisions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrmError {
    /// Network fault, timeout, server error: retry with backoff.
    #[error("CRM unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// Rate or concurrency limit: retry after a pause.
    #[error("CRM rate limit: {reason}")]
    RateLimited {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// The daily API budget is used up: retry when it frees up.
    #[error("CRM API budget exhausted: {0}")]
    BudgetExhausted(String),
    /// The connection's authorization is gone (revoked, invalid refresh
    /// token, missing scope): nothing will work until an admin reconnects.
    #[error("CRM connection needs to be re-authorized: {0}")]
    ReconnectNeeded(#[source] Cause),
    /// The CRM refused this record or request; retrying the same data fails again.
    #[error("CRM rejected the request: {code}: {message}")]
    Rejected {
        code: String,
        message: String,
        field: Option<String>,
    },
    /// The record to create exists already (a field the CRM keeps unique
    /// holds the same value): use `existing` instead of a second record.
    #[error("already in the CRM as {} {}{}", existing.module, existing.id, field.as_deref().map(|f| format!(" (same {f})")).unwrap_or_default())]
    Duplicate {
        existing: CrmRecordRef,
        field: Option<String>,
    },
    /// A new record lacks a field the CRM requires, e.g. one the org's
    /// layout made mandatory; retrying the same data fails again.
    #[error("the CRM requires the field {field} on new {module} records")]
    RequiredField { module: CrmModule, field: String },
    #[error("not found in the CRM: {0}")]
    NotFound(String),
    /// The CRM answered something we cannot read (never taken as success).
    #[error("unexpected answer from the CRM: {0}")]
    Protocol(#[source] Cause),
}

impl CrmError {
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_) | Self::RateLimited { .. } | Self::BudgetExhausted(_)
        )
    }
}

/// What ringbridge needs from a CRM.
#[async_trait]
pub trait Crm: Send + Sync {
    /// Records in `modules` having any of the phone numbers in `candidates`
    /// (different spellings of the same numbers). Order follows `modules`.
    async fn find_by_phone(
        &self,
        modules: &[CrmModule],
        candidates: &[String],
    ) -> Result<Vec<CrmRecord>, CrmError>;

    /// Records of `module` changed since `since` (all when `None`), a page at a time.
    async fn records_changed_since(
        &self,
        module: CrmModule,
        since: Option<DateTime<Utc>>,
        page: Option<String>,
    ) -> Result<RecordPage, CrmError>;

    /// Writes call logs in as few requests as the CRM allows. The outer error
    /// means nothing was written; otherwise one result per log, in order,
    /// with the CRM's id of each written call.
    async fn log_calls(&self, logs: &[CallLog]) -> Result<Vec<Result<String, CrmError>>, CrmError>;

    /// For each log, the CRM id of a call already written for it (by its
    /// `key`), so a write whose answer was lost is never repeated.
    async fn find_logged_calls(&self, logs: &[CallLog]) -> Result<Vec<Option<String>>, CrmError>;

    async fn create_record(&self, record: &NewRecord) -> Result<CrmRecord, CrmError>;

    async fn users(&self) -> Result<Vec<CrmUser>, CrmError>;

    /// Relates a call log already written (`call_id` is the CRM's id of it)
    /// to a record an agent created afterwards: a Contact as `who`, a Lead,
    /// Account or Deal as `what`. A CRM that cannot do it refuses.
    async fn relate_call(
        &self,
        call_id: &str,
        who: Option<&CrmRecordRef>,
        what: Option<&CrmRecordRef>,
    ) -> Result<(), CrmError> {
        let _ = (call_id, who, what);
        Err(CrmError::Rejected {
            code: "NOT_SUPPORTED".into(),
            message: "this CRM cannot relate a written call log to a record".into(),
            field: None,
        })
    }

    /// The values the org offers for a call's result (its Calls module's
    /// Call Result picklist, without the "no value" entry); empty when the
    /// CRM has no such list (then any text is taken).
    async fn call_results(&self) -> Result<Vec<String>, CrmError> {
        Ok(Vec::new())
    }

    /// Writes an agent's note and result into a call log already in the CRM
    /// (`call_id` is the CRM's id of it): one update, never a second log.
    async fn annotate_call(
        &self,
        call_id: &str,
        annotation: &CallAnnotation,
    ) -> Result<(), CrmError> {
        let _ = (call_id, annotation);
        Err(not_supported("this CRM cannot update a written call log"))
    }

    /// The CRM's id of the call log it wrote itself for a call (PhoneBridge
    /// mode), if it is there yet.
    async fn find_crm_logged_call(
        &self,
        probe: &CrmCallProbe,
    ) -> Result<Option<CrmLoggedCall>, CrmError> {
        let _ = probe;
        Err(not_supported(
            "this CRM cannot look up the call logs it wrote",
        ))
    }

    /// Creates tasks in as few requests as the CRM allows. The outer error
    /// means nothing was created; otherwise one result per task, in order,
    /// with the CRM's id of each.
    async fn create_tasks(
        &self,
        tasks: &[crate::followup::NewTask],
    ) -> Result<Vec<Result<String, CrmError>>, CrmError> {
        let _ = tasks;
        Err(not_supported("this CRM cannot create tasks"))
    }

    /// For each task, the CRM id of one already created for it (the same
    /// subject, due date and record), so a create whose answer was lost is
    /// never repeated.
    async fn find_tasks(
        &self,
        tasks: &[crate::followup::NewTask],
    ) -> Result<Vec<Option<String>>, CrmError> {
        let _ = tasks;
        Err(not_supported("this CRM cannot look up tasks"))
    }

    /// The URL a person opens to see the record in the CRM (screen pop).
    fn record_url(&self, record: &CrmRecordRef) -> String;
}

fn not_supported(message: &str) -> CrmError {
    CrmError::Rejected {
        code: "NOT_SUPPORTED".into(),
        message: message.into(),
        field: None,
    }
}
