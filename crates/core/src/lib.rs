//! ringbridge's core: the domain types and pure logic every other crate shares,
//! and the traits ("ports") that the outside-system adapters implement.
//!
//! Nothing here does I/O. The PBX adapter (Yeastar today; Asterisk or
//! FreeSWITCH later) turns its wire events into [`pbx::PbxEvent`]s; the CRM
//! adapter (Zoho) implements [`crm::Crm`]; storage implements the store
//! traits. The engine only ever sees these types.

pub mod accounts;
pub mod agent_grant;
pub mod audit;
pub mod clock;
pub mod console;
pub mod crm;
pub mod dialing;
pub mod directory;
pub mod job_key;
pub mod job_payload;
pub mod lease;
pub mod outbox;
pub mod pbx;
pub mod phone;
pub mod phonebridge;
pub mod policy;
pub mod recording;
pub mod replay;
pub mod settings;
pub mod store;
pub mod template;
pub mod text;
pub mod tracker;
pub mod usermap;
pub mod visibility;

pub use phone::{E164, NumberPlan, PhoneError};
