//! Click-to-dials the PBX failed later (Yeastar 30015 after `call/dial`
//! answered with a call id), and what Zoho is told.
//!
//! The rule is on [`dial_failure`].

use ringbridge_core::telephony::{DialStart, PbDirection, PbNotification, PbState, PbUnattended};

/// Zoho's code for a Yeastar 30015 reason (spelled as the vendor does,
/// compared ignoring case).
pub fn failure_code(reason: &str) -> PbUnattended {
    let r = reason.trim().to_ascii_lowercase();
    let starts = |p: &[&str]| p.iter().any(|p| r.starts_with(p));
    if r.contains("busy") || starts(&["486"]) {
        PbUnattended::Busy
    } else if r.contains("permission") || r.contains("restrict") {
        PbUnattended::Blocked
    } else if starts(&["404", "410", "484"]) {
        PbUnattended::Invalid
    } else if r == "dnd" || starts(&["603"]) {
        PbUnattended::Rejected
    } else if starts(&["408", "480"]) {
        PbUnattended::NoAnswer
    } else {
        // Congestion, unreachable line, anything new.
        PbUnattended::NotAvailable
    }
}

/// The `clicktodialerror` for `dial`, failed with the PBX's `reason`.
///
/// Rule (docs/zoho-phonebridge.md §4, §6: a click-to-dial ends either in
/// `callnotify` states ending in a terminal one, or, if the call never
/// started, in `POST /clicktodialerror`):
/// - The failure is always reported with `clicktodialerror`: its code from
///   the PBX's reason ([`failure_code`]) and a message naming the reason,
///   which Zoho shows the user (an unattended state cannot say why).
/// - If Zoho has not been shown the call (no notification went out for it:
///   the PBX failed it before anyone's phone showed it to Zoho, the usual
///   case for a busy, unreachable or forbidden number), the dial never
///   started for Zoho: the report **is** the call's one terminal, queued
///   under the call's terminal key, so no `callnotify` follows and Zoho
///   files no Calls record, even when the PBX writes a call record.
/// - If Zoho has been shown the call (an agent's leg already popped), only
///   a terminal `callnotify` closes it there: the call's unattended
///   terminal follows as for any unanswered outbound call, and the report
///   goes along best-effort, so the user also sees why.
pub fn dial_failure(dial: &DialStart, reason: &str) -> PbNotification {
    let why = if reason.trim().is_empty() {
        "no reason given".to_owned()
    } else {
        reason.trim().to_owned()
    };
    PbNotification {
        call_id: dial.call_id.clone(),
        leg_id: dial.call_id.as_str().to_owned(),
        direction: PbDirection::Dialed,
        state: PbState::DialFailed {
            reason: failure_code(reason),
            message: format!(
                "The call to {} failed at the phone system: {why}.",
                dial.number
            ),
        },
        customer: dial.number.clone(),
        extension: dial.extension.clone(),
        zoho_user: dial.zoho_user.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringbridge_core::pbx::CallId;

    #[test]
    fn vendor_reasons_map_to_zohos_codes() {
        use PbUnattended::*;
        for (reason, code) in [
            ("User Busy", Busy),
            ("486 Busy Here", Busy),
            ("NO Dial Permission", Blocked),
            ("NO Outbound Restrictin", Blocked),
            ("404 NOT found", Invalid),
            ("484 Address incomplete", Invalid),
            ("410 Gone", Invalid),
            ("DND", Rejected),
            ("603 Declined", Rejected),
            ("408 Request Time", NoAnswer),
            ("480 Temporatily Unavailable", NoAnswer),
            ("Circuit/channel congestion", NotAvailable),
            ("Line Unreachable", NotAvailable),
            ("", NotAvailable),
        ] {
            assert_eq!(failure_code(reason), code, "{reason}");
        }
    }

    #[test]
    fn the_report_names_the_reason_for_the_user() {
        let dial = DialStart {
            call_id: CallId("1767258000.7".into()),
            zoho_user: "u1".into(),
            extension: "1005".into(),
            number: "+1 415 555 0123".into(),
        };
        let n = dial_failure(&dial, "486 Busy here");
        assert_eq!(n.from_to(), ("1005", "+1 415 555 0123"));
        let PbState::DialFailed { reason, message } = &n.state else {
            panic!("{n:?}");
        };
        assert_eq!(*reason, PbUnattended::Busy);
        assert!(message.contains("486 Busy here"), "{message}");
        assert!(n.is_terminal());
    }
}
