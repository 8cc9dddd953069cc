//! Transfers (30013), forwarding (30014) and queue agent timeouts (30025 / 30026 / 30029).

use serde_json::json;

use super::model::{Leg, LegKind, LiveCall, MemberKind, MemberStatus, Role};
use super::{Engine, EngineError, Party};
use crate::events::{Event, ids};

/// Second-step operations of an attended transfer (`attended_operate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendedOp {
    /// Join the held party with the target; the transferor leaves (30013).
    Complete,
    /// End the consultation; the held party comes back.
    Abort,
    /// All three talk together.
    Threeway,
    /// Toggle which party the transferor talks to.
    Swap,
}

impl AttendedOp {
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "complete" => Some(Self::Complete),
            "abort" => Some(Self::Abort),
            "threeway" => Some(Self::Threeway),
            "swap" => Some(Self::Swap),
            _ => None,
        }
    }
}

fn ext_leg(number: &str, name: String, now: i64) -> Leg {
    Leg {
        kind: LegKind::Extension,
        number: number.to_owned(),
        name,
        start: now,
        answer: None,
        end: None,
        voicemail: false,
        via_group: false,
    }
}

/// The connected member other than `idx`.
fn partner(call: &LiveCall, idx: usize) -> Option<usize> {
    call.members
        .iter()
        .enumerate()
        .find(|(i, m)| *i != idx && m.status.is_connected())
        .map(|(i, _)| i)
}

