use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ringbridge_core::outbox::{JobKind, JobStatus, NewJob, OutboxStore, SettleError};
use ringbridge_store::testing::fresh_stores;

const LEASE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_batch_enqueues_the_new_jobs_and_leaves_existing_ones() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        store
            .enqueue(JobKind::ProcessCall, "pbx:2", "{\"first\":1}", now)
            .await
            .unwrap();
        let job = |key: &str| NewJob {
            key: key.into(),
            payload: format!("{{\"key\":\"{key}\"}}"),
            due: now,
        };
        let added = store
            .enqueue_many(
                JobKind::ProcessCall,
                &[job("pbx:1"), job("pbx:2"), job("pbx:3")],
            )
            .await
            .unwrap();
        assert_eq!(added, [true, false, true]);
        let kept = store
            .job(JobKind::ProcessCall, "pbx:2")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            kept.payload, "{\"first\":1}",
            "an existing job is not overwritten"
        );
        assert_eq!(store.counts(JobKind::ProcessCall).await.unwrap().pending, 3);
        assert!(
            store
                .enqueue_many(JobKind::ProcessCall, &[])
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_large_batch_keeps_its_order_and_says_which_jobs_were_added() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        store
            .enqueue(JobKind::ProcessCall, "pbx:500", "{\"first\":1}", now)
            .await
            .unwrap();
        // 700 jobs: several statements' worth; the key of job 10 comes
        // again at the end, and job 500 exists already.
        let mut jobs: Vec<NewJob> = (0..700)
            .map(|i| NewJob {
                key: format!("pbx:{i}"),
                payload: format!("{{\"n\":{i}}}"),
                due: now,
            })
            .collect();
        jobs.push(NewJob {
            key: "pbx:10".into(),
            payload: "{\"again\":1}".into(),
            due: now,
        });
        let added = store
            .enqueue_many(JobKind::ProcessCall, &jobs)
            .await
            .unwrap();
        assert_eq!(added.len(), 701);
        let not_added: Vec<usize> = (0..701).filter(|i| !added[*i]).collect();
        assert_eq!(not_added, [500, 700]);
        let ten = store
            .job(JobKind::ProcessCall, "pbx:10")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            ten.payload, "{\"n\":10}",
            "the first of a repeated key is kept"
        );
        // Claimed in the order they were queued (the existing job first).
        let claimed = store
            .claim(JobKind::ProcessCall, 1000, now, LEASE, "w")
            .await
            .unwrap();
        let keys: Vec<&str> = claimed.iter().map(|j| j.key.as_str()).collect();
        let mut expected = vec!["pbx:500".to_owned()];
        expected.extend((0..700).filter(|i| *i != 500).map(|i| format!("pbx:{i}")));
        assert_eq!(keys, expected);
    }
}

#[tokio::test]
async fn enqueue_is_idempotent_per_kind_and_key() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        assert!(
            store
                .enqueue(JobKind::WriteCallLog, "pbx:1.1", "{}", now)
                .await
                .unwrap()
        );
        assert!(
            !store
                .enqueue(JobKind::WriteCallLog, "pbx:1.1", "{\"other\":1}", now)
                .await
                .unwrap()
        );
        assert!(
            store
                .enqueue(JobKind::ProcessCall, "pbx:1.1", "{}", now)
                .await
                .unwrap(),
            "kinds are separate"
        );
        let job = store
            .job(JobKind::WriteCallLog, "pbx:1.1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.payload, "{}", "the first payload wins");
        assert_eq!(job.status, JobStatus::Pending);
        assert_eq!(
            store.counts(JobKind::WriteCallLog).await.unwrap().pending,
            1
        );
    }
}

#[tokio::test]
async fn claim_takes_due_jobs_oldest_first_and_counts_attempts() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        for i in 0..5 {
            store
                .enqueue(
                    JobKind::WriteCallLog,
                    &format!("k{i}"),
                    "{}",
                    now - chrono::Duration::seconds(10 - i),
                )
                .await
                .unwrap();
        }
        store
            .enqueue(
                JobKind::WriteCallLog,
                "later",
                "{}",
                now + chrono::Duration::seconds(60),
            )
            .await
            .unwrap();
        assert_eq!(
            store.due_count(JobKind::WriteCallLog, now).await.unwrap(),
            5
        );
        let jobs = store
            .claim(JobKind::WriteCallLog, 3, now, LEASE, "w1")
            .await
            .unwrap();
        assert_eq!(
            jobs.iter().map(|j| j.key.as_str()).collect::<Vec<_>>(),
            ["k0", "k1", "k2"]
        );
        assert!(jobs.iter().all(|j| j.attempts == 1
            && j.status == JobStatus::InFlight
            && !j.maybe_delivered_before()));
        let rest = store
            .claim(JobKind::WriteCallLog, 10, now, LEASE, "w1")
            .await
            .unwrap();
        assert_eq!(
            rest.len(),
            2,
            "claimed jobs are not handed out twice; future jobs wait"
        );
        assert_eq!(
            store.counts(JobKind::WriteCallLog).await.unwrap().in_flight,
            5
        );
    }
}

