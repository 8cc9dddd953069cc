//! One lifecycle per call, however many legs: which extensions rang, who
//! answered, transfers, and the end. Pure state machine over [`PbxEvent`]s;
//! the engine feeds it and acts on the [`CallUpdate`]s it returns.
//!
//! Rules (PRODUCT.md, engine issue):
//! - A ring group or queue call is answered if any agent answered; the
//!   agents who rang and did not answer get `RingStopped`, not a missed call.
//! - Transfers keep one call: the original outside party stays, and every
//!   extension that talked is remembered in order (owner policy picks).
//! - Extension vs outside party comes from the PBX's own member kinds.
//! - Two overlapping calls from one number have two call ids: two calls.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::pbx::{CallDirection, CallId, CallRecord, CallStatus, LegState, Participant, PbxEvent};
use crate::phone::NumberPlan;

/// Something a person should see change (screen pop, panel) or the engine
/// should act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallUpdate {
    /// An extension started ringing for this call.
    Ringing {
        call_id: CallId,
        extension: String,
        other_party: Option<String>,
        direction: CallDirection,
    },
    /// An extension is talking on this call.
    Answered {
        call_id: CallId,
        extension: String,
        other_party: Option<String>,
    },
    /// An extension stopped ringing without answering (someone else did, or the caller gave up).
    RingStopped {
        call_id: CallId,
        extension: String,
        answered_elsewhere: bool,
    },
    /// An extension left the call after talking (hang-up or transfer away).
    Left { call_id: CallId, extension: String },
    /// The PBX could not set the call up (Yeastar 30015), with its reason.
    /// Comes after the legs it ends; the call's end may still follow.
    Failed { call_id: CallId, reason: String },
    /// The PBX recorded the call's end: it can be logged.
    Ended(Box<CallOutcome>),
}

/// Which of the extensions that talked owns the call log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerPolicy {
    /// The last agent who talked (after transfers: who finished the call).
    #[default]
    LastTalker,
    FirstTalker,
}

/// A finished call, from the live events when ringbridge saw them and from
/// the PBX's call record (durations, recording) in any case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallOutcome {
    pub call_id: CallId,
    pub direction: CallDirection,
    /// The outside party's number as the PBX gave it (inbound: caller;
    /// outbound: callee, without the outside-line prefix the tracker's
    /// plan names). `None` for internal calls.
    pub other_party: Option<String>,
    /// For internal calls: the calling and called extensions.
    pub internal_parties: Option<(String, String)>,
    pub answered: bool,
    /// The extension that placed the call (outbound and internal calls).
    pub initiator: Option<String>,
    /// Extensions in the order they talked on the call.
    pub talked: Vec<String>,
    /// Extensions that rang, in order (including those that answered).
    pub rang: Vec<String>,
    /// The ring group / queue / IVR the call went through, if any.
    pub via: Option<String>,
    pub record: CallRecord,
}

impl CallOutcome {
    /// The extension whose user owns the call log: for an internal call
    /// its caller; else the talker the policy picks; else who placed the
    /// call; else the one extension that rang.
    /// `None` for a call that rang several extensions and nobody answered
    /// (the engine's missed-call setting decides).
    pub fn owner(&self, policy: OwnerPolicy) -> Option<&str> {
        // An internal call is filed as its caller's outgoing call
        // (`CallKind::log_type`), so it is the caller's, not the callee's.
        if self.direction == CallDirection::Internal
            && let Some(caller) = &self.initiator
        {
            return Some(caller);
        }
        let talker = match policy {
            OwnerPolicy::LastTalker => self.talked.last(),
            OwnerPolicy::FirstTalker => self.talked.first(),
        };
        let only_rang = if self.rang.len() == 1 {
            self.rang.first()
        } else {
            None
        };
        talker
            .or(self.initiator.as_ref())
            .or(only_rang)
            .map(String::as_str)
    }

    pub fn is_voicemail(&self) -> bool {
        self.record.disposition == CallStatus::Voicemail
    }

    /// Whether `extension` took part: it rang, talked, placed the call, or
    /// was one end of an internal call.
    pub fn involves(&self, extension: &str) -> bool {
        self.rang.iter().any(|e| e == extension)
            || self.talked.iter().any(|e| e == extension)
            || self.initiator.as_deref() == Some(extension)
            || self
                .internal_parties
                .as_ref()
                .is_some_and(|(a, b)| a == extension || b == extension)
    }
}

#[derive(Debug, Clone)]
struct Leg {
    participant: Participant,
    state: LegState,
    rang: bool,
    talked: bool,
}

