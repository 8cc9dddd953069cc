use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use ringbridge_core::outbox::{JobKind, JobStatus};
use ringbridge_core::pbx::{CallSnapshot, EventSourceItem, PbxEvent};
use ringbridge_core::store::Storage;
use ringbridge_core::tracker::{CallOutcome, CallUpdate};
use ringbridge_engine::{Ingest, IngestConfig, IngestError, Ingested, Origin, StreamStatus};
use ringbridge_store::testing::fresh_stores;
use ringbridge_store::{SecretKey, SqlStore};
use tokio::sync::mpsc;

use crate::fake_pbx::{FakePbx, record};

async fn stores() -> Vec<(Arc<dyn Storage>, ringbridge_store::testing::TestDatabase)> {
    fresh_stores()
        .await
        .into_iter()
        .map(|(store, db)| (Arc::new(store) as Arc<dyn Storage>, db))
        .collect()
}

fn config() -> IngestConfig {
    let mut config = IngestConfig::new("pbx1");
    config.tick = Duration::from_millis(20);
    config
}

/// Runs ingest over `items`, then collects what it emitted.
async fn run(
    store: Arc<dyn Storage>,
    pbx: Arc<FakePbx>,
    items: Vec<EventSourceItem>,
) -> (Result<(), IngestError>, Vec<Ingested>) {
    let (tx, mut rx) = mpsc::channel(64);
    let ingest = Ingest::new(config(), store, pbx, tx);
    let result = ingest.run(futures_util::stream::iter(items)).await;
    let mut got = Vec::new();
    while let Ok(item) = rx.try_recv() {
        got.push(item);
    }
    (result, got)
}

fn ended(call_id: &str) -> EventSourceItem {
    EventSourceItem::Event(PbxEvent::CallEnded(Box::new(record(call_id, 0))))
}

/// Extension 1005 rings for `call_id`.
fn ringing(call_id: &str) -> EventSourceItem {
    EventSourceItem::Event(PbxEvent::CallState(CallSnapshot {
        call_id: call_id.into(),
        participants: vec![ringbridge_core::pbx::ParticipantState {
            participant: ringbridge_core::pbx::Participant::Extension {
                number: "1005".into(),
                channel: "c1".into(),
            },
            state: ringbridge_core::pbx::LegState::Ringing,
            via: None,
        }],
    }))
}

fn ended_ids(got: &[Ingested]) -> Vec<(String, Origin)> {
    got.iter()
        .filter_map(|i| match &i.update {
            CallUpdate::Ended(o) => Some((o.call_id.0.clone(), i.origin)),
            _ => None,
        })
        .collect()
}

/// The calls queued for processing, by key, with their outcome.
async fn queued(store: &Arc<dyn Storage>) -> Vec<(String, CallOutcome)> {
    let mut jobs = store
        .list(JobKind::ProcessCall, JobStatus::Pending, 100)
        .await
        .unwrap();
    jobs.sort_by_key(|j| j.id);
    jobs.into_iter()
        .map(|j| {
            let outcome = j.decode().unwrap();
            (j.key, outcome)
        })
        .collect()
}

#[tokio::test]
async fn a_repeated_call_end_passes_once_and_other_events_pass_through() {
    for (store, _db) in stores().await {
        let pbx = Arc::new(FakePbx::default());
        let state = EventSourceItem::Event(PbxEvent::CallState(CallSnapshot {
            call_id: "1.1".into(),
            participants: vec![],
        }));
        let (result, got) = run(
            store.clone(),
            pbx,
            vec![
                EventSourceItem::Connected,
                state,
                ended("1.1"),
                ended("1.1"),
            ],
        )
        .await;
        result.unwrap();
        assert_eq!(ended_ids(&got), vec![("1.1".to_owned(), Origin::Live)]);
        let queued = queued(&store).await;
        assert_eq!(queued.len(), 1, "one processing job per call");
        assert_eq!(queued[0].0, "pbx1:1.1");
        assert_eq!(queued[0].1.record.talk_s, Some(62));
    }
}

