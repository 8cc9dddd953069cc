//! Live-call model: members, statuses and CDR legs of calls in progress.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `member_status` values (docs/yeastar-api.md §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberStatus {
    /// Caller hearing ringback.
    #[serde(rename = "ALERT")]
    Alert,
    /// Callee ringing.
    #[serde(rename = "RING")]
    Ring,
    /// Outbound callee ringing with SIP 183.
    #[serde(rename = "EARLYMEDIA")]
    EarlyMedia,
    /// Caller, call answered.
    #[serde(rename = "ANSWERED")]
    Answered,
    /// Callee answered.
    #[serde(rename = "ANSWER")]
    Answer,
    /// On hold.
    #[serde(rename = "HOLD")]
    Hold,
    /// Hung up / left.
    #[serde(rename = "BYE")]
    Bye,
}

impl MemberStatus {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alert => "ALERT",
            Self::Ring => "RING",
            Self::EarlyMedia => "EARLYMEDIA",
            Self::Answered => "ANSWERED",
            Self::Answer => "ANSWER",
            Self::Hold => "HOLD",
            Self::Bye => "BYE",
        }
    }

    /// Ringing (not yet connected) callee states.
    pub fn is_ringing(self) -> bool {
        matches!(self, Self::Ring | Self::EarlyMedia)
    }

    /// Connected states.
    pub fn is_connected(self) -> bool {
        matches!(self, Self::Answer | Self::Answered | Self::Hold)
    }
}

/// CDR `call_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallType {
    /// External caller via trunk.
    Inbound,
    /// Extension dialling out via trunk.
    Outbound,
    /// Extension to extension (or group/queue).
    Internal,
}

impl CallType {
    /// Wire spelling (`Inbound`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "Inbound",
            Self::Outbound => "Outbound",
            Self::Internal => "Internal",
        }
    }
}

/// What kind of party a member is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberKind {
    /// An extension.
    Extension {
        /// Extension number.
        number: String,
    },
    /// External caller via trunk.
    Inbound {
        /// Caller number.
        from: String,
        /// Dialled DID.
        to: String,
        /// Trunk.
        trunk: String,
    },
    /// External party dialled via trunk.
    Outbound {
        /// Calling extension.
        from: String,
        /// Dialled number.
        to: String,
        /// Trunk.
        trunk: String,
    },
}

/// Whether a member started the call or was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The calling party.
    Caller,
    /// A called party (callee, group member, transfer target).
    Callee,
}

/// One member of a live call.
#[derive(Debug, Clone)]
pub struct Member {
    /// Party.
    pub kind: MemberKind,
    /// Channel handle.
    pub channel_id: String,
    /// Current status.
    pub status: MemberStatus,
    /// Status to return to after `HOLD`.
    pub before_hold: Option<MemberStatus>,
    /// Group / queue number the call came through, else empty.
    pub call_path: String,
    /// Hidden members (trunks without Call Status Monitor) never appear in frames.
    pub visible: bool,
    /// Caller or callee.
    pub role: Role,
    /// A departed member that has already been reported as `BYE`.
    pub gone: bool,
}

impl Member {
    /// The party's number (extension number or external number).
    pub fn number(&self) -> &str {
        match &self.kind {
            MemberKind::Extension { number } => number,
            MemberKind::Inbound { from, .. } => from,
            MemberKind::Outbound { to, .. } => to,
        }
    }

    /// Extension number when the member is an extension.
    pub fn extension(&self) -> Option<&str> {
        match &self.kind {
            MemberKind::Extension { number } => Some(number),
            _ => None,
        }
    }

    /// Still in the call (not `BYE`).
    pub fn active(&self) -> bool {
        self.status != MemberStatus::Bye
    }

    /// The externally tagged wire shape (docs/yeastar-api.md §6.1).
    pub fn to_json(&self) -> Value {
        let status = self.status.as_str();
        match &self.kind {
            MemberKind::Extension { number } => json!({"extension": {
                "number": number, "channel_id": self.channel_id,
                "member_status": status, "call_path": self.call_path}}),
            MemberKind::Inbound { from, to, trunk } => json!({"inbound": {
                "from": from, "to": to, "trunk_name": trunk, "channel_id": self.channel_id,
                "member_status": status, "call_path": self.call_path}}),
            MemberKind::Outbound { from, to, trunk } => json!({"outbound": {
                "from": from, "to": to, "trunk_name": trunk, "channel_id": self.channel_id,
                "member_status": status, "call_path": self.call_path}}),
        }
    }
}

/// What a CDR leg was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegKind {
    /// An extension (agent, callee, transfer target).
    Extension,
    /// The ring-group leg.
    RingGroup,
    /// The queue leg.
    Queue,
    /// An external number dialled via trunk.
    External,
}

