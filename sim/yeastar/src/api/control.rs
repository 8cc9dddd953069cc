//! Per-channel call control (docs/yeastar-api.md §7): `call/hold`, `call/unhold`,
//! `call/mute`, `call/unmute`, `call/accept_inbound`, `call/refuse_inbound`. Each takes
//! `{"channel_id": …}` (vendor pages) and answers `errcode`, `errmsg`, `call_id`; an unknown
//! channel is `70130` as for `call/hangup` (unconfirmed for these endpoints), a channel in the
//! wrong state `70132`.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use super::Ctx;
use super::calls::{callee_outcome, engine_error};
use crate::codes::{ApiError, ApiResult, Reply};
use crate::engine::{Engine, EngineError};
use crate::scenario::player::{apply, play_bound};
use crate::scenario::{CallSpec, PartySpec, Scenario, Step};
use crate::state::{ControlRequest, Shared};

#[derive(Deserialize)]
struct Channel {
    channel_id: Option<String>,
}

/// Runs one channel command, logs the request with the errcode it got; the call id.
fn command(
    ctx: &Ctx,
    endpoint: &str,
    op: impl FnOnce(&mut Engine<'_>, &str) -> Result<String, EngineError>,
) -> Result<String, ApiError> {
    let body: Channel = ctx.json()?;
    let channel = body
        .channel_id
        .filter(|c| !c.trim().is_empty())
        .ok_or(ApiError::ParameterError)?;
    let result = apply(&ctx.shared, |e| op(e, &channel)).map_err(engine_error);
    ctx.shared.lock().control_requests.push(ControlRequest {
        endpoint: endpoint.to_owned(),
        channel_id: channel,
        errcode: result.as_ref().map_or_else(|e| e.code(), |_| 0),
    });
    result
}

fn reply(call_id: String) -> ApiResult {
    Ok(Reply::ok().with("call_id", call_id))
}

/// `POST call/hold`: the member shows `HOLD` in the next 30011 frame.
pub fn hold(ctx: &Ctx) -> ApiResult {
    reply(command(ctx, "call/hold", |e, ch| e.hold_by_channel(ch))?)
}

/// `POST call/unhold`: the member is back to its previous status.
pub fn unhold(ctx: &Ctx) -> ApiResult {
    reply(command(ctx, "call/unhold", |e, ch| {
        e.unhold_by_channel(ch)
    })?)
}

/// `POST call/mute`.
pub fn mute(ctx: &Ctx) -> ApiResult {
    reply(command(ctx, "call/mute", |e, ch| {
        e.mute_by_channel(ch, true)
    })?)
}

/// `POST call/unmute`.
pub fn unmute(ctx: &Ctx) -> ApiResult {
    reply(command(ctx, "call/unmute", |e, ch| {
        e.mute_by_channel(ch, false)
    })?)
}

/// `POST call/accept_inbound`: the held inbound call is routed now (it rings its destination).
pub fn accept_inbound(ctx: &Ctx) -> ApiResult {
    let call_id = command(ctx, "call/accept_inbound", |e, ch| e.take_invitation(ch))?;
    spawn_route(ctx.shared.clone(), call_id.clone());
    reply(call_id)
}

/// `POST call/refuse_inbound`: the held inbound call is dropped; nothing rings.
pub fn refuse_inbound(ctx: &Ctx) -> ApiResult {
    reply(command(ctx, "call/refuse_inbound", |e, ch| {
        let call_id = e.take_invitation(ch)?;
        e.refuse(&call_id)?;
        Ok(call_id)
    })?)
}

/// Routes a held (or timed-out) inbound call: its destination rings, then plays on with the
/// `call/dial` timings (answer after `callee_answer_secs`, hang up after `talk_secs`).
pub(crate) fn spawn_route(shared: Arc<Shared>, call_id: String) {
    let d = &shared.settings.dial;
    let mut steps = vec![
        Step::Ring {
            call: None,
            early_media: false,
        },
        Step::Wait {
            secs: d.callee_answer_secs,
        },
    ];
    steps.extend(callee_outcome(d, "caller"));
    // The spec is never started: the label is bound to the existing call.
    let spec = CallSpec {
        id: "invited".into(),
        from: PartySpec::External {
            number: String::new(),
            trunk: None,
            did: None,
        },
        to: PartySpec::Extension {
            number: String::new(),
        },
        record: true,
        dial_permission: None,
    };
    let scenario = Scenario {
        name: "accept_inbound".into(),
        description: String::new(),
        params: Default::default(),
        start_at: None,
        calls: vec![spec],
        steps,
    };
    let bound = HashMap::from([("invited".to_owned(), call_id)]);
    tokio::spawn(async move {
        if let Err(e) = play_bound(&shared, &scenario, bound).await {
            tracing::debug!(%e, "accepted inbound call ended early");
        }
    });
}

/// After the invitation window, the PBX routes a call nobody decided on by itself.
pub(crate) fn spawn_window(shared: Arc<Shared>, channel: String) {
    tokio::spawn(async move {
        tokio::time::sleep(shared.settings.invitation_window).await;
        let pending = shared.lock().invitations.remove(&channel);
        if let Some(call_id) = pending {
            spawn_route(shared, call_id);
        }
    });
}
