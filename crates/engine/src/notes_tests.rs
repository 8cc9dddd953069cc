//! Notes reach the call's CRM log once: in the insert when saved before
//! the log is written, as one update after, later when the CRM is down,
//! and into Zoho's own log in PhoneBridge mode.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::console::CrmMode;
use ringbridge_core::crm::*;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::outbox::{JobKind, JobStatus, OutboxStore};
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::telephony::PbNotification;
use ringbridge_core::tracker::CallOutcome;
use ringbridge_store::{SecretKey, SqlStore};

use super::*;
use crate::context::Tuning;
use crate::engine::Engine;
use crate::manual::tests::{Matcher, NoPbx};

/// An answered inbound call, as ingest stores it.
const OUTCOME: &str = r#"{"call_id":"c1","direction":"inbound","other_party":"4155550123","internal_parties":null,"answered":true,"initiator":null,"talked":["1005"],"rang":["1005"],"via":null,"record":{"call_id":"c1","leg_id":null,"started_at":"2026-12-07T00:31:22Z","direction":"inbound","disposition":"answered","from_number":"4155550123","from_name":null,"to_number":"1005","to_name":null,"duration_s":75,"ring_s":null,"talk_s":62,"inbound_trunk":null,"outbound_trunk":null,"did":null,"recording":null}}"#;
/// Its terminal PhoneBridge notification.
const TERMINAL: &str = r#"{"call_id":"c1","leg_id":"c1","direction":"received","state":{"state":"ended","start":"2026-12-07T00:31:22Z","duration_s":62,"recording":false},"customer":"4155550123","extension":"1005","zoho_user":"u-1005"}"#;

/// Records inserts and updates; can be "down".
#[derive(Default)]
struct Crm {
    inserted: Mutex<Vec<CallLog>>,
    updated: Mutex<Vec<(String, CallAnnotation)>>,
    down: AtomicBool,
}

