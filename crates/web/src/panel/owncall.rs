//! Agents act only on their own calls: before a call's CRM log is related to
//! a record an agent made, the call must have been at the agent's extension
//! (ringing or talking now, or in the PBX's account of the ended call) —
//! admins may act on any call — and its outside number must be the one the
//! agent gave. Every decision is written to the audit trail.

use axum::http::StatusCode;
use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::outbox::JobKind;
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::tracker::CallOutcome;
use ringbridge_engine::EngineContext;

use super::{Refusal, refusal};
use crate::AppState;
use crate::auth::CurrentUser;

/// The audit action of an agent's re-link, naming who asked.
pub fn relink_action(user: &CurrentUser) -> String {
    format!("relink by {}", user.account.username)
}

/// What is known of a call the agent named.
enum Sighting {
    /// At one of the agent's places (or any, for an admin), with its outside number.
    Theirs(Option<String>),
    /// Not a call of this agent, or no such call.
    NotTheirs,
}

async fn sighting(
    ctx: &EngineContext,
    state: &AppState,
    user: &CurrentUser,
    call_id: &str,
    key: &str,
) -> Result<Sighting, Refusal> {
    let admin = user.account.is_admin();
    let extension = user.account.profile.extension.as_deref();
    if let Some(live) = &state.live {
        let now = match extension {
            Some(ext) => live.call_at(ext, call_id),
            None => None,
        }
        .or_else(|| admin.then(|| live.call_anywhere(call_id)).flatten());
        if let Some(event) = now {
            return Ok(Sighting::Theirs(event.number));
        }
    }
    let Some(job) = ctx.store.job(JobKind::ProcessCall, key).await? else {
        return Ok(Sighting::NotTheirs);
    };
    let Ok(outcome) = job.decode::<CallOutcome>() else {
        return Ok(Sighting::NotTheirs);
    };
    Ok(if admin || extension.is_some_and(|e| outcome.involves(e)) {
        Sighting::Theirs(outcome.other_party)
    } else {
        Sighting::NotTheirs
    })
}

/// One number, however it is written.
fn same_number(plan: &NumberPlan, a: &str, b: &str) -> bool {
    match (plan.normalize(a), plan.normalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

/// `Ok` when `user` may relate call `call_id` (key `key`) to a record for
/// `number`; a 403 (audited) otherwise.
pub async fn check(
    ctx: &EngineContext,
    state: &AppState,
    user: &CurrentUser,
    call_id: &str,
    key: &str,
    number: &str,
) -> Result<(), Refusal> {
    let why = match sighting(ctx, state, user, call_id, key).await? {
        Sighting::Theirs(Some(other)) if same_number(&ctx.plan, &other, number) => return Ok(()),
        Sighting::Theirs(_) => "the number is not this call's",
        Sighting::NotTheirs => "the call was not at the agent's extension",
    };
    let entry = AuditEntry::failed(
        AuditSystem::Crm,
        &relink_action(user),
        "Calls",
        key,
        format!("refused: {why}"),
    );
    ctx.audit(entry).await;
    tracing::warn!(username = %user.account.username, call = %key, reason = why, "re-link refused");
    Err(refusal(
        StatusCode::FORBIDDEN,
        "not_your_call",
        "You can only relate your own calls, with their own number.",
    ))
}
