//! Yeastar event payloads → core [`PbxEvent`]s (docs/yeastar-api.md §5–6).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use ringbridge_core::pbx::{
    CallDirection, CallId, CallRecord, CallSnapshot, ExtensionCallState, Participant,
    ParticipantState, PbxEvent, RecordingRef,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::envelope::{Envelope, EventParseError};
use crate::wire::{self, Preview, WireText, WireU32};

pub const EXTENSION_CALL_STATE: i64 = 30008;
pub const CALL_STATE: i64 = 30011;
pub const NEW_CDR: i64 = 30012;
pub const CALL_TRANSFER: i64 = 30013;
pub const CALL_FORWARDING: i64 = 30014;
pub const CALL_FAILED: i64 = 30015;

/// Parses one event envelope. `Ok(None)`: a valid event of a type ringbridge
/// does not use (logged at debug and skipped).
pub fn parse_event(text: &str, timezone: Tz) -> Result<Option<PbxEvent>, EventParseError> {
    let envelope = Envelope::parse(text)?;
    let Some(event_type) = envelope.event_type else {
        // docs/yeastar-api.md §5: `type` may be missing (the 30014 field table has none). The
        // call events ringbridge needs (30011, 30013, 30014) all carry a
        // Call_Info snapshot, so one is taken as a call state; anything
        // else cannot be placed.
        return match envelope.msg::<CallInfo>() {
            Ok(info) if info.members.is_some() => Ok(Some(PbxEvent::CallState(snapshot(info)?))),
            _ => Err(EventParseError::new(
                "event without a `type` that is not a call snapshot",
            )),
        };
    };
    let event = match event_type {
        CALL_STATE => PbxEvent::CallState(snapshot(envelope.msg()?)?),
        CALL_TRANSFER => PbxEvent::CallTransferred(snapshot(envelope.msg()?)?),
        CALL_FORWARDING => PbxEvent::CallForwarded(snapshot(envelope.msg()?)?),
        CALL_FAILED => call_failed(envelope.msg()?)?,
        NEW_CDR => PbxEvent::CallEnded(Box::new(new_cdr(envelope.msg()?, timezone)?)),
        EXTENSION_CALL_STATE => match extension_state(envelope.msg()?)? {
            Some(event) => event,
            None => return Ok(None),
        },
        other => {
            note_skipped_type(other, envelope.sn.as_deref());
            return Ok(None);
        }
    };
    Ok(Some(event))
}

/// Event types ringbridge does not use are skipped. The first of each type
/// is logged at info (a firmware sending something new shows once), later
/// ones at debug so a busy PBX does not flood the log.
fn note_skipped_type(event_type: i64, sn: Option<&str>) {
    static SEEN: Mutex<BTreeSet<i64>> = Mutex::new(BTreeSet::new());
    let first = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(event_type);
    if first {
        tracing::info!(
            event_type,
            ?sn,
            "skipping PBX events of a type ringbridge does not use (logged once per type)"
        );
    } else {
        tracing::debug!(event_type, ?sn, "skipping unused PBX event type");
    }
}

/// `Call_Info`, also the `data` rows of `call/query`.
#[derive(Debug, Deserialize)]
pub(crate) struct CallInfo {
    call_id: WireText,
    #[serde(default)]
    members: Option<Vec<Box<RawValue>>>,
}

#[derive(Debug, Deserialize)]
struct ExtMember {
    number: WireText,
    channel_id: WireText,
    member_status: WireText,
    #[serde(default)]
    call_path: Option<WireText>,
}

#[derive(Debug, Deserialize)]
struct TrunkMember {
    #[serde(default)]
    from: Option<WireText>,
    #[serde(default)]
    to: Option<WireText>,
    #[serde(default)]
    trunk_name: Option<WireText>,
    channel_id: WireText,
    member_status: WireText,
    #[serde(default)]
    call_path: Option<WireText>,
}

pub(crate) fn snapshot(info: CallInfo) -> Result<CallSnapshot, EventParseError> {
    let call_id = call_id(info.call_id)?;
    let participants = members(info.members.unwrap_or_default(), &call_id)?;
    Ok(CallSnapshot {
        call_id,
        participants,
    })
}

fn call_id(text: WireText) -> Result<CallId, EventParseError> {
    text.non_empty()
        .map(CallId)
        .ok_or_else(|| EventParseError::new("empty `call_id`"))
}

