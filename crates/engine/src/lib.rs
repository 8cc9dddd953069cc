//! ringbridge's engine: consumes a PBX's event stream and turns it into CRM
//! actions. Today: [`ingest`] — the durable front door that makes sure no
//! call end is lost across disconnects and restarts, and none is seen twice.

pub mod directory;
pub mod ingest;

pub use ingest::{Ingest, IngestConfig, IngestError, Ingested, Origin, StreamStatus};
