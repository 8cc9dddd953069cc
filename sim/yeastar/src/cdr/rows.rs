//! JSON shapes of CDR rows. Absent numeric fields stay absent (docs/yeastar-api.md §8).

use serde_json::{Map, Value, json};

use super::{CallRecord, LegRecord};
use crate::config::DisplayFormat;
use crate::engine::model::{Disposition, LegKind};
use crate::timefmt::{self, PbxZone};

/// Formatting context.
#[derive(Debug, Clone, Copy)]
pub struct RowContext {
    /// PBX time zone.
    pub zone: PbxZone,
    /// PBX display format.
    pub display: DisplayFormat,
}

/// `name<number>`, or the bare number for external parties.
fn party(name: &str, number: &str) -> String {
    if name.is_empty() {
        number.to_owned()
    } else {
        format!("{name}<{number}>")
    }
}

fn common(rec: &CallRecord, ctx: RowContext, start: i64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "time".into(),
        timefmt::display(start, ctx.zone, ctx.display).into(),
    );
    m.insert("timestamp".into(), start.into());
    m.insert("uid".into(), rec.uid.clone().into());
    m.insert("call_id".into(), rec.call_id.clone().into());
    m.insert(
        "call_from".into(),
        party(&rec.from_name, &rec.from_number).into(),
    );
    m.insert("call_from_number".into(), rec.from_number.clone().into());
    m.insert("call_from_name".into(), rec.from_name.clone().into());
    m.insert("src_addr".into(), rec.src_addr.clone().into());
    m.insert("src_trunk".into(), rec.src_trunk.clone().into());
    m.insert("dst_trunk".into(), rec.dst_trunk.clone().into());
    m.insert("call_type".into(), rec.call_type.as_str().into());
    m.insert("did_number".into(), rec.did_number.clone().into());
    let did = if rec.did_number.is_empty() {
        String::new()
    } else {
        format!("{}:{}", rec.did_number, rec.src_trunk)
    };
    m.insert("did".into(), did.into());
    m.insert("did_name".into(), rec.did_name.clone().into());
    m.insert("dod_number".into(), rec.dod_number.clone().into());
    m.insert("reason".into(), rec.reason().into());
    m.insert("pin_code".into(), "".into());
    m.insert("call_note".into(), Value::Null);
    m.insert("call_note_id".into(), "".into());
    m.insert("enb_call_note".into(), 0.into());
    m
}

fn durations(m: &mut Map<String, Value>, start: i64, answer: Option<i64>, end: i64) {
    m.insert("duration".into(), (end - start).into());
    m.insert(
        "ring_duration".into(),
        (answer.unwrap_or(end) - start).into(),
    );
    if let Some(a) = answer {
        m.insert("talk_duration".into(), (end - a).into());
    }
}

fn callee(m: &mut Map<String, Value>, name: &str, number: &str) {
    m.insert("call_to".into(), party(name, number).into());
    m.insert("call_to_number".into(), number.into());
    m.insert("call_to_name".into(), name.into());
}

/// Legacy module: one row per call, with an integer `id` and no `new_id`.
pub fn legacy_row(rec: &CallRecord, ctx: RowContext) -> Value {
    let mut m = common(rec, ctx, rec.started_at);
    m.insert("id".into(), rec.id.into());
    match rec.answering_leg() {
        Some(leg) => callee(&mut m, &leg.name, &leg.number),
        None => callee(&mut m, &rec.to_name, &rec.to_number),
    }
    let answer = rec.answered_at.or_else(|| {
        rec.legs
            .iter()
            .find(|l| l.disposition == Disposition::Voicemail)
            .and_then(|l| l.answer)
    });
    durations(&mut m, rec.started_at, answer, rec.ended_at);
    m.insert("disposition".into(), rec.status.as_str().into());
    if let Some(file) = &rec.recording {
        m.insert("record_file".into(), file.clone().into());
    }
    Value::Object(m)
}

fn leg_row(rec: &CallRecord, leg: &LegRecord, ctx: RowContext) -> Value {
    let mut m = common(rec, ctx, leg.start);
    m.insert("new_id".into(), leg.new_id.clone().into());
    callee(&mut m, &leg.name, &leg.number);
    durations(&mut m, leg.start, leg.answer, leg.end);
    m.insert("disposition".into(), leg.disposition.as_str().into());
    if let Some(file) = &leg.record_file {
        m.insert("record_file".into(), file.clone().into());
    }
    Value::Object(m)
}