impl Engine<'_> {
    fn require_extension(&self, number: &str) -> Result<(), EngineError> {
        if self.st.extension(number).is_some() {
            Ok(())
        } else {
            Err(EngineError::BadParty(number.to_owned()))
        }
    }

    fn end_leg(&mut self, call_id: &str, number: &str) -> Result<(), EngineError> {
        let now = self.now;
        for leg in self
            .call(call_id)?
            .legs
            .iter_mut()
            .filter(|l| l.number == number && l.end.is_none())
        {
            leg.end = Some(now);
        }
        Ok(())
    }

    /// Blind transfer: `moved` (member index) goes to extension `target`; its partner (the
    /// transferor) leaves. Sends 30011 then 30013 with the post-transfer `Call_Info`.
    pub fn transfer_blind(
        &mut self,
        call_id: &str,
        moved: usize,
        target: &str,
    ) -> Result<(), EngineError> {
        self.require_extension(target)?;
        let call = self.call(call_id)?;
        if !call
            .members
            .get(moved)
            .is_some_and(|m| m.status.is_connected())
        {
            return Err(EngineError::BadState(
                "the moved party is not connected".into(),
            ));
        }
        let transferor =
            partner(call, moved).ok_or_else(|| EngineError::BadState("no transferor".into()))?;
        let t_number = call.members[transferor].number().to_owned();
        if call.members[transferor].role == Role::Caller {
            call.members[transferor].role = Role::Callee;
            call.members[moved].role = Role::Caller;
        }
        self.end_leg(call_id, &t_number)?;
        self.set_status(call_id, transferor, MemberStatus::Bye)?;
        let name = self.ext_name(target);
        let now = self.now;
        let kind = MemberKind::Extension {
            number: target.to_owned(),
        };
        let m = self.member(kind, MemberStatus::Ring, Role::Callee, "");
        let c = self.call(call_id)?;
        c.members.push(m);
        c.legs.push(ext_leg(target, name, now));
        let idx = c.members.len() - 1;
        self.set_status(call_id, idx, MemberStatus::Ring)?;
        self.frame(call_id)?;
        let info = self.call(call_id)?.call_info();
        self.out.push(Event::new(ids::CALL_TRANSFER, info));
        Ok(())
    }

    /// Call forwarding: the ringing callee's rule sends the call to `target` (30014).
    pub fn forward(&mut self, call_id: &str, target: &str) -> Result<(), EngineError> {
        self.require_extension(target)?;
        let call = self.call(call_id)?;
        let idx = call
            .members
            .iter()
            .position(|m| m.role == Role::Callee && m.status.is_ringing())
            .ok_or_else(|| EngineError::BadState("nobody is ringing".into()))?;
        let number = call.members[idx].number().to_owned();
        self.end_leg(call_id, &number)?;
        self.set_status(call_id, idx, MemberStatus::Bye)?;
        let name = self.ext_name(target);
        let now = self.now;
        let kind = MemberKind::Extension {
            number: target.to_owned(),
        };
        let m = self.member(kind, MemberStatus::Ring, Role::Callee, "");
        let c = self.call(call_id)?;
        c.members.push(m);
        c.legs.push(ext_leg(target, name, now));
        let idx = c.members.len() - 1;
        self.set_status(call_id, idx, MemberStatus::Ring)?;
        self.frame(call_id)?;
        let info = self.call(call_id)?.call_info();
        self.out.push(Event::new(ids::CALL_FORWARD, info));
        Ok(())
    }

    /// A queue agent stops ringing unanswered: 30011 `BYE`, 30026, and after repeated misses
    /// 30025 + 30029 (auto pause).
    pub fn agent_timeout(&mut self, call_id: &str, agent: &str) -> Result<(), EngineError> {
        let call = self.call(call_id)?;
        let queue = call
            .queue
            .clone()
            .ok_or_else(|| EngineError::BadState("not a queue call".into()))?;
        let idx = call
            .members
            .iter()
            .position(|m| m.extension() == Some(agent) && m.status.is_ringing())
            .ok_or_else(|| EngineError::NoMember(agent.to_owned()))?;
        let caller = call.from_number.clone();
        let id = call.call_id.clone();
        self.set_status(call_id, idx, MemberStatus::Bye)?;
        self.frame(call_id)?;
        self.out.push(Event::new(
            ids::AGENT_RING_TIMEOUT,
            json!({"queue_number": queue, "agent_number": agent, "caller_number": caller, "call_id": id}),
        ));
        let key = (queue.clone(), agent.to_owned());
        let misses = self.st.agent_misses.entry(key.clone()).or_default();
        misses.push((caller, id));
        if misses.len() >= self.cfg.auto_pause_after_misses.max(1) as usize {
            let calls: Vec<_> = misses
                .iter()
                .map(|(c, i)| json!({"caller_number": c, "call_id": i}))
                .collect();
            self.st.agent_misses.remove(&key);
            self.out.push(Event::new(
                ids::AGENT_AUTO_PAUSE,
                json!({"queue_number": queue, "agent_number": agent, "calls": calls}),
            ));
            self.out.push(Event::new(
                ids::AGENT_STATUS,
                json!({"queue_number": queue, "agent_number": agent, "status": "Paused", "reason": "Auto Pause"}),
            ));
        }
        Ok(())
    }

    /// Starts an attended transfer: the transferor's partner is held and a consultation call
    /// (its own call id) rings `target`. Returns the consultation call id.
    pub fn attended_start(
        &mut self,
        call_id: &str,
        transferor: usize,
        target: &str,
    ) -> Result<String, EngineError> {
        self.require_extension(target)?;
        let call = self.call(call_id)?;
        if call.consult.is_some() {
            return Err(EngineError::BadState(
                "a consultation is already running".into(),
            ));
        }
        let t = call
            .members
            .get(transferor)
            .filter(|m| m.status.is_connected())
            .ok_or_else(|| EngineError::BadState("transferor not connected".into()))?;
        let t_number = t
            .extension()
            .ok_or_else(|| EngineError::BadParty("transferor must be an extension".into()))?
            .to_owned();
        let t_channel = t.channel_id.clone();
        let held = partner(call, transferor)
            .ok_or_else(|| EngineError::BadState("nobody to hold".into()))?;
        let held_who = call.members[held].channel_id.clone();
        let record = call.record;
        self.hold_channel(call_id, &held_who)?;
        let consult = self.start_call(
            &Party::Extension(t_number),
            &Party::Extension(target.to_owned()),
            record,
        )?;
        self.call(&consult)?.consult_of = Some(call_id.to_owned());
        let c = self.call(call_id)?;
        c.consult = Some(consult.clone());
        c.transferor = Some(t_channel);
        self.ring(&consult, false)?;
        Ok(consult)
    }

    fn hold_channel(&mut self, call_id: &str, channel: &str) -> Result<(), EngineError> {
        let idx = self
            .call(call_id)?
            .by_channel(channel)
            .ok_or_else(|| EngineError::NoMember(channel.to_owned()))?;
        let m = &mut self.call(call_id)?.members[idx];
        if m.status != MemberStatus::Hold {
            m.before_hold = Some(m.status);
            m.status = MemberStatus::Hold;
        }
        self.frame(call_id)
    }

    fn unhold_all(&mut self, call_id: &str) -> Result<(), EngineError> {
        for m in self.call(call_id)?.members.iter_mut() {
            if m.status == MemberStatus::Hold {
                m.status = m.before_hold.take().unwrap_or(MemberStatus::Answer);
            }
        }
        Ok(())
    }

    /// Second step of an attended transfer on the original call.
    pub fn attended(&mut self, call_id: &str, op: AttendedOp) -> Result<(), EngineError> {
        let call = self.call(call_id)?;
        let consult = call
            .consult
            .clone()
            .ok_or_else(|| EngineError::BadState("no attended transfer running".into()))?;
        let t_channel = call.transferor.clone().unwrap_or_default();
        let cc = self.call(&consult)?.clone();
        let target = cc
            .callee()
            .ok_or_else(|| EngineError::BadState("no target".into()))?;
        let target_m = cc.members[target].clone();
        let c_caller = cc
            .caller()
            .ok_or_else(|| EngineError::BadState("no transferor".into()))?;
        match op {
            AttendedOp::Swap => {
                let orig_held = self
                    .call(call_id)?
                    .members
                    .iter()
                    .any(|m| m.status == MemberStatus::Hold);
                if orig_held {
                    self.unhold_all(call_id)?;
                    self.frame(call_id)?;
                    let ch = target_m.channel_id.clone();
                    self.hold_channel(&consult, &ch)
                } else {
                    self.unhold_all(&consult)?;
                    self.frame(&consult)?;
                    let held = self
                        .call(call_id)?
                        .members
                        .iter()
                        .find(|m| m.active() && m.channel_id != t_channel)
                        .map(|m| m.channel_id.clone())
                        .unwrap_or_default();
                    self.hold_channel(call_id, &held)
                }
            }
            AttendedOp::Abort => {
                self.hangup_index(&consult, target)?;
                if self.st.calls.contains_key(&consult) {
                    self.end_all(&consult)?;
                }
                self.clear_consult(call_id)?;
                self.unhold_all(call_id)?;
                self.frame(call_id)
            }
            AttendedOp::Complete | AttendedOp::Threeway => {
                if !target_m.status.is_connected() {
                    return Err(EngineError::BadState("the target has not answered".into()));
                }
                let number = target_m.number().to_owned();
                // The transferor's consultation leg ends; the target's channel moves over.
                self.set_status(&consult, c_caller, MemberStatus::Bye)?;
                self.frame(&consult)?;
                self.call(&consult)?.caller_hung_up = Some(true);
                self.finish(&consult)?;
                self.clear_consult(call_id)?;
                self.unhold_all(call_id)?;
                let name = self.ext_name(&number);
                let now = self.now;
                let c = self.call(call_id)?;
                let mut moved = target_m;
                moved.role = Role::Callee;
                moved.status = MemberStatus::Answer;
                moved.before_hold = None;
                c.members.push(moved);
                let mut leg = ext_leg(&number, name, now);
                leg.answer = Some(now);
                c.legs.push(leg);
                if op == AttendedOp::Complete {
                    let t_idx = c
                        .by_channel(&t_channel)
                        .ok_or_else(|| EngineError::NoMember(t_channel.clone()))?;
                    let t_number = c.members[t_idx].number().to_owned();
                    self.end_leg(call_id, &t_number)?;
                    self.set_status(call_id, t_idx, MemberStatus::Bye)?;
                    self.frame(call_id)?;
                    let info = self.call(call_id)?.call_info();
                    self.out.push(Event::new(ids::CALL_TRANSFER, info));
                    Ok(())
                } else {
                    // The transferor is still talking (now in the original call).
                    if let Some(t) = self.call(call_id)?.by_channel(&t_channel) {
                        let n = self.call(call_id)?.members[t].number().to_owned();
                        self.ext_state(&n, "Busy");
                    }
                    self.frame(call_id)
                }
            }
        }
    }

    fn clear_consult(&mut self, call_id: &str) -> Result<(), EngineError> {
        let c = self.call(call_id)?;
        c.consult = None;
        c.transferor = None;
        Ok(())
    }

    /// The live call holding `channel_id`, with the member index.
    pub fn locate(&self, channel_id: &str) -> Option<(String, usize)> {
        self.st
            .calls
            .values()
            .find_map(|c| c.by_channel(channel_id).map(|i| (c.call_id.clone(), i)))
    }
}

impl Engine<'_> {
    /// Index of an active member by reference (`caller`, `callee`, number).
    pub fn find_member(&mut self, call_id: &str, who: &str) -> Result<usize, EngineError> {
        self.find(call_id, who)
    }

    /// Blind transfer named by the transferor (`by`), as scenarios describe it.
    pub fn transfer_blind_by(
        &mut self,
        call_id: &str,
        by: &str,
        target: &str,
    ) -> Result<(), EngineError> {
        let t = self.find(call_id, by)?;
        let call = self.call(call_id)?;
        let moved =
            partner(call, t).ok_or_else(|| EngineError::BadState("no party to move".into()))?;
        self.transfer_blind(call_id, moved, target)
    }
}
