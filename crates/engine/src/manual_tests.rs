//! `manual`: creating a record, and relating the call wherever its log is.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::crm::*;
use ringbridge_core::outbox::{JobKind, OutboxStore};
use ringbridge_core::pbx::*;
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::settings::EngineSettings;
use ringbridge_store::{SecretKey, SqlStore};

use super::*;
use crate::context::Tuning;
use crate::matcher::{CallerMatcher, Match};

/// A relation asked for: the CRM's call id, who, what.
type Relation = (String, Option<CrmRecordRef>, Option<CrmRecordRef>);

/// Makes records with ids `new-1`, `new-2`... and remembers relations.
#[derive(Default)]
struct Crm {
    created: Mutex<Vec<NewRecord>>,
    /// When set, creating answers that this record holds the number already.
    duplicate_of: Mutex<Option<CrmRecordRef>>,
    related: Mutex<Vec<Relation>>,
}

fn unused<T>() -> Result<T, CrmError> {
    Err(CrmError::Unavailable("not used here".into()))
}

#[async_trait]
impl ringbridge_core::crm::Crm for Crm {
    async fn find_by_phone(
        &self,
        _: &[CrmModule],
        _: &[String],
    ) -> Result<Vec<CrmRecord>, CrmError> {
        // The search index has not caught up with the duplicate yet.
        Ok(Vec::new())
    }
    async fn records_changed_since(
        &self,
        _: CrmModule,
        _: Option<DateTime<Utc>>,
        _: Option<String>,
    ) -> Result<RecordPage, CrmError> {
        unused()
    }
    async fn log_calls(&self, _: &[CallLog]) -> Result<Vec<Result<String, CrmError>>, CrmError> {
        unused()
    }
    async fn find_logged_calls(&self, _: &[CallLog]) -> Result<Vec<Option<String>>, CrmError> {
        unused()
    }
    async fn create_record(&self, new: &NewRecord) -> Result<CrmRecord, CrmError> {
        if let Some(existing) = self.duplicate_of.lock().unwrap().clone() {
            return Err(CrmError::Duplicate {
                existing,
                field: Some("Phone".into()),
            });
        }
        let mut created = self.created.lock().unwrap();
        created.push(new.clone());
        Ok(CrmRecord {
            reference: CrmRecordRef {
                module: new.module,
                id: format!("new-{}", created.len()),
            },
            name: new.last_name.clone(),
            company: new.company.clone(),
            email: None,
            phones: vec![new.phone.clone()],
            owner_id: new.owner_id.clone(),
            account: None,
            modified_at: Utc::now(),
        })
    }
    async fn users(&self) -> Result<Vec<CrmUser>, CrmError> {
        unused()
    }
    async fn relate_call(
        &self,
        call_id: &str,
        who: Option<&CrmRecordRef>,
        what: Option<&CrmRecordRef>,
    ) -> Result<(), CrmError> {
        self.related
            .lock()
            .unwrap()
            .push((call_id.to_owned(), who.cloned(), what.cloned()));
        Ok(())
    }
    fn record_url(&self, r: &CrmRecordRef) -> String {
        format!("crm://{}/{}", r.module, r.id)
    }
}

#[derive(Default)]
pub(crate) struct Matcher(Mutex<Vec<CrmRecord>>);

#[async_trait]
impl CallerMatcher for Matcher {
    async fn lookup(&self, _: &str, _: Option<&str>) -> Result<Match, CrmError> {
        Ok(Match::default())
    }
    async fn remember(&self, record: &CrmRecord) {
        self.0.lock().unwrap().push(record.clone());
    }
}

pub(crate) struct NoPbx;

fn no<T>() -> Result<T, PbxError> {
    Err(PbxError::Unavailable("not used here".into()))
}