#[derive(Debug, Clone, Default)]
struct LiveCall {
    legs: BTreeMap<String, Leg>,
    rang: Vec<String>,
    talked: Vec<String>,
    initiator: Option<String>,
    via: Option<String>,
    last_seen: Option<DateTime<Utc>>,
}

impl LiveCall {
    fn outside(&self) -> Option<(&str, bool)> {
        self.legs.values().find_map(|leg| match &leg.participant {
            Participant::External {
                number, inbound, ..
            } => Some((number.as_str(), *inbound)),
            Participant::Extension { .. } => None,
        })
    }

    /// The outside party's number: a caller's as presented, a dialled
    /// number without the plan's outside-line prefix.
    fn outside_party(&self, plan: &NumberPlan) -> Option<String> {
        self.outside().map(|(number, inbound)| {
            if inbound {
                number.to_owned()
            } else {
                plan.without_outside_line(number).to_owned()
            }
        })
    }

    fn direction(&self) -> CallDirection {
        match self.outside() {
            Some((_, true)) => CallDirection::Inbound,
            Some((_, false)) => CallDirection::Outbound,
            None => CallDirection::Internal,
        }
    }
}

/// Tracks every live call of one PBX.
#[derive(Debug, Default)]
pub struct CallTracker {
    live: HashMap<CallId, LiveCall>,
    /// Whose outside-line prefix comes off dialled numbers.
    plan: NumberPlan,
}

impl CallTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// A tracker that reports dialled numbers without the outside-line
    /// prefix of `plan` (the number the user meant, as the log shows it).
    pub fn with_plan(plan: NumberPlan) -> Self {
        Self {
            live: HashMap::new(),
            plan,
        }
    }

    /// Number of calls currently tracked.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Whether the call is in progress as far as the live events tell.
    pub fn is_live(&self, call_id: &CallId) -> bool {
        self.live.contains_key(call_id)
    }

    /// Applies one event; returns what changed.
    pub fn apply(&mut self, event: &PbxEvent, at: DateTime<Utc>) -> Vec<CallUpdate> {
        match event {
            PbxEvent::CallState(snapshot)
            | PbxEvent::CallTransferred(snapshot)
            | PbxEvent::CallForwarded(snapshot) => {
                let plan = &self.plan;
                let call = self.live.entry(snapshot.call_id.clone()).or_default();
                call.last_seen = Some(at);
                let mut updates = Vec::new();
                // Who answered first, then who left: within one frame the
                // agents who stop ringing do so because someone answered.
                let (connected, rest): (Vec<_>, Vec<_>) = snapshot
                    .participants
                    .iter()
                    .partition(|m| m.state.is_connected());
                for member in connected.into_iter().chain(rest) {
                    update_leg(plan, &snapshot.call_id, call, member, &mut updates);
                }
                updates
            }
            PbxEvent::CallFailed {
                call_id,
                reason,
                participants,
            } => {
                let mut updates = Vec::new();
                if let Some(call) = self.live.get_mut(call_id) {
                    for member in participants {
                        let gone = crate::pbx::ParticipantState {
                            state: LegState::Gone,
                            ..member.clone()
                        };
                        update_leg(&self.plan, call_id, call, &gone, &mut updates);
                    }
                }
                // Also for a call never seen live (a dial refused at once).
                updates.push(CallUpdate::Failed {
                    call_id: call_id.clone(),
                    reason: reason.clone(),
                });
                updates
            }
            PbxEvent::CallEnded(record) => {
                let live = self.live.remove(&record.call_id).unwrap_or_default();
                let mut updates = close_ringing(&record.call_id, &live);
                updates.push(CallUpdate::Ended(Box::new(outcome(
                    &self.plan,
                    live,
                    (**record).clone(),
                ))));
                updates
            }
            PbxEvent::ExtensionState { .. } => Vec::new(),
        }
    }

    /// Forgets calls not seen since `before` whose end never came (the
    /// engine catches their ends up from call records).
    pub fn expire(&mut self, before: DateTime<Utc>) -> usize {
        let old = self.live.len();
        self.live
            .retain(|_, call| call.last_seen.is_none_or(|seen| seen >= before));
        old - self.live.len()
    }
}

