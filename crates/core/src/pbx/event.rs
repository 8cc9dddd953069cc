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
