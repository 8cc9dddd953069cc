//! Call control from Zoho's call bar. The PBX port offers hanging up a
//! channel, so `hangup` drops the user's own leg of the call; answer,
//! hold/unhold, mute/unmute and keypress are refused with 501
//! `NOT_SUPPORTED` (ringbridge registers only the actions it supports, so
//! Zoho shows no buttons for the others).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use ringbridge_core::pbx::Participant;
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
    if action != CallControlAction::Hangup {
        return Err(Refusal::new(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_SUPPORTED",
            format!(
                "{} is not supported by ringbridge's PBX connection",
                action_path(action)
            ),
        ));
    }
    let user = control.params.get(USER_PARAM).unwrap_or_default();
    let no_call = || Refusal::new(StatusCode::CONFLICT, "NO_SUCH_CALL", "no such call here");
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
    let pbx_error = |e: ringbridge_core::pbx::PbxError| {
        Refusal::new(StatusCode::BAD_GATEWAY, "PBX_ERROR", e.to_string())
    };
    let calls = engine.pbx.active_calls().await.map_err(pbx_error)?;
    // Only the user's own leg: the authorization value is per user.
    let channel = calls
        .iter()
        .filter(|c| c.call_id.as_str() == call_id)
        .flat_map(|c| &c.participants)
        .find_map(|p| match &p.participant {
            Participant::Extension { number, channel } if *number == extension => {
                Some(channel.clone())
            }
            _ => None,
        })
        .ok_or_else(no_call)?;
    engine.pbx.hang_up(&channel).await.map_err(pbx_error)?;
    tracing::info!(%extension, %call_id, "PhoneBridge hang-up");
    Ok(success())
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
