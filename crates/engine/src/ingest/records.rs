//! A call's record from the PBX's per-leg call records.

use std::collections::BTreeMap;

use ringbridge_core::pbx::CallRecord;

/// One record per call: PBXs that write a row per leg share the call id
/// across legs. The call's record is its earliest leg, answered if any leg
/// was, with the longest durations.
pub fn group_by_call(records: Vec<CallRecord>) -> Vec<CallRecord> {
    let mut calls: BTreeMap<String, CallRecord> = BTreeMap::new();
    for leg in records {
        match calls.get_mut(leg.call_id.as_str()) {
            None => {
                calls.insert(leg.call_id.0.clone(), leg);
            }
            Some(call) => merge_leg(call, leg),
        }
    }
    let mut out: Vec<_> = calls.into_values().collect();
    out.sort_by_key(|c| c.started_at);
    out
}

fn merge_leg(call: &mut CallRecord, leg: CallRecord) {
    use ringbridge_core::pbx::CallStatus;
    let answered = leg.disposition == CallStatus::Answered;
    call.duration_s = call.duration_s.max(leg.duration_s);
    call.talk_s = call.talk_s.max(leg.talk_s);
    if call.recording.is_none() {
        call.recording = leg.recording.clone();
    }
    if leg.started_at < call.started_at {
        let mut earlier = leg;
        earlier.duration_s = call.duration_s;
        earlier.talk_s = call.talk_s;
        earlier.recording = earlier.recording.or(call.recording.take());
        if call.disposition == CallStatus::Answered {
            earlier.disposition = CallStatus::Answered;
        }
        *call = earlier;
    } else if answered {
        call.disposition = CallStatus::Answered;
    }
}
