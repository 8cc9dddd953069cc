use chrono::{DateTime, Duration, TimeZone, Utc};
use ringbridge_core::pbx::RecordingRef;
use ringbridge_core::recording::{CapabilityId, IssuedLink, RecordingCapability, RecordingStore};
use ringbridge_store::testing::fresh_stores;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, 10, 0, 0).unwrap()
}

fn capability(n: u8, call_key: &str, issued_at: DateTime<Utc>) -> RecordingCapability {
    RecordingCapability {
        id: CapabilityId([n; 16]),
        call_key: call_key.to_owned(),
        recording: None,
        issued_at,
        expires_at: None,
    }
}

#[tokio::test]
async fn links_are_remembered_once_and_listed() {
    for (store, db) in fresh_stores().await {
        let first = capability(1, "pbx:1", t0());
        let mut link = IssuedLink::new(&first);
        store.remember_link(&link).await.unwrap();
        // Remembered again, now with the recording found: it is filled in.
        link.recording = Some(RecordingRef("a.wav".into()));
        store.remember_link(&link).await.unwrap();
        // A third time without it: the recording stays.
        link.recording = None;
        store.remember_link(&link).await.unwrap();
        let stored = store.recording_link(&first.id).await.unwrap();
        let expected = IssuedLink {
            recording: Some(RecordingRef("a.wav".into())),
            ..IssuedLink::new(&first)
        };
        assert_eq!(stored, Some(expected.clone()), "{:?}", db.backend);

        let mut expiring = capability(2, "pbx:1", t0() + Duration::minutes(1));
        expiring.expires_at = Some(t0() + Duration::days(30));
        store
            .remember_link(&IssuedLink::new(&expiring))
            .await
            .unwrap();
        let other = capability(3, "pbx:2", t0() + Duration::minutes(2));
        store.remember_link(&IssuedLink::new(&other)).await.unwrap();

        let of_call = store.links_for_call("pbx:1").await.unwrap();
        assert_eq!(
            of_call,
            vec![expected.clone(), IssuedLink::new(&expiring)],
            "{:?}",
            db.backend
        );
        let recent = store.recent_links(2).await.unwrap();
        let ids: Vec<CapabilityId> = recent.iter().map(|l| l.id).collect();
        assert_eq!(ids, vec![other.id, expiring.id], "{:?}", db.backend);
        assert_eq!(
            store.recording_link(&CapabilityId([9; 16])).await.unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn one_link_can_be_revoked_alone() {
    for (store, db) in fresh_stores().await {
        let a = capability(1, "pbx:1", t0());
        let b = capability(2, "pbx:1", t0());
        for c in [&a, &b] {
            store.remember_link(&IssuedLink::new(c)).await.unwrap();
        }
        assert!(!store.is_revoked(&a).await.unwrap());
        let at = t0() + Duration::hours(1);
        assert!(store.revoke_link(&a.id, at).await.unwrap());
        assert!(store.is_revoked(&a).await.unwrap(), "{:?}", db.backend);
        assert!(!store.is_revoked(&b).await.unwrap(), "{:?}", db.backend);
        // Revoking again keeps the first time.
        assert!(
            store
                .revoke_link(&a.id, at + Duration::hours(1))
                .await
                .unwrap()
        );
        let stored = store.recording_link(&a.id).await.unwrap().unwrap();
        assert_eq!(stored.revoked_at, Some(at));
        // Remembering it again does not un-revoke it.
        store.remember_link(&IssuedLink::new(&a)).await.unwrap();
        assert!(store.is_revoked(&a).await.unwrap());

        assert!(
            !store.revoke_link(&CapabilityId([9; 16]), at).await.unwrap(),
            "unknown link"
        );
    }
}

#[tokio::test]
async fn revoking_a_call_covers_its_links_seen_or_not_but_not_later_ones() {
    for (store, db) in fresh_stores().await {
        let opened = capability(1, "pbx:1", t0());
        store
            .remember_link(&IssuedLink::new(&opened))
            .await
            .unwrap();
        let never_opened = capability(2, "pbx:1", t0() + Duration::minutes(45));
        let other_call = capability(3, "pbx:2", t0());
        store
            .remember_link(&IssuedLink::new(&other_call))
            .await
            .unwrap();

        let at = t0() + Duration::hours(1);
        assert_eq!(store.revoke_call("pbx:1", at).await.unwrap(), 1);
        assert!(store.is_revoked(&opened).await.unwrap(), "{:?}", db.backend);
        assert!(
            store.is_revoked(&never_opened).await.unwrap(),
            "{:?}",
            db.backend
        );
        assert!(!store.is_revoked(&other_call).await.unwrap());
        let stored = store.recording_link(&opened.id).await.unwrap().unwrap();
        assert_eq!(stored.revoked_at, Some(at));

        // A link issued after the revocation (the call processed again) works.
        let reissued = capability(4, "pbx:1", at + Duration::seconds(1));
        assert!(!store.is_revoked(&reissued).await.unwrap());
        // An earlier second revocation does not shrink the first (which
        // covers `never_opened`, issued between the two).
        store
            .revoke_call("pbx:1", at - Duration::minutes(30))
            .await
            .unwrap();
        assert!(store.is_revoked(&never_opened).await.unwrap());
        // A later one covers the reissued link too.
        store
            .revoke_call("pbx:1", at + Duration::hours(1))
            .await
            .unwrap();
        assert!(
            store.is_revoked(&reissued).await.unwrap(),
            "{:?}",
            db.backend
        );
    }
}
