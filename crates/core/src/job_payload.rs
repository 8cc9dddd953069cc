//! [`JobPayload`]: what every outbox job carries, one tagged enum decoded
//! in one place ([`JobPayload::decode`]), so "who consumes what" is this
//! file rather than a grep.
//!
//! Stored payloads outlive the binary that wrote them (a job queued before
//! an upgrade runs after it), so the encoding is versioned:
//!
//! - **version 1** (before payloads were typed): the bare JSON of the inner
//!   value (`CallOutcome`, `CallLog`, …); the job's kind column said which.
//! - **version 2** (now): `{"v":2,"job":{"type":"process_call","data":{…}}}`.
//!
//! Every version ever written stays readable. A payload newer than this
//! build is reported as [`PayloadError::Newer`], so the job is left for an
//! upgraded node instead of being failed.

use serde::{Deserialize, Serialize};

use crate::call_note::CallNote;
use crate::crm::{CallLog, CrmRecord, NewRecord};
use crate::followup::NewTask;
use crate::outbox::JobKind;
use crate::telephony::PbNotification;
use crate::tracker::CallOutcome;

/// The payload version this build writes.
pub const PAYLOAD_VERSION: u64 = 2;

/// The work of one job; the variant names its [`JobKind`] (the `type` tag is
/// the kind's stored name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum JobPayload {
    /// A finished call to match, classify and turn into CRM work.
    ProcessCall(Box<CallOutcome>),
    /// A call log to write to the CRM.
    WriteCallLog(Box<CallLog>),
    /// A Contact/Lead to create for an unknown number.
    CreateRecord(Box<NewRecord>),
    /// A CRM contact to copy into the PBX phonebook.
    SyncPhonebook(Box<CrmRecord>),
    /// A call's one terminal PhoneBridge `callnotify`.
    #[serde(rename = "notify_phonebridge")]
    NotifyPhoneBridge(Box<PbNotification>),
    /// An agent's note and call result for a call's CRM log (first written
    /// at version 2: there is no version-1 form).
    AnnotateCall(Box<CallNote>),
    /// A task to call back a caller whose call was missed (first written at
    /// version 2).
    CreateTask(Box<NewTask>),
}

/// Why a stored payload cannot be run by this build.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("unreadable {kind} payload: {source}")]
    Unreadable {
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// Written by a newer ringbridge (a rolling upgrade): an upgraded node runs it.
    #[error(
        "{kind} payload is version {version}; this build reads up to {PAYLOAD_VERSION}, a newer node will run it"
    )]
    Newer { kind: &'static str, version: u64 },
    #[error("a {found} payload is stored as a {kind} job")]
    WrongKind {
        kind: &'static str,
        found: &'static str,
    },
    #[error("cannot encode a {kind} payload: {source}")]
    Encode {
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    v: u64,
    job: &'a JobPayload,
}

#[derive(Deserialize)]
struct EnvelopeIn {
    job: JobPayload,
}

impl JobPayload {
    pub fn kind(&self) -> JobKind {
        match self {
            Self::ProcessCall(_) => JobKind::ProcessCall,
            Self::WriteCallLog(_) => JobKind::WriteCallLog,
            Self::CreateRecord(_) => JobKind::CreateRecord,
            Self::SyncPhonebook(_) => JobKind::SyncPhonebook,
            Self::NotifyPhoneBridge(_) => JobKind::NotifyPhoneBridge,
            Self::AnnotateCall(_) => JobKind::AnnotateCall,
            Self::CreateTask(_) => JobKind::CreateTask,
        }
    }

    /// The stored form, at [`PAYLOAD_VERSION`].
    pub fn encode(&self) -> Result<String, PayloadError> {
        serde_json::to_string(&EnvelopeOut {
            v: PAYLOAD_VERSION,
            job: self,
        })
        .map_err(|source| PayloadError::Encode {
            kind: self.kind().as_str(),
            source,
        })
    }

    /// Reads a payload stored under `kind`, whichever version wrote it.
    pub fn decode(kind: JobKind, stored: &str) -> Result<Self, PayloadError> {
        let unreadable = |source| PayloadError::Unreadable {
            kind: kind.as_str(),
            source,
        };
        let value: serde_json::Value = serde_json::from_str(stored).map_err(unreadable)?;
        let payload = match value.get("v") {
            // Version 1 had no envelope: no inner type has a `v` field.
            None => Self::decode_v1(kind, value).map_err(unreadable)?,
            Some(v) => match v.as_u64() {
                Some(PAYLOAD_VERSION) => {
                    serde_json::from_value::<EnvelopeIn>(value)
                        .map_err(unreadable)?
                        .job
                }
                Some(version) if version > PAYLOAD_VERSION => {
                    return Err(PayloadError::Newer {
                        kind: kind.as_str(),
                        version,
                    });
                }
                _ => {
                    let bad = serde::de::Error::custom(format!("unknown payload version {v}"));
                    return Err(unreadable(bad));
                }
            },
        };
        if payload.kind() != kind {
            return Err(PayloadError::WrongKind {
                kind: kind.as_str(),
                found: payload.kind().as_str(),
            });
        }
        Ok(payload)
    }

    fn decode_v1(kind: JobKind, value: serde_json::Value) -> Result<Self, serde_json::Error> {
        use serde_json::from_value;
        Ok(match kind {
            JobKind::ProcessCall => Self::ProcessCall(from_value(value)?),
            JobKind::WriteCallLog => Self::WriteCallLog(from_value(value)?),
            JobKind::CreateRecord => Self::CreateRecord(from_value(value)?),
            JobKind::SyncPhonebook => Self::SyncPhonebook(from_value(value)?),
            JobKind::NotifyPhoneBridge => Self::NotifyPhoneBridge(from_value(value)?),
            JobKind::AnnotateCall | JobKind::CreateTask => {
                return Err(serde::de::Error::custom(format!(
                    "{} jobs have no version-1 form",
                    kind.as_str()
                )));
            }
        })
    }
}

/// A value that is the payload of exactly one job kind; workers ask for
/// theirs with [`JobData::decode`].
pub trait JobData: Sized {
    const KIND: JobKind;

    fn into_payload(self) -> JobPayload;

    /// The value inside `payload`, if it is this kind's.
    fn from_payload(payload: JobPayload) -> Option<Self>;

    /// Reads a payload stored under [`Self::KIND`].
    fn decode(stored: &str) -> Result<Self, PayloadError> {
        let payload = JobPayload::decode(Self::KIND, stored)?;
        let found = payload.kind().as_str();
        Self::from_payload(payload).ok_or(PayloadError::WrongKind {
            kind: Self::KIND.as_str(),
            found,
        })
    }
}

macro_rules! job_data {
    ($ty:ty, $variant:ident) => {
        impl JobData for $ty {
            const KIND: JobKind = JobKind::$variant;

            fn into_payload(self) -> JobPayload {
                JobPayload::$variant(Box::new(self))
            }

            fn from_payload(payload: JobPayload) -> Option<Self> {
                match payload {
                    JobPayload::$variant(inner) => Some(*inner),
                    _ => None,
                }
            }
        }
    };
}

job_data!(CallOutcome, ProcessCall);
job_data!(CallLog, WriteCallLog);
job_data!(NewRecord, CreateRecord);
job_data!(CrmRecord, SyncPhonebook);
job_data!(PbNotification, NotifyPhoneBridge);
job_data!(CallNote, AnnotateCall);
job_data!(NewTask, CreateTask);

#[cfg(test)]
#[path = "job_payload_tests.rs"]
mod tests;
