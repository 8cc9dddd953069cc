//! Call control from Zoho's call bar, mapped onto the PBX port:
//! - `hangup`, `hold`, `unhold`, `mute`, `unmute` act on the user's own leg
//!   of the call (the channel of the user's extension in it): the
//!   authorization value is per user, so nobody acts on someone else's leg;
//! - `answer` lets an inbound call the PBX holds for ringbridge's decision
//!   (Yeastar 30016 with *Control Inbound Call* on) go on to its
//!   destination: `call/accept_inbound` on the call's trunk channel. The
//!   PBX API cannot pick up a ringing phone, so answering a call that
//!   already rings the user is refused with 501 `NOT_SUPPORTED`. A held
//!   call rings no extension yet (30016 names the trunk and the caller,
//!   not a destination), so "the user's own call" cannot be checked for
//!   it; what makes this safe is that accepting only releases the call to
//!   the destination the PBX's inbound route gives it — it never rings or
//!   connects the requesting user instead. Every other action needs the
//!   user's own leg in the call;
//! - `keypress` is refused with 501 `NOT_SUPPORTED`: the P-Series API has
//!   no endpoint that sends DTMF into a call (30017 only reports digits).
//!
//! PBX answers: an unknown channel (the call just ended) → 409
//! `NO_SUCH_CALL`; an operation the PBX does not support, or not on this
//! channel now (e.g. holding a held call, `70132`) → 501 `NOT_SUPPORTED`
//! with the PBX's words; anything else → 502 `PBX_ERROR`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use ringbridge_core::pbx::{LegState, Participant, ParticipantState, PbxError};
use ringbridge_zoho::phonebridge::{CallControlAction, InboundRequest, authenticate_call_control};

use super::{Refusal, USER_PARAM, names, parts, success};
use crate::AppState;

/// The path segment of each action (the URL ringbridge registers).
pub fn action_path(action: CallControlAction) -> &'static str {
    match action {
        CallControlAction::Answer => "answer",
        CallControlAction::Hangup => "hangup",
        CallControlAction::Mute => "mute",
        CallControlAction::Unmute => "unmute",
        CallControlAction::Hold => "hold",
        CallControlAction::Unhold => "unhold",
        CallControlAction::Keypress => "keypress",
    }
}

fn parse_action(segment: &str) -> Option<CallControlAction> {
    use CallControlAction::*;
    [Answer, Hangup, Mute, Unmute, Hold, Unhold, Keypress]
        .into_iter()
        .find(|a| action_path(*a) == segment)
}

/// The PBX call id inside a Zoho `id`: `{call_id}` or `{call_id}-{extension}`.
fn pbx_call_id(zoho_id: &str) -> &str {
    zoho_id.split_once('-').map_or(zoho_id, |(call, _)| call)
}

pub async fn call_control(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, Refusal> {
    let action = parse_action(&segment)
        .ok_or_else(|| Refusal::new(StatusCode::NOT_FOUND, "NOT_FOUND", "no such action"))?;
    let (hooks, engine) = parts(&state)?;
    let request = InboundRequest {
        method: &method,
        headers: &headers,
        query: query.as_deref(),
        body: &body,
    };
    let control = authenticate_call_control(action, request, &names(), |p| {
        p.get(USER_PARAM).and_then(|u| hooks.authorization(u))
    })?;
    if action == CallControlAction::Keypress {
        return Err(Refusal::new(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_SUPPORTED",
            "key presses cannot be sent: the phone system's API has no way to send tones into a call",
        ));
    }
    let user = control.params.get(USER_PARAM).unwrap_or_default();
    let extension = engine
        .users()
        .extension_of(user)
        .map(str::to_owned)
        .ok_or_else(no_call)?;
    let call_id = control.call_id.as_deref().map(pbx_call_id).ok_or_else(|| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "REQUIRED_PARAM_MISSING",
            "no call id",
        )
    })?;
    let calls = engine.pbx.active_calls().await.map_err(pbx_refusal)?;
    let participants: Vec<&ParticipantState> = calls
        .iter()
        .filter(|c| c.call_id.as_str() == call_id)
        .flat_map(|c| &c.participants)
        .collect();
    let own = participants.iter().find_map(|p| match &p.participant {
        Participant::Extension { number, channel } if *number == extension => {
            Some((channel.clone(), p.state.clone()))
        }
        _ => None,
    });
    let pbx = &engine.pbx;
    match action {
        CallControlAction::Answer => {
            if own.as_ref().is_some_and(|(_, s)| *s == LegState::Ringing) {
                return Err(Refusal::new(
                    StatusCode::NOT_IMPLEMENTED,
                    "NOT_SUPPORTED",
                    "the phone system cannot pick up a ringing phone for you: answer on the phone",
                ));
            }
            // The caller's trunk leg is what the PBX holds for a decision.
            let trunk = participants
                .iter()
                .find_map(|p| match &p.participant {
                    Participant::External {
                        channel,
                        inbound: true,
                        ..
                    } => Some(channel.clone()),
                    _ => None,
                })
                .ok_or_else(no_call)?;
            pbx.accept_inbound(&trunk).await.map_err(pbx_refusal)?;
        }
        _ => {
            let (channel, _) = own.ok_or_else(no_call)?;
            let result = match action {
                CallControlAction::Hold => pbx.hold(&channel).await,
                CallControlAction::Unhold => pbx.unhold(&channel).await,
                CallControlAction::Mute => pbx.mute(&channel).await,
                CallControlAction::Unmute => pbx.unmute(&channel).await,
                _ => pbx.hang_up(&channel).await,
            };
            result.map_err(pbx_refusal)?;
        }
    }
    tracing::info!(%extension, %call_id, action = action_path(action), "PhoneBridge call control");
    Ok(success())
}

fn no_call() -> Refusal {
    Refusal::new(StatusCode::CONFLICT, "NO_SUCH_CALL", "no such call here")
}

fn pbx_refusal(e: PbxError) -> Refusal {
    match e {
        PbxError::NotFound(_) => no_call(),
        PbxError::Unsupported(m) => Refusal::new(StatusCode::NOT_IMPLEMENTED, "NOT_SUPPORTED", m),
        other => Refusal::new(StatusCode::BAD_GATEWAY, "PBX_ERROR", other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_ids_round_trip() {
        for segment in [
            "answer", "hangup", "mute", "unmute", "hold", "unhold", "keypress",
        ] {
            let action = parse_action(segment).expect("known action");
            assert_eq!(action_path(action), segment);
        }
        assert_eq!(parse_action("transfer"), None);
        assert_eq!(pbx_call_id("1767258000.23"), "1767258000.23");
        assert_eq!(pbx_call_id("1767258000.23-1005"), "1767258000.23");
    }
}
