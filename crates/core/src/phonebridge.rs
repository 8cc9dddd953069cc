//! PhoneBridge mode: which Zoho `callnotify` events a call's [`CallUpdate`]s
//! become. Pure; the engine sends what this returns.
//!
//! What Zoho does with each state (docs/zoho-phonebridge.md §6–7): `ringing`
//! pops the call for the `zohouser`, `answered` starts its timer, and every
//! terminal state (`ended`, `missed`, `busy`/`noanswer`/...) closes the call
//! **and writes one Calls record** for the `zohouser` it names. No state
//! closes a pop without logging, and whether Zoho dedupes a repeated
//! terminal is unknown, so the plan never sends two terminals for a call.
//!
//! Rules:
//! - Only extensions mapped to a CRM user are notified (the user id is the
//!   `zohouser`); internal ext-to-ext calls never are.
//! - **Ring groups and queues: one Zoho call per PBX call.** Every agent
//!   rung before anyone answered gets `ringing` under the same `id`, the PBX
//!   call id; whoever answers gets `answered` under it. The call's one
//!   terminal closes that `id`, so the pops of the agents who did not answer
//!   go away with it, and the CRM gets one log, owned by the terminal's
//!   `zohouser`. (That Zoho closes a call for every user it was shown to is
//!   our reading of "`id`: same value for every event of the call"; a
//!   per-agent `missed` would close each pop only by filing a missed call
//!   for a call that was answered.)
//! - **Transfers: a new `id` per hand-over.** An agent rung after someone
//!   already answered gets `{call_id}-{extension}` ([`leg_id`]) and
//!   `transferredcallid` = the `id` the last talker had. The hand-over ends
//!   the earlier `id` in Zoho (unconfirmed), which gets no terminal of its
//!   own: the one terminal goes on the last talker's `id`.
//! - A call the agent placed from the desk phone never rings it, so its
//!   first sign is `Answered`: that leg is taken as outbound (`dialed`) and
//!   gets `ringing` then `answered`, so Zoho still pops.
//! - **One log per call.** The terminal comes from the PBX's call record
//!   (the authority on direction, talk time and recording), so calls caught
//!   up after a gap are logged too, without the live states:
//!   - inbound answered: `ended`, `zohouser` = the owner (owner policy; a
//!     mapped talker if the policy's pick is not mapped), duration = talk
//!     seconds;
//!   - inbound unanswered: one `missed` for the group-missed owner when the
//!     call rang several agents and that setting is set, else for the first
//!     mapped agent that rang;
//!   - outbound answered: `ended` for the caller; unanswered: one
//!     unattended state from the record's disposition.
//! - The logging policy still applies: a call it skips gets no terminal.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::pbx::{CallDirection, CallId, CallStatus};
use crate::policy::LoggingPolicy;
use crate::settings::EngineSettings;
use crate::tracker::{CallOutcome, CallUpdate, OwnerPolicy};
use crate::usermap::UserMap;

/// `type`: who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PbDirection {
    /// Inbound: from = customer, to = agent.
    Received,
    /// Outbound: from = agent, to = customer.
    Dialed,
}

/// Why an outbound call was not answered (Zoho's unattended states and
/// `clicktodialerror` codes), as far as the PBX tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PbUnattended {
    Busy,
    NoAnswer,
    /// The call failed (no route, congestion...).
    NotAvailable,
    /// The number cannot be dialled (not found, incomplete).
    Invalid,
    /// The agent may not dial it (no permission, restriction).
    Blocked,
    /// The other side declined (DND, 603).
    Rejected,
}

impl PbUnattended {
    pub fn from_disposition(d: &CallStatus) -> Self {
        match d {
            CallStatus::Busy => Self::Busy,
            CallStatus::Failed => Self::NotAvailable,
            _ => Self::NoAnswer,
        }
    }
}

/// `state` with what belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PbState {
    /// `transferred_from`: the leg id of the agent the call was transferred from.
    Ringing {
        transferred_from: Option<String>,
    },
    Answered,
    /// `recording`: the call has a recording, so the link goes along (`voiceuri`).
    Ended {
        start: DateTime<Utc>,
        duration_s: u32,
        recording: bool,
    },
    /// Inbound, nobody answered (a voicemail recording may go along).
    Missed {
        start: DateTime<Utc>,
        recording: bool,
    },
    /// Outbound, not answered.
    Unattended {
        reason: PbUnattended,
        start: DateTime<Utc>,
    },
    /// A click-to-dial the PBX failed (30015): Zoho's `clicktodialerror`,
    /// whose `message` Zoho shows the user. See [`dial_failure`].
    DialFailed {
        reason: PbUnattended,
        message: String,
    },
}

impl PbState {
    /// Terminal states are the ones that make Zoho write a Calls record.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Self::Ringing { .. } | Self::Answered)
    }
}

/// One `callnotify` to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PbNotification {
    pub call_id: CallId,
    /// The `id` Zoho sees: the PBX call id, or [`leg_id`] after a hand-over.
    pub leg_id: String,
    pub direction: PbDirection,
    pub state: PbState,
    /// The outside party's number as the PBX gave it.
    pub customer: String,
    /// The agent's extension (Zoho accepts the agent side as an extension; unconfirmed).
    pub extension: String,
    /// The agent's CRM user id (`zohouser`).
    pub zoho_user: String,
}

