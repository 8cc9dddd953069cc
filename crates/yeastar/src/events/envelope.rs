//! The `{type, sn, msg}` envelope and the other things a WebSocket frame can
//! be. `msg` is a JSON-encoded string for 30007–30024 and a plain object for
//! later ids; both are accepted for every type, because which one a given
//! firmware (or the webhook transport) sends is not guaranteed.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::wire::{Preview, WireText};

/// Why a frame or webhook body could not be turned into events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EventParseError(pub String);

impl EventParseError {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}

/// An event envelope, borrowed from the frame text.
#[derive(Debug)]
pub(crate) struct Envelope<'a> {
    /// Optional: the vendor's field table for 30014 omits it (docs/yeastar-api.md §5).
    pub event_type: Option<i64>,
    /// The PBX serial number (absent in some vendor examples).
    pub sn: Option<String>,
    msg: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(rename = "type", default)]
    event_type: Option<WireText>,
    #[serde(default)]
    sn: Option<WireText>,
    #[serde(borrow, default)]
    msg: Option<&'a RawValue>,
}

impl<'a> Envelope<'a> {
    pub fn parse(text: &'a str) -> Result<Self, EventParseError> {
        let raw: RawEnvelope<'a> = serde_json::from_str(text)
            .map_err(|e| EventParseError::new(format!("not an event envelope: {e}")))?;
        let event_type = match raw.event_type.map(WireText::into_string) {
            None => None,
            Some(text) => Some(text.trim().parse::<i64>().map_err(|_| {
                EventParseError::new(format!("event `type` is not a number: {}", Preview(&text)))
            })?),
        };
        Ok(Self {
            event_type,
            sn: raw.sn.map(WireText::into_string),
            msg: raw.msg,
        })
    }

    /// The type id, or "without a type", for messages.
    fn name(&self) -> String {
        self.event_type
            .map_or_else(|| "without a `type`".to_owned(), |t| t.to_string())
    }

    /// Decodes `msg` into `T`, whether it is an object or a JSON-encoded
    /// string holding one.
    pub fn msg<T: DeserializeOwned>(&self) -> Result<T, EventParseError> {
        let raw = self.msg.ok_or_else(|| {
            EventParseError::new(format!("event {} without a `msg`", self.name()))
        })?;
        let text = raw.get();
        let bad = |e: serde_json::Error| {
            EventParseError::new(format!("event {}: bad `msg`: {e}", self.name()))
        };
        if text.starts_with('"') {
            let inner: String = serde_json::from_str(text).map_err(bad)?;
            serde_json::from_str(&inner).map_err(bad)
        } else {
            serde_json::from_str(text).map_err(bad)
        }
    }
}

/// What one WebSocket text frame is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsFrame<'a> {
    /// The literal answer to our `heartbeat`.
    HeartbeatResponse,
    /// `{"errcode":…,"errmsg":…}`: the subscribe reply, or 10004 when the
    /// handshake token expired (exact text unconfirmed: match the code).
    Reply { errcode: i64, errmsg: String },
    /// Anything else: an event envelope (or garbage, found when parsed).
    Event(&'a str),
}

#[derive(Deserialize)]
struct ReplyProbe {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(rename = "type", default)]
    event_type: Option<serde::de::IgnoredAny>,
}

/// Sorts a text frame into heartbeat answer, reply or event.
pub fn classify_ws_frame(text: &str) -> WsFrame<'_> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("heartbeat response") {
        return WsFrame::HeartbeatResponse;
    }
    // Events (nearly every frame) are not parsed twice: a frame without
    // the key cannot be a reply, and a scan is far cheaper than a parse.
    if !trimmed.contains("errcode") {
        return WsFrame::Event(trimmed);
    }
    if let Ok(ReplyProbe {
        errcode: Some(errcode),
        errmsg,
        event_type: None,
    }) = serde_json::from_str::<ReplyProbe>(trimmed)
    {
        return WsFrame::Reply {
            errcode,
            errmsg: errmsg.unwrap_or_default(),
        };
    }
    WsFrame::Event(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct M {
        call_id: WireText,
    }

    #[test]
    fn msg_as_string_or_object() {
        let as_string = r#"{"type":30011,"sn":"3631A0000001","msg":"{\"call_id\":\"1.2\"}"}"#;
        let as_object = r#"{"type":"30011","msg":{"call_id":"1.2"}}"#;
        for text in [as_string, as_object] {
            let env = Envelope::parse(text).expect("envelope");
            assert_eq!(env.event_type, Some(30011));
            let m: M = env.msg().expect("msg");
            assert_eq!(m.call_id.0, "1.2");
        }
        assert_eq!(
            Envelope::parse(as_string).expect("env").sn.as_deref(),
            Some("3631A0000001")
        );
    }

    #[test]
    fn envelope_errors_are_clear() {
        let env = Envelope::parse(r#"{"sn":"x","msg":{}}"#).expect("no type is allowed");
        assert_eq!(env.event_type, None);
        let err = Envelope::parse(r#"{"type":"x3","msg":{}}"#).expect_err("bad type");
        assert!(err.0.contains("not a number"), "{err}");
        let err = Envelope::parse("{not json").expect_err("garbage");
        assert!(err.0.contains("not an event envelope"), "{err}");
        let env = Envelope::parse(r#"{"type":30012}"#).expect("envelope");
        let err = env.msg::<M>().expect_err("no msg");
        assert!(err.0.contains("without a `msg`"), "{err}");
        let env = Envelope::parse(r#"{"type":30012,"msg":"{broken"}"#).expect("envelope");
        assert!(env.msg::<M>().is_err());
    }

    #[test]
    fn frames_are_classified() {
        for text in [
            "heartbeat response",
            "heartbeat response\n",
            " Heartbeat Response \r\n",
        ] {
            assert_eq!(
                classify_ws_frame(text),
                WsFrame::HeartbeatResponse,
                "{text:?}"
            );
        }
        assert_eq!(
            classify_ws_frame(r#"{"errcode":0,"errmsg":"SUCCESS"}"#),
            WsFrame::Reply {
                errcode: 0,
                errmsg: "SUCCESS".into()
            }
        );
        assert_eq!(
            classify_ws_frame(r#"{"errcode":10004,"errmsg":"TOKEN EXPIRED"}"#),
            WsFrame::Reply {
                errcode: 10004,
                errmsg: "TOKEN EXPIRED".into()
            }
        );
        let event = r#"{"type":30008,"sn":"x","msg":"{}"}"#;
        assert_eq!(classify_ws_frame(event), WsFrame::Event(event));
        assert_eq!(classify_ws_frame("garbage"), WsFrame::Event("garbage"));
    }
}