#[tokio::test]
async fn an_expired_lease_makes_a_job_claimable_again_as_maybe_delivered() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        store
            .enqueue(JobKind::WriteCallLog, "k", "{}", now)
            .await
            .unwrap();
        let first = store
            .claim(JobKind::WriteCallLog, 1, now, LEASE, "crashed-worker")
            .await
            .unwrap();
        assert_eq!(first.len(), 1);
        assert!(
            store
                .claim(
                    JobKind::WriteCallLog,
                    1,
                    now + chrono::Duration::seconds(5),
                    LEASE,
                    "w2"
                )
                .await
                .unwrap()
                .is_empty()
        );
        let later = now + chrono::Duration::seconds(31);
        assert_eq!(
            store
                .next_due(JobKind::WriteCallLog)
                .await
                .unwrap()
                .unwrap()
                .timestamp(),
            (now + chrono::Duration::seconds(30)).timestamp()
        );
        let again = store
            .claim(JobKind::WriteCallLog, 1, later, LEASE, "w2")
            .await
            .unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 2);
        assert!(again[0].maybe_delivered_before());
    }
}

#[tokio::test]
async fn retry_release_fail_requeue_and_complete() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        for k in ["a", "b", "c"] {
            store
                .enqueue(JobKind::WriteCallLog, k, "{}", now)
                .await
                .unwrap();
        }
        let jobs = store
            .claim(JobKind::WriteCallLog, 3, now, LEASE, "w")
            .await
            .unwrap();
        let (a, b, c) = (&jobs[0], &jobs[1], &jobs[2]);
        store
            .retry_later(
                a,
                "429 TOO_MANY_REQUESTS",
                now + chrono::Duration::seconds(4),
            )
            .await
            .unwrap();
        store.release(b, now).await.unwrap();
        store.fail(c, "MANDATORY_NOT_FOUND Subject").await.unwrap();

        let due = store
            .claim(JobKind::WriteCallLog, 10, now, LEASE, "w")
            .await
            .unwrap();
        assert_eq!(due.len(), 1, "only the released job is due now");
        assert_eq!(due[0].key, "b");
        assert_eq!(due[0].attempts, 1, "a release does not count as an attempt");
        store
            .complete(&due[0], "5725767000001234001")
            .await
            .unwrap();

        let retried = store
            .claim(
                JobKind::WriteCallLog,
                10,
                now + chrono::Duration::seconds(5),
                LEASE,
                "w",
            )
            .await
            .unwrap();
        assert_eq!(retried.len(), 1);
        assert_eq!(
            retried[0].last_error.as_deref(),
            Some("429 TOO_MANY_REQUESTS")
        );
        assert_eq!(retried[0].attempts, 2);

        let failed = store
            .list(JobKind::WriteCallLog, JobStatus::Failed, 10)
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert!(store.requeue(failed[0].id, now).await.unwrap());
        assert!(
            !store.requeue(failed[0].id, now).await.unwrap(),
            "only failed jobs can be requeued"
        );
        let counts = store.counts(JobKind::WriteCallLog).await.unwrap();
        assert_eq!(
            (counts.pending, counts.in_flight, counts.done, counts.failed),
            (1, 1, 1, 0)
        );
        assert_eq!(
            store
                .job(JobKind::WriteCallLog, "b")
                .await
                .unwrap()
                .unwrap()
                .result
                .as_deref(),
            Some("5725767000001234001")
        );
    }
}

#[tokio::test]
async fn concurrent_claimers_never_share_a_job() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        for i in 0..200 {
            store
                .enqueue(JobKind::WriteCallLog, &format!("k{i}"), "{}", now)
                .await
                .unwrap();
        }
        let store = Arc::new(store);
        let workers = (0..4).map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let jobs = store
                        .claim(JobKind::WriteCallLog, 7, now, LEASE, &format!("w{w}"))
                        .await
                        .unwrap();
                    if jobs.is_empty() {
                        return mine;
                    }
                    mine.extend(jobs.into_iter().map(|j| j.id));
                }
            })
        });
        let mut all: Vec<i64> = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap());
        }
        let total = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!((total, all.len()), (200, 200));
    }
}