impl PbNotification {
    pub fn is_terminal(&self) -> bool {
        self.state.is_terminal()
    }

    /// `(from, to)` as Zoho wants them for the direction.
    pub fn from_to(&self) -> (&str, &str) {
        match self.direction {
            PbDirection::Received => (&self.customer, &self.extension),
            PbDirection::Dialed => (&self.extension, &self.customer),
        }
    }
}

/// The Zoho `id` of an agent's part in a call after a hand-over.
pub fn leg_id(call_id: &CallId, extension: &str) -> String {
    format!("{}-{extension}", call_id.as_str())
}

/// The settings the plan follows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanConfig {
    pub owner: OwnerPolicy,
    /// CRM user who owns missed calls that rang several agents.
    pub group_missed_owner: Option<String>,
    pub logging: LoggingPolicy,
}

impl PlanConfig {
    pub fn from_settings(s: &EngineSettings) -> Self {
        Self {
            owner: s.owner,
            group_missed_owner: s.group_missed_owner.clone(),
            logging: s.logging.clone(),
        }
    }
}

#[derive(Debug, Clone)]
struct LiveCall {
    direction: PbDirection,
    customer: String,
    /// Each notified extension with the Zoho `id` it was given.
    rung: Vec<(String, String)>,
    /// Mapped extensions that answered, in order.
    answered: Vec<String>,
    /// The last mapped extension that talked (for `transferredcallid`).
    last_talker: Option<String>,
    last_seen: DateTime<Utc>,
}

/// What was notified for each live call.
#[derive(Debug, Default)]
pub struct NotifyPlan {
    live: HashMap<CallId, LiveCall>,
}

impl NotifyPlan {
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls with live notifications and no end yet.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// The notifications one update calls for, in sending order.
    pub fn apply(
        &mut self,
        update: &CallUpdate,
        users: &UserMap,
        config: &PlanConfig,
        at: DateTime<Utc>,
    ) -> Vec<PbNotification> {
        match update {
            CallUpdate::Ringing {
                call_id,
                extension,
                other_party,
                direction,
            } => {
                let direction = match direction {
                    CallDirection::Inbound => PbDirection::Received,
                    CallDirection::Outbound => PbDirection::Dialed,
                    CallDirection::Internal => return Vec::new(),
                };
                let Some(customer) = other_party else {
                    return Vec::new();
                };
                // Remembered even for an unmapped agent: a mapped one may pick the call up.
                let call = self
                    .live
                    .entry(call_id.clone())
                    .or_insert_with(|| LiveCall {
                        direction,
                        customer: customer.clone(),
                        rung: Vec::new(),
                        answered: Vec::new(),
                        last_talker: None,
                        last_seen: at,
                    });
                call.last_seen = at;
                let Some(user) = users.user_for(extension) else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                ring(call_id, call, extension, &user.crm_user_id, &mut out);
                out
            }
            CallUpdate::Answered {
                call_id,
                extension,
                other_party,
            } => {
                let Some(user) = users.user_for(extension) else {
                    return Vec::new();
                };
                let call = match (self.live.get_mut(call_id), other_party) {
                    (Some(call), _) => call,
                    // Never rang here: the agent placed the call.
                    (None, Some(customer)) => {
                        self.live.entry(call_id.clone()).or_insert(LiveCall {
                            direction: PbDirection::Dialed,
                            customer: customer.clone(),
                            rung: Vec::new(),
                            answered: Vec::new(),
                            last_talker: None,
                            last_seen: at,
                        })
                    }
                    (None, None) => return Vec::new(),
                };
                call.last_seen = at;
                let mut out = Vec::new();
                ring(call_id, call, extension, &user.crm_user_id, &mut out);
                if !call.answered.contains(extension) {
                    call.answered.push(extension.clone());
                    let id = call.id_of(extension).unwrap_or_else(|| call_id.to_string());
                    out.push(notification(
                        call_id,
                        call,
                        extension,
                        &user.crm_user_id,
                        id,
                        PbState::Answered,
                    ));
                }
                call.last_talker = Some(extension.clone());
                out
            }
            // Nothing closes a pop without logging (see the module rules); a
            // failed click-to-dial is the notifier's (see [`dial_failure`]).
            CallUpdate::RingStopped { .. }
            | CallUpdate::Left { .. }
            | CallUpdate::Failed { .. } => Vec::new(),
            CallUpdate::Ended(outcome) => {
                self.live.remove(&outcome.call_id);
                terminal(outcome, users, config).into_iter().collect()
            }
        }
    }

    /// Whether Zoho has been shown this call (some agent got a notification
    /// for it): then only a terminal `callnotify` closes it there.
    pub fn announced(&self, call_id: &CallId) -> bool {
        self.live.get(call_id).is_some_and(|c| !c.rung.is_empty())
    }

    /// Forgets calls not seen since `before` whose end never came.
    pub fn expire(&mut self, before: DateTime<Utc>) -> usize {
        let old = self.live.len();
        self.live.retain(|_, c| c.last_seen >= before);
        old - self.live.len()
    }
}

