//! Ingest's durable writes run beside it: while the database keeps a
//! call's enqueue waiting, ringing calls still pop, and what depends on the
//! write — the call's `Ended` update, the stream checkpoint — waits for it.
//! The database is held by another connection's lock, as the outbox
//! workers' writes hold it in a busy hour. The test holds it, and looks,
//! through a pool of its own, as another process would: a holder that
//! needs a connection of the pool whose writers wait for it can wait on
//! them (a store from before `SqlStore::writer` did, 5 s, in CI).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::Stream;
use ringbridge_core::outbox::{JobKind, JobStatus};
use ringbridge_core::pbx::{
    CallSnapshot, EventSourceItem, LegState, Participant, ParticipantState, PbxEvent,
};
use ringbridge_core::store::Storage;
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::{Ingest, IngestConfig, Ingested, Origin};
use ringbridge_store::testing::{TestDatabase, fresh_stores};
use ringbridge_store::{Backend, SecretKey, SqlStore};
use tokio::sync::mpsc;

use crate::fake_pbx::{FakePbx, record};

/// How long anything that should happen may take on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(20);

fn config() -> IngestConfig {
    let mut config = IngestConfig::new("pbx1");
    config.tick = Duration::from_millis(20);
    config
}

/// A source fed by the test, one item at a time, that stays open.
fn source() -> (
    mpsc::UnboundedSender<EventSourceItem>,
    impl Stream<Item = EventSourceItem> + Send,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    (
        tx,
        futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)),
    )
}

fn ringing(call_id: &str, extension: &str) -> EventSourceItem {
    EventSourceItem::Event(PbxEvent::CallState(CallSnapshot {
        call_id: call_id.into(),
        participants: vec![ParticipantState {
            participant: Participant::Extension {
                number: extension.into(),
                channel: format!("c-{call_id}-{extension}"),
            },
            state: LegState::Ringing,
            via: None,
        }],
    }))
}

fn ended(call_id: &str) -> EventSourceItem {
    EventSourceItem::Event(PbxEvent::CallEnded(Box::new(record(call_id, 0))))
}

/// The same database through a pool of its own, to hold and look at it.
async fn observer(db: &TestDatabase) -> SqlStore {
    SqlStore::connect(&db.url, SecretKey::generate())
        .await
        .unwrap()
}

/// Another connection's transaction that keeps ingest's writes waiting:
/// on SQLite the database's write lock, on PostgreSQL the outbox table's
/// (so there a checkpoint written out of turn would land).
async fn hold_writes(store: &SqlStore) -> sqlx::Transaction<'static, sqlx::Any> {
    let mut tx = store.pool().begin().await.unwrap();
    let lock = match store.backend() {
        Backend::Sqlite => "UPDATE pbx_stream SET checkpoint_at = checkpoint_at",
        Backend::Postgres => "LOCK TABLE outbox IN EXCLUSIVE MODE",
    };
    sqlx::query(lock).execute(&mut *tx).await.unwrap();
    tx
}

async fn queued_keys(store: &Arc<dyn Storage>) -> Vec<String> {
    let mut jobs = store
        .list(JobKind::ProcessCall, JobStatus::Pending, 100)
        .await
        .unwrap();
    jobs.sort_by_key(|j| j.id);
    jobs.into_iter().map(|j| j.key).collect()
}

async fn checkpoint(store: &Arc<dyn Storage>) -> Option<DateTime<Utc>> {
    store.stream_checkpoint("pbx1").await.unwrap()
}

/// Polls `check` until it holds, for at most [`PATIENCE`].
async fn eventually<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

type IngestTask = tokio::task::JoinHandle<Result<(), ringbridge_engine::IngestError>>;

/// Updates until (and with) the first that `until` accepts. If ingest
/// stops instead, fails with what it stopped on.
async fn updates_until(
    rx: &mut mpsc::Receiver<Ingested>,
    task: &mut IngestTask,
    until: impl Fn(&CallUpdate) -> bool,
) -> Vec<CallUpdate> {
    let mut got = Vec::new();
    loop {
        let received = tokio::time::timeout(PATIENCE, rx.recv())
            .await
            .expect("the update comes");
        let Some(item) = received else {
            panic!("ingest stopped: {:?}", task.await);
        };
        let done = until(&item.update);
        got.push(item.update);
        if done {
            return got;
        }
    }
}

fn is_ringing(update: &CallUpdate, call: &str) -> bool {
    matches!(update, CallUpdate::Ringing { call_id, .. } if call_id.as_str() == call)
}

fn is_ended(update: &CallUpdate) -> bool {
    matches!(update, CallUpdate::Ended(_))
}