/// CDR disposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// `ANSWERED`
    Answered,
    /// `NO ANSWER`
    NoAnswer,
    /// `BUSY`
    Busy,
    /// `FAILED`
    Failed,
    /// `VOICEMAIL`
    Voicemail,
}

impl Disposition {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "ANSWERED",
            Self::NoAnswer => "NO ANSWER",
            Self::Busy => "BUSY",
            Self::Failed => "FAILED",
            Self::Voicemail => "VOICEMAIL",
        }
    }
}

/// One callee-side leg, the source of reworked-module CDR rows.
#[derive(Debug, Clone)]
pub struct Leg {
    /// Leg kind.
    pub kind: LegKind,
    /// Number of the party (extension, group, queue, external).
    pub number: String,
    /// Name of the party (caller ID name, group name, ...).
    pub name: String,
    /// The leg began (ringing).
    pub start: i64,
    /// Answered at.
    pub answer: Option<i64>,
    /// Ended at (set when the leg or the call ends).
    pub end: Option<i64>,
    /// Voicemail picked the leg up.
    pub voicemail: bool,
    /// Ring-group / queue member legs that never answered are not reported.
    pub via_group: bool,
}

/// A call in progress.
#[derive(Debug, Clone)]
pub struct LiveCall {
    /// `"<epoch s>.<seq>"`.
    pub call_id: String,
    /// The `<seq>` part (for zero-padded failure ids).
    pub seq: u64,
    /// Start epoch.
    pub started_at: i64,
    /// Direction.
    pub call_type: CallType,
    /// Caller number (external number or extension).
    pub from_number: String,
    /// Caller name (extension caller ID name, else empty).
    pub from_name: String,
    /// Dialled number (extension, group, queue, DID target, external).
    pub to_number: String,
    /// Dialled party's display name.
    pub to_name: String,
    /// What was dialled.
    pub to_kind: LegKind,
    /// Inbound DID.
    pub did: Option<String>,
    /// Trunk carrying the call, if any.
    pub trunk: Option<String>,
    /// Members, in the order they joined.
    pub members: Vec<Member>,
    /// Callee-side legs.
    pub legs: Vec<Leg>,
    /// First answer.
    pub answered_at: Option<i64>,
    /// Number of the first answering callee.
    pub answered_by: Option<String>,
    /// Voicemail took the call.
    pub voicemail: bool,
    /// Failure disposition set by a 30015.
    pub failed: Option<Disposition>,
    /// `src hangup` when the caller hung up first, else `dst hangup`.
    pub caller_hung_up: Option<bool>,
    /// Record when answered.
    pub record: bool,
    /// This call is the consultation leg of an attended transfer of that call.
    pub consult_of: Option<String>,
    /// Live consultation call of an attended transfer.
    pub consult: Option<String>,
    /// Transferor channel of a running attended transfer.
    pub transferor: Option<String>,
    /// Queue number, for 30026 / 30025 / agent_ring_time.
    pub queue: Option<String>,
    /// Ring group number.
    pub ring_group: Option<String>,
    /// A 30011 frame has been sent for this call.
    pub announced: bool,
    /// Extension whose outbound rights the call borrows (`dial_permission`), else the caller.
    pub permission_ext: Option<String>,
}

impl LiveCall {
    /// Index of a member by channel id (active members only).
    pub fn by_channel(&self, channel_id: &str) -> Option<usize> {
        self.members
            .iter()
            .position(|m| m.channel_id == channel_id && m.active())
    }

    /// Index of the active caller.
    pub fn caller(&self) -> Option<usize> {
        self.members
            .iter()
            .position(|m| m.role == Role::Caller && m.active())
    }

    /// Index of the active callee: a connected one first, else the first ringing one.
    pub fn callee(&self) -> Option<usize> {
        let callees = || {
            self.members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.role == Role::Callee && m.active())
        };
        callees()
            .find(|(_, m)| m.status.is_connected())
            .or_else(|| callees().next())
            .map(|(i, _)| i)
    }

    /// Index of an active member by party reference: `caller`, `callee`, or a number.
    pub fn find(&self, who: &str) -> Option<usize> {
        match who {
            "caller" => self.caller(),
            "callee" => self.callee(),
            n => self
                .members
                .iter()
                .position(|m| m.active() && m.number() == n),
        }
    }

    /// Active members.
    pub fn active_count(&self) -> usize {
        self.members.iter().filter(|m| m.active()).count()
    }

    /// `Call_Info` with the members a frame should list: visible ones not yet reported gone.
    pub fn call_info(&self) -> Value {
        let members: Vec<Value> = self
            .members
            .iter()
            .filter(|m| m.visible && !m.gone)
            .map(Member::to_json)
            .collect();
        json!({"call_id": self.call_id, "members": members})
    }

    /// True if a frame would list at least one member.
    pub fn has_visible(&self) -> bool {
        self.members.iter().any(|m| m.visible && !m.gone)
    }
}
