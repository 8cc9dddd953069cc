//! What a CRM's telephony integration is told about calls: the **port**
//! the engine hands to the CRM adapter. The engine decides what to notify
//! and when (`ringbridge_engine::phonebridge::plan`, where Zoho
//! PhoneBridge's rules live); the adapter only turns these values into its
//! wire requests. Nothing here is one vendor's: the states are the ones a
//! CRM's call bar shows (ringing, answered, ended, missed, unattended, a
//! failed click-to-dial).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::pbx::{CallId, CallStatus};

/// `type`: who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PbDirection {
    /// Inbound: from = customer, to = agent.
    Received,
    /// Outbound: from = agent, to = customer.
    Dialed,
}

/// Why an outbound call was not answered (Zoho's unattended states and
/// `clicktodialerror` codes), as far as the PBX tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PbUnattended {
    Busy,
    NoAnswer,
    /// The call failed (no route, congestion...).
    NotAvailable,
    /// The number cannot be dialled (not found, incomplete).
    Invalid,
    /// The agent may not dial it (no permission, restriction).
    Blocked,
    /// The other side declined (DND, 603).
    Rejected,
}

impl PbUnattended {
    pub fn from_disposition(d: &CallStatus) -> Self {
        match d {
            CallStatus::Busy => Self::Busy,
            CallStatus::Failed => Self::NotAvailable,
            _ => Self::NoAnswer,
        }
    }
}

/// `state` with what belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PbState {
    /// `transferred_from`: the leg id of the agent the call was transferred from.
    Ringing {
        transferred_from: Option<String>,
    },
    Answered,
    /// `recording`: the call has a recording, so the link goes along (`voiceuri`).
    Ended {
        start: DateTime<Utc>,
        duration_s: u32,
        recording: bool,
    },
    /// Inbound, nobody answered (a voicemail recording may go along).
    Missed {
        start: DateTime<Utc>,
        recording: bool,
    },
    /// Outbound, not answered.
    Unattended {
        reason: PbUnattended,
        start: DateTime<Utc>,
    },
    /// A click-to-dial the PBX failed (30015): Zoho's `clicktodialerror`,
    /// whose `message` Zoho shows the user (the engine's plan decides).
    DialFailed {
        reason: PbUnattended,
        message: String,
    },
}

impl PbState {
    /// Terminal states are the ones that make Zoho write a Calls record.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Self::Ringing { .. } | Self::Answered)
    }
}

/// One `callnotify` to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PbNotification {
    pub call_id: CallId,
    /// The `id` the CRM sees: the PBX call id, or `{call_id}-{extension}`
    /// after a hand-over (the engine's plan decides).
    pub leg_id: String,
    pub direction: PbDirection,
    pub state: PbState,
    /// The outside party's number as the PBX gave it.
    pub customer: String,
    /// The agent's extension (Zoho accepts the agent side as an extension; unconfirmed).
    pub extension: String,
    /// The agent's CRM user id (`zohouser`).
    pub zoho_user: String,
}

impl PbNotification {
    pub fn is_terminal(&self) -> bool {
        self.state.is_terminal()
    }

    /// `(from, to)` as Zoho wants them for the direction.
    pub fn from_to(&self) -> (&str, &str) {
        match self.direction {
            PbDirection::Received => (&self.customer, &self.extension),
            PbDirection::Dialed => (&self.extension, &self.customer),
        }
    }
}

/// A click-to-dial the PBX accepted: who asked, from which extension, for
/// which number (as Zoho sent it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialStart {
    pub call_id: CallId,
    pub zoho_user: String,
    pub extension: String,
    pub number: String,
}