/// Connects a fresh ingest on `store`; returns once the first checkpoint
/// is written.
async fn connected(
    store: &Arc<dyn Storage>,
    pbx: Arc<FakePbx>,
) -> (
    mpsc::UnboundedSender<EventSourceItem>,
    mpsc::Receiver<Ingested>,
    IngestTask,
) {
    let (events, items) = source();
    let (tx, rx) = mpsc::channel(64);
    let task = tokio::spawn(Ingest::new(config(), store.clone(), pbx, tx).run(items));
    events.send(EventSourceItem::Connected).unwrap();
    eventually("the first checkpoint", || async {
        checkpoint(store).await.is_some()
    })
    .await;
    (events, rx, task)
}

/// While A's end waits for the database: B still pops, A's `Ended` does
/// not go out, and no checkpoint claims a moment after A's end. Once the
/// database is free, A is queued, then announced, then checkpointed past.
#[tokio::test]
async fn ringing_pops_while_an_enqueue_waits_and_the_end_and_checkpoint_wait_for_it() {
    for (sql, db) in fresh_stores().await {
        let store: Arc<dyn Storage> = Arc::new(sql);
        let observer = observer(&db).await;
        let seen: Arc<dyn Storage> = Arc::new(observer.clone());
        let (events, mut rx, mut task) = connected(&store, Arc::new(FakePbx::default())).await;

        let held = hold_writes(&observer).await;
        for item in [ringing("A", "1005"), ended("A"), ringing("B", "1006")] {
            events.send(item).unwrap();
        }
        let got = updates_until(&mut rx, &mut task, |u| is_ringing(u, "B")).await;
        // A's end was tracked before B rang.
        let b_rang = Utc::now();
        assert!(got.iter().any(|u| is_ringing(u, "A")), "{got:?}");
        assert!(!got.iter().any(is_ended), "A ended before its job: {got:?}");
        // Several ticks pass, each wanting a checkpoint, while A waits.
        tokio::time::sleep(Duration::from_millis(150)).await;
        while let Ok(item) = rx.try_recv() {
            assert!(!is_ended(&item.update), "A ended before its job");
        }
        assert!(
            checkpoint(&seen).await.unwrap() < b_rang,
            "a checkpoint passed A's end before A was queued"
        );
        assert!(queued_keys(&seen).await.is_empty());

        held.rollback().await.unwrap();
        let got = updates_until(&mut rx, &mut task, is_ended).await;
        let CallUpdate::Ended(outcome) = got.last().unwrap() else {
            unreachable!()
        };
        assert_eq!(outcome.call_id.as_str(), "A");
        assert_eq!(queued_keys(&seen).await, ["pbx1:A"]);
        eventually("the checkpoint passes A's end", || async {
            checkpoint(&seen).await.unwrap() > b_rang
        })
        .await;
        task.abort();
    }
}

/// A crash while A's end waits for the database: the call is not lost —
/// the checkpoint stayed before it, so the restart catches it up — and
/// it is queued once.
#[tokio::test]
async fn a_crash_while_an_end_waits_loses_no_call() {
    for (sql, db) in fresh_stores().await {
        let store: Arc<dyn Storage> = Arc::new(sql);
        let observer = observer(&db).await;
        let seen: Arc<dyn Storage> = Arc::new(observer.clone());
        let pbx = Arc::new(FakePbx::default());
        let (events, mut rx, mut task) = connected(&store, pbx.clone()).await;

        let held = hold_writes(&observer).await;
        for item in [ringing("A", "1005"), ended("A"), ringing("B", "1006")] {
            events.send(item).unwrap();
        }
        updates_until(&mut rx, &mut task, |u| is_ringing(u, "B")).await;
        let b_rang = Utc::now();
        // Ticks pass (each wanting a checkpoint) before the crash.
        tokio::time::sleep(Duration::from_millis(150)).await;
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        held.rollback().await.unwrap();
        assert!(
            checkpoint(&seen).await.unwrap() < b_rang,
            "the checkpoint passed an end that was never confirmed queued"
        );

        // The restart finds A in the PBX's call records.
        pbx.records.lock().unwrap().push(record("A", 0));
        let (_events, mut rx, task) = connected(&store, pbx).await;
        eventually("A is queued", || async {
            !queued_keys(&seen).await.is_empty()
        })
        .await;
        assert_eq!(queued_keys(&seen).await, ["pbx1:A"], "queued once");
        // Announced as caught up, unless the crashed write still landed
        // (PostgreSQL may finish a statement its client no longer waits for).
        while let Ok(item) = rx.try_recv() {
            if is_ended(&item.update) {
                assert_eq!(item.origin, Origin::CatchUp);
            }
        }
        task.abort();
    }
}
