//! Ending a call: CDR record, recording and the one 30012 after the last `BYE`.

use super::model::{Disposition, LegKind, LiveCall};
use super::{Engine, EngineError};
use crate::cdr::{CallRecord, LegRecord, new_cdr_msg};
use crate::config::RecordingFormat;
use crate::events::{Event, ids};
use crate::state::Recording;
use crate::timefmt;
use crate::wav;

/// Recordings kept in memory; older ones are dropped (a long demo would otherwise grow
/// without bound, and the PBX's storage is finite too).
const MAX_KEPT_RECORDINGS: usize = 1000;

impl Engine<'_> {
    fn new_id(&mut self, at: i64) -> String {
        self.st.seq.new_id += 1;
        // Shape of the vendor's `67C67519-D30000CD`: hex time, then a node byte and a counter.
        let time = u32::try_from(at).unwrap_or(0);
        format!("{time:08X}-D3{:06X}", self.st.seq.new_id & 0xFF_FFFF)
    }

    fn record_of(&mut self, call: &LiveCall) -> CallRecord {
        let now = self.now;
        let off = self.cfg.zone();
        self.st.seq.cdr += 1;
        let id = self.st.seq.cdr;
        let uid = format!(
            "{}{:05X}",
            timefmt::file_stamp(call.started_at, off),
            (call.seq * 7919 + id) & 0xF_FFFF
        );
        let mut legs = Vec::new();
        for leg in call
            .legs
            .iter()
            .filter(|l| !(l.via_group && l.answer.is_none()))
        {
            let disposition = if leg.voicemail {
                Disposition::Voicemail
            } else if leg.answer.is_some() {
                Disposition::Answered
            } else {
                call.failed.unwrap_or(Disposition::NoAnswer)
            };
            legs.push(LegRecord {
                new_id: self.new_id(leg.start),
                kind: leg.kind.clone(),
                number: leg.number.clone(),
                name: leg.name.clone(),
                start: leg.start,
                answer: leg.answer,
                end: leg.end.unwrap_or(now),
                disposition,
                record_file: None,
            });
        }
        let status = if let Some(f) = call.failed {
            f
        } else if call.voicemail {
            Disposition::Voicemail
        } else if call.answered_at.is_some() {
            Disposition::Answered
        } else {
            Disposition::NoAnswer
        };
        let (src_trunk, dst_trunk) = match call.to_kind {
            LegKind::External => (String::new(), call.trunk.clone().unwrap_or_default()),
            _ => (call.trunk.clone().unwrap_or_default(), String::new()),
        };
        let trunk = self.st.trunk(call.trunk.as_deref()).cloned();
        let caller_ext = self.st.extension(&call.from_number).cloned();
        let agent_ring_time = match (&call.queue, call.answered_at) {
            (Some(_), Some(_)) => legs
                .iter()
                .find(|l| l.kind == LegKind::Extension && l.answer.is_some())
                .and_then(|l| l.answer.map(|a| a - l.start))
                .unwrap_or(0),
            _ => 0,
        };
        let lookup_name = |n: &Option<String>, queue: bool| {
            n.as_ref().map(|n| {
                let name = if queue {
                    self.st.queue(n).map(|q| q.name.clone())
                } else {
                    self.st.ring_group(n).map(|g| g.name.clone())
                };
                vec![(n.clone(), name.unwrap_or_default())]
            })
        };
        CallRecord {
            call_id: call.call_id.clone(),
            uid,
            id,
            started_at: call.started_at,
            ended_at: now,
            answered_at: call.answered_at,
            call_type: call.call_type,
            from_number: call.from_number.clone(),
            from_name: call.from_name.clone(),
            src_addr: caller_ext.map(|e| e.device_addr).unwrap_or_default(),
            to_number: call.to_number.clone(),
            to_name: call.to_name.clone(),
            to_kind: call.to_kind.clone(),
            src_trunk,
            dst_trunk,
            did_number: call.did.clone().unwrap_or_default(),
            did_name: match (&call.did, &trunk) {
                (Some(did), Some(t)) => t.did_name(did),
                _ => String::new(),
            },
            dod_number: if call.to_kind == LegKind::External {
                trunk.map(|t| t.dod_number).unwrap_or_default()
            } else {
                String::new()
            },
            status,
            caller_hung_up: call.caller_hung_up.unwrap_or(false),
            recording: None,
            legs,
            queues: lookup_name(&call.queue, true).unwrap_or_default(),
            ring_groups: lookup_name(&call.ring_group, false).unwrap_or_default(),
            agent_ring_time,
        }
    }

    fn make_recording(&mut self, rec: &mut CallRecord) {
        let Some(answered) = rec.answered_at else {
            return;
        };
        let Some(leg_idx) = rec.legs.iter().position(|l| {
            matches!(l.kind, LegKind::Extension | LegKind::External) && l.answer.is_some()
        }) else {
            return;
        };
        let to = rec.legs[leg_idx].number.clone();
        let to_name = rec.legs[leg_idx].name.clone();
        let ext = match self.cfg.recording_format {
            RecordingFormat::Wav => "wav",
            RecordingFormat::Mp3 => "mp3",
        };
        let file = format!(
            "{}-{}-{}-{}-{}.{ext}",
            timefmt::file_stamp(rec.started_at, self.cfg.zone()),
            rec.call_id,
            rec.from_number,
            to,
            rec.call_type.as_str()
        );
        let talk = rec.ended_at - answered;
        // Keep files small: a short tone stands in for the conversation.
        let secs = u32::try_from(talk.clamp(1, 3)).unwrap_or(1);
        let bytes = match self.cfg.recording_format {
            RecordingFormat::Wav => wav::tone_wav(secs, 440.0),
            RecordingFormat::Mp3 => wav::silent_mp3(secs),
        };
        if self.st.recordings.len() >= MAX_KEPT_RECORDINGS {
            self.st.recordings.remove(0);
        }
        self.st.seq.recording += 1;
        self.st.recordings.push(Recording {
            id: self.st.seq.recording,
            file: file.clone(),
            call_id: rec.call_id.clone(),
            uid: rec.uid.clone(),
            started_at: rec.started_at,
            from_number: rec.from_number.clone(),
            from_name: rec.from_name.clone(),
            to_number: to,
            to_name,
            call_type: rec.call_type,
            duration: talk,
            bytes,
        });
        rec.legs[leg_idx].record_file = Some(file.clone());
        rec.recording = Some(file);
    }

    /// Removes the call, stores its CDR record (and recording) and emits 30012.
    pub(super) fn finish(&mut self, call_id: &str) -> Result<(), EngineError> {
        let call = self
            .st
            .calls
            .remove(call_id)
            .ok_or_else(|| EngineError::UnknownCall(call_id.to_owned()))?;
        if let Some(orig) = &call.consult_of
            && let Some(o) = self.st.calls.get_mut(orig)
            && o.consult.as_deref() == Some(call_id)
        {
            o.consult = None;
            o.transferor = None;
        }
        if let Some(consult) = &call.consult
            && let Some(c) = self.st.calls.get_mut(consult)
        {
            c.consult_of = None;
        }
        let mut rec = self.record_of(&call);
        if call.record && self.cfg.record_answered_calls {
            self.make_recording(&mut rec);
        }
        let event = Event::new(ids::NEW_CDR, new_cdr_msg(&rec, self.cfg.zone()));
        if self.st.cdr_delay_secs > 0 {
            // Released by the fault task once due; until then no row and no 30012.
            let delay = std::time::Duration::from_secs(self.st.cdr_delay_secs);
            self.st.delayed_cdrs.push(crate::faults::DelayedCdr {
                due: tokio::time::Instant::now() + delay,
                record: rec,
                event,
            });
        } else {
            self.out.push(event);
            self.st.records.push(rec);
        }
        Ok(())
    }
}