#[tokio::test]
async fn calls_that_ended_during_a_gap_are_caught_up_once() {
    for (store, _db) in stores().await {
        let pbx = Arc::new(FakePbx::default());
        // First session: the stream works, call A ends live.
        let (result, got) = run(
            store.clone(),
            pbx.clone(),
            vec![EventSourceItem::Connected, ended("A")],
        )
        .await;
        result.unwrap();
        assert_eq!(ended_ids(&got), vec![("A".to_owned(), Origin::Live)]);

        // The socket drops; B and C end meanwhile (C with two CDR legs). The
        // PBX's records also still hold A. After reconnecting, the late live
        // copy of C's end must not pass again.
        pbx.records.lock().unwrap().extend([
            record("A", 0),
            record("B", 1),
            record("C", 2),
            record("C", 3),
        ]);
        let items = vec![
            EventSourceItem::Disconnected {
                since: Utc::now(),
                reason: "socket closed".into(),
            },
            EventSourceItem::Connected,
            ended("C"),
        ];
        let (result, got) = run(store.clone(), pbx, items).await;
        result.unwrap();
        assert_eq!(
            ended_ids(&got),
            vec![
                ("B".to_owned(), Origin::CatchUp),
                ("C".to_owned(), Origin::CatchUp)
            ]
        );
        let keys: Vec<String> = queued(&store).await.into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["pbx1:A", "pbx1:B", "pbx1:C"]);
    }
}

#[tokio::test]
async fn a_restart_catches_up_from_the_stored_checkpoint() {
    for (store, db) in stores().await {
        let pbx = Arc::new(FakePbx::default());
        run(store.clone(), pbx.clone(), vec![EventSourceItem::Connected])
            .await
            .0
            .unwrap();
        assert!(store.stream_checkpoint("pbx1").await.unwrap().is_some());

        // ringbridge is down while D ends; a new process opens the same database.
        pbx.records.lock().unwrap().push(record("D", 5));
        let reopened: Arc<dyn Storage> = Arc::new(
            SqlStore::open(&db.url, SecretKey::generate())
                .await
                .unwrap(),
        );
        let (result, got) = run(reopened, pbx, vec![EventSourceItem::Connected]).await;
        result.unwrap();
        assert_eq!(ended_ids(&got), vec![("D".to_owned(), Origin::CatchUp)]);
    }
}

