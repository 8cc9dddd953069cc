//! Call control: click-to-call, hang-up, hold/unhold, mute/unmute,
//! accepting a held inbound call, live calls (docs/yeastar-api.md §7).
//!
//! The vendor pages for `call/hold`, `call/unhold`, `call/mute`,
//! `call/unmute` and `call/accept_inbound` all take one `channel_id` and
//! answer `errcode`, `errmsg`, `call_id`. Their errcodes for an unknown
//! channel are not on the pages (unconfirmed): `call/hangup`'s `70130` is
//! expected, `70132` (operation not supported on this channel) for a
//! channel in the wrong state; any errcode maps through [`ApiError`].
//! The P-Series API has no endpoint that sends DTMF into a call (30017
//! only reports digits pressed), so keypresses cannot be relayed.

use ringbridge_core::pbx::{CallId, CallSnapshot};
use serde::{Deserialize, Serialize};

use super::Done;
use crate::client::YeastarClient;
use crate::error::{ApiError, Result, YeastarError};
use crate::events::{CallInfo, snapshot};
use crate::wire::WireText;

/// `POST call/dial`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DialRequest {
    /// The user's extension: it rings first.
    pub caller: String,
    /// Called once the caller answers.
    pub callee: String,
    /// `yes`: the caller's phone answers the first leg by itself.
    #[serde(serialize_with = "yes_no")]
    pub auto_answer: bool,
    /// An extension whose dialling rights to borrow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dial_permission: Option<String>,
}

fn yes_no<S: serde::Serializer>(value: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(if *value { "yes" } else { "no" })
}

#[derive(Deserialize)]
struct Dialled {
    call_id: WireText,
}

#[derive(Deserialize)]
struct Calls {
    #[serde(default)]
    data: Vec<CallInfo>,
}

impl YeastarClient {
    /// Starts a click-to-call. Missing permissions do not fail here: the PBX
    /// reports them later as a 30015 Call Failed event.
    pub async fn call_dial(&self, request: &DialRequest) -> Result<CallId> {
        let answer: Dialled = self.post("call/dial", request).await?;
        answer
            .call_id
            .non_empty()
            .map(CallId)
            .ok_or_else(|| YeastarError::Decode("call/dial answered no call_id".into()))
    }

    /// Drops the participant on `channel_id` (`70130` when there is none).
    pub async fn call_hangup(&self, channel_id: &str) -> Result<()> {
        let body = serde_json::json!({ "channel_id": channel_id });
        let Done {} = self.post("call/hangup", &body).await?;
        Ok(())
    }

    /// `call/hold`: the member on `channel_id` holds the call.
    pub async fn call_hold(&self, channel_id: &str) -> Result<()> {
        self.channel_command("call/hold", channel_id).await
    }

    /// `call/unhold`: the member on `channel_id` resumes the held call.
    pub async fn call_unhold(&self, channel_id: &str) -> Result<()> {
        self.channel_command("call/unhold", channel_id).await
    }

    /// `call/mute`: the member on `channel_id` is muted.
    pub async fn call_mute(&self, channel_id: &str) -> Result<()> {
        self.channel_command("call/mute", channel_id).await
    }

    /// `call/unmute`.
    pub async fn call_unmute(&self, channel_id: &str) -> Result<()> {
        self.channel_command("call/unmute", channel_id).await
    }

    /// `call/accept_inbound`: an inbound call held after a 30016 invitation
    /// is routed now. It does not answer the call (vendor note); after the
    /// PBX's 10 s window it has no effect.
    pub async fn call_accept_inbound(&self, channel_id: &str) -> Result<()> {
        self.channel_command("call/accept_inbound", channel_id)
            .await
    }

    async fn channel_command(&self, endpoint: &str, channel_id: &str) -> Result<()> {
        if channel_id.trim().is_empty() {
            return Err(YeastarError::Invalid(format!(
                "{endpoint}: empty channel_id"
            )));
        }
        let body = serde_json::json!({ "channel_id": channel_id });
        let Done {} = self.post(endpoint, &body).await?;
        Ok(())
    }

    /// All calls in progress. An idle PBX answers without `data` (or, for
    /// some queries, `60001`): both mean none.
    pub async fn call_query(&self) -> Result<Vec<CallSnapshot>> {
        let calls: Calls = match self.get("call/query", &[]).await {
            Err(YeastarError::Api(ApiError::DataNotFound(_))) => return Ok(Vec::new()),
            other => other?,
        };
        calls
            .data
            .into_iter()
            .map(|info| {
                snapshot(info).map_err(|e| {
                    YeastarError::Decode(ringbridge_core::cause::Cause::with_context(
                        "call/query",
                        e,
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_body_matches_the_doc() {
        let request = DialRequest {
            caller: "1005".into(),
            callee: "5550199".into(),
            auto_answer: false,
            dial_permission: None,
        };
        assert_eq!(
            serde_json::to_string(&request).expect("json"),
            r#"{"caller":"1005","callee":"5550199","auto_answer":"no"}"#
        );
    }

    #[test]
    fn idle_query_has_no_data() {
        let calls: Calls =
            crate::http::decode_body("call/query", br#"{"errcode":0,"errmsg":"SUCCESS"}"#)
                .expect("idle answer");
        assert!(calls.data.is_empty());
    }
}