#[async_trait]
impl Pbx for NoPbx {
    async fn dial(&self, _: &str, _: &str) -> Result<CallId, PbxError> {
        no()
    }
    async fn hang_up(&self, _: &str) -> Result<(), PbxError> {
        no()
    }
    async fn active_calls(&self) -> Result<Vec<CallSnapshot>, PbxError> {
        no()
    }
    async fn call_records(
        &self,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, PbxError> {
        no()
    }
    async fn extensions(&self) -> Result<Vec<Extension>, PbxError> {
        no()
    }
    async fn recording(
        &self,
        _: &RecordingRef,
        _: Option<(u64, Option<u64>)>,
    ) -> Result<RecordingStream, PbxError> {
        no()
    }
    async fn phonebooks(&self) -> Result<Vec<Phonebook>, PbxError> {
        no()
    }
    async fn create_phonebook(&self, _: &str) -> Result<PhonebookId, PbxError> {
        no()
    }
    async fn search_contacts(&self, _: &str) -> Result<Vec<PbxContact>, PbxError> {
        no()
    }
    async fn create_contact(&self, _: &PbxContact) -> Result<PbxContactId, PbxError> {
        no()
    }
    async fn update_contact(&self, _: &PbxContactId, _: &PbxContact) -> Result<(), PbxError> {
        no()
    }
}

struct Setup {
    ctx: EngineContext,
    crm: Arc<Crm>,
    matcher: Arc<Matcher>,
    store: SqlStore,
    _db: ringbridge_store::testing::TestDatabase,
}

async fn setup() -> Setup {
    let db = ringbridge_store::testing::fresh_sqlite();
    let key = SecretKey::generate();
    let store = SqlStore::open(&db.url, key).await.unwrap();
    let crm = Arc::new(Crm::default());
    let matcher = Arc::new(Matcher::default());
    let tuning = Tuning {
        poll: Duration::from_millis(20),
        ..Tuning::default()
    };
    let ctx = EngineContext::new(
        "pbx".into(),
        Arc::new(store.clone()),
        crm.clone(),
        Arc::new(NoPbx),
        matcher.clone(),
        EngineSettings::default(),
        NumberPlan::new("US").unwrap(),
        tuning,
    );
    Setup {
        ctx,
        crm,
        matcher,
        store,
        _db: db,
    }
}

fn lead(number: &str) -> ManualRecord {
    ManualRecord {
        module: CrmModule::Leads,
        first_name: Some(" Lin ".into()),
        last_name: "Chen".into(),
        company: Some("Acme Dental".into()),
        number: number.into(),
        owner_id: Some("u1".into()),
    }
}

/// Claims the job `key` of `kind` as a worker would (no workers run here).
async fn claim_one(s: &Setup, kind: JobKind, key: &str) -> ringbridge_core::outbox::Job {
    let claimed = s
        .store
        .claim(kind, 10, Utc::now(), Duration::from_secs(60), "test")
        .await
        .unwrap();
    claimed.into_iter().find(|j| j.key == key).expect("claimed")
}

fn log(key: &str) -> String {
    serde_json::to_string(&CallLog {
        key: key.into(),
        call_type: CallLogType::Inbound,
        started_at: Utc::now(),
        duration_s: 30,
        subject: "Inbound call".into(),
        description: String::new(),
        owner_id: None,
        who: None,
        what: None,
        caller_number: Some("+14155550190".into()),
        dialled_number: None,
        result: None,
        recording_url: None,
    })
    .unwrap()
}

const WAIT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn creation_cleans_the_input_and_remembers_the_record() {
    let s = setup().await;
    let record = create(&s.ctx, &lead("(415) 555-0190"))
        .await
        .unwrap()
        .record;
    let sent = s.crm.created.lock().unwrap()[0].clone();
    assert_eq!(sent.phone, "+14155550190");
    assert_eq!(sent.first_name.as_deref(), Some("Lin"));
    assert_eq!(sent.owner_id.as_deref(), Some("u1"));
    assert_eq!(s.matcher.0.lock().unwrap().as_slice(), &[record]);

    let mut account = lead("4155550190");
    account.module = CrmModule::Accounts;
    assert!(matches!(
        create(&s.ctx, &account).await,
        Err(ManualError::Module(_))
    ));
    let mut nameless = lead("4155550190");
    nameless.last_name = "  ".into();
    assert!(matches!(
        create(&s.ctx, &nameless).await,
        Err(ManualError::NoName)
    ));
    assert!(matches!(
        create(&s.ctx, &lead("not a number")).await,
        Err(ManualError::Number(_))
    ));
    assert_eq!(
        s.crm.created.lock().unwrap().len(),
        1,
        "refusals create nothing"
    );
}

#[tokio::test]
async fn a_duplicate_is_the_existing_record_and_creates_nothing() {
    let s = setup().await;
    let existing = CrmRecordRef {
        module: CrmModule::Leads,
        id: "lead-7".into(),
    };
    *s.crm.duplicate_of.lock().unwrap() = Some(existing.clone());
    let made = create(&s.ctx, &lead("4155550190")).await.unwrap();
    assert!(made.existed);
    assert_eq!(made.record.reference, existing);
    assert_eq!(made.record.phones, ["+14155550190"]);
    assert!(s.crm.created.lock().unwrap().is_empty());
    assert_eq!(
        s.matcher.0.lock().unwrap().as_slice(),
        &[made.record],
        "lookups find it from now on"
    );
}

#[tokio::test]
async fn a_call_not_processed_yet_is_linked_when_logged() {
    let s = setup().await;
    let record = create(&s.ctx, &lead("4155550190")).await.unwrap().record;
    // Still going on: no job at all.
    assert_eq!(
        link_call(&s.ctx, "pbx:1", &record, WAIT).await.unwrap(),
        LinkState::WhenLogged
    );
    // Ended, waiting to be processed.
    s.store
        .enqueue(JobKind::ProcessCall, "pbx:1", "{}", Utc::now())
        .await
        .unwrap();
    assert_eq!(
        link_call(&s.ctx, "pbx:1", &record, WAIT).await.unwrap(),
        LinkState::WhenLogged
    );
}

#[tokio::test]
async fn a_queued_log_is_changed_to_name_the_record() {
    let s = setup().await;
    let record = create(&s.ctx, &lead("4155550190")).await.unwrap().record;
    s.store
        .enqueue(JobKind::WriteCallLog, "pbx:2", &log("pbx:2"), Utc::now())
        .await
        .unwrap();
    assert_eq!(
        link_call(&s.ctx, "pbx:2", &record, WAIT).await.unwrap(),
        LinkState::Queued
    );
    let job = s
        .store
        .job(JobKind::WriteCallLog, "pbx:2")
        .await
        .unwrap()
        .unwrap();
    let written: CallLog = job.decode().unwrap();
    assert_eq!(
        written.what,
        Some(record.reference.clone()),
        "a Lead is what the call relates to"
    );
    assert_eq!(written.who, None);
    assert!(s.crm.related.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_written_log_is_updated_in_the_crm() {
    let s = setup().await;
    let mut contact = lead("4155550190");
    contact.module = CrmModule::Contacts;
    let record = create(&s.ctx, &contact).await.unwrap().record;
    s.store
        .enqueue(JobKind::WriteCallLog, "pbx:3", &log("pbx:3"), Utc::now())
        .await
        .unwrap();
    let job = claim_one(&s, JobKind::WriteCallLog, "pbx:3").await;
    s.store.complete(&job, "crm-call-9").await.unwrap();
    assert_eq!(
        link_call(&s.ctx, "pbx:3", &record, WAIT).await.unwrap(),
        LinkState::Updated
    );
    assert_eq!(
        s.crm.related.lock().unwrap().as_slice(),
        &[(
            "crm-call-9".to_owned(),
            Some(record.reference.clone()),
            None
        )],
        "a Contact is who the call was with"
    );
}

#[tokio::test]
async fn skipped_failed_and_busy_logs_say_so() {
    let s = setup().await;
    let record = create(&s.ctx, &lead("4155550190")).await.unwrap().record;

    s.store
        .enqueue(JobKind::ProcessCall, "pbx:4", "{}", Utc::now())
        .await
        .unwrap();
    let job = claim_one(&s, JobKind::ProcessCall, "pbx:4").await;
    s.store.complete(&job, "skipped: Internal").await.unwrap();
    assert_eq!(
        link_call(&s.ctx, "pbx:4", &record, WAIT).await.unwrap(),
        LinkState::NotLogged
    );

    s.store
        .enqueue(JobKind::WriteCallLog, "pbx:5", &log("pbx:5"), Utc::now())
        .await
        .unwrap();
    let job = claim_one(&s, JobKind::WriteCallLog, "pbx:5").await;
    s.store.fail(&job, "INVALID_DATA").await.unwrap();
    assert_eq!(
        link_call(&s.ctx, "pbx:5", &record, WAIT).await.unwrap(),
        LinkState::LogFailed
    );

    // Being processed the whole time we wait.
    s.store
        .enqueue(JobKind::ProcessCall, "pbx:6", "{}", Utc::now())
        .await
        .unwrap();
    let claimed = s
        .store
        .claim(
            JobKind::ProcessCall,
            10,
            Utc::now(),
            Duration::from_secs(60),
            "w",
        )
        .await
        .unwrap();
    assert!(claimed.iter().any(|j| j.key == "pbx:6"));
    assert_eq!(
        link_call(&s.ctx, "pbx:6", &record, WAIT).await.unwrap(),
        LinkState::Busy
    );
}
