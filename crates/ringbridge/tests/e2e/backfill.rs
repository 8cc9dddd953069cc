//! `ringbridge backfill`: calls the live stream never reported are queued
//! from the PBX's call records and logged; a second run queues nothing and
//! the CRM holds each call once.

use chrono::{DateTime, Duration};
use indicatif::ProgressBar;
use ringbridge::backfill::{BackfillError, backfill};
use ringbridge::world::World;
use ringbridge_core::audit::{AuditOutcome, AuditStore, AuditSystem};
use ringbridge_core::outbox::JobKind;

use crate::support::*;

#[tokio::test]
async fn backfill_logs_what_the_stream_missed_and_nothing_twice() {
    // A stream subscribed to no call topics: ringbridge hears of no call
    // live, as when it was not running while they happened.
    let mut options = options();
    options.events.topics = vec![30008];
    let w = World::start(options).await.expect("world starts");
    let mut ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    ids.extend(play(&w, "ring_group_unanswered", &[("caller", "4155550124")]).await);
    ids.extend(
        play(
            &w,
            "blind_transfer",
            &[
                ("caller", "4155550123"),
                ("agent", "1005"),
                ("target", "1007"),
            ],
        )
        .await,
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three calls: {ids:?}");
    assert_eq!(
        w.counts(JobKind::ProcessCall).await.unwrap().pending,
        0,
        "nothing came in live"
    );

    // A period of more than a day around the calls: several windows.
    let starts: Vec<i64> = w
        .pbx_sim
        .call_records()
        .iter()
        .map(|r| r.started_at)
        .collect();
    let first = DateTime::from_timestamp(*starts.iter().min().unwrap(), 0).unwrap();
    let last = DateTime::from_timestamp(*starts.iter().max().unwrap(), 0).unwrap();
    let (from, to) = (
        first - Duration::days(1) - Duration::hours(1),
        last + Duration::hours(1),
    );

    let hidden = ProgressBar::hidden();
    let summary = backfill(&w.yeastar, &w.store, "pbx", from, to, &hidden)
        .await
        .unwrap();
    assert_eq!(summary.windows, 2);
    assert_eq!(summary.calls_found, ids.len(), "{summary:?}");
    assert!(summary.records >= ids.len());
    assert_eq!((summary.queued, summary.already_known), (ids.len(), 0));
    settle(&w, ids.len() as u64).await;
    let logged = crm_calls(&w);
    assert_eq!(logged.len(), ids.len(), "{logged:#?}");
    for id in &ids {
        call_for(&logged, id);
    }

    // Again, after everything was written: nothing new.
    let again = backfill(&w.yeastar, &w.store, "pbx", from, to, &hidden)
        .await
        .unwrap();
    assert_eq!(
        (again.calls_found, again.queued, again.already_known),
        (ids.len(), 0, ids.len())
    );
    settle(&w, ids.len() as u64).await;
    let logged = crm_calls(&w);
    assert_eq!(logged.len(), ids.len());
    for id in &ids {
        call_for(&logged, id);
        // The audit trail shows the one write of each call log.
        let writes = w.store.for_key(&format!("pbx:{id}")).await.unwrap();
        let inserts: Vec<_> = writes.iter().filter(|e| e.target == "Calls").collect();
        assert_eq!(inserts.len(), 1, "{writes:?}");
        assert_eq!(inserts[0].system, AuditSystem::Crm);
        assert_eq!(inserts[0].outcome, AuditOutcome::Ok);
        let crm_id = inserts[0].remote_id.as_deref().unwrap();
        assert!(
            logged.iter().any(|c| c["id"] == crm_id),
            "audited id {crm_id} is in the CRM"
        );
    }

    let empty = backfill(&w.yeastar, &w.store, "pbx", to, from, &hidden).await;
    assert!(matches!(empty, Err(BackfillError::EmptyRange { .. })));
    w.stop().await;
}
