//! A scripted PBX: call records to return from catch-up, and a switch to
//! make it unavailable. Everything else is unsupported.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use ringbridge_core::pbx::*;

#[derive(Default)]
pub struct FakePbx {
    pub records: Mutex<Vec<CallRecord>>,
    pub down: AtomicBool,
    pub record_queries: AtomicUsize,
    /// While set, a call-records request waits for `release` (a PBX slow to
    /// search its records).
    pub slow: AtomicBool,
    pub release: tokio::sync::Notify,
}

pub fn record(call_id: &str, minute: u32) -> CallRecord {
    CallRecord {
        call_id: CallId::from(call_id),
        leg_id: Some(format!("leg-{call_id}-{minute}")),
        started_at: Utc.with_ymd_and_hms(2026, 1, 1, 9, minute, 0).unwrap(),
        direction: CallDirection::Inbound,
        disposition: CallStatus::Answered,
        from_number: "5550199".into(),
        from_name: None,
        to_number: "1005".into(),
        to_name: None,
        duration_s: Some(75),
        ring_s: Some(13),
        talk_s: Some(62),
        inbound_trunk: Some("CarrierA".into()),
        outbound_trunk: None,
        did: Some("8800".into()),
        recording: None,
    }
}

fn unsupported<T>() -> Result<T, PbxError> {
    Err(PbxError::Unsupported("fake".into()))
}

#[async_trait]
impl Pbx for FakePbx {
    async fn dial(&self, _: &str, _: &str) -> Result<CallId, PbxError> {
        unsupported()
    }
    async fn hang_up(&self, _: &str) -> Result<(), PbxError> {
        unsupported()
    }
    async fn active_calls(&self) -> Result<Vec<CallSnapshot>, PbxError> {
        unsupported()
    }
    async fn call_records(
        &self,
        _from: DateTime<Utc>,
        _to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, PbxError> {
        self.record_queries.fetch_add(1, Ordering::SeqCst);
        if self.slow.load(Ordering::SeqCst) {
            self.release.notified().await;
        }
        if self.down.load(Ordering::SeqCst) {
            return Err(PbxError::Unavailable("connection refused".into()));
        }
        Ok(self.records.lock().unwrap().clone())
    }
    async fn extensions(&self) -> Result<Vec<Extension>, PbxError> {
        unsupported()
    }
    async fn recording(
        &self,
        _: &RecordingRef,
        _: Option<(u64, Option<u64>)>,
    ) -> Result<RecordingStream, PbxError> {
        unsupported()
    }
    async fn phonebooks(&self) -> Result<Vec<Phonebook>, PbxError> {
        unsupported()
    }
    async fn create_phonebook(&self, _: &str) -> Result<PhonebookId, PbxError> {
        unsupported()
    }
    async fn search_contacts(&self, _: &str) -> Result<Vec<PbxContact>, PbxError> {
        unsupported()
    }
    async fn create_contact(&self, _: &PbxContact) -> Result<PbxContactId, PbxError> {
        unsupported()
    }
    async fn update_contact(&self, _: &PbxContactId, _: &PbxContact) -> Result<(), PbxError> {
        unsupported()
    }
}
