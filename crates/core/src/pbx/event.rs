use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{CallId, CallRecord, CallSnapshot, ParticipantState};

/// Something that happened on the PBX, in ringbridge's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PbxEvent {
    /// Participants of a call changed state (ringing, answered, hold, gone).
    CallState(CallSnapshot),
    /// A call was transferred; the snapshot is the call after the transfer.
    CallTransferred(CallSnapshot),
    /// An extension's forwarding rule sent the call elsewhere.
    CallForwarded(CallSnapshot),
    /// A call could not be set up (no permission, busy, unreachable...).
    CallFailed {
        call_id: CallId,
        reason: String,
        participants: Vec<ParticipantState>,
    },
    /// The PBX wrote the record of a finished call: the trigger for logging.
    CallEnded(Box<CallRecord>),
    /// An extension became busy, ringing or idle.
    ExtensionState {
        extension: String,
        state: ExtensionCallState,
    },
}

impl PbxEvent {
    /// The variant's name as serialised (the `event` tag): the journal's
    /// `kind` and the metrics label, without encoding the event.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CallState(_) => "call_state",
            Self::CallTransferred(_) => "call_transferred",
            Self::CallForwarded(_) => "call_forwarded",
            Self::CallFailed { .. } => "call_failed",
            Self::CallEnded(_) => "call_ended",
            Self::ExtensionState { .. } => "extension_state",
        }
    }

    pub fn call_id(&self) -> Option<&CallId> {
        match self {
            Self::CallState(s) | Self::CallTransferred(s) | Self::CallForwarded(s) => {
                Some(&s.call_id)
            }
            Self::CallFailed { call_id, .. } => Some(call_id),
            Self::CallEnded(record) => Some(&record.call_id),
            Self::ExtensionState { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionCallState {
    Idle,
    Ringing,
    Busy,
}

/// What a PBX event source yields: events, and news about the stream
/// itself, so the engine knows when it may have missed events and must
/// repair from the PBX's call records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSourceItem {
    /// The stream is (again) delivering events.
    Connected,
    /// The stream is not delivering; events from `since` on may be missing
    /// until the next `Connected`.
    Disconnected {
        since: DateTime<Utc>,
        reason: String,
    },
    Event(PbxEvent),
    /// Input from the PBX that could not be read. The stream goes on.
    Malformed {
        reason: String,
    },
    /// The source cannot continue without a person (credentials refused, IP
    /// blocked). No more items follow.
    Fatal {
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pbx::{CallDirection, CallId, CallSnapshot, CallStatus};

    #[test]
    fn kind_is_the_serialised_tag() {
        let snapshot = CallSnapshot {
            call_id: CallId::from("1.2"),
            participants: vec![],
        };
        let events = [
            PbxEvent::CallState(snapshot.clone()),
            PbxEvent::CallTransferred(snapshot.clone()),
            PbxEvent::CallForwarded(snapshot),
            PbxEvent::CallFailed {
                call_id: CallId::from("1.2"),
                reason: "DND".into(),
                participants: vec![],
            },
            PbxEvent::CallEnded(Box::new(CallRecord {
                call_id: CallId::from("1.2"),
                leg_id: None,
                started_at: Utc::now(),
                direction: CallDirection::Inbound,
                disposition: CallStatus::Answered,
                from_number: "2125550000".into(),
                from_name: None,
                to_number: "1005".into(),
                to_name: None,
                duration_s: None,
                ring_s: None,
                talk_s: None,
                inbound_trunk: None,
                outbound_trunk: None,
                did: None,
                recording: None,
            })),
            PbxEvent::ExtensionState {
                extension: "1005".into(),
                state: ExtensionCallState::Idle,
            },
        ];
        for event in events {
            let value = serde_json::to_value(&event).unwrap();
            assert_eq!(value["event"], event.kind(), "{value}");
        }
    }
}
