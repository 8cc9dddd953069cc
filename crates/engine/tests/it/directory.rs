//! The phone directory service over a real store (SQLite, and PostgreSQL
//! when configured) and a counting fake CRM.

mod fake_crm;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ringbridge_core::crm::{Crm, CrmModule};
use ringbridge_core::directory::DirectoryStore;
use ringbridge_core::phone::NumberPlan;
use ringbridge_engine::directory::{
    Clock, DirectoryConfig, DirectoryService, Lookup, LookupSource,
};
use ringbridge_engine::matcher::CallerMatcher;
use ringbridge_store::testing::{TestDatabase, fresh_databases};
use ringbridge_store::{SecretKey, SqlStore};

use fake_crm::{FakeCrm, minute, record};

const UK: &str = "+442079460000";

async fn stores() -> Vec<(Arc<SqlStore>, TestDatabase)> {
    let mut out = Vec::new();
    for db in fresh_databases().await {
        let key = SecretKey::generate();
        out.push((Arc::new(SqlStore::open(&db.url, key).await.unwrap()), db));
    }
    out
}

/// A clock the test moves by hand; it starts at 10:00, after every record.
fn clock() -> (Clock, Arc<Mutex<DateTime<Utc>>>) {
    let now = Arc::new(Mutex::new(minute(60)));
    let read = now.clone();
    (Arc::new(move || *read.lock().unwrap()), now)
}

fn service(crm: &Arc<FakeCrm>, store: &Arc<SqlStore>, clock: Clock) -> Arc<DirectoryService> {
    let config = DirectoryConfig {
        refresh_every: Duration::from_millis(20),
        ..DirectoryConfig::default()
    };
    service_with(config, crm, store, clock)
}

/// A UK directory service with `config`.
fn service_with(
    config: DirectoryConfig,
    crm: &Arc<FakeCrm>,
    store: &Arc<SqlStore>,
    clock: Clock,
) -> Arc<DirectoryService> {
    Arc::new(
        DirectoryService::new(
            config,
            crm.clone() as Arc<dyn Crm>,
            store.clone() as Arc<dyn DirectoryStore>,
            NumberPlan::new("GB").unwrap(),
        )
        .with_clock(clock),
    )
}

fn ids(found: &Lookup) -> Vec<String> {
    found
        .chosen
        .iter()
        .chain(&found.others)
        .map(|e| e.record.id.clone())
        .collect()
}

#[tokio::test]
async fn every_uk_spelling_in_the_crm_is_found_locally_without_a_crm_call() {
    for (store, _db) in stores().await {
        let crm = Arc::new(FakeCrm::new(vec![
            record(CrmModule::Contacts, "c1", &["+44 20 7946 0000"], "u1", 1),
            record(CrmModule::Contacts, "c2", &["0044 20 7946 0000"], "u1", 2),
            record(CrmModule::Leads, "l3", &["020 7946 0000"], "u1", 3),
            record(
                CrmModule::Accounts,
                "a4",
                &["(020) 7946-0000", "not a number"],
                "u1",
                4,
            ),
        ]));
        let dir = service(&crm, &store, clock().0);
        let report = dir.sync().await.unwrap();
        assert!(report.modules.iter().all(|m| m.full && m.since.is_none()));

        let found = dir.lookup("02079460000", None).await.unwrap();
        assert_eq!(found.source, LookupSource::Local);
        assert_eq!(found.number.as_ref().map(|n| n.as_str()), Some(UK));
        // Nobody's record: the newest first, whatever its module.
        assert_eq!(ids(&found), ["a4", "l3", "c2", "c1"]);
        assert_eq!(crm.finds(), 0, "local hits make no CRM call");
        let stats = dir.stats();
        assert_eq!((stats.lookups_local, stats.unparseable_numbers), (1, 1));
        assert_eq!((stats.records, stats.numbers), (4, 4));
    }
}