impl Crm {
    fn check_up(&self) -> Result<(), CrmError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(CrmError::Unavailable("connection refused".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl ringbridge_core::crm::Crm for Crm {
    async fn find_by_phone(
        &self,
        _: &[CrmModule],
        _: &[String],
    ) -> Result<Vec<CrmRecord>, CrmError> {
        Ok(Vec::new())
    }
    async fn records_changed_since(
        &self,
        _: CrmModule,
        _: Option<DateTime<Utc>>,
        _: Option<String>,
    ) -> Result<RecordPage, CrmError> {
        Err(CrmError::Unavailable("not used here".into()))
    }
    async fn log_calls(&self, logs: &[CallLog]) -> Result<Vec<Result<String, CrmError>>, CrmError> {
        self.check_up()?;
        let mut inserted = self.inserted.lock().unwrap();
        let mut out = Vec::new();
        for log in logs {
            inserted.push(log.clone());
            out.push(Ok(format!("call-{}", inserted.len())));
        }
        Ok(out)
    }
    async fn find_logged_calls(&self, logs: &[CallLog]) -> Result<Vec<Option<String>>, CrmError> {
        self.check_up()?;
        Ok(vec![None; logs.len()])
    }
    async fn create_record(&self, _: &NewRecord) -> Result<CrmRecord, CrmError> {
        Err(CrmError::Unavailable("not used here".into()))
    }
    async fn users(&self) -> Result<Vec<CrmUser>, CrmError> {
        Ok(Vec::new())
    }
    async fn annotate_call(&self, call_id: &str, a: &CallAnnotation) -> Result<(), CrmError> {
        self.check_up()?;
        self.updated
            .lock()
            .unwrap()
            .push((call_id.to_owned(), a.clone()));
        Ok(())
    }
    async fn find_crm_logged_call(
        &self,
        probe: &CrmCallProbe,
    ) -> Result<Option<CrmLoggedCall>, CrmError> {
        self.check_up()?;
        let theirs = probe.owner_id == "u-1005" && probe.customer == "4155550123";
        Ok(theirs.then(|| CrmLoggedCall {
            id: "zoho-77".into(),
            description: "Logged by Zoho".into(),
        }))
    }
    fn record_url(&self, r: &CrmRecordRef) -> String {
        format!("crm://{}/{}", r.module, r.id)
    }
}

struct Setup {
    ctx: Arc<EngineContext>,
    crm: Arc<Crm>,
    store: SqlStore,
    engine: Option<Engine>,
    _db: ringbridge_store::testing::TestDatabase,
}

impl Drop for Setup {
    fn drop(&mut self) {
        if let Some(engine) = self.engine.take() {
            engine.stop();
        }
    }
}

async fn setup() -> Setup {
    let db = ringbridge_store::testing::fresh_sqlite();
    let key = SecretKey::generate();
    let store = SqlStore::open(&db.url, key).await.unwrap();
    let crm = Arc::new(Crm::default());
    let tuning = Tuning {
        poll: Duration::from_millis(20),
        flush_delay: Duration::from_millis(50),
        backoff_base: Duration::from_millis(50),
        backoff_max: Duration::from_millis(100),
        creation_wait: Duration::from_millis(50),
        ..Tuning::default()
    };
    let ctx = Arc::new(EngineContext::new(
        "pbx".into(),
        Arc::new(store.clone()),
        crm.clone(),
        Arc::new(NoPbx),
        Arc::new(Matcher::default()),
        EngineSettings::default(),
        NumberPlan::new("US").unwrap(),
        tuning,
    ));
    Setup {
        ctx,
        crm,
        store,
        engine: None,
        _db: db,
    }
}

impl Setup {
    fn start(&mut self) {
        self.engine = Some(Engine::start(self.ctx.clone()));
    }

    /// The call ended: its processing is queued, as ingest does.
    async fn call_ends(&self) {
        let outcome: CallOutcome = serde_json::from_str(OUTCOME).unwrap();
        let payload = ringbridge_core::job_payload::JobPayload::ProcessCall(Box::new(outcome));
        self.store
            .enqueue_job(&JobKey::call("pbx", "c1"), &payload, Utc::now())
            .await
            .unwrap();
        self.ctx.notify(JobKind::ProcessCall);
    }

    async fn note_status(&self) -> Option<JobStatus> {
        let key = JobKey::call_note("pbx", "c1");
        let job = self.store.job(JobKind::AnnotateCall, key.as_str()).await;
        job.unwrap().map(|j| j.status)
    }
}

fn note(text: &str, result: Option<&str>) -> CallNote {
    CallNote::new("c1", text, result, &[], "ann", Utc::now()).unwrap()
}

/// Polls `check` for up to five seconds.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..250 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn a_note_saved_before_the_log_is_due_travels_in_its_one_insert() {
    let mut s = setup().await;
    s.call_ends().await;
    assert_eq!(
        save(&s.ctx, &note("Wants a quote", Some("Interested")))
            .await
            .unwrap(),
        NoteSaved::Queued
    );
    s.start();
    eventually("the log", || !s.crm.inserted.lock().unwrap().is_empty()).await;
    let log = s.crm.inserted.lock().unwrap()[0].clone();
    assert!(
        log.description.starts_with("\u{270E} Wants a quote\n\n"),
        "{}",
        log.description
    );
    assert_eq!(log.result.as_deref(), Some("Interested"));
    for _ in 0..50 {
        if s.note_status().await == Some(JobStatus::Done) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(s.note_status().await, Some(JobStatus::Done));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.crm.inserted.lock().unwrap().len(), 1, "one record");
    assert!(
        s.crm.updated.lock().unwrap().is_empty(),
        "no update was needed"
    );
}

#[tokio::test]
async fn a_note_after_the_log_is_written_is_one_update_of_that_record() {
    let mut s = setup().await;
    s.start();
    s.call_ends().await;
    eventually("the log", || !s.crm.inserted.lock().unwrap().is_empty()).await;
    let original = s.crm.inserted.lock().unwrap()[0].description.clone();
    save(&s.ctx, &note("Call back Friday", Some("Interested")))
        .await
        .unwrap();
    eventually("the update", || !s.crm.updated.lock().unwrap().is_empty()).await;
    // An edit replaces the note, still in the same record.
    save(&s.ctx, &note("Call back Monday", None)).await.unwrap();
    eventually("the second update", || {
        s.crm.updated.lock().unwrap().len() == 2
    })
    .await;
    let updated = s.crm.updated.lock().unwrap().clone();
    assert_eq!(updated[0].0, "call-1");
    assert_eq!(
        updated[0].1.description,
        format!("\u{270E} Call back Friday\n\n{original}")
    );
    assert_eq!(updated[0].1.result.as_deref(), Some("Interested"));
    assert_eq!(updated[0].1.key.as_deref(), Some("pbx:c1"));
    assert_eq!(updated[1].0, "call-1");
    assert_eq!(
        updated[1].1.description,
        format!("\u{270E} Call back Monday\n\n{original}")
    );
    assert_eq!(
        s.crm.inserted.lock().unwrap().len(),
        1,
        "never a second record"
    );
}

#[tokio::test]
async fn a_note_saved_while_the_crm_is_down_lands_when_it_is_back() {
    let mut s = setup().await;
    s.start();
    s.call_ends().await;
    eventually("the log", || !s.crm.inserted.lock().unwrap().is_empty()).await;
    s.crm.down.store(true, Ordering::SeqCst);
    save(&s.ctx, &note("Angry about the invoice", None))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let key = JobKey::call_note("pbx", "c1");
    let job = s
        .store
        .job(JobKind::AnnotateCall, key.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(job.status, JobStatus::Done);
    assert!(
        job.last_error
            .as_deref()
            .is_some_and(|e| e.contains("connection refused")),
        "{job:?}"
    );
    assert!(s.crm.updated.lock().unwrap().is_empty());
    s.crm.down.store(false, Ordering::SeqCst);
    eventually("the update", || !s.crm.updated.lock().unwrap().is_empty()).await;
    let (id, a) = s.crm.updated.lock().unwrap()[0].clone();
    assert_eq!(id, "call-1");
    assert!(
        a.description
            .starts_with("\u{270E} Angry about the invoice")
    );
}

#[tokio::test]
async fn in_phonebridge_mode_the_note_goes_to_the_log_zoho_wrote() {
    let mut s = setup().await;
    s.ctx.set_crm_mode(CrmMode::PhoneBridge);
    // The call's terminal notification reached Zoho: Zoho wrote the log.
    let n: PbNotification = serde_json::from_str(TERMINAL).unwrap();
    let key = JobKey::phonebridge_terminal("pbx", "c1");
    let payload = ringbridge_core::job_payload::JobPayload::NotifyPhoneBridge(Box::new(n));
    s.store
        .enqueue_job(&key, &payload, Utc::now())
        .await
        .unwrap();
    let claimed = s
        .store
        .claim(
            JobKind::NotifyPhoneBridge,
            1,
            Utc::now(),
            Duration::from_secs(60),
            "test",
        )
        .await
        .unwrap();
    s.store.complete(&claimed[0], "sent").await.unwrap();

    save(&s.ctx, &note("Booked a demo", Some("Interested")))
        .await
        .unwrap();
    s.start();
    eventually("the update", || !s.crm.updated.lock().unwrap().is_empty()).await;
    let (id, a) = s.crm.updated.lock().unwrap()[0].clone();
    assert_eq!(id, "zoho-77");
    assert_eq!(a.description, "\u{270E} Booked a demo\n\nLogged by Zoho");
    assert_eq!(a.result.as_deref(), Some("Interested"));
    assert_eq!(a.key, None, "Zoho's log carries no marker of ours");
    assert!(
        s.crm.inserted.lock().unwrap().is_empty(),
        "no record of ours"
    );
}
