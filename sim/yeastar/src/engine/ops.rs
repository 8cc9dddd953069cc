//! Basic call operations: ring, answer, hold, hang up, voicemail, failure.

use serde_json::{Value, json};

use super::model::{Disposition, Leg, LegKind, MemberKind, MemberStatus, Role};
use super::{Engine, EngineError};
use crate::events::{Event, ids};

/// The vendor's permission-failure reason (docs/yeastar-api.md §6.3).
pub const NO_PERMISSION: &str = "NO Dial Permission";

impl Engine<'_> {
    /// Click-to-call first leg: the caller extension rings.
    pub fn ring_caller(&mut self, call_id: &str) -> Result<(), EngineError> {
        let call = self.call(call_id)?;
        let idx = call
            .caller()
            .ok_or_else(|| EngineError::NoMember("caller".into()))?;
        if call.members[idx].extension().is_none()
            || call.members[idx].status != MemberStatus::Alert
        {
            return Err(EngineError::BadState(
                "caller is not an idle extension".into(),
            ));
        }
        self.set_status(call_id, idx, MemberStatus::Ring)?;
        self.frame(call_id)
    }

    /// Dials the callee: caller `ALERT`, callee(s) `RING` (`EARLYMEDIA` on outbound when asked).
    /// An extension without outbound permission gets a 30015 instead.
    pub fn ring(&mut self, call_id: &str, early_media: bool) -> Result<(), EngineError> {
        let call = self.call(call_id)?.clone();
        if call.members.len() != 1 {
            return Err(EngineError::BadState("already ringing".into()));
        }
        // Rights borrowed from an extension that does not exist are no rights at all.
        let unknown_permission = call
            .permission_ext
            .as_ref()
            .is_some_and(|p| self.st.extension(p).is_none());
        if unknown_permission {
            return self.fail(call_id, NO_PERMISSION, false);
        }
        if call.to_kind == LegKind::External {
            let perm = call
                .permission_ext
                .clone()
                .unwrap_or(call.from_number.clone());
            if !self.st.extension(&perm).is_some_and(|e| e.outbound_allowed) {
                return self.fail(call_id, NO_PERMISSION, false);
            }
        }
        self.set_status(call_id, 0, MemberStatus::Alert)?;
        let now = self.now;
        let mut legs = Vec::new();
        let mut members = Vec::new();
        let ext_leg = |number: &str, name: String, via_group: bool| Leg {
            kind: LegKind::Extension,
            number: number.to_owned(),
            name,
            start: now,
            answer: None,
            end: None,
            voicemail: false,
            via_group,
        };
        let mut path = String::new();
        let mut group_members: Vec<String> = Vec::new();
        match call.to_kind {
            LegKind::Extension => {
                legs.push(ext_leg(&call.to_number, call.to_name.clone(), false));
                group_members.push(call.to_number.clone());
            }
            LegKind::RingGroup | LegKind::Queue => {
                path = call.to_number.clone();
                let list = if call.to_kind == LegKind::Queue {
                    self.st.queue(&path).map(|q| q.agents.clone())
                } else {
                    self.st.ring_group(&path).map(|g| g.members.clone())
                };
                group_members = list.unwrap_or_default();
                legs.push(Leg {
                    kind: call.to_kind.clone(),
                    number: path.clone(),
                    name: call.to_name.clone(),
                    start: now,
                    answer: None,
                    end: None,
                    voicemail: false,
                    via_group: false,
                });
                for n in &group_members {
                    legs.push(ext_leg(n, self.ext_name(n), true));
                }
            }
            LegKind::External => {
                let trunk = call.trunk.clone().unwrap_or_default();
                let kind = MemberKind::Outbound {
                    from: call.from_number.clone(),
                    to: call.to_number.clone(),
                    trunk,
                };
                let status = if early_media {
                    MemberStatus::EarlyMedia
                } else {
                    MemberStatus::Ring
                };
                members.push(self.member(kind, status, Role::Callee, ""));
                legs.push(Leg {
                    kind: LegKind::External,
                    number: call.to_number.clone(),
                    name: String::new(),
                    start: now,
                    answer: None,
                    end: None,
                    voicemail: false,
                    via_group: false,
                });
            }
        }
        for n in &group_members {
            let kind = MemberKind::Extension { number: n.clone() };
            members.push(self.member(kind, MemberStatus::Ring, Role::Callee, &path));
        }
        let c = self.call(call_id)?;
        if c.to_kind == LegKind::Queue {
            c.queue = Some(path.clone());
        } else if c.to_kind == LegKind::RingGroup {
            c.ring_group = Some(path.clone());
        }
        c.legs.extend(legs);
        let first = c.members.len();
        c.members.extend(members);
        let count = c.members.len();
        for i in first..count {
            let status = self.call(call_id)?.members[i].status;
            self.set_status(call_id, i, status)?;
        }
        self.frame(call_id)
    }

    /// A ringing callee answers (`who`: number, `callee`, or `None` for the first ringing one).
    /// Other ringing members of the same group/queue stop ringing.
    pub fn answer(&mut self, call_id: &str, who: Option<&str>) -> Result<(), EngineError> {
        let now = self.now;
        let call = self.call(call_id)?;
        let idx = match who {
            Some(w) if w != "callee" => call.find(w),
            _ => call
                .members
                .iter()
                .position(|m| m.role == Role::Callee && m.status.is_ringing()),
        }
        .ok_or_else(|| EngineError::NoMember(who.unwrap_or("ringing callee").to_owned()))?;
        if !call.members[idx].status.is_ringing() {
            return Err(EngineError::BadState("member is not ringing".into()));
        }
        let number = call.members[idx].number().to_owned();
        let path = call.members[idx].call_path.clone();
        if call.answered_at.is_none() {
            call.answered_at = Some(now);
            call.answered_by = Some(number.clone());
        }
        if let Some(leg) = call
            .legs
            .iter_mut()
            .rev()
            .find(|l| l.number == number && l.answer.is_none() && l.end.is_none())
        {
            leg.answer = Some(now);
            leg.via_group = false;
        }
        if !path.is_empty()
            && let Some(leg) = call
                .legs
                .iter_mut()
                .find(|l| l.number == path && l.answer.is_none())
        {
            leg.answer = Some(now);
        }
        if let Some(q) = call.queue.clone() {
            self.st.agent_misses.remove(&(q, number.clone()));
        }
        self.set_status(call_id, idx, MemberStatus::Answer)?;
        let call = self.call(call_id)?;
        let others: Vec<usize> = call
            .members
            .iter()
            .enumerate()
            .filter(|(i, m)| {
                *i != idx && m.status.is_ringing() && !path.is_empty() && m.call_path == path
            })
            .map(|(i, _)| i)
            .collect();
        let alerting: Vec<usize> = call
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.role == Role::Caller && m.status == MemberStatus::Alert)
            .map(|(i, _)| i)
            .collect();
        for i in others {
            self.set_status(call_id, i, MemberStatus::Bye)?;
        }
        for i in alerting {
            self.set_status(call_id, i, MemberStatus::Answered)?;
        }
        self.frame(call_id)
    }

    /// Puts a connected member on hold.
    pub fn hold(&mut self, call_id: &str, who: &str) -> Result<(), EngineError> {
        let idx = self.find(call_id, who)?;
        let m = &mut self.call(call_id)?.members[idx];
        if !matches!(m.status, MemberStatus::Answer | MemberStatus::Answered) {
            return Err(EngineError::BadState(
                "only a connected member can hold".into(),
            ));
        }
        m.before_hold = Some(m.status);
        m.status = MemberStatus::Hold;
        self.frame(call_id)
    }

    /// Takes a member off hold.
    pub fn unhold(&mut self, call_id: &str, who: &str) -> Result<(), EngineError> {
        let idx = self.find(call_id, who)?;
        let m = &mut self.call(call_id)?.members[idx];
        if m.status != MemberStatus::Hold {
            return Err(EngineError::BadState("member is not on hold".into()));
        }
        m.status = m.before_hold.take().unwrap_or(MemberStatus::Answer);
        self.frame(call_id)
    }

    /// A member hangs up. The call ends when the caller leaves or one member is left.
    pub fn hangup(&mut self, call_id: &str, who: &str) -> Result<(), EngineError> {
        let idx = self.find(call_id, who)?;
        self.hangup_index(call_id, idx)
    }

    /// Hangs up the member holding a channel; returns its call id (`70130` when unknown).
    pub fn hangup_channel(&mut self, channel_id: &str) -> Result<String, EngineError> {
        let found = self
            .st
            .calls
            .values()
            .find_map(|c| c.by_channel(channel_id).map(|i| (c.call_id.clone(), i)));
        let (call_id, idx) = found.ok_or_else(|| EngineError::NoMember(channel_id.to_owned()))?;
        self.hangup_index(&call_id, idx)?;
        Ok(call_id)
    }

    pub(super) fn hangup_index(&mut self, call_id: &str, idx: usize) -> Result<(), EngineError> {
        let now = self.now;
        let call = self.call(call_id)?;
        let is_caller = call.members[idx].role == Role::Caller;
        let number = call.members[idx].number().to_owned();
        call.caller_hung_up.get_or_insert(is_caller);
        for leg in call
            .legs
            .iter_mut()
            .filter(|l| l.number == number && l.end.is_none())
        {
            leg.end = Some(now);
        }
        self.set_status(call_id, idx, MemberStatus::Bye)?;
        self.frame(call_id)?;
        let call = self.call(call_id)?;
        if is_caller || call.active_count() < 2 {
            self.end_all(call_id)?;
        }
        Ok(())
    }

    /// Everyone still in the call hangs up (one frame), then the call is finished.
    pub(super) fn end_all(&mut self, call_id: &str) -> Result<(), EngineError> {
        let active: Vec<usize> = self
            .call(call_id)?
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.active())
            .map(|(i, _)| i)
            .collect();
        if !active.is_empty() {
            for i in active {
                self.set_status(call_id, i, MemberStatus::Bye)?;
            }
            self.frame(call_id)?;
        }
        self.finish(call_id)
    }

    /// Nobody answers before the ring timeout: ringing members drop, then the caller.
    pub fn no_answer(&mut self, call_id: &str) -> Result<(), EngineError> {
        let call = self.call(call_id)?;
        call.caller_hung_up.get_or_insert(false);
        let ringing: Vec<usize> = call
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.status.is_ringing())
            .map(|(i, _)| i)
            .collect();
        if ringing.is_empty() {
            return Err(EngineError::BadState("nobody is ringing".into()));
        }
        for i in ringing {
            self.set_status(call_id, i, MemberStatus::Bye)?;
        }
        self.frame(call_id)?;
        if !self
            .call(call_id)?
            .members
            .iter()
            .any(|m| m.role == Role::Callee && m.active())
        {
            self.end_all(call_id)?;
        }
        Ok(())
    }

    /// Voicemail picks up: ringing members drop, the caller is connected to voicemail.
    pub fn voicemail(&mut self, call_id: &str) -> Result<(), EngineError> {
        let now = self.now;
        let call = self.call(call_id)?;
        let ringing: Vec<usize> = call
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.role == Role::Callee && m.status.is_ringing())
            .map(|(i, _)| i)
            .collect();
        let first = ringing
            .first()
            .map(|i| call.members[*i].number().to_owned())
            .ok_or_else(|| EngineError::BadState("nobody is ringing".into()))?;
        call.voicemail = true;
        if let Some(leg) = call
            .legs
            .iter_mut()
            .find(|l| l.number == first && l.answer.is_none())
        {
            leg.voicemail = true;
            leg.answer = Some(now);
            leg.via_group = false;
        }
        for i in ringing {
            self.set_status(call_id, i, MemberStatus::Bye)?;
        }
        if let Some(c) = self.call(call_id)?.caller() {
            self.set_status(call_id, c, MemberStatus::Answered)?;
        }
        self.frame(call_id)
    }

    /// The call fails with a vendor reason: a 30015 (members listed or `null`), then the
    /// remaining members drop. A call that was never announced leaves no CDR.
    pub fn fail(
        &mut self,
        call_id: &str,
        reason: &str,
        with_members: bool,
    ) -> Result<(), EngineError> {
        let call = self.call(call_id)?.clone();
        let members = if with_members && call.has_visible() {
            call.call_info()["members"].clone()
        } else {
            Value::Null
        };
        let id = self.failure_call_id(&call);
        self.out.push(Event::new(
            ids::CALL_FAILED,
            json!({"call_id": id, "reason": reason, "members": members}),
        ));
        let lower = reason.to_ascii_lowercase();
        let disposition = if lower.contains("busy") || lower.contains("486") {
            Disposition::Busy
        } else {
            Disposition::Failed
        };
        let c = self.call(call_id)?;
        c.failed = Some(disposition);
        c.caller_hung_up.get_or_insert(false);
        if call.announced {
            self.end_all(call_id)
        } else {
            for m in call.members.iter().filter_map(|m| m.extension()) {
                self.ext_state(m, "Idle");
            }
            self.st.calls.remove(call_id);
            Ok(())
        }
    }
}