#[tokio::test]
async fn the_call_owners_record_is_chosen_and_the_rest_kept() {
    for (store, _db) in stores().await {
        let crm = Arc::new(FakeCrm::new(vec![
            record(CrmModule::Contacts, "theirs", &[UK], "u1", 9),
            record(CrmModule::Contacts, "mine", &[UK], "u2", 1),
        ]));
        let dir = service(&crm, &store, clock().0);
        dir.sync().await.unwrap();
        let found = dir.lookup(UK, Some("u2")).await.unwrap();
        assert_eq!(ids(&found), ["mine", "theirs"]);
        let found = dir.lookup(UK, Some("u9")).await.unwrap();
        assert_eq!(ids(&found), ["theirs", "mine"]);
    }
}

#[tokio::test]
async fn an_unknown_number_is_asked_once_then_a_cached_miss_until_it_expires() {
    for (store, _db) in stores().await {
        let crm = Arc::new(FakeCrm::new(vec![]));
        let (clock, now) = clock();
        let dir = service(&crm, &store, clock.clone());
        let first = dir.lookup("020 7946 0999", None).await.unwrap();
        assert_eq!(first.source, LookupSource::Remote);
        assert!(first.chosen.is_none());
        let candidates = crm.find_args.lock().unwrap()[0].clone();
        for spelling in [
            "+442079460999",
            "020 7946 0999",
            "02079460999",
            "442079460999",
        ] {
            assert!(
                candidates.contains(&spelling.to_owned()),
                "{spelling}: {candidates:?}"
            );
        }

        let again = dir.lookup("+44 20 7946 0999", None).await.unwrap();
        assert_eq!(again.source, LookupSource::CachedMiss);
        assert_eq!(crm.finds(), 1, "a cached miss makes no CRM call");

        // Another process on the same store (a restart) trusts the stored miss.
        let other = service(&crm, &store, clock);
        let stored = other.lookup("02079460999", None).await.unwrap();
        assert_eq!(stored.source, LookupSource::CachedMiss);
        assert_eq!(crm.finds(), 1);

        // After the TTL (10 minutes by default) the CRM is asked again.
        *now.lock().unwrap() += chrono::Duration::minutes(11);
        let expired = dir.lookup("02079460999", None).await.unwrap();
        assert_eq!(expired.source, LookupSource::Remote);
        assert_eq!(crm.finds(), 2);
        let s = dir.stats();
        assert_eq!((s.lookups_remote, s.lookups_cached_miss), (2, 1));
    }
}

#[tokio::test]
async fn ten_concurrent_lookups_of_one_number_make_one_crm_call() {
    for (store, _db) in stores().await {
        let mut fake = FakeCrm::new(vec![record(CrmModule::Leads, "l1", &[UK], "u1", 1)]);
        fake.find_delay = Duration::from_millis(50);
        let crm = Arc::new(fake);
        let dir = service(&crm, &store, clock().0);
        for number in ["020 7946 0000", "020 7946 0555"] {
            let lookups = (0..10).map(|_| {
                let dir = dir.clone();
                async move { dir.lookup(number, None).await.unwrap() }
            });
            let results = futures_util::future::join_all(lookups).await;
            let remote = results
                .iter()
                .filter(|r| r.source == LookupSource::Remote)
                .count();
            assert_eq!(remote, 1, "{number}: {results:?}");
        }
        assert_eq!(crm.finds(), 2, "one CRM call per number");

        // The record found remotely joined the directory, in memory and stored.
        let found = dir.lookup(UK, None).await.unwrap();
        assert_eq!(
            (found.source, ids(&found)),
            (LookupSource::Local, vec!["l1".to_owned()])
        );
        let restarted = service(&crm, &store, clock().0);
        assert_eq!(restarted.load().await.unwrap(), 1);
        assert_eq!(
            restarted.lookup(UK, None).await.unwrap().source,
            LookupSource::Local
        );
        assert_eq!(crm.finds(), 2);
    }
}