#[tokio::test]
async fn a_failed_catch_up_is_retried_and_holds_the_checkpoint() {
    for (store, _db) in stores().await {
        let pbx = Arc::new(FakePbx::default());
        run(store.clone(), pbx.clone(), vec![EventSourceItem::Connected])
            .await
            .0
            .unwrap();
        let before = store.stream_checkpoint("pbx1").await.unwrap().unwrap();

        pbx.records.lock().unwrap().push(record("E", 7));
        pbx.down.store(true, Ordering::SeqCst);
        let (tx, mut rx) = mpsc::channel(64);
        let ingest = Ingest::new(config(), store.clone(), pbx.clone(), tx);
        // A source that connects and then stays open.
        let source = futures_util::stream::iter(vec![EventSourceItem::Connected])
            .chain(futures_util::stream::pending());
        let task = tokio::spawn(ingest.run(source));
        // Wait for two refused catch-ups (a loaded machine may take a while to get there).
        let queried_before = pbx.record_queries.load(Ordering::SeqCst);
        tokio::time::timeout(Duration::from_secs(10), async {
            while pbx.record_queries.load(Ordering::SeqCst) < queried_before + 2 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the refused catch-up is retried");
        assert!(
            rx.try_recv().is_err(),
            "nothing can be caught up while the PBX is down"
        );
        assert_eq!(
            store.stream_checkpoint("pbx1").await.unwrap().unwrap(),
            before,
            "checkpoint held"
        );

        pbx.down.store(false, Ordering::SeqCst);
        let got = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ended_ids(&[got]), vec![("E".to_owned(), Origin::CatchUp)]);
        assert!(
            pbx.record_queries.load(Ordering::SeqCst) >= queried_before + 3,
            "two refusals, then the catch-up that worked"
        );
        task.abort();
    }
}

#[tokio::test]
async fn a_fatal_source_stops_with_a_visible_status() {
    for (store, _db) in stores().await {
        let (tx, _rx) = mpsc::channel(4);
        let ingest = Ingest::new(config(), store, Arc::new(FakePbx::default()), tx);
        let status = ingest.status();
        let items = vec![EventSourceItem::Fatal {
            reason: "PBX refused the client secret".into(),
        }];
        let err = ingest
            .run(futures_util::stream::iter(items))
            .await
            .unwrap_err();
        assert!(matches!(err, IngestError::SourceFailed(_)));
        assert_eq!(
            *status.borrow(),
            StreamStatus::Failed {
                reason: "PBX refused the client secret".into()
            }
        );
    }
}

#[tokio::test]
async fn reconciliation_queues_calls_the_stream_never_mentioned_but_not_live_ones() {
    for (store, _db) in stores().await {
        // "L" is live (ringing) on the stream; "S" was lost silently.
        let pbx = pbx_recording_l_and_s();
        let (events, _rx, task) = reconciling_ingest(&store, &pbx);
        events.send(ringing("L")).unwrap();
        events.send(EventSourceItem::Connected).unwrap();
        // Until the lost call is queued (a fixed wait flaked under load),
        // then a few more reconciliation rounds that must leave "L" alone.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while queued(&store).await.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        task.abort();
        let keys: Vec<String> = queued(&store).await.into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            ["pbx1:S"],
            "the silent loss is repaired; the live call is left to the stream"
        );
    }
}

/// A PBX whose call records hold calls "L" and "S".
fn pbx_recording_l_and_s() -> Arc<FakePbx> {
    let pbx = Arc::new(FakePbx::default());
    pbx.records
        .lock()
        .unwrap()
        .extend([record("L", 1), record("S", 2)]);
    pbx
}

/// Ingest running with a reconciliation every 50 ms, over a source the
/// test feeds through the returned sender.
#[allow(clippy::type_complexity)]
fn reconciling_ingest(
    store: &Arc<dyn Storage>,
    pbx: &Arc<FakePbx>,
) -> (
    mpsc::UnboundedSender<EventSourceItem>,
    mpsc::Receiver<Ingested>,
    tokio::task::JoinHandle<Result<(), IngestError>>,
) {
    let mut config = config();
    config.reconcile_every = Some(Duration::from_millis(50));
    let (tx, rx) = mpsc::channel(64);
    let ingest = Ingest::new(config, store.clone(), pbx.clone(), tx);
    let (events, source) = mpsc::unbounded_channel();
    let source = futures_util::stream::unfold(source, |mut source| async move {
        source.recv().await.map(|item| (item, source))
    });
    (events, rx, tokio::spawn(ingest.run(source)))
}

