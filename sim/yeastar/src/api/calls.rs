//! Call control (docs/yeastar-api.md §7): `call/dial`, `call/hangup`, `call/transfer`,
//! `call/query`, plus the idle queue status.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::Ctx;
use crate::codes::{ApiError, ApiResult, Reply};
use crate::config::DialSettings;
use crate::engine::{AttendedOp, EngineError, Party};
use crate::scenario::player::{apply, play_bound, spawn_auto_answer, start};
use crate::scenario::{CallSpec, PartySpec, Scenario, Step};
use crate::state::DialRequest;

pub(crate) fn engine_error(e: EngineError) -> ApiError {
    match e {
        EngineError::UnknownCall(_) | EngineError::NoMember(_) => ApiError::ChannelNotFound,
        EngineError::BadParty(_) => ApiError::ParameterError,
        EngineError::BadState(_) => ApiError::OperationNotSupported,
    }
}

fn dialable(n: &str) -> bool {
    !n.is_empty() && n.len() <= 64 && n.chars().all(|c| c.is_ascii_digit() || "+*#".contains(c))
}

#[derive(Deserialize)]
struct Dial {
    caller: String,
    callee: String,
    dial_permission: Option<String>,
    auto_answer: Option<String>,
}

fn spec_of(p: &Party) -> PartySpec {
    match p {
        Party::External { number, trunk, did } => PartySpec::External {
            number: number.clone(),
            trunk: trunk.clone(),
            did: did.clone(),
        },
        Party::Extension(n) => PartySpec::Extension { number: n.clone() },
        Party::RingGroup(n) => PartySpec::RingGroup { number: n.clone() },
        Party::Queue(n) => PartySpec::Queue { number: n.clone() },
    }
}

/// `POST call/dial`: returns the call id at once and plays the click-to-call in the background
/// (caller extension rings first; the callee is dialled once it answers).
pub fn dial(ctx: &Ctx) -> ApiResult {
    let body: Dial = ctx.json()?;
    let auto = match body.auto_answer.as_deref() {
        None | Some("no") => false,
        Some("yes") => true,
        Some(_) => return Err(ApiError::ParameterError),
    };
    if !dialable(&body.caller) || !dialable(&body.callee) {
        return Err(ApiError::ParameterError);
    }
    // An unknown `dial_permission` is a permission problem like any other: the request
    // succeeds and a 30015 follows (docs/yeastar-api.md §7).
    let to = {
        let st = ctx.shared.lock();
        // Only extension callers are simulated (IVR / group / queue callers are not).
        if st.extension(&body.caller).is_none() {
            return Err(ApiError::invalid_param("caller", "EXTENSION", &body.caller));
        }
        Party::classify(&st, &body.callee)
    };
    let spec = CallSpec {
        id: "dial".into(),
        from: PartySpec::Extension {
            number: body.caller.clone(),
        },
        to: spec_of(&to),
        record: true,
        dial_permission: body.dial_permission.clone(),
    };
    let call_id = start(&ctx.shared, &spec).map_err(engine_error)?;
    let d = &ctx.shared.settings.dial;
    let mut steps = vec![
        Step::RingCaller { call: None },
        Step::Wait {
            secs: if auto { 0 } else { d.caller_answer_secs },
        },
        Step::Ring {
            call: None,
            early_media: false,
        },
        Step::Wait {
            secs: d.callee_answer_secs,
        },
    ];
    if let Some(reason) = &d.callee_failure {
        steps.push(Step::Fail {
            call: None,
            reason: reason.clone(),
            members: true,
        });
    } else {
        steps.extend(callee_outcome(d, "callee"));
    }
    let scenario = Scenario {
        name: "call/dial".into(),
        description: String::new(),
        params: Default::default(),
        start_at: None,
        calls: vec![spec],
        steps,
    };
    ctx.shared.lock().dial_requests.push(DialRequest {
        caller: body.caller,
        callee: body.callee,
        dial_permission: body.dial_permission,
        auto_answer: body.auto_answer,
        call_id: call_id.clone(),
        at: ctx.shared.clock.now(),
    });
    let shared = ctx.shared.clone();
    let bound = HashMap::from([("dial".to_owned(), call_id.clone())]);
    tokio::spawn(async move {
        if let Err(e) = play_bound(&shared, &scenario, bound).await {
            tracing::debug!(%e, "click-to-call ended early");
        }
    });
    Ok(Reply::ok().with("call_id", call_id))
}

/// How a rung callee goes on with the configured timings: answers and,
/// after `talk_secs`, `hangs_up` ends the call; or nobody answers.
pub(crate) fn callee_outcome(d: &DialSettings, hangs_up: &str) -> Vec<Step> {
    if !d.callee_answers {
        return vec![Step::NoAnswer { call: None }];
    }
    let mut steps = vec![Step::Answer {
        call: None,
        by: None,
    }];
    if let Some(talk) = d.talk_secs {
        steps.push(Step::Wait { secs: talk });
        steps.push(Step::Hangup {
            call: None,
            by: hangs_up.into(),
        });
    }
    steps
}