#[tokio::test]
async fn incremental_sync_asks_from_the_cursor_and_follows_changes() {
    for (store, _db) in stores().await {
        let crm = Arc::new(FakeCrm::new(vec![
            record(CrmModule::Contacts, "c1", &[UK], "u1", 5),
            record(CrmModule::Contacts, "c2", &["+4930901820"], "u1", 7),
            record(CrmModule::Contacts, "c3", &["+14155550123"], "u1", 6),
        ]));
        let (clock, _now) = clock();
        let dir = service(&crm, &store, clock.clone());
        let full = dir.sync().await.unwrap();
        assert_eq!(full.modules[0].pages, 2, "paged");
        assert_eq!(full.modules[0].records, 3);

        // c1 moves to a new number while ringbridge restarts.
        {
            let mut records = crm.records.lock().unwrap();
            records[0].phones = vec!["+442079461111".into()];
            records[0].modified_at = minute(20);
        }
        crm.list_calls.lock().unwrap().clear();
        let restarted = service(&crm, &store, clock);
        assert_eq!(restarted.load().await.unwrap(), 3);
        let report = restarted.sync().await.unwrap();
        let contacts = &report.modules[0];
        assert!(!contacts.full);
        // The newest record seen was modified at 09:07; minus the 60 s overlap.
        assert_eq!(contacts.since, Some(minute(6)));
        assert!(crm.lists().iter().all(|(_, since, _)| since.is_some()));
        assert_eq!(contacts.records, 2, "c2 again (overlap) and the changed c1");

        let old = restarted.lookup(UK, None).await.unwrap();
        assert_eq!(old.source, LookupSource::Remote, "the old number left");
        let new = restarted.lookup("+442079461111", None).await.unwrap();
        assert_eq!(
            (new.source, ids(&new)),
            (LookupSource::Local, vec!["c1".to_owned()])
        );

        // The next pass starts from the change just seen.
        crm.list_calls.lock().unwrap().clear();
        let next = restarted.sync().await.unwrap();
        assert_eq!(next.modules[0].since, Some(minute(19)));
    }
}

#[tokio::test]
async fn two_processes_on_one_store_each_catch_up_their_own_memory() {
    for (store, _db) in stores().await {
        let crm = Arc::new(FakeCrm::new(vec![record(
            CrmModule::Contacts,
            "c1",
            &[UK],
            "u1",
            1,
        )]));
        let (clock, _now) = clock();
        let a = service(&crm, &store, clock.clone());
        let b = service(&crm, &store, clock);
        a.load().await.unwrap();
        a.sync().await.unwrap();
        b.load().await.unwrap();
        b.sync().await.unwrap();

        {
            let mut records = crm.records.lock().unwrap();
            records[0].phones = vec!["+442079461111".into()];
            records[0].modified_at = minute(30);
            records.push(record(
                CrmModule::Contacts,
                "c2",
                &["+4930901820"],
                "u1",
                40,
            ));
        }
        // a's sync moves the stored cursor to 09:40, past c1's change.
        a.sync().await.unwrap();
        let report = b.sync().await.unwrap();
        assert_eq!(
            report.modules[0].since,
            Some(minute(0)),
            "b asks from its own cursor"
        );
        assert_eq!(report.modules[0].records, 2);
        let found = b.lookup("+442079461111", None).await.unwrap();
        assert_eq!(found.source, LookupSource::Local);
    }
}

#[tokio::test]
async fn a_full_resync_drops_records_deleted_in_the_crm() {
    for (store, _db) in stores().await {
        let crm = Arc::new(FakeCrm::new(vec![
            record(CrmModule::Contacts, "c1", &[UK], "u1", 1),
            record(CrmModule::Contacts, "c2", &["+4930901820"], "u1", 2),
        ]));
        let (clock, now) = clock();
        let config = DirectoryConfig {
            full_resync_every: Some(Duration::from_secs(3600)),
            ..DirectoryConfig::default()
        };
        let dir = service_with(config, &crm, &store, clock);
        dir.sync().await.unwrap();
        crm.records.lock().unwrap().remove(0);

        let incremental = dir.sync().await.unwrap();
        assert!(!incremental.modules[0].full);
        assert_eq!(
            dir.lookup(UK, None).await.unwrap().source,
            LookupSource::Local
        );

        *now.lock().unwrap() += chrono::Duration::hours(2);
        let full = dir.sync().await.unwrap();
        assert!(full.modules[0].full);
        assert_eq!(full.modules[0].removed, 1);
        assert_eq!(dir.stats().records, 1);
        let left: Vec<String> = store
            .directory_page(None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.record.id)
            .collect();
        assert_eq!(left, ["c2"]);
    }
}