#[tokio::test]
async fn a_ringing_call_pops_while_a_reconciliation_waits_for_the_pbx() {
    for (store, _db) in stores().await {
        let pbx = Arc::new(FakePbx::default());
        pbx.records.lock().unwrap().push(record("S", 2));
        pbx.slow.store(true, Ordering::SeqCst);
        let (events, mut rx, task) = reconciling_ingest(&store, &pbx);
        events.send(EventSourceItem::Connected).unwrap();
        tokio::time::timeout(Duration::from_secs(10), async {
            while pbx.record_queries.load(Ordering::SeqCst) == 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("a reconciliation asks the PBX for its records");

        // The PBX has not answered; a call rings meanwhile.
        events.send(ringing("L")).unwrap();
        let update = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("the ringing call is not held by the PBX's slow answer")
            .unwrap();
        assert!(
            matches!(&update.update, CallUpdate::Ringing { call_id, .. } if call_id.0 == "L"),
            "{update:?}"
        );
        assert!(queued(&store).await.is_empty(), "nothing caught up yet");
        assert_eq!(
            pbx.record_queries.load(Ordering::SeqCst),
            1,
            "one request in flight"
        );

        // The answer comes: the silently lost call is queued, the live one left alone.
        pbx.slow.store(false, Ordering::SeqCst);
        pbx.release.notify_one();
        let got = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the reconciliation finishes")
            .unwrap();
        assert_eq!(ended_ids(&[got]), vec![("S".to_owned(), Origin::CatchUp)]);
        task.abort();
        let keys: Vec<String> = queued(&store).await.into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["pbx1:S"]);
    }
}

#[tokio::test]
async fn a_reconnect_during_a_reconciliation_repairs_the_gap_with_live_calls_too() {
    for (store, _db) in stores().await {
        // "L" rang on the stream, then the socket dropped: its end is only in
        // the records now, beside the silently lost "S".
        let pbx = pbx_recording_l_and_s();
        pbx.slow.store(true, Ordering::SeqCst);
        let (events, _rx, task) = reconciling_ingest(&store, &pbx);
        events.send(ringing("L")).unwrap();
        events.send(EventSourceItem::Connected).unwrap();
        let asked = async |n| {
            tokio::time::timeout(Duration::from_secs(10), async {
                while pbx.record_queries.load(Ordering::SeqCst) < n {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
            .await
            .expect("the PBX was asked for its records")
        };
        asked(1).await;

        // The reconciliation waits for the PBX when the socket drops and comes back.
        events
            .send(EventSourceItem::Disconnected {
                since: Utc::now(),
                reason: "socket closed".into(),
            })
            .unwrap();
        events.send(EventSourceItem::Connected).unwrap();
        asked(2).await;
        pbx.slow.store(false, Ordering::SeqCst);
        pbx.release.notify_one();

        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while queued(&store).await.len() < 2 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        task.abort();
        let keys: Vec<String> = queued(&store).await.into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            ["pbx1:L", "pbx1:S"],
            "a gap repair queues the call that was live before the gap as well"
        );
    }
}

#[tokio::test]
async fn journal_and_audit_entries_past_their_retention_are_pruned() {
    use ringbridge_core::audit::{AuditEntry, AuditSystem};
    for (store, _db) in stores().await {
        let event = PbxEvent::CallState(CallSnapshot {
            call_id: "9.9".into(),
            participants: vec![],
        });
        let long_ago = Utc::now() - chrono::Duration::days(400);
        store.journal_event("pbx1", long_ago, &event).await.unwrap();
        store
            .journal_event("pbx1", Utc::now(), &event)
            .await
            .unwrap();
        let mut old = AuditEntry::ok(AuditSystem::Crm, "insert", "Calls", "pbx1:old", None);
        old.at = long_ago;
        store.record(&old).await.unwrap();
        let new = AuditEntry::ok(AuditSystem::Crm, "insert", "Calls", "pbx1:new", None);
        store.record(&new).await.unwrap();

        // Connected, then a quiet stream for a few ticks.
        let (tx, _rx) = mpsc::channel(64);
        let ingest = Ingest::new(config(), store.clone(), Arc::new(FakePbx::default()), tx);
        let events = futures_util::stream::iter([EventSourceItem::Connected])
            .chain(futures_util::stream::pending());
        let task = tokio::spawn(ingest.run(events));
        // The prune runs in a task of its own: waited for, not timed.
        let audit_keys = || async {
            let entries = store.recent(10).await.unwrap();
            entries.into_iter().map(|e| e.key).collect::<Vec<String>>()
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while audit_keys().await.len() > 1 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        task.abort();
        assert_eq!(
            audit_keys().await,
            ["pbx1:new"],
            "the 400-day-old audit entry is gone"
        );
        let tomorrow = Utc::now() + chrono::Duration::days(1);
        assert_eq!(
            store.prune_journal(tomorrow).await.unwrap(),
            1,
            "only the recent journal entry was left"
        );
    }
}
