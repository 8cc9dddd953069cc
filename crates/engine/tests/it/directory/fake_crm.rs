//! A CRM for the directory tests: records in memory, searched the way a CRM
//! search does (a phone field must equal one of the spellings exactly),
//! listed by modification time in small pages, every call counted.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use ringbridge_core::crm::*;

/// `(module, since, page)` of one listing.
pub type Listing = (CrmModule, Option<DateTime<Utc>>, Option<String>);

pub struct FakeCrm {
    pub records: Mutex<Vec<CrmRecord>>,
    pub page_size: usize,
    /// How long a search takes, so concurrent lookups overlap.
    pub find_delay: Duration,
    pub find_calls: AtomicUsize,
    pub find_args: Mutex<Vec<Vec<String>>>,
    pub list_calls: Mutex<Vec<Listing>>,
}

impl FakeCrm {
    pub fn new(records: Vec<CrmRecord>) -> Self {
        Self {
            records: Mutex::new(records),
            page_size: 2,
            find_delay: Duration::ZERO,
            find_calls: AtomicUsize::new(0),
            find_args: Mutex::new(Vec::new()),
            list_calls: Mutex::new(Vec::new()),
        }
    }

    pub fn finds(&self) -> usize {
        self.find_calls.load(Ordering::SeqCst)
    }

    pub fn lists(&self) -> Vec<Listing> {
        self.list_calls.lock().unwrap().clone()
    }
}

/// `m` minutes after 09:00 on 1 January 2026.
pub fn minute(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap() + chrono::Duration::minutes(m)
}

pub fn record(module: CrmModule, id: &str, phones: &[&str], owner: &str, m: i64) -> CrmRecord {
    CrmRecord {
        reference: CrmRecordRef {
            module,
            id: id.into(),
        },
        name: format!("Name {id}"),
        company: Some("Acme".into()),
        email: Some(format!("{id}@example.com")),
        phones: phones.iter().map(|p| (*p).to_owned()).collect(),
        owner_id: Some(owner.into()),
        account: None,
        modified_at: minute(m),
    }
}

fn unsupported<T>() -> Result<T, CrmError> {
    Err(CrmError::Unavailable("not part of the fake".into()))
}

#[async_trait]
impl Crm for FakeCrm {
    async fn find_by_phone(
        &self,
        modules: &[CrmModule],
        candidates: &[String],
    ) -> Result<Vec<CrmRecord>, CrmError> {
        self.find_calls.fetch_add(1, Ordering::SeqCst);
        self.find_args.lock().unwrap().push(candidates.to_vec());
        tokio::time::sleep(self.find_delay).await;
        let records = self.records.lock().unwrap();
        Ok(modules
            .iter()
            .flat_map(|m| {
                records.iter().filter(move |r| {
                    r.reference.module == *m && r.phones.iter().any(|p| candidates.contains(p))
                })
            })
            .cloned()
            .collect())
    }

    async fn records_changed_since(
        &self,
        module: CrmModule,
        since: Option<DateTime<Utc>>,
        page: Option<String>,
    ) -> Result<RecordPage, CrmError> {
        self.list_calls
            .lock()
            .unwrap()
            .push((module, since, page.clone()));
        let mut all: Vec<CrmRecord> = self
            .records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.reference.module == module && since.is_none_or(|s| r.modified_at > s))
            .cloned()
            .collect();
        all.sort_by(|a, b| a.reference.id.cmp(&b.reference.id));
        let start: usize = match page {
            Some(p) => p
                .parse()
                .map_err(|_| CrmError::Protocol(format!("bad page {p}").into()))?,
            None => 0,
        };
        let end = (start + self.page_size).min(all.len());
        Ok(RecordPage {
            records: all.get(start..end).unwrap_or_default().to_vec(),
            next: (end < all.len()).then(|| end.to_string()),
        })
    }

    async fn log_calls(&self, _: &[CallLog]) -> Result<Vec<Result<String, CrmError>>, CrmError> {
        unsupported()
    }

    async fn find_logged_calls(&self, _: &[CallLog]) -> Result<Vec<Option<String>>, CrmError> {
        unsupported()
    }

    async fn create_record(&self, _: &NewRecord) -> Result<CrmRecord, CrmError> {
        unsupported()
    }

    async fn users(&self) -> Result<Vec<CrmUser>, CrmError> {
        unsupported()
    }

    fn record_url(&self, record: &CrmRecordRef) -> String {
        format!("fake://{}/{}", record.module, record.id)
    }
}
