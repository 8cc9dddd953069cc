//! Per-channel call control from the API (docs/yeastar-api.md §7): `call/hold`, `call/unhold`,
//! `call/mute`, `call/unmute`, and the inbound-call invitation (30016) that
//! `call/accept_inbound` / `call/refuse_inbound` decide.
//!
//! Hold shows in the 30011 frames (`HOLD`, then back to the previous status), as the vendor
//! describes. Mute has no member status, so it shows in no event; the simulator keeps the
//! muted channels for tests. What the PBX answers for a channel in the wrong state is
//! unconfirmed: the simulator answers `70132` (operation not supported on this channel).

use super::model::MemberStatus;
use super::{Engine, EngineError};
use crate::events::{Event, ids};

impl Engine<'_> {
    /// The member on `channel_id` holds the call; returns the call id.
    pub fn hold_by_channel(&mut self, channel_id: &str) -> Result<String, EngineError> {
        let (call_id, idx) = self.located(channel_id)?;
        let m = &mut self.call(&call_id)?.members[idx];
        if !matches!(m.status, MemberStatus::Answer | MemberStatus::Answered) {
            return Err(EngineError::BadState(format!(
                "{channel_id} is not talking ({})",
                m.status.as_str()
            )));
        }
        m.before_hold = Some(m.status);
        m.status = MemberStatus::Hold;
        self.frame(&call_id)?;
        Ok(call_id)
    }

    /// The member on `channel_id` takes its held call back; returns the call id.
    pub fn unhold_by_channel(&mut self, channel_id: &str) -> Result<String, EngineError> {
        let (call_id, idx) = self.located(channel_id)?;
        let m = &mut self.call(&call_id)?.members[idx];
        if m.status != MemberStatus::Hold {
            return Err(EngineError::BadState(format!(
                "{channel_id} is not on hold"
            )));
        }
        m.status = m.before_hold.take().unwrap_or(MemberStatus::Answer);
        self.frame(&call_id)?;
        Ok(call_id)
    }

    /// Mutes (`on`) or unmutes the member on `channel_id`; returns the call id. Only a
    /// connected member can be muted; unmuting a member that is not muted is harmless.
    pub fn mute_by_channel(&mut self, channel_id: &str, on: bool) -> Result<String, EngineError> {
        let (call_id, idx) = self.located(channel_id)?;
        let status = self.call(&call_id)?.members[idx].status;
        if on && !status.is_connected() {
            return Err(EngineError::BadState(format!(
                "{channel_id} is not in a conversation ({})",
                status.as_str()
            )));
        }
        if on {
            self.st.muted.insert(channel_id.to_owned());
        } else {
            self.st.muted.remove(channel_id);
        }
        Ok(call_id)
    }

    /// An inbound call on a trunk with *Control Inbound Call* on: the PBX holds it and sends a
    /// 30016 listing the caller (`ALERT`); the call is live and listed by `call/query` while
    /// held (unconfirmed whether the PBX lists a held call there).
    pub fn invite(&mut self, call_id: &str) -> Result<String, EngineError> {
        let call = self.call(call_id)?;
        let caller = call
            .caller()
            .ok_or_else(|| EngineError::NoMember("caller".into()))?;
        let channel = call.members[caller].channel_id.clone();
        let info = call.call_info();
        call.announced = true;
        self.st
            .invitations
            .insert(channel.clone(), call_id.to_owned());
        self.out.push(Event::new(ids::INBOUND_INVITATION, info));
        Ok(channel)
    }

    /// Takes the pending invitation on `channel_id`: its call id. `70130` when the channel is
    /// unknown, `70132` when it belongs to a call that is not waiting for a decision.
    pub fn take_invitation(&mut self, channel_id: &str) -> Result<String, EngineError> {
        if let Some(call_id) = self.st.invitations.remove(channel_id) {
            return Ok(call_id);
        }
        let (call_id, _) = self.located(channel_id)?;
        Err(EngineError::BadState(format!(
            "call {call_id} is not waiting to be accepted"
        )))
    }

    /// `call/refuse_inbound`: the held call is dropped before anything rings, with no frame
    /// and no CDR (unconfirmed what the PBX reports).
    pub fn refuse(&mut self, call_id: &str) -> Result<(), EngineError> {
        self.call(call_id)?;
        self.st.calls.remove(call_id);
        Ok(())
    }

    fn located(&self, channel_id: &str) -> Result<(String, usize), EngineError> {
        self.locate(channel_id)
            .ok_or_else(|| EngineError::NoMember(channel_id.to_owned()))
    }
}
