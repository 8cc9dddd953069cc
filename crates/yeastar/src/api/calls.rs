//! Call control: click-to-call, hang-up, live calls (doc §7).

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
                snapshot(info).map_err(|e| YeastarError::Decode(format!("call/query: {e}")))
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
