//! How durable a PostgreSQL commit must be.
//!
//! A commit on PostgreSQL waits, by default, until its WAL is flushed to
//! disk (`synchronous_commit = on`). With the journal, the outbox and the
//! server sharing a small machine, that flush is most of what a burst of
//! PBX frames costs: the journal writer's flush and ingest's outbox flush
//! queued behind each other, and ingest waited for both.
//!
//! Some writes may be lost in a *server* crash without losing a call, and
//! commit without waiting for the flush ([`unsynced`]):
//!
//! - What such a crash can lose is bounded: the commits of the last
//!   `3 × wal_writer_delay` (600 ms by default) before it, and never out of
//!   order. PostgreSQL writes WAL in one sequence, so a later durable
//!   commit flushes every earlier one, asynchronous or not; what is lost is
//!   always a suffix of the history, never a hole in it.
//! - No asynchronous commit is ever half applied (the transaction is atomic
//!   either way), and ringbridge's own crash loses nothing more than with a
//!   durable commit: the server still has the transaction.
//!
//! The writes that may commit so, and why their loss is harmless:
//!
//! - **The PBX event journal** (`batch::journal`). It is for diagnosis:
//!   nothing reads it to decide what to do (calls are made durable by their
//!   outbox job). A crash loses the last frames' entries, as a ringbridge
//!   crash already loses the frames the journal writer had not stored yet.
//! - **The stream checkpoint** (`set_stream_checkpoint`). It only ever moves
//!   forward, and says "call ends up to here are queued". Losing its latest
//!   move leaves an older checkpoint: the next catch-up from the PBX's call
//!   records starts earlier, fetches more, and queues nothing twice (a call's
//!   job is keyed by its call id). A checkpoint can never get ahead of the
//!   outbox: the jobs it vouches for were committed durably before it.
//!
//! The outbox enqueue of ended calls stays durable: it is the step that makes
//! a call "seen" — the live stream moves on and the call is announced — and
//! only the catch-up window, which a lost enqueue may already have left
//! behind, would find the call again.

/// The start of a statement that commits without waiting for the disk on
/// PostgreSQL: `concat!(unsynced!(), "INSERT … FROM unsynced, …")`.
/// `set_config(…, true)` lasts to the end of the transaction, so a statement
/// run on its own (an implicit transaction) commits with it and leaves the
/// pooled connection as it was. In the statement rather than `BEGIN; SET
/// LOCAL …; …; COMMIT` because that is three round trips instead of one, and
/// under load each waits for both sides to be scheduled. `MATERIALIZED`:
/// evaluated once, before any row is written. `tests/it/commit.rs` checks,
/// with a trigger, the setting each kind of write commits with.
macro_rules! unsynced {
    () => {
        "WITH unsynced AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)) "
    };
}
pub(crate) use unsynced;
