//! The phone directory's storage, on every backend.

use chrono::{DateTime, Duration, TimeZone, Utc};
use ringbridge_core::crm::{CrmModule, CrmRecordRef};
use ringbridge_core::directory::{DirectoryEntry, DirectoryStore, SyncCursor};
use ringbridge_core::phone::E164;
use ringbridge_store::SqlStore;

use super::each_backend;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap() + Duration::minutes(minute)
}

fn r(module: CrmModule, id: &str) -> CrmRecordRef {
    CrmRecordRef {
        module,
        id: id.into(),
    }
}

fn n(s: &str) -> E164 {
    E164::try_from(s.to_owned()).unwrap()
}

fn entry(module: CrmModule, id: &str, minute: i64, numbers: &[&str]) -> DirectoryEntry {
    DirectoryEntry {
        record: r(module, id),
        name: format!("Name {id}"),
        company: Some("Acme".into()),
        owner_id: Some("u1".into()),
        account: Some(r(CrmModule::Accounts, "acc-1")),
        modified_at: at(minute) + Duration::milliseconds(123),
        numbers: numbers.iter().map(|s| n(s)).collect(),
    }
}

async fn all(store: &SqlStore, page: u32) -> Vec<DirectoryEntry> {
    let mut out = Vec::new();
    let mut after: Option<CrmRecordRef> = None;
    loop {
        let got = store.directory_page(after.as_ref(), page).await.unwrap();
        assert!(got.len() <= page as usize);
        let Some(last) = got.last() else { break };
        after = Some(last.record.clone());
        out.extend(got);
    }
    out
}

#[tokio::test]
async fn entries_round_trip_in_keyset_pages() {
    each_backend(|store, _| async move {
        let mut bare = entry(CrmModule::Leads, "L-1", 1, &["+442079460000"]);
        bare.company = None;
        bare.owner_id = None;
        bare.account = None;
        let entries = vec![
            entry(
                CrmModule::Contacts,
                "3",
                1,
                &["+442079460000", "+4930901820"],
            ),
            entry(CrmModule::Contacts, "1", 2, &["+14155550123"]),
            bare,
            entry(CrmModule::Accounts, "9", 3, &["+442079460001"]),
            entry(CrmModule::Contacts, "2", 4, &[]),
        ];
        store.upsert_directory_entries(&entries).await.unwrap();
        let back = all(&store, 2).await;
        let mut expected = entries.clone();
        expected.sort_by(|a, b| {
            (a.record.module.as_str(), &a.record.id).cmp(&(b.record.module.as_str(), &b.record.id))
        });
        assert_eq!(back, expected);
    })
    .await;
}

#[tokio::test]
async fn an_older_copy_never_replaces_a_newer_one() {
    each_backend(|store, _| async move {
        let newer = entry(CrmModule::Contacts, "1", 10, &["+442079460000"]);
        let older = entry(CrmModule::Contacts, "1", 5, &["+4930901820"]);
        store
            .upsert_directory_entries(std::slice::from_ref(&newer))
            .await
            .unwrap();
        store
            .upsert_directory_entries(std::slice::from_ref(&older))
            .await
            .unwrap();
        assert_eq!(all(&store, 10).await, vec![newer.clone()]);

        // Within one batch the newest copy wins too, in either order.
        let newest = entry(CrmModule::Contacts, "1", 20, &["+14155550123"]);
        store
            .upsert_directory_entries(&[newest.clone(), older.clone(), newer.clone()])
            .await
            .unwrap();
        assert_eq!(all(&store, 10).await, vec![newest]);
    })
    .await;
}

#[tokio::test]
async fn large_batches_and_deletes() {
    each_backend(|store, _| async move {
        let entries: Vec<DirectoryEntry> = (0..450)
            .map(|i| {
                entry(
                    CrmModule::Contacts,
                    &format!("{i:05}"),
                    i,
                    &[&format!("+1415555{i:04}")],
                )
            })
            .collect();
        store.upsert_directory_entries(&entries).await.unwrap();
        assert_eq!(all(&store, 1000).await, entries);

        let gone: Vec<CrmRecordRef> = entries
            .iter()
            .step_by(2)
            .map(|e| e.record.clone())
            .chain([r(CrmModule::Leads, "never-stored")])
            .collect();
        store.delete_directory_entries(&gone).await.unwrap();
        let left = all(&store, 64).await;
        assert_eq!(left.len(), 225);
        assert!(left.iter().all(|e| !gone.contains(&e.record)));
    })
    .await;
}

#[tokio::test]
async fn sync_cursors_are_per_module() {
    each_backend(|store, _| async move {
        assert_eq!(store.sync_cursor(CrmModule::Contacts).await.unwrap(), None);
        let partial = SyncCursor {
            modified_at: Some(at(1)),
            full_sync_at: None,
        };
        store
            .set_sync_cursor(CrmModule::Contacts, &partial)
            .await
            .unwrap();
        assert_eq!(
            store.sync_cursor(CrmModule::Contacts).await.unwrap(),
            Some(partial)
        );
        let done = SyncCursor {
            modified_at: Some(at(7) + Duration::milliseconds(5)),
            full_sync_at: Some(at(8)),
        };
        store
            .set_sync_cursor(CrmModule::Contacts, &done)
            .await
            .unwrap();
        let back = store
            .sync_cursor(CrmModule::Contacts)
            .await
            .unwrap()
            .unwrap();
        assert!(back.full_sync_done());
        assert_eq!(back, done);
        assert_eq!(store.sync_cursor(CrmModule::Leads).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn misses_expire_and_are_purged() {
    each_backend(|store, _| async move {
        let a = n("+442079460000");
        let b = n("+4930901820");
        assert_eq!(store.cached_miss(&a).await.unwrap(), None);
        store.put_miss(&a, at(10)).await.unwrap();
        store.put_miss(&b, at(20)).await.unwrap();
        store.put_miss(&a, at(12)).await.unwrap();
        assert_eq!(store.cached_miss(&a).await.unwrap(), Some(at(12)));
        assert_eq!(store.purge_misses(at(15)).await.unwrap(), 1);
        assert_eq!(store.cached_miss(&a).await.unwrap(), None);
        assert_eq!(store.cached_miss(&b).await.unwrap(), Some(at(20)));
    })
    .await;
}