#[tokio::test]
async fn a_worker_whose_lease_ran_out_cannot_settle_the_job_another_claimed() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        store
            .enqueue(JobKind::WriteCallLog, "pbx:9.1", "{}", now)
            .await
            .unwrap();
        let a = store
            .claim(JobKind::WriteCallLog, 1, now, LEASE, "worker-a")
            .await
            .unwrap()
            .remove(0);
        // A stalls past its lease; B claims the job and does it.
        let later = now + chrono::Duration::from_std(LEASE).unwrap() + chrono::Duration::seconds(1);
        let b = store
            .claim(JobKind::WriteCallLog, 1, later, LEASE, "worker-b")
            .await
            .unwrap()
            .remove(0);
        assert_eq!((b.id, b.attempts), (a.id, 2));

        for refused in [
            store.complete(&a, "A's answer").await,
            store.fail(&a, "A's error").await,
            store.retry_later(&a, "A's error", later).await,
            store.release(&a, later).await,
        ] {
            assert!(
                matches!(refused, Err(SettleError::LeaseLost { ref worker, attempts: 1, .. }) if worker == "worker-a"),
                "{refused:?}"
            );
        }
        let job = store
            .job(JobKind::WriteCallLog, "pbx:9.1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (job.status, job.attempts),
            (JobStatus::InFlight, 2),
            "B's claim untouched"
        );

        store.complete(&b, "B's answer").await.unwrap();
        let job = store
            .job(JobKind::WriteCallLog, "pbx:9.1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.status, JobStatus::Done);
        assert_eq!(job.result.as_deref(), Some("B's answer"));
        // Settled once: a second settle by B is refused too.
        assert!(matches!(
            store.complete(&b, "again").await,
            Err(SettleError::LeaseLost { .. })
        ));
    }
}

#[tokio::test]
async fn a_lease_that_ran_out_unclaimed_still_lets_its_worker_finish() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        store
            .enqueue(JobKind::CreateRecord, "Leads:+14155550188", "{}", now)
            .await
            .unwrap();
        let a = store
            .claim(
                JobKind::CreateRecord,
                1,
                now,
                Duration::from_millis(1),
                "worker-a",
            )
            .await
            .unwrap()
            .remove(0);
        // Nobody claimed it since: the work was done once, its answer counts.
        store.complete(&a, "created").await.unwrap();
        let job = store
            .job(JobKind::CreateRecord, "Leads:+14155550188")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (job.status, job.result.as_deref()),
            (JobStatus::Done, Some("created"))
        );
    }
}

#[tokio::test]
async fn a_retry_reruns_a_done_job_and_requeues_a_failed_one_with_a_new_payload() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        store
            .enqueue(JobKind::ProcessCall, "call", "{\"v\":1}", now)
            .await
            .unwrap();
        store
            .enqueue(JobKind::WriteCallLog, "call", "old", now)
            .await
            .unwrap();
        let process = store
            .claim(JobKind::ProcessCall, 1, now, LEASE, "w")
            .await
            .unwrap();
        store.complete(&process[0], "logged").await.unwrap();
        let write = store
            .claim(JobKind::WriteCallLog, 1, now, LEASE, "w")
            .await
            .unwrap();
        assert!(
            !store
                .requeue_with(JobKind::WriteCallLog, "call", "new", now)
                .await
                .unwrap(),
            "a job in flight keeps its payload"
        );
        store.fail(&write[0], "INVALID_DATA").await.unwrap();

        let found = store.job_by_id(write[0].id).await.unwrap().unwrap();
        assert_eq!(
            (found.key.as_str(), found.status),
            ("call", JobStatus::Failed)
        );
        assert!(
            store
                .rerun(JobKind::ProcessCall, "call", now)
                .await
                .unwrap()
        );
        assert!(
            !store
                .rerun(JobKind::ProcessCall, "call", now)
                .await
                .unwrap(),
            "a pending job is not rerun twice"
        );
        assert!(
            store
                .requeue_with(JobKind::WriteCallLog, "call", "new", now)
                .await
                .unwrap()
        );
        let again = store
            .claim(JobKind::WriteCallLog, 1, now, LEASE, "w")
            .await
            .unwrap();
        assert_eq!(again[0].payload, "new");
        assert!(store.job_by_id(-1).await.unwrap().is_none());
    }
}

/// An agent's edited note: the job takes the new payload whether it was
/// waiting or already done, in one step, and never under a worker's feet.
#[tokio::test]
async fn reopen_with_replaces_the_payload_of_a_job_not_in_flight() {
    for (store, _db) in fresh_stores().await {
        let now = Utc::now();
        let kind = JobKind::AnnotateCall;
        assert!(
            !store.reopen_with(kind, "note", "v1", now).await.unwrap(),
            "absent"
        );
        store.enqueue(kind, "note", "v1", now).await.unwrap();
        assert!(store.reopen_with(kind, "note", "v2", now).await.unwrap());
        let claimed = store.claim(kind, 1, now, LEASE, "w").await.unwrap();
        assert_eq!(claimed[0].payload, "v2");
        assert!(
            !store.reopen_with(kind, "note", "v3", now).await.unwrap(),
            "a job in flight keeps its payload"
        );
        store.complete(&claimed[0], "call-1").await.unwrap();
        assert!(store.reopen_with(kind, "note", "v3", now).await.unwrap());
        let again = store.claim(kind, 1, now, LEASE, "w").await.unwrap();
        assert_eq!(again[0].payload, "v3");
    }
}
