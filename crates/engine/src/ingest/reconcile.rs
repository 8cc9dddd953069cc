//! The routine reconciliation's request for the PBX's call records, in
//! flight beside ingest: a PBX that takes seconds to search its records
//! (or times out) must not hold the ringing frames that arrive meanwhile.
//! A gap repair after a reconnect still runs in turn, before the events
//! that follow it, so the calls a gap ended are queued from their records
//! first.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ringbridge_core::pbx::{CallRecord, Pbx, PbxError};

type Records = Pin<Box<dyn Future<Output = Result<Vec<CallRecord>, PbxError>> + Send>>;

/// One request for the records of `from..` taken at `began`.
pub(super) struct Fetch {
    from: DateTime<Utc>,
    began: DateTime<Utc>,
    records: Records,
}

impl Fetch {
    pub fn start(
        pbx: Arc<dyn Pbx>,
        from: DateTime<Utc>,
        began: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Self {
        Fetch {
            from,
            began,
            records: Box::pin(async move { pbx.call_records(from, to).await }),
        }
    }

    /// Waits for the answer (in turn: a gap repair).
    pub async fn finish(mut self) -> Fetched {
        let records = self.records.as_mut().await;
        self.answered(records)
    }

    fn answered(self, records: Result<Vec<CallRecord>, PbxError>) -> Fetched {
        Fetched {
            from: self.from,
            began: self.began,
            records,
        }
    }
}

/// What a finished fetch brought, with its window.
pub(super) struct Fetched {
    pub from: DateTime<Utc>,
    pub began: DateTime<Utc>,
    pub records: Result<Vec<CallRecord>, PbxError>,
}

/// Waits for the fetch in flight and takes it; never ends without one.
/// Safe to cancel (in a `select!`): the fetch stays in flight.
pub(super) async fn fetched(fetch: &mut Option<Fetch>) -> Fetched {
    let Some(in_flight) = fetch.as_mut() else {
        return std::future::pending().await;
    };
    let records = in_flight.records.as_mut().await;
    fetch
        .take()
        .expect("the fetch awaited above")
        .answered(records)
}
