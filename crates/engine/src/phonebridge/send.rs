//! The port to Zoho's `callnotify`, and the delivery of one terminal
//! notification (the body of the `NotifyPhoneBridge` outbox worker).

use async_trait::async_trait;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::telephony::{PbNotification, PbState};

use crate::context::RecordingLinks;

/// One notification as it goes out: the recording link is made at sending
/// time (links are signed; a queued terminal may wait).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub notification: PbNotification,
    pub voice_uri: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth another try later (timeouts, 429, 5xx, connection).
    #[error("PhoneBridge notification failed, retryable: {0}")]
    Retryable(String),
    /// Zoho refused it for good (bad parameters, user not registered...).
    #[error("PhoneBridge notification refused: {0}")]
    Permanent(String),
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable(_))
    }
}

/// Sends one `callnotify` (`serve`'s `ZohoSender` implements it over
/// `PhoneBridgeClient::call_notify`, with its `missed` → `ended` fallback).
#[async_trait]
pub trait PhoneBridgeSender: Send + Sync {
    async fn send(&self, out: &Outgoing) -> Result<(), SendError>;
}

/// What goes out for `n`: the recording link (PhoneBridge `voiceuri`) when
/// the call has one and links are served.
pub fn outgoing(pbx_id: &str, n: &PbNotification, links: Option<&dyn RecordingLinks>) -> Outgoing {
    let recording = match &n.state {
        PbState::Ended { recording, .. } | PbState::Missed { recording, .. } => *recording,
        _ => false,
    };
    let voice_uri = links
        .filter(|_| recording)
        .map(|l| l.link(JobKey::call(pbx_id, n.call_id.as_str()).as_str()));
    Outgoing {
        notification: n.clone(),
        voice_uri,
    }
}

/// Delivers one queued terminal notification; the caller's outbox retries
/// on [`SendError::Retryable`] and marks the job failed otherwise.
pub async fn deliver_terminal(
    sender: &dyn PhoneBridgeSender,
    pbx_id: &str,
    n: &PbNotification,
    links: Option<&dyn RecordingLinks>,
) -> Result<(), SendError> {
    let out = outgoing(pbx_id, n, links);
    let result = sender.send(&out).await;
    let label = match &result {
        Ok(()) => "sent",
        Err(e) if e.is_retryable() => "retry",
        Err(_) => "failed",
    };
    metrics::counter!("ringbridge_phonebridge_terminal_total", "result" => label).increment(1);
    result
}
