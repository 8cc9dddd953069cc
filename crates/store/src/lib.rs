//! ringbridge's storage: one implementation of the core's [`Store`] over
//! SQLite (embedded, the default) or PostgreSQL (several nodes), chosen by
//! the database URL. Each backend has its own migrations; queries are
//! written once in the SQL both understand (`$1` placeholders, epoch-ms
//! integers for time).

mod accounts;
mod agent_grants;
mod audit;
mod batch;
mod commit;
mod console;
mod crypto;
mod directory;
mod lease;
mod maintenance;
mod outbox;
mod recording;
mod replay;
mod sql;
#[cfg(feature = "testing")]
pub mod testing;

pub use crypto::{KeyError, SecretKey};
pub use maintenance::{MaintenanceError, PendingMigration};
pub use sql::{Backend, SqlStore, StoreOpenError};
