//! The dashboard's retry of failed jobs. A failed call log is not re-sent
//! as it was built: its call is processed again from the stored
//! `CallOutcome`, so the log is rebuilt with the settings in force now (a
//! Call Result fixed after the failure, say). The rebuilt log replaces the
//! failed one under the same key — one Calls record, never two.

use chrono::{DateTime, Utc};
use ringbridge_core::crm::CrmError;
use ringbridge_core::outbox::{JobKind, JobStatus, OutboxStore};
use ringbridge_core::store::StoreError;

/// What a retry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retried {
    /// The call is processed again; its log is rebuilt with today's settings.
    Rebuilding,
    /// Queued again as it was (a job with nothing to rebuild from).
    Requeued,
    /// No failed job with that id (retried already, or never failed).
    NotFailed,
}

/// Retries the failed job `id`.
pub async fn retry_failed(
    store: &dyn OutboxStore,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Retried, StoreError> {
    let Some(job) = store.job_by_id(id).await? else {
        return Ok(Retried::NotFailed);
    };
    if job.status != JobStatus::Failed {
        return Ok(Retried::NotFailed);
    }
    // The call's processing finds the failed log (same key) and requeues it
    // with the rebuilt payload; see `jobs::process`.
    if job.kind == JobKind::WriteCallLog && store.rerun(JobKind::ProcessCall, &job.key, now).await?
    {
        tracing::info!(call = %job.key, "failed call log: its call is processed again");
        return Ok(Retried::Rebuilding);
    }
    Ok(if store.requeue(id, now).await? {
        Retried::Requeued
    } else {
        Retried::NotFailed
    })
}

/// Most failed jobs of one kind that "Retry all" takes at once.
const RETRY_ALL_MAX: u32 = 1000;

/// Retries every failed job (of every kind) whose error contains `filter`
/// (case-insensitive; all when `None` or empty). Returns how many were retried.
pub async fn retry_all_failed(
    store: &dyn OutboxStore,
    filter: Option<&str>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut retried = 0;
    for kind in JobKind::ALL {
        for job in store.list(kind, JobStatus::Failed, RETRY_ALL_MAX).await? {
            if !error_matches(job.last_error.as_deref(), filter) {
                continue;
            }
            if retry_failed(store, job.id, now).await? != Retried::NotFailed {
                retried += 1;
            }
        }
    }
    Ok(retried)
}

/// Whether a job's error contains `filter`, ignoring case; an empty or
/// absent filter matches every job.
pub fn error_matches(error: Option<&str>, filter: Option<&str>) -> bool {
    match filter.map(str::trim).filter(|f| !f.is_empty()) {
        None => true,
        Some(f) => error.is_some_and(|e| e.to_lowercase().contains(&f.to_lowercase())),
    }
}

/// A CRM error as a failed job keeps it: with the field the CRM refused,
/// when it named one (Zoho's `details.api_name`), as `[field X]`.
pub fn failure_text(err: &CrmError) -> String {
    match err {
        CrmError::Rejected {
            field: Some(field), ..
        } => format!("{err} [field {field}]"),
        _ => err.to_string(),
    }
}

/// The field a failed job's error names (see [`failure_text`]).
pub fn refused_field(error: &str) -> Option<&str> {
    let from = error.rfind("[field ")? + "[field ".len();
    let field = error[from..].split(']').next()?.trim();
    (!field.is_empty()).then_some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_the_crm_refused_is_kept_with_the_error_and_read_back() {
        let err = CrmError::Rejected {
            code: "INVALID_DATA".into(),
            message: "invalid data".into(),
            field: Some("Call_Result".into()),
        };
        let text = failure_text(&err);
        assert!(text.contains("INVALID_DATA"), "{text}");
        assert_eq!(refused_field(&text), Some("Call_Result"));
        assert_eq!(refused_field("CRM unavailable: timeout"), None);
        assert_eq!(refused_field("[field ]"), None);
    }

    #[test]
    fn the_error_filter_ignores_case_and_an_empty_filter_matches_all() {
        let e = Some("INVALID_DATA (HTTP 400): invalid data [field Call_Result]");
        assert!(error_matches(e, Some("call_result")));
        assert!(error_matches(e, Some("  ")));
        assert!(error_matches(None, None));
        assert!(!error_matches(e, Some("MANDATORY_NOT_FOUND")));
        assert!(!error_matches(None, Some("x")));
    }
}
