//! Finished calls and the CDR rows derived from them (v1 legacy, v1 reworked, v2).

mod rows;

pub use rows::{RowContext, legacy_row, new_cdr_msg, reworked_rows, v2_row};

use crate::engine::model::{CallType, Disposition, LegKind};

/// A finished callee-side leg.
#[derive(Debug, Clone)]
pub struct LegRecord {
    /// Unique per row, e.g. `67C67519-D30000CD`.
    pub new_id: String,
    /// Leg kind.
    pub kind: LegKind,
    /// Party number.
    pub number: String,
    /// Party display name.
    pub name: String,
    /// Ringing began.
    pub start: i64,
    /// Answered (or voicemail picked up).
    pub answer: Option<i64>,
    /// Ended.
    pub end: i64,
    /// Leg disposition.
    pub disposition: Disposition,
    /// Recording on this leg.
    pub record_file: Option<String>,
}

/// A finished call: the single source for 30012, CDR rows and recordings.
#[derive(Debug, Clone)]
pub struct CallRecord {
    /// Event call id, shared by all legs.
    pub call_id: String,
    /// CDR uid, shared by all legs.
    pub uid: String,
    /// Legacy / v2 integer id.
    pub id: u64,
    /// Start epoch.
    pub started_at: i64,
    /// End epoch.
    pub ended_at: i64,
    /// First answer.
    pub answered_at: Option<i64>,
    /// Direction.
    pub call_type: CallType,
    /// Caller number.
    pub from_number: String,
    /// Caller name (extensions only).
    pub from_name: String,
    /// Caller device `IP:port` (extensions only).
    pub src_addr: String,
    /// Dialled number.
    pub to_number: String,
    /// Dialled party's name.
    pub to_name: String,
    /// Dialled party kind.
    pub to_kind: LegKind,
    /// Inbound trunk.
    pub src_trunk: String,
    /// Outbound trunk.
    pub dst_trunk: String,
    /// Inbound DID.
    pub did_number: String,
    /// DID name.
    pub did_name: String,
    /// Outbound caller id.
    pub dod_number: String,
    /// Overall disposition.
    pub status: Disposition,
    /// The caller hung up first.
    pub caller_hung_up: bool,
    /// Recording file name.
    pub recording: Option<String>,
    /// Callee-side legs, in order.
    pub legs: Vec<LegRecord>,
    /// Queue numbers and names the call passed.
    pub queues: Vec<(String, String)>,
    /// Ring-group numbers and names the call passed.
    pub ring_groups: Vec<(String, String)>,
    /// Seconds the answering queue agent rang.
    pub agent_ring_time: i64,
}

impl CallRecord {
    /// Talk time of the whole call.
    pub fn talk_duration(&self) -> i64 {
        self.answered_at.map_or(0, |a| self.ended_at - a)
    }

    /// First answered extension/external leg.
    pub fn answering_leg(&self) -> Option<&LegRecord> {
        self.legs.iter().find(|l| {
            matches!(l.kind, LegKind::Extension | LegKind::External) && l.answer.is_some()
        })
    }

    /// `reason`: `src hangup` / `dst hangup`, space-padded as the PBX stores it.
    pub fn reason(&self) -> &'static str {
        if self.caller_hung_up {
            "src hangup  "
        } else {
            "dst hangup  "
        }
    }
}