/// Reworked module: a row per leg, all sharing `call_id` and `uid`.
pub fn reworked_rows(rec: &CallRecord, ctx: RowContext) -> Vec<Value> {
    rec.legs.iter().map(|l| leg_row(rec, l, ctx)).collect()
}

fn person(m: &mut Map<String, Value>, key: &str, name: &str, number: &str) {
    m.insert(key.into(), party(name, number).into());
    m.insert(format!("{key}_name"), name.into());
    m.insert(format!("{key}_number"), number.into());
}

fn names(list: &[(String, String)]) -> String {
    list.iter()
        .map(|(number, name)| format!("{name}<{number}>"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `/openapi/v2.0/cdr/*`: one row per call.
pub fn v2_row(rec: &CallRecord, ctx: RowContext) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), rec.id.into());
    m.insert("uid".into(), rec.uid.clone().into());
    m.insert("call_id".into(), rec.call_id.clone().into());
    m.insert(
        "time".into(),
        timefmt::display(rec.started_at, ctx.zone, ctx.display).into(),
    );
    m.insert("timestamp".into(), rec.started_at.into());
    m.insert("call_type".into(), rec.call_type.as_str().into());
    person(&mut m, "call_from", &rec.from_name, &rec.from_number);
    person(&mut m, "call_to", &rec.to_name, &rec.to_number);
    let people: Vec<&LegRecord> = rec
        .legs
        .iter()
        .filter(|l| matches!(l.kind, LegKind::Extension | LegKind::External))
        .collect();
    let second = people
        .iter()
        .find(|l| l.answer.is_some())
        .or(people.first());
    let (n2, s2) = second.map_or(("", ""), |l| (l.name.as_str(), l.number.as_str()));
    person(&mut m, "second_participant", n2, s2);
    let (nl, sl) = people
        .last()
        .map_or(("", ""), |l| (l.name.as_str(), l.number.as_str()));
    person(&mut m, "last_participant", nl, sl);
    let in_queue = !rec.queues.is_empty() || !rec.ring_groups.is_empty();
    let last_status = if rec.status == Disposition::NoAnswer && rec.caller_hung_up && in_queue {
        "ABANDONED"
    } else {
        rec.status.as_str()
    };
    m.insert("last_status".into(), last_status.into());
    m.insert("queues".into(), names(&rec.queues).into());
    m.insert("ivrs".into(), "".into());
    m.insert("ring_groups".into(), names(&rec.ring_groups).into());
    m.insert(
        "call_duration".into(),
        (rec.ended_at - rec.started_at).into(),
    );
    let routing = rec.answered_at.unwrap_or(rec.ended_at) - rec.started_at;
    m.insert("routing_duration".into(), routing.into());
    m.insert("handling_duration".into(), rec.talk_duration().into());
    m.insert("src_trunk".into(), rec.src_trunk.clone().into());
    m.insert("dst_trunk".into(), rec.dst_trunk.clone().into());
    m.insert("did_number".into(), rec.did_number.clone().into());
    if let Some(file) = &rec.recording {
        m.insert("record_file".into(), file.clone().into());
    }
    Value::Object(m)
}

/// The 30012 `msg` for a finished call (docs/yeastar-api.md §6.2).
pub fn new_cdr_msg(rec: &CallRecord, zone: PbxZone) -> Value {
    let call_to = rec
        .answering_leg()
        .map_or(rec.to_number.clone(), |l| l.number.clone());
    json!({
        "call_id": rec.call_id,
        "time_start": timefmt::time_start(rec.started_at, zone),
        "call_from": rec.from_number,
        "call_to": call_to,
        "call_duration": rec.ended_at - rec.started_at,
        "talk_duration": rec.talk_duration(),
        "src_trunk_name": rec.src_trunk,
        "dst_trunk_name": rec.dst_trunk,
        "pin_code": "",
        "status": rec.status.as_str(),
        "type": rec.call_type.as_str(),
        "recording": rec.recording.clone().unwrap_or_default(),
        "did_number": rec.did_number,
        "agent_ring_time": rec.agent_ring_time,
    })
}
