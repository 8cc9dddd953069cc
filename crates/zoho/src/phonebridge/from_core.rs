//! ringbridge's PhoneBridge notifications (the core's PBX-neutral plan) as
//! Zoho requests: the one mapping the product's sender and the tests share.

use ringbridge_core::telephony::{PbDirection, PbNotification, PbState, PbUnattended};
use url::Url;

use super::{CallNotify, CallState, ClickToDialError, Direction, Unattended};

/// The `callnotify` for `n`, with the recording at `voice_uri` on a
/// terminal state. `None` for a failed click-to-dial, which Zoho hears of
/// through `clicktodialerror` instead ([`click_to_dial_error`]).
pub fn call_notify(n: &PbNotification, voice_uri: Option<Url>) -> Option<CallNotify> {
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
            reason: unattended(*reason),
            start: *start,
            voice_uri,
        },
        PbState::DialFailed { .. } => return None,
    };
    let (from, to) = n.from_to();
    Some(CallNotify {
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

/// The `clicktodialerror` for `n`, if it is a click-to-dial the PBX failed.
pub fn click_to_dial_error(n: &PbNotification) -> Option<ClickToDialError> {
    let PbState::DialFailed { reason, message } = &n.state else {
        return None;
    };
    Some(ClickToDialError {
        code: unattended(*reason),
        from: n.extension.clone(),
        to: n.customer.clone(),
        zohouser: Some(n.zoho_user.clone()),
        message: Some(message.clone()),
    })
}

/// Zoho's code for an unattended state or a failed dial.
fn unattended(reason: PbUnattended) -> Unattended {
    match reason {
        PbUnattended::Busy => Unattended::Busy,
        PbUnattended::NoAnswer => Unattended::NoAnswer,
        PbUnattended::NotAvailable => Unattended::NotAvailable,
        PbUnattended::Invalid => Unattended::Invalid,
        PbUnattended::Blocked => Unattended::Blocked,
        PbUnattended::Rejected => Unattended::Rejected,
    }
}
