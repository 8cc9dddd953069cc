//! ringbridge's engine: turns PBX events into CRM actions, exactly once.
//!
//! - [`ingest`]: the durable front door. Tracks live calls and queues every
//!   ended call as a `ProcessCall` job; catches up from the PBX's call
//!   records after any gap.
//! - [`jobs`]: the outbox workers — process a call (policy, owner, match,
//!   record creation), write call logs in bulk, create records, sync
//!   contacts into the PBX phonebook.
//! - [`matcher`]: caller matching; [`directory`]: the local phone directory.
//! - [`pipeline`]: a running integration (a `Generation`): which node
//!   ingests (the stream lease), ingest, and one broadcast of call updates.

pub mod calllog;
pub mod context;
pub mod directory;
mod engine;
mod followup;
pub mod ingest;
pub mod jobs;
pub mod journal;
pub mod live;
pub mod manual;
pub mod matcher;
pub mod notes;
pub mod phonebridge;
pub mod pipeline;
pub mod retry;
pub mod timing;
pub mod visibility;

pub use context::{CrmHealth, EngineContext, RecordingLinks, Tuning};
pub use engine::{Engine, MappingError};
pub use ingest::{Ingest, IngestConfig, IngestError, Ingested, Origin, StreamStatus};
pub use pipeline::{Generation, PbxStream};
