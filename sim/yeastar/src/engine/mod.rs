//! The call engine: every change to a live call goes through here and yields the events the
//! PBX would send. Scenarios, `call/dial`, `call/hangup` and `call/transfer` all drive it.

pub mod model;

mod control;
mod finish;
mod ops;
mod transfer;

pub use transfer::AttendedOp;

use serde_json::json;

use crate::config::SimSettings;
use crate::events::{Event, ids};
use crate::state::State;
use model::{CallType, LegKind, LiveCall, Member, MemberKind, MemberStatus, Role};

/// Why an engine operation could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// No live call with that id.
    #[error("no live call {0}")]
    UnknownCall(String),
    /// No active member matching the reference.
    #[error("no active member {0}")]
    NoMember(String),
    /// The number is not a known extension / group / queue, or the combination is unsupported.
    #[error("unsupported party: {0}")]
    BadParty(String),
    /// The operation does not fit the call's state.
    #[error("invalid in this call state: {0}")]
    BadState(String),
}

/// A call party as scenarios and `call/dial` name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// External number via a trunk (`did` for inbound calls).
    External {
        /// Number.
        number: String,
        /// Trunk name; default: the first trunk.
        trunk: Option<String>,
        /// DID dialled (inbound); default: the trunk's DID.
        did: Option<String>,
    },
    /// An extension.
    Extension(String),
    /// A ring group.
    RingGroup(String),
    /// A queue.
    Queue(String),
}

impl Party {
    /// Classifies a dialled number the way the PBX's dial plan would.
    pub fn classify(st: &State, number: &str) -> Self {
        if st.extension(number).is_some() {
            Self::Extension(number.to_owned())
        } else if st.ring_group(number).is_some() {
            Self::RingGroup(number.to_owned())
        } else if st.queue(number).is_some() {
            Self::Queue(number.to_owned())
        } else {
            Self::External {
                number: number.to_owned(),
                trunk: None,
                did: None,
            }
        }
    }
}

/// One engine operation in progress: the locked state, the time, and the events produced.
pub struct Engine<'a> {
    /// Locked state.
    pub st: &'a mut State,
    /// Settings.
    pub cfg: &'a SimSettings,
    /// Simulated now.
    pub now: i64,
    /// Events to publish, in order.
    pub out: Vec<Event>,
}

impl<'a> Engine<'a> {
    /// A new operation.
    pub fn new(st: &'a mut State, cfg: &'a SimSettings, now: i64) -> Self {
        Self {
            st,
            cfg,
            now,
            out: Vec::new(),
        }
    }

    fn call(&mut self, call_id: &str) -> Result<&mut LiveCall, EngineError> {
        self.st
            .calls
            .get_mut(call_id)
            .ok_or_else(|| EngineError::UnknownCall(call_id.to_owned()))
    }

    fn channel(&mut self, kind: &MemberKind) -> String {
        self.st.seq.channel += 1;
        let n = self.st.seq.channel;
        match kind {
            MemberKind::Extension { number } => format!("PJSIP/{number}-{n:08x}"),
            MemberKind::Inbound { trunk, .. } | MemberKind::Outbound { trunk, .. } => {
                format!("PJSIP/trunk-{trunk}-endpoint-{n:08x}")
            }
        }
    }

    fn member(&mut self, kind: MemberKind, status: MemberStatus, role: Role, path: &str) -> Member {
        let visible = match &kind {
            MemberKind::Extension { .. } => true,
            MemberKind::Inbound { trunk, .. } | MemberKind::Outbound { trunk, .. } => {
                self.st.trunk(Some(trunk)).is_some_and(|t| t.monitored)
            }
        };
        Member {
            channel_id: self.channel(&kind),
            kind,
            status,
            before_hold: None,
            call_path: path.to_owned(),
            visible,
            role,
            gone: false,
        }
    }

    fn ext_name(&self, number: &str) -> String {
        self.st
            .extension(number)
            .map_or_else(|| number.to_owned(), |e| e.display_name().to_owned())
    }

    /// Emits a 30011 frame for the call (if it lists anyone) and retires reported `BYE`s.
    fn frame(&mut self, call_id: &str) -> Result<(), EngineError> {
        let call = self.call(call_id)?;
        if call.has_visible() {
            let info = call.call_info();
            call.announced = true;
            self.out.push(Event::new(ids::CALL_STATE, info));
        }
        let call = self.call(call_id)?;
        for m in call
            .members
            .iter_mut()
            .filter(|m| m.status == MemberStatus::Bye)
        {
            m.gone = true;
        }
        Ok(())
    }