/// Each member is an object with exactly one key naming its kind.
fn members(
    raw: Vec<Box<RawValue>>,
    call_id: &CallId,
) -> Result<Vec<ParticipantState>, EventParseError> {
    let mut out = Vec::with_capacity(raw.len());
    for member in raw {
        let tagged: Tagged<'_> = serde_json::from_str(member.get())
            .map_err(|e| EventParseError::new(format!("call {call_id}: bad member: {e}")))?;
        let (Some((kind, body)), false) = (tagged.first, tagged.more) else {
            return Err(EventParseError::new(format!(
                "call {call_id}: a member must have exactly one key, got {}",
                Preview(member.get())
            )));
        };
        let bad = |e: serde_json::Error| {
            EventParseError::new(format!("call {call_id}: bad `{kind}` member: {e}"))
        };
        let state = match kind.as_ref() {
            "extension" => {
                let m: ExtMember = serde_json::from_str(body.get()).map_err(bad)?;
                ParticipantState {
                    participant: Participant::Extension {
                        number: m.number.into_string(),
                        channel: m.channel_id.into_string(),
                    },
                    state: wire::leg_state(&m.member_status.0),
                    via: wire::opt_text(m.call_path),
                }
            }
            "inbound" | "outbound" => {
                let m: TrunkMember = serde_json::from_str(body.get()).map_err(bad)?;
                let inbound = kind == "inbound";
                let from = m.from.map(WireText::into_string).unwrap_or_default();
                let to = m.to.map(WireText::into_string).unwrap_or_default();
                // The outside party: the caller when inbound, the callee when
                // outbound; `to` is what was dialled either way.
                let number = if inbound { from } else { to.clone() };
                ParticipantState {
                    participant: Participant::External {
                        number,
                        dialed: to,
                        trunk: m.trunk_name.map(WireText::into_string).unwrap_or_default(),
                        channel: m.channel_id.into_string(),
                        inbound,
                    },
                    state: wire::leg_state(&m.member_status.0),
                    via: wire::opt_text(m.call_path),
                }
            }
            other => {
                tracing::debug!(call_id = %call_id, kind = other, "skipping unknown member kind");
                continue;
            }
        };
        out.push(state);
    }
    Ok(out)
}

/// A member object read in place: its one key (the last value of a
/// repeated key wins, as in a map) and whether it has other keys.
struct Tagged<'a> {
    first: Option<(Cow<'a, str>, &'a RawValue)>,
    more: bool,
}

impl<'de> Deserialize<'de> for Tagged<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Tagged<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a member object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Tagged<'de>, A::Error> {
                let mut tagged = Tagged {
                    first: None,
                    more: false,
                };
                while let Some(Key(key)) = map.next_key()? {
                    let body: &'de RawValue = map.next_value()?;
                    match &mut tagged.first {
                        None => tagged.first = Some((key, body)),
                        Some((first, value)) if *first == key => *value = body,
                        Some(_) => tagged.more = true,
                    }
                }
                Ok(tagged)
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A map key, borrowed from the frame unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

#[derive(Debug, Deserialize)]
struct CallFailed {
    call_id: WireText,
    #[serde(default)]
    reason: Option<WireText>,
    #[serde(default)]
    members: Option<Vec<Box<RawValue>>>,
}

fn call_failed(msg: CallFailed) -> Result<PbxEvent, EventParseError> {
    let call_id = call_id(msg.call_id)?;
    let participants = members(msg.members.unwrap_or_default(), &call_id)?;
    let reason = msg.reason.map(|r| failure_reason(&r.0)).unwrap_or_default();
    Ok(PbxEvent::CallFailed {
        call_id,
        reason,
        participants,
    })
}

/// 30015 reasons as the vendor spells them (typos included). The wire case
/// varies (`486 Busy Here`), so a known reason is matched ignoring case and
/// handed on in this one spelling; unknown reasons pass through trimmed.
pub const FAILURE_REASONS: [&str; 13] = [
    "NO Dial Permission",
    "NO Outbound Restrictin",
    "Circuit/channel congestion",
    "DND",
    "Line Unreachable",
    "User Busy",
    "410 Gone",
    "404 NOT found",
    "408 Request Time",
    "480 Temporatily Unavailable",
    "484 Address incomplete",
    "486 Busy here",
    "603 Declined",
];

/// The canonical spelling of a 30015 reason (see [`FAILURE_REASONS`]).
pub fn failure_reason(text: &str) -> String {
    let text = text.trim();
    FAILURE_REASONS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(text))
        .map_or_else(|| text.to_owned(), |known| (*known).to_owned())
}

