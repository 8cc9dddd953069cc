//! The PBX side of the domain, neutral to any vendor: what a call looks like
//! while it happens ([`CallSnapshot`]), the record of a finished call
//! ([`CallRecord`]), the events a PBX emits ([`PbxEvent`]), and the
//! [`Pbx`] / [`PbxEventSource`] traits an adapter implements.
//!
//! The shapes are deliberately the common ground of Yeastar's OpenAPI,
//! Asterisk ARI/AMI (channels + bridges + CDR) and FreeSWITCH ESL (channels
//! with UUIDs + CDR): a call is a set of participants, each an extension or
//! an outside party on a trunk, each with its own state.

mod error;
mod event;
mod model;
mod port;

pub use error::PbxError;
pub use event::{EventSourceItem, ExtensionCallState, PbxEvent};
pub use model::{
    CallDirection, CallId, CallRecord, CallSnapshot, CallStatus, Extension, LegState, Participant,
    ParticipantState, PbxContact, PbxContactId, PbxNumberKind, Phonebook, PhonebookId,
    RecordingRef,
};
pub use port::{ByteStream, Pbx, PbxEventSource, RecordingStream};
