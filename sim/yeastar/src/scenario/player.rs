//! Plays scenarios against the engine, pacing waits on the simulated clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::ScenarioError;
use super::model::{CallSpec, PartySpec, Scenario, Step};
use crate::engine::{Engine, EngineError, Party};
use crate::state::Shared;

/// Lets `secs` of simulated time pass: a clock jump, or a real sleep in real-time mode.
pub(crate) async fn pace(shared: &Shared, secs: u64) {
    if secs == 0 {
        return;
    }
    if shared.settings.realtime_scenarios {
        tokio::time::sleep(Duration::from_secs(secs)).await;
        if shared.clock.is_frozen() {
            shared.clock.advance(Duration::from_secs(secs));
        }
    } else {
        shared.clock.advance(Duration::from_secs(secs));
    }
}

fn party(spec: &PartySpec) -> Party {
    match spec {
        PartySpec::External { number, trunk, did } => Party::External {
            number: number.clone(),
            trunk: trunk.clone(),
            did: did.clone(),
        },
        PartySpec::Extension { number } => Party::Extension(number.clone()),
        PartySpec::RingGroup { number } => Party::RingGroup(number.clone()),
        PartySpec::Queue { number } => Party::Queue(number.clone()),
    }
}

/// Runs one engine operation under the state lock and publishes its events in order.
pub(crate) fn apply<T>(
    shared: &Shared,
    op: impl FnOnce(&mut Engine<'_>) -> Result<T, EngineError>,
) -> Result<T, EngineError> {
    let mut st = shared.lock();
    let mut engine = Engine::new(&mut st, &shared.settings, shared.clock.now());
    let result = op(&mut engine);
    // Events of a failed operation are still real (e.g. frames sent before the failure).
    for e in std::mem::take(&mut engine.out) {
        shared.bus.publish(e);
    }
    result
}

/// Creates a call from a spec without announcing it; returns its call id.
pub(crate) fn start(shared: &Shared, spec: &CallSpec) -> Result<String, EngineError> {
    apply(shared, |e| {
        let id = e.start_call(&party(&spec.from), &party(&spec.to), spec.record)?;
        if let Some(c) = e.st.calls.get_mut(&id) {
            c.permission_ext.clone_from(&spec.dial_permission);
        }
        Ok(id)
    })
}

/// Plays a scenario to the end; returns the call ids it created, in creation order.
pub async fn play(shared: &Arc<Shared>, scenario: &Scenario) -> Result<Vec<String>, ScenarioError> {
    play_bound(shared, scenario, HashMap::new()).await
}

/// Plays a scenario whose calls may already exist (`bound`: label → call id).
pub(crate) async fn play_bound(
    shared: &Arc<Shared>,
    scenario: &Scenario,
    mut bound: HashMap<String, String>,
) -> Result<Vec<String>, ScenarioError> {
    let sc = scenario.resolved()?;
    let mut created: Vec<String> = sc
        .calls
        .iter()
        .filter_map(|c| bound.get(&c.id).cloned())
        .collect();
    let default_label = sc.calls[0].id.clone();
    if let Some(start) = &sc.start_at {
        shared.clock.set(start.epoch(shared.settings.zone())?);
    }
    for (i, step) in sc.steps.iter().enumerate() {
        if let Step::Wait { secs } = step {
            pace(shared, *secs).await;
            continue;
        }
        if let Some(fault) = step.fault() {
            crate::faults::apply(shared, &fault);
            continue;
        }
        let label = step.call().unwrap_or(&default_label).to_owned();
        let spec = sc
            .calls
            .iter()
            .find(|c| c.id == label)
            .ok_or_else(|| ScenarioError::UnknownCall(label.clone()))?;
        let call_id = match bound.get(&label) {
            Some(id) => id.clone(),
            None => {
                let id = start(shared, spec)
                    .map_err(|source| ScenarioError::Step { step: i, source })?;
                bound.insert(label.clone(), id.clone());
                created.push(id.clone());
                id
            }
        };
        if !shared.lock().calls.contains_key(&call_id) {
            // Ended meanwhile (e.g. `call/hangup`, or a 30015): later steps have nothing to do.
            tracing::debug!(call_id, step = i, "call already ended; step skipped");
            continue;
        }
        run_step(shared, &call_id, step)
            .await
            .map_err(|source| ScenarioError::Step { step: i, source })?;
    }
    Ok(created)
}

async fn run_step(shared: &Arc<Shared>, id: &str, step: &Step) -> Result<(), EngineError> {
    match step {
        Step::RingCaller { .. } => apply(shared, |e| e.ring_caller(id)),
        Step::Ring { early_media, .. } => apply(shared, |e| e.ring(id, *early_media)),
        Step::Answer { by, .. } => apply(shared, |e| e.answer(id, by.as_deref())),
        Step::Hold { by, .. } => apply(shared, |e| e.hold(id, by)),
        Step::Unhold { by, .. } => apply(shared, |e| e.unhold(id, by)),
        Step::TransferBlind { by, to, .. } => apply(shared, |e| e.transfer_blind_by(id, by, to)),
        Step::TransferAttended {
            by,
            to,
            ring_secs,
            talk_secs,
            outcome,
            ..
        } => {
            let consult = apply(shared, |e| {
                let t = e.find_member(id, by)?;
                e.attended_start(id, t, to)
            })?;
            pace(shared, *ring_secs).await;
            apply(shared, |e| e.answer(&consult, None))?;
            pace(shared, *talk_secs).await;
            apply(shared, |e| e.attended(id, *outcome))
        }
        Step::Forward { to, .. } => apply(shared, |e| e.forward(id, to)),
        Step::AgentTimeout { agent, .. } => apply(shared, |e| e.agent_timeout(id, agent)),
        Step::Voicemail { .. } => apply(shared, |e| e.voicemail(id)),
        Step::NoAnswer { .. } => apply(shared, |e| e.no_answer(id)),
        Step::Hangup { by, .. } => apply(shared, |e| e.hangup(id, by)),
        Step::Fail {
            reason, members, ..
        } => apply(shared, |e| e.fail(id, reason, *members)),
        Step::Wait { secs } => {
            pace(shared, *secs).await;
            Ok(())
        }
        // Handled by the caller; listed so every step is matched.
        Step::DropWebsockets { .. }
        | Step::RefuseWebsockets { .. }
        | Step::ExpireTokens
        | Step::DelayCdrs { .. } => Ok(()),
    }
}

/// After `secs`, the ringing member `number` of `call_id` answers (transfer targets of API
/// transfers). Does nothing if the call or the ringing member is gone by then.
pub(crate) fn spawn_auto_answer(shared: Arc<Shared>, call_id: String, number: String, secs: u64) {
    tokio::spawn(async move {
        pace(&shared, secs).await;
        let still_ringing = shared.lock().calls.get(&call_id).is_some_and(|c| {
            c.members
                .iter()
                .any(|m| m.number() == number && m.status.is_ringing())
        });
        if still_ringing && let Err(e) = apply(&shared, |e| e.answer(&call_id, Some(&number))) {
            tracing::debug!(%e, "auto answer skipped");
        }
    });
}