impl LiveCall {
    fn id_of(&self, extension: &str) -> Option<String> {
        self.rung
            .iter()
            .find(|(e, _)| e == extension)
            .map(|(_, id)| id.clone())
    }
}

/// The Zoho `id` of an agent's part in a call: the PBX call id, except for
/// an inbound call handed over after someone answered (see the module rules).
fn zoho_id(call_id: &CallId, direction: PbDirection, handed_over: bool, extension: &str) -> String {
    match direction {
        PbDirection::Received if handed_over => leg_id(call_id, extension),
        _ => call_id.as_str().to_owned(),
    }
}

/// `ringing` for an agent not notified yet.
fn ring(
    call_id: &CallId,
    call: &mut LiveCall,
    extension: &str,
    user: &str,
    out: &mut Vec<PbNotification>,
) {
    if call.id_of(extension).is_some() {
        return;
    }
    let handed_over = !call.answered.is_empty();
    let id = zoho_id(call_id, call.direction, handed_over, extension);
    call.rung.push((extension.to_owned(), id.clone()));
    let transferred_from = match call.direction {
        PbDirection::Received => call
            .last_talker
            .as_deref()
            .filter(|t| *t != extension)
            .and_then(|t| call.id_of(t)),
        PbDirection::Dialed => None,
    };
    out.push(notification(
        call_id,
        call,
        extension,
        user,
        id,
        PbState::Ringing { transferred_from },
    ));
}

fn notification(
    call_id: &CallId,
    call: &LiveCall,
    extension: &str,
    user: &str,
    id: String,
    state: PbState,
) -> PbNotification {
    PbNotification {
        call_id: call_id.clone(),
        leg_id: id,
        direction: call.direction,
        state,
        customer: call.customer.clone(),
        extension: extension.to_owned(),
        zoho_user: user.to_owned(),
    }
}

/// The call's one terminal notification, if it is logged at all (also what
/// a call's processing job submits, so a dropped live update loses nothing).
pub fn terminal(
    outcome: &CallOutcome,
    users: &UserMap,
    config: &PlanConfig,
) -> Option<PbNotification> {
    let direction = match outcome.direction {
        CallDirection::Inbound => PbDirection::Received,
        CallDirection::Outbound => PbDirection::Dialed,
        CallDirection::Internal => return None,
    };
    config.logging.decide(outcome).ok()?;
    let customer = outcome.other_party.clone()?;
    let record = &outcome.record;
    let start = record.started_at;
    let recording = record.recording.is_some();
    let mapped = |ext: &String| {
        users
            .user_for(ext)
            .map(|u| (ext.clone(), u.crm_user_id.clone()))
    };
    let ((extension, user), state) = if outcome.answered {
        let preferred = outcome.owner(config.owner).map(str::to_owned);
        let agent = match direction {
            PbDirection::Dialed => outcome.initiator.iter().find_map(mapped),
            PbDirection::Received => None,
        }
        .or_else(|| preferred.as_ref().and_then(mapped))
        .or_else(|| outcome.talked.iter().rev().find_map(mapped))?;
        // Zoho files an `ended` of 0 seconds as a missed call.
        let duration_s = record.talk_s.unwrap_or(0).max(1);
        let state = PbState::Ended {
            start,
            duration_s,
            recording,
        };
        (agent, state)
    } else if direction == PbDirection::Dialed {
        let agent = outcome.initiator.iter().find_map(mapped)?;
        let reason = PbUnattended::from_disposition(&record.disposition);
        (agent, PbState::Unattended { reason, start })
    } else {
        let first_rang = outcome.rang.iter().find_map(mapped);
        let group_owner = config
            .group_missed_owner
            .as_ref()
            .filter(|_| outcome.rang.len() > 1)
            .map(|owner| {
                let ext = users
                    .extension_of(owner)
                    .map(str::to_owned)
                    .or_else(|| first_rang.as_ref().map(|(e, _)| e.clone()))
                    .or_else(|| outcome.rang.first().cloned())
                    .unwrap_or_else(|| record.to_number.clone());
                (ext, owner.clone())
            });
        let agent = group_owner.or(first_rang)?;
        (agent, PbState::Missed { start, recording })
    };
    // The last talker's `id`: a hand-over moved the call to a new one.
    let talkers: Vec<&String> = outcome
        .talked
        .iter()
        .filter(|e| users.user_for(e).is_some())
        .collect();
    let id = match (talkers.first(), talkers.last()) {
        (Some(first), Some(last)) if first != last => {
            zoho_id(&outcome.call_id, direction, true, last)
        }
        _ => outcome.call_id.as_str().to_owned(),
    };
    Some(PbNotification {
        call_id: outcome.call_id.clone(),
        leg_id: id,
        direction,
        state,
        customer,
        extension,
        zoho_user: user,
    })
}

#[path = "phonebridge_dial.rs"]
mod dial;
pub use dial::{DialStart, dial_failure, failure_code};

#[cfg(test)]
#[path = "phonebridge_tests.rs"]
mod tests;