#[derive(Deserialize)]
struct Hangup {
    channel_id: Option<String>,
    paging_number: Option<String>,
}

/// `POST call/hangup`.
pub fn hangup(ctx: &Ctx) -> ApiResult {
    let body: Hangup = ctx.json()?;
    if body.paging_number.is_some() {
        // Paging / intercom is not simulated: there is never such a call.
        return Err(ApiError::ChannelNotFound);
    }
    let channel = body.channel_id.ok_or(ApiError::ParameterError)?;
    let call_id = apply(&ctx.shared, |e| e.hangup_channel(&channel)).map_err(engine_error)?;
    Ok(Reply::ok().with("call_id", call_id))
}

#[derive(Deserialize)]
struct Transfer {
    #[serde(rename = "type")]
    kind: String,
    channel_id: String,
    number: Option<String>,
    dial_permission: Option<String>,
    attended_operate: Option<String>,
}

/// `POST call/transfer` (blind; attended start and `attended_operate`).
pub fn transfer(ctx: &Ctx) -> ApiResult {
    let body: Transfer = ctx.json()?;
    let secs = ctx.shared.settings.dial.transfer_answer_secs;
    if let Some(p) = &body.dial_permission
        && ctx.shared.lock().extension(p).is_none()
    {
        return Err(ApiError::ParameterError);
    }
    let locate = |ch: &str| {
        apply(&ctx.shared, |e| {
            e.locate(ch)
                .ok_or_else(|| EngineError::NoMember(ch.to_owned()))
        })
        .map_err(engine_error)
    };
    match (body.kind.as_str(), body.attended_operate.as_deref()) {
        ("blind", None) => {
            let target = body.number.ok_or(ApiError::ParameterError)?;
            let (call_id, moved) = locate(&body.channel_id)?;
            apply(&ctx.shared, |e| e.transfer_blind(&call_id, moved, &target))
                .map_err(engine_error)?;
            spawn_auto_answer(ctx.shared.clone(), call_id.clone(), target, secs);
            Ok(Reply::ok().with("call_id", call_id))
        }
        ("attended", None) => {
            let target = body.number.ok_or(ApiError::ParameterError)?;
            let (call_id, transferor) = locate(&body.channel_id)?;
            let consult = apply(&ctx.shared, |e| {
                e.attended_start(&call_id, transferor, &target)
            })
            .map_err(engine_error)?;
            spawn_auto_answer(ctx.shared.clone(), consult, target, secs);
            Ok(Reply::ok().with("call_id", call_id))
        }
        ("attended", Some(op)) => {
            let op = AttendedOp::parse(op).ok_or(ApiError::ParameterError)?;
            let (call_id, _) = locate(&body.channel_id)?;
            apply(&ctx.shared, |e| e.attended(&call_id, op)).map_err(engine_error)?;
            Ok(Reply::ok().with("call_id", call_id))
        }
        _ => Err(ApiError::ParameterError),
    }
}

/// `GET call/query` by `call_id`, `type` or `extension`; no `data` key when nothing matches
/// (an idle PBX answers bare SUCCESS).
pub fn query(ctx: &Ctx) -> ApiResult {
    let kind = match ctx.q("type") {
        None => None,
        Some(t @ ("inbound" | "outbound" | "internal")) => Some(t.to_owned()),
        Some(_) => return Err(ApiError::ParameterError),
    };
    let st = ctx.shared.lock();
    let data: Vec<Value> = st
        .calls
        .values()
        .filter(|c| c.announced)
        .filter(|c| ctx.q("call_id").is_none_or(|id| c.call_id == id))
        .filter(|c| {
            kind.as_deref()
                .is_none_or(|k| c.call_type.as_str().eq_ignore_ascii_case(k))
        })
        .filter(|c| {
            ctx.q("extension").is_none_or(|x| {
                c.members
                    .iter()
                    .any(|m| m.active() && m.extension() == Some(x))
            })
        })
        .map(|c| c.call_info())
        .collect();
    if data.is_empty() {
        Ok(Reply::ok())
    } else {
        Ok(Reply::ok().with("data", Value::Array(data)))
    }
}

/// `GET queue/call_status?number=` — endpoint name and shape unconfirmed; what the docs pin
/// down is that an idle queue answers `60001`.
pub fn queue_status(ctx: &Ctx) -> ApiResult {
    let number = ctx
        .q("number")
        .or_else(|| ctx.q("queue_number"))
        .ok_or(ApiError::ParameterError)?;
    let st = ctx.shared.lock();
    if st.queue(number).is_none() {
        return Err(ApiError::ParameterError);
    }
    let data: Vec<Value> = st
        .calls
        .values()
        .filter(|c| c.queue.as_deref() == Some(number))
        .map(|c| c.call_info())
        .collect();
    if data.is_empty() {
        return Err(ApiError::DataNotFound);
    }
    Ok(Reply::ok().with("data", Value::Array(data)))
}
