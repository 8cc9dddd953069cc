//! The engine's `PhoneBridgeSender` over the Zoho client's `callnotify`
//! (which re-sends a refused `missed`/unattended state as `ended` with
//! duration 0, see `PhoneBridgeClient::call_notify`), and `clicktodialerror`
//! for a click-to-dial the PBX failed.

use async_trait::async_trait;
use ringbridge_core::phone::NumberPlan;
use ringbridge_engine::phonebridge::{Outgoing, PhoneBridgeSender, SendError};
use ringbridge_zoho::ZohoError;
use ringbridge_zoho::phonebridge::{CallNotify, ClickToDialError, PhoneBridgeClient, from_core};
use url::Url;

/// Sends over `client`; the customer's number goes out in E.164 per `plan`
/// (Zoho matches `from`/`to` against the CRM's numbers; the PBX reports
/// national numbers).
pub struct ZohoSender {
    pub client: PhoneBridgeClient,
    pub plan: Option<NumberPlan>,
}

/// The Zoho request for one notification.
pub fn to_zoho(out: &Outgoing, plan: Option<&NumberPlan>) -> Result<CallNotify, SendError> {
    let mut n = out.notification.clone();
    if let Some(e164) = plan.and_then(|p| p.normalize(&n.customer).ok()) {
        n.customer = e164.as_str().to_owned();
    }
    let voice_uri = out
        .voice_uri
        .as_deref()
        .map(Url::parse)
        .transpose()
        .map_err(|e| SendError::Permanent(format!("bad recording link: {e}")))?;
    from_core::call_notify(&n, voice_uri).ok_or_else(|| {
        SendError::Permanent("a failed dial goes out as clicktodialerror, not callnotify".into())
    })
}

/// The `clicktodialerror` for a click-to-dial the PBX failed, if `out` is one.
pub fn dial_error(out: &Outgoing) -> Option<ClickToDialError> {
    from_core::click_to_dial_error(&out.notification)
}

/// Worth another try: timeouts, 429, 5xx, and a connection that needs the
/// admin to re-authorize (the job waits for it rather than being lost).
fn classify(e: ZohoError) -> SendError {
    if e.is_retryable() || matches!(e, ZohoError::ReconnectNeeded { .. }) {
        SendError::Retryable(e.to_string())
    } else {
        SendError::Permanent(e.to_string())
    }
}

#[async_trait]
impl PhoneBridgeSender for ZohoSender {
    async fn send(&self, out: &Outgoing) -> Result<(), SendError> {
        if let Some(report) = dial_error(out) {
            return self
                .client
                .click_to_dial_error(&report)
                .await
                .map_err(classify);
        }
        let request = to_zoho(out, self.plan.as_ref())?;
        self.client.call_notify(&request).await.map_err(classify)
    }
}
