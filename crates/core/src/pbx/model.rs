use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The PBX's identifier of one call, shared by all its legs and events
/// (Yeastar `call_id`, Asterisk linkedid, FreeSWITCH call UUID). Opaque: never
/// parse it as a number (Yeastar's `1767258000.23` is not a float).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CallId(pub String);

impl CallId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for CallId {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// One party of a call as the PBX reports it. Whether a party is an
/// extension or an outside line comes from the PBX's own data (trunk vs
/// extension), never from guessing by digit count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Participant {
    /// A user's extension on this PBX.
    Extension { number: String, channel: String },
    /// An outside party reached through a trunk. `inbound` = they called us.
    External {
        number: String,
        dialed: String,
        trunk: String,
        channel: String,
        inbound: bool,
    },
}

impl Participant {
    pub fn channel(&self) -> &str {
        match self {
            Self::Extension { channel, .. } | Self::External { channel, .. } => channel,
        }
    }

    pub fn extension(&self) -> Option<&str> {
        match self {
            Self::Extension { number, .. } => Some(number),
            Self::External { .. } => None,
        }
    }
}

/// The state of one participant's leg.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegState {
    /// The calling side hears ringback.
    Alerting,
    /// The called side is ringing.
    Ringing,
    /// The called outside party is ringing with early media (SIP 183).
    EarlyMedia,
    /// The calling side: the call was answered.
    Answered,
    /// The called side answered and talks.
    Talking,
    OnHold,
    /// Hung up or left the call.
    Gone,
    /// A state this version of ringbridge does not know; kept for the log.
    Other(String),
}

impl LegState {
    /// True once this leg is connected to the other party.
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Answered | Self::Talking | Self::OnHold)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantState {
    pub participant: Participant,
    pub state: LegState,
    /// The ring group, queue, IVR... the call reached this party through.
    pub via: Option<String>,
}

/// The live state of a call's participants listed in one PBX event. A
/// snapshot may list only the participants that changed: key state by channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSnapshot {
    pub call_id: CallId,
    pub participants: Vec<ParticipantState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Inbound,
    Outbound,
    Internal,
}

/// How a call ended, as the PBX's call detail record says (Yeastar's CDR
/// `disposition`). The outbox's retry decision is `engine::jobs::Settlement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    Answered,
    NoAnswer,
    Busy,
    Failed,
    Voicemail,
    Other(String),
}

/// One finished call (or one leg of it, on PBXs that write a row per leg),
/// as the PBX's call detail record says. Durations are the PBX's, never
/// ringbridge's wall clock; absent means the PBX did not report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    pub call_id: CallId,
    /// Unique per row when the PBX writes one row per leg (Yeastar `new_id`).
    pub leg_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub direction: CallDirection,
    pub disposition: CallStatus,
    pub from_number: String,
    pub from_name: Option<String>,
    pub to_number: String,
    pub to_name: Option<String>,
    /// Dial start to end.
    pub duration_s: Option<u32>,
    /// Dial to answer.
    pub ring_s: Option<u32>,
    /// Answer to end.
    pub talk_s: Option<u32>,
    pub inbound_trunk: Option<String>,
    pub outbound_trunk: Option<String>,
    /// The number the outside caller dialled (DID).
    pub did: Option<String>,
    pub recording: Option<RecordingRef>,
}

/// Where a call's recording can be fetched from the PBX (Yeastar: the file
/// name). Opaque to everyone but the adapter that made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordingRef(pub String);

/// A user's extension, with what is needed to map it to a CRM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub number: String,
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhonebookId(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PbxContactId(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phonebook {
    pub id: PhonebookId,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PbxNumberKind {
    Business,
    Mobile,
    Home,
    Other,
}

/// A contact in a PBX's shared phonebook, so desk phones show names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PbxContact {
    pub id: Option<PbxContactId>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub numbers: Vec<(PbxNumberKind, String)>,
    /// Free text kept with the contact; ringbridge stores the CRM record it
    /// came from here (`crm:Contacts:<id>`) so it can find it again.
    pub remark: Option<String>,
    pub phonebooks: Vec<PhonebookId>,
}
