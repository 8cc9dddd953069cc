use std::time::Duration;

use crate::cause::Cause;

/// Why a PBX operation failed, classified so the engine can decide what to do
/// without knowing the vendor: retry later, renew credentials, alert a
/// person, or give up on this one request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PbxError {
    /// Network fault, timeout or server error: retry with backoff.
    #[error("PBX unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// Too many requests or sessions right now: retry after a pause.
    #[error("PBX is busy: {reason}")]
    Busy {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// The PBX refused our credentials or blocked us. Retrying would make it
    /// worse (Yeastar blocks an IP after 5 failed logins): a person must act.
    #[error("PBX refused access: {0}")]
    AccessDenied(String),
    /// The thing asked for does not exist (extension, channel, contact, file).
    #[error("not found on the PBX: {0}")]
    NotFound(String),
    /// The PBX understood and refused this particular request.
    #[error("PBX rejected the request: {code} {message}")]
    Rejected { code: String, message: String },
    /// The PBX answered something we cannot read.
    #[error("unexpected answer from the PBX: {0}")]
    Protocol(#[source] Cause),
    /// This PBX cannot do that (e.g. an API the model lacks).
    #[error("not supported by this PBX: {0}")]
    Unsupported(String),
}

impl PbxError {
    /// Whether the same request may succeed later without anyone acting.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Busy { .. })
    }
}