fn update_leg(
    plan: &NumberPlan,
    call_id: &CallId,
    call: &mut LiveCall,
    member: &crate::pbx::ParticipantState,
    updates: &mut Vec<CallUpdate>,
) {
    if member.via.as_deref().is_some_and(|v| !v.is_empty()) && call.via.is_none() {
        call.via = member.via.clone();
    }
    // Looked up before inserting: a known leg (most frames) costs no copy
    // of its channel.
    let channel = member.participant.channel();
    if !call.legs.contains_key(channel) {
        call.legs.insert(
            channel.to_owned(),
            Leg {
                participant: member.participant.clone(),
                state: member.state.clone(),
                rang: false,
                talked: false,
            },
        );
    }
    let Some(leg) = call.legs.get_mut(channel) else {
        return;
    };
    leg.state = member.state.clone();
    let Some(extension) = member.participant.extension() else {
        return;
    };
    if member.state == LegState::Alerting && call.initiator.is_none() {
        call.initiator = Some(extension.to_owned());
    }
    let (rang_now, talked_now, left_now) = match member.state {
        LegState::Ringing if !leg.rang => {
            leg.rang = true;
            (true, false, false)
        }
        LegState::Answered | LegState::Talking if !leg.talked => {
            leg.talked = true;
            (false, true, false)
        }
        LegState::Gone => (false, false, true),
        _ => (false, false, false),
    };
    let (was_talking, was_rung) = (leg.talked, leg.rang);
    if left_now {
        call.legs.remove(channel);
    }
    if !(rang_now || talked_now || (left_now && (was_talking || was_rung))) {
        return; // nothing a person sees changed
    }
    let call_id = call_id.clone();
    let extension = extension.to_owned();
    if rang_now {
        if !call.rang.contains(&extension) {
            call.rang.push(extension.clone());
        }
        updates.push(CallUpdate::Ringing {
            call_id,
            extension,
            other_party: call.outside_party(plan),
            direction: call.direction(),
        });
    } else if talked_now {
        if call.talked.last() != Some(&extension) {
            call.talked.push(extension.clone());
        }
        updates.push(CallUpdate::Answered {
            call_id,
            extension,
            other_party: call.outside_party(plan),
        });
    } else if left_now {
        if was_talking {
            updates.push(CallUpdate::Left { call_id, extension });
        } else if was_rung {
            let answered_elsewhere = !call.talked.is_empty();
            updates.push(CallUpdate::RingStopped {
                call_id,
                extension,
                answered_elsewhere,
            });
        }
    }
}

/// Extensions still ringing when the call's record arrives stop ringing.
fn close_ringing(call_id: &CallId, live: &LiveCall) -> Vec<CallUpdate> {
    live.legs
        .values()
        .filter(|leg| leg.rang && !leg.talked)
        .filter_map(|leg| leg.participant.extension())
        .map(|extension| CallUpdate::RingStopped {
            call_id: call_id.clone(),
            extension: extension.to_owned(),
            answered_elsewhere: !live.talked.is_empty(),
        })
        .collect()
}

fn outcome(plan: &NumberPlan, live: LiveCall, record: CallRecord) -> CallOutcome {
    let seen_live = !live.legs.is_empty() || !live.rang.is_empty() || !live.talked.is_empty();
    // The record is the authority on direction; live data adds who rang and talked.
    let direction = record.direction;
    let answered = record.disposition == CallStatus::Answered || !live.talked.is_empty();
    let (other_party, internal_parties) = match direction {
        CallDirection::Inbound => (
            Some(
                live.outside_party(plan)
                    .unwrap_or_else(|| record.from_number.clone()),
            ),
            None,
        ),
        CallDirection::Outbound => (
            Some(
                live.outside_party(plan)
                    .unwrap_or_else(|| plan.without_outside_line(&record.to_number).to_owned()),
            ),
            None,
        ),
        CallDirection::Internal => (
            None,
            Some((record.from_number.clone(), record.to_number.clone())),
        ),
    };
    let (mut talked, mut rang, mut initiator) = (live.talked, live.rang, live.initiator);
    if !seen_live {
        if direction != CallDirection::Inbound {
            initiator = Some(record.from_number.clone());
        }
        // Caught up from the call record alone: the extension side of the
        // record is who handled it.
        let extension = match direction {
            CallDirection::Inbound | CallDirection::Internal => Some(record.to_number.clone()),
            CallDirection::Outbound => None,
        };
        if let Some(ext) = extension {
            rang.push(ext.clone());
            if answered {
                talked.push(ext);
            }
        }
    }
    if answered && talked.is_empty() {
        match direction {
            CallDirection::Outbound => talked.extend(initiator.clone()),
            // The stream dropped between the ringing and the answer: the
            // record's extension side is who took the call.
            CallDirection::Inbound | CallDirection::Internal => {
                if !rang.contains(&record.to_number) {
                    rang.push(record.to_number.clone());
                }
                talked.push(record.to_number.clone());
            }
        }
    }
    CallOutcome {
        call_id: record.call_id.clone(),
        direction,
        other_party,
        internal_parties,
        answered,
        initiator,
        talked,
        rang,
        via: live.via,
        record,
    }
}

#[cfg(test)]
#[path = "tracker_tests.rs"]
mod tests;