#[derive(Debug, Deserialize)]
struct NewCdr {
    call_id: WireText,
    time_start: WireText,
    #[serde(default)]
    call_from: Option<WireText>,
    #[serde(default)]
    call_to: Option<WireText>,
    #[serde(default)]
    call_duration: Option<WireU32>,
    #[serde(default)]
    talk_duration: Option<WireU32>,
    #[serde(default)]
    src_trunk_name: Option<WireText>,
    #[serde(default)]
    dst_trunk_name: Option<WireText>,
    #[serde(default)]
    status: Option<WireText>,
    #[serde(rename = "type", default)]
    call_type: Option<WireText>,
    #[serde(default)]
    recording: Option<WireText>,
    #[serde(default)]
    did_number: Option<WireText>,
}

fn new_cdr(msg: NewCdr, timezone: Tz) -> Result<CallRecord, EventParseError> {
    let call_id = call_id(msg.call_id)?;
    let started_at = pbx_local_time(&msg.time_start.0, timezone).ok_or_else(|| {
        EventParseError::new(format!(
            "call {call_id}: `time_start` {:?} is not YYYY-MM-DD HH:mm:ss",
            Preview(&msg.time_start.0).to_string()
        ))
    })?;
    let inbound_trunk = wire::opt_text(msg.src_trunk_name);
    let outbound_trunk = wire::opt_text(msg.dst_trunk_name);
    let direction = msg
        .call_type
        .as_ref()
        .and_then(|t| wire::direction(&t.0))
        .unwrap_or_else(|| guess_direction(inbound_trunk.is_some(), outbound_trunk.is_some()));
    let (from_name, from_number) = wire::split_name_number(&text_or_empty(msg.call_from));
    let (to_name, to_number) = wire::split_name_number(&text_or_empty(msg.call_to));
    Ok(CallRecord {
        call_id,
        leg_id: None,
        started_at,
        direction,
        disposition: wire::disposition(&text_or_empty(msg.status)),
        from_number,
        from_name,
        to_number,
        to_name,
        duration_s: wire::opt_u32(msg.call_duration),
        ring_s: None,
        talk_s: wire::opt_u32(msg.talk_duration),
        inbound_trunk,
        outbound_trunk,
        did: wire::opt_text(msg.did_number),
        recording: wire::opt_text(msg.recording).map(RecordingRef),
    })
}

fn text_or_empty(text: Option<WireText>) -> String {
    text.map(WireText::into_string).unwrap_or_default()
}

/// When the PBX leaves out the call type: a call from a trunk came in, one
/// to a trunk went out, anything else stayed inside.
pub(crate) fn guess_direction(from_trunk: bool, to_trunk: bool) -> CallDirection {
    match (from_trunk, to_trunk) {
        (true, _) => CallDirection::Inbound,
        (false, true) => CallDirection::Outbound,
        (false, false) => CallDirection::Internal,
    }
}

/// `YYYY-MM-DD HH:mm:ss` in the PBX's zone → UTC. In the autumn DST overlap
/// the earlier instant is taken; a time in the spring gap (cannot happen on a
/// correct clock) is read as the instant right after the gap.
pub fn pbx_local_time(text: &str, timezone: Tz) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    let local = timezone.from_local_datetime(&naive);
    let resolved = local.earliest().or_else(|| {
        (1..=4)
            .map(|quarter| naive + chrono::Duration::minutes(15 * quarter))
            .find_map(|later| timezone.from_local_datetime(&later).earliest())
    })?;
    Some(resolved.with_timezone(&Utc))
}

#[derive(Debug, Deserialize)]
struct ExtensionState {
    extension: WireText,
    status: WireText,
}

fn extension_state(msg: ExtensionState) -> Result<Option<PbxEvent>, EventParseError> {
    let state = match msg.status.0.trim().to_ascii_lowercase().as_str() {
        "idle" => ExtensionCallState::Idle,
        "ringing" => ExtensionCallState::Ringing,
        "busy" => ExtensionCallState::Busy,
        other => {
            tracing::debug!(extension = %msg.extension.0, status = other, "unknown extension call state");
            return Ok(None);
        }
    };
    let extension = msg
        .extension
        .non_empty()
        .ok_or_else(|| EventParseError::new("30008 without an `extension`"))?;
    Ok(Some(PbxEvent::ExtensionState { extension, state }))
}
