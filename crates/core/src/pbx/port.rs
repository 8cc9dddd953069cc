use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_core::Stream;

use super::error::PbxError;
use super::event::EventSourceItem;
use super::model::{
    CallId, CallRecord, CallSnapshot, Extension, PbxContact, PbxContactId, Phonebook, PhonebookId,
    RecordingRef,
};

pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, PbxError>> + Send>>;

/// A recording being streamed from the PBX, with what an HTTP response needs.
pub struct RecordingStream {
    pub content_type: String,
    /// Total size, when the PBX says.
    pub length: Option<u64>,
    /// For a range request: the first byte served and the full size.
    pub range: Option<(u64, u64)>,
    pub body: ByteStream,
}

/// Commands and queries a PBX must answer for ringbridge's features.
///
/// Mapping for other PBXs: Asterisk ARI `POST /channels` (originate to the
/// extension, then dial the number), `DELETE /channels/{id}`, CDRs from the
/// CDR backend, recordings from `/recordings/stored`; FreeSWITCH ESL
/// `originate user/1005 &bridge(...)`, `uuid_kill`, CDRs from mod_cdr.
#[async_trait]
pub trait Pbx: Send + Sync {
    /// Click-to-call: ring the user's extension first, then, once it
    /// answers, call `number`. Returns the PBX's id for the new call.
    async fn dial(&self, extension: &str, number: &str) -> Result<CallId, PbxError>;

    /// Drops one participant (by the channel the PBX reported).
    async fn hang_up(&self, channel: &str) -> Result<(), PbxError>;

    /// Puts the call on hold from this participant's side (Yeastar
    /// `call/hold`, Asterisk ARI `POST /channels/{id}/hold`).
    async fn hold(&self, channel: &str) -> Result<(), PbxError> {
        Err(unsupported("hold", channel))
    }

    /// Takes the participant's held call back.
    async fn unhold(&self, channel: &str) -> Result<(), PbxError> {
        Err(unsupported("unhold", channel))
    }

    /// Mutes this participant (the others stop hearing them).
    async fn mute(&self, channel: &str) -> Result<(), PbxError> {
        Err(unsupported("mute", channel))
    }

    async fn unmute(&self, channel: &str) -> Result<(), PbxError> {
        Err(unsupported("unmute", channel))
    }

    /// Lets an inbound call the PBX holds for the application's decision
    /// (Yeastar 30016, "Control Inbound Call") go on to its destination at
    /// once. It picks no phone up: no PBX API here can answer a ringing
    /// phone for its user.
    async fn accept_inbound(&self, channel: &str) -> Result<(), PbxError> {
        Err(unsupported("accept_inbound", channel))
    }

    /// Calls in progress now (to rebuild live state after a reconnect).
    async fn active_calls(&self) -> Result<Vec<CallSnapshot>, PbxError>;

    /// Records of calls that started within `[from, to)`, oldest first.
    /// Several records may share one call id (one per leg).
    async fn call_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, PbxError>;

    async fn extensions(&self) -> Result<Vec<Extension>, PbxError>;

    /// Streams a recording; `range` is an HTTP byte range `(start, end_inclusive)`.
    async fn recording(
        &self,
        recording: &RecordingRef,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<RecordingStream, PbxError>;

    // The shared phonebook is optional: a PBX without one (a bare Asterisk
    // or FreeSWITCH has none) keeps these defaults, and contact sync reports
    // `Unsupported` instead of retrying.

    async fn phonebooks(&self) -> Result<Vec<Phonebook>, PbxError> {
        Err(PbxError::Unsupported("phonebooks".into()))
    }

    async fn create_phonebook(&self, name: &str) -> Result<PhonebookId, PbxError> {
        Err(PbxError::Unsupported(format!(
            "creating phonebook {name:?}"
        )))
    }

    /// Contacts whose name or number matches `query`.
    async fn search_contacts(&self, query: &str) -> Result<Vec<PbxContact>, PbxError> {
        let _ = query;
        Err(PbxError::Unsupported("searching contacts".into()))
    }

    async fn create_contact(&self, contact: &PbxContact) -> Result<PbxContactId, PbxError> {
        let _ = contact;
        Err(PbxError::Unsupported("creating contacts".into()))
    }

    /// Replaces the contact's fields and numbers with `contact`'s.
    async fn update_contact(
        &self,
        id: &PbxContactId,
        contact: &PbxContact,
    ) -> Result<(), PbxError> {
        let _ = contact;
        Err(PbxError::Unsupported(format!("updating contact {}", id.0)))
    }
}

/// The default answer of the optional call-control commands.
fn unsupported(what: &str, channel: &str) -> PbxError {
    PbxError::Unsupported(format!("{what} (channel {channel})"))
}

/// A PBX's live event stream. Implementations reconnect by themselves and
/// report gaps with [`EventSourceItem::Disconnected`]; the stream ends only
/// after [`EventSourceItem::Fatal`] or when dropped.
pub trait PbxEventSource: Send + Sync {
    fn events(&self) -> Pin<Box<dyn Stream<Item = EventSourceItem> + Send>>;
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    use super::*;

    /// A PBX with calls, records and recordings but no phonebook.
    struct Bare;

    #[async_trait]
    impl Pbx for Bare {
        async fn dial(&self, _: &str, _: &str) -> Result<CallId, PbxError> {
            Ok(CallId("1".into()))
        }
        async fn hang_up(&self, _: &str) -> Result<(), PbxError> {
            Ok(())
        }
        async fn active_calls(&self) -> Result<Vec<CallSnapshot>, PbxError> {
            Ok(Vec::new())
        }
        async fn call_records(
            &self,
            _: DateTime<Utc>,
            _: DateTime<Utc>,
        ) -> Result<Vec<CallRecord>, PbxError> {
            Ok(Vec::new())
        }
        async fn extensions(&self) -> Result<Vec<Extension>, PbxError> {
            Ok(Vec::new())
        }
        async fn recording(
            &self,
            recording: &RecordingRef,
            _: Option<(u64, Option<u64>)>,
        ) -> Result<RecordingStream, PbxError> {
            Err(PbxError::NotFound(recording.0.clone()))
        }
    }

    /// The defaults never wait, so one poll settles them.
    fn now<T>(future: impl Future<Output = T>) -> T {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("a default answer waited"),
        }
    }

    #[test]
    fn a_pbx_without_a_phonebook_answers_unsupported() {
        let pbx: &dyn Pbx = &Bare;
        let contact = PbxContact {
            id: None,
            first_name: "Lena".into(),
            last_name: None,
            company: None,
            email: None,
            numbers: Vec::new(),
            remark: None,
            phonebooks: Vec::new(),
        };
        let unsupported = |r: Result<(), PbxError>| match r {
            Err(e @ PbxError::Unsupported(_)) => assert!(!e.is_retryable()),
            other => panic!("expected Unsupported, got {other:?}"),
        };
        unsupported(now(pbx.phonebooks()).map(drop));
        unsupported(now(pbx.create_phonebook("CRM")).map(drop));
        unsupported(now(pbx.search_contacts("Lena")).map(drop));
        unsupported(now(pbx.create_contact(&contact)).map(drop));
        unsupported(now(pbx.update_contact(&PbxContactId("7".into()), &contact)));
        unsupported(now(pbx.hold("PJSIP/1005-1")));
    }
}
