//! The engine's `PhoneBridgeSender` over the Zoho client's `callnotify`
//! (which re-sends a refused `missed`/unattended state as `ended` with
//! duration 0, see `PhoneBridgeClient::call_notify`), and `clicktodialerror`
//! for a click-to-dial the PBX failed.

use async_trait::async_trait;
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::phonebridge::{PbDirection, PbState, PbUnattended};
use ringbridge_engine::phonebridge::{Outgoing, PhoneBridgeSender, SendError};
use ringbridge_zoho::ZohoError;
use ringbridge_zoho::phonebridge::{
    CallNotify, CallState, ClickToDialError, Direction, PhoneBridgeClient, Unattended,
};
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
    let state = match &n.state {
        PbState::Ringing { transferred_from } => CallState::Ringing {
            transferred_call_id: transferred_from.clone(),
        },
        PbState::Answered => CallState::Answered,
        PbState::Ended {
            start, duration_s, ..
        } => CallState::Ended {
            start: *start,
            duration_secs: u64::from(*duration_s),
            voice_uri,
        },
        PbState::Missed { start, .. } => CallState::Missed {
            start: *start,
            voice_uri,
        },
        PbState::Unattended { reason, start } => CallState::Unattended {
            reason: code(*reason),
            start: *start,
            voice_uri,
        },
        PbState::DialFailed { .. } => {
            return Err(SendError::Permanent(
                "a failed dial goes out as clicktodialerror, not callnotify".into(),
            ));
        }
    };
    let (from, to) = n.from_to();
    Ok(CallNotify {
        direction: match n.direction {
            PbDirection::Received => Direction::Received,
            PbDirection::Dialed => Direction::Dialed,
        },
        state,
        id: n.leg_id.clone(),
        from: from.to_owned(),
        to: to.to_owned(),
        zohouser: Some(n.zoho_user.clone()),
    })
}

/// Zoho's code for an unattended state or a failed dial.
fn code(reason: PbUnattended) -> Unattended {
    match reason {
        PbUnattended::Busy => Unattended::Busy,
        PbUnattended::NoAnswer => Unattended::NoAnswer,
        PbUnattended::NotAvailable => Unattended::NotAvailable,
        PbUnattended::Invalid => Unattended::Invalid,
        PbUnattended::Blocked => Unattended::Blocked,
        PbUnattended::Rejected => Unattended::Rejected,
    }
}

/// The `clicktodialerror` for a click-to-dial the PBX failed, if `out` is one.
pub fn dial_error(out: &Outgoing) -> Option<ClickToDialError> {
    let n = &out.notification;
    let PbState::DialFailed { reason, message } = &n.state else {
        return None;
    };
    Some(ClickToDialError {
        code: code(*reason),
        from: n.extension.clone(),
        to: n.customer.clone(),
        zohouser: Some(n.zoho_user.clone()),
        message: Some(message.clone()),
    })
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