#[tokio::test]
async fn start_loads_then_refreshes_on_a_timer() {
    for (store, _db) in stores().await {
        let crm = Arc::new(FakeCrm::new(vec![record(
            CrmModule::Contacts,
            "c1",
            &[UK],
            "u1",
            1,
        )]));
        let dir = service(&crm, &store, clock().0);
        let mut status = dir.sync_status();
        let task = dir.start().await.unwrap();
        status.wait_for(|s| s.rounds >= 2).await.unwrap();
        drop(task);
        let lists = crm.lists();
        let contacts: Vec<_> = lists
            .iter()
            .filter(|(m, _, _)| *m == CrmModule::Contacts)
            .collect();
        assert_eq!(contacts[0].1, None, "first a full sync");
        assert_eq!(contacts[1].1, Some(minute(0)), "then incremental");
        assert!(status.borrow().last_error.is_none());
        assert_eq!(
            dir.lookup(UK, None).await.unwrap().source,
            LookupSource::Local
        );
    }
}

#[tokio::test]
async fn text_that_is_not_a_number_is_never_looked_up() {
    for (store, _db) in stores().await {
        let crm = Arc::new(FakeCrm::new(vec![]));
        let dir = service(&crm, &store, clock().0);
        for raw in ["anonymous", "", "sip:alice"] {
            let found = dir.lookup(raw, None).await.unwrap();
            assert_eq!(found.source, LookupSource::NotANumber);
        }
        assert_eq!(crm.finds(), 0);
        assert_eq!(dir.stats().lookups_not_a_number, 3);
    }
}

#[tokio::test]
async fn a_load_builds_the_stored_directory_at_once_and_keeps_what_came_meanwhile() {
    for (store, _db) in stores().await {
        let mut records = vec![
            record(CrmModule::Contacts, "c1", &[UK], "u1", 1),
            record(CrmModule::Leads, "c1", &["+4930901820"], "u1", 2),
            record(
                CrmModule::Contacts,
                "sim-客户-3",
                &["+442079460003"],
                "u1",
                3,
            ),
            record(
                CrmModule::Contacts,
                "5725767000000411001",
                &["+442079460004"],
                "u1",
                4,
            ),
        ];
        records[2].name = "王小明".into();
        let crm = Arc::new(FakeCrm::new(records));
        let (clock, _now) = clock();
        service(&crm, &store, clock.clone()).sync().await.unwrap();

        let config = DirectoryConfig {
            load_page: 3,
            ..DirectoryConfig::default()
        };
        let dir = service_with(config, &crm, &store, clock);
        // Learnt before the load: a newer copy than the stored one.
        let mut moved = record(CrmModule::Contacts, "c1", &["+442079469999"], "u1", 30);
        moved.name = "Moved".into();
        CallerMatcher::remember(&*dir, &moved).await;
        assert_eq!(dir.load().await.unwrap(), 4);

        assert_eq!(dir.stats().records, 4);
        let found = dir.lookup("+442079469999", None).await.unwrap();
        assert_eq!(
            (found.source, ids(&found)),
            (LookupSource::Local, vec!["c1".into()])
        );
        assert_eq!(found.chosen.unwrap().name, "Moved");
        // The stored copy's number left with it (the CRM is asked now).
        assert_ne!(
            dir.lookup(UK, None).await.unwrap().source,
            LookupSource::Local
        );
        let found = dir.lookup("+442079460003", None).await.unwrap();
        assert_eq!(found.source, LookupSource::Local);
        assert_eq!(found.chosen.unwrap().name, "王小明");
        for (number, id) in [
            ("+4930901820", "c1"),
            ("+442079460004", "5725767000000411001"),
        ] {
            let found = dir.lookup(number, None).await.unwrap();
            assert_eq!(
                (found.source, ids(&found)),
                (LookupSource::Local, vec![id.into()])
            );
        }
    }
}