    /// Emits 30008 when an extension's call state changes.
    fn ext_state(&mut self, number: &str, status: &'static str) {
        if self.st.extension(number).is_none() {
            return;
        }
        let prev = self.st.ext_call_state.insert(number.to_owned(), status);
        if prev != Some(status) && !(prev.is_none() && status == "Idle") {
            self.out.push(Event::new(
                ids::EXTENSION_CALL_STATE,
                json!({"extension": number, "status": status}),
            ));
        }
    }

    /// Sets a member's status, keeping 30008 in step for extensions.
    fn set_status(
        &mut self,
        call_id: &str,
        idx: usize,
        status: MemberStatus,
    ) -> Result<(), EngineError> {
        let call = self.call(call_id)?;
        let m = call
            .members
            .get_mut(idx)
            .ok_or_else(|| EngineError::NoMember(idx.to_string()))?;
        m.status = status;
        let ext = m.extension().map(str::to_owned);
        if let Some(ext) = ext {
            let s = match status {
                MemberStatus::Ring => "Ringing",
                MemberStatus::Bye => "Idle",
                _ => "Busy",
            };
            self.ext_state(&ext, s);
        }
        Ok(())
    }

    /// Creates a call between two parties; nothing is announced until it rings.
    pub fn start_call(
        &mut self,
        from: &Party,
        to: &Party,
        record: bool,
    ) -> Result<String, EngineError> {
        self.st.seq.call += 1;
        let seq = self.st.seq.call;
        let call_id = format!("{}.{}", self.now, seq);
        let bad = |p: &Party| EngineError::BadParty(format!("{p:?}"));
        let (call_type, caller, from_number, from_name, trunk, did) = match from {
            Party::External { number, trunk, did } => {
                if matches!(to, Party::External { .. }) {
                    return Err(bad(to));
                }
                let t = self
                    .st
                    .trunk(trunk.as_deref())
                    .ok_or_else(|| bad(from))?
                    .clone();
                let did = did.clone().unwrap_or_else(|| t.default_did());
                let kind = MemberKind::Inbound {
                    from: number.clone(),
                    to: did.clone(),
                    trunk: t.name.clone(),
                };
                (
                    CallType::Inbound,
                    kind,
                    number.clone(),
                    String::new(),
                    Some(t.name),
                    Some(did),
                )
            }
            Party::Extension(n) => {
                if self.st.extension(n).is_none() {
                    return Err(bad(from));
                }
                let (ty, trunk) = match to {
                    Party::External { trunk, .. } => {
                        let t = self.st.trunk(trunk.as_deref()).ok_or_else(|| bad(to))?;
                        (CallType::Outbound, Some(t.name.clone()))
                    }
                    _ => (CallType::Internal, None),
                };
                let kind = MemberKind::Extension { number: n.clone() };
                (ty, kind, n.clone(), self.ext_name(n), trunk, None)
            }
            other => return Err(bad(other)),
        };
        let (to_number, to_name, to_kind) = match to {
            Party::Extension(n) => {
                self.st.extension(n).ok_or_else(|| bad(to))?;
                (n.clone(), self.ext_name(n), LegKind::Extension)
            }
            Party::RingGroup(n) => {
                let g = self.st.ring_group(n).ok_or_else(|| bad(to))?;
                (
                    n.clone(),
                    format!("RingGroup {}", g.name),
                    LegKind::RingGroup,
                )
            }
            Party::Queue(n) => {
                let q = self.st.queue(n).ok_or_else(|| bad(to))?;
                (n.clone(), format!("Queue {}", q.name), LegKind::Queue)
            }
            Party::External { number, .. } => (number.clone(), String::new(), LegKind::External),
        };
        let caller = self.member(caller, MemberStatus::Alert, Role::Caller, "");
        let call = LiveCall {
            call_id: call_id.clone(),
            seq,
            started_at: self.now,
            call_type,
            from_number,
            from_name,
            to_number,
            to_name,
            to_kind,
            did,
            trunk,
            members: vec![caller],
            legs: Vec::new(),
            answered_at: None,
            answered_by: None,
            voicemail: false,
            failed: None,
            caller_hung_up: None,
            record,
            consult_of: None,
            consult: None,
            transferor: None,
            queue: None,
            ring_group: None,
            announced: false,
            permission_ext: None,
        };
        self.st.calls.insert(call_id.clone(), call);
        Ok(call_id)
    }

    /// The member index for a party reference, or an error.
    fn find(&mut self, call_id: &str, who: &str) -> Result<usize, EngineError> {
        self.call(call_id)?
            .find(who)
            .ok_or_else(|| EngineError::NoMember(who.to_owned()))
    }

    /// The call id as 30015 shows it (zero-padded sequence when configured).
    fn failure_call_id(&self, call: &LiveCall) -> String {
        if self.cfg.zero_pad_failed_call_ids {
            format!("{}.{:06}", call.started_at, call.seq)
        } else {
            call.call_id.clone()
        }
    }
}
