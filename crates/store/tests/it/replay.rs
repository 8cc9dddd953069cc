use chrono::{Duration, TimeZone, Utc};
use ringbridge_core::replay::DeliveryLog;
use ringbridge_store::testing::fresh_stores;

#[tokio::test]
async fn a_delivery_is_first_once_per_window_and_forgotten_on_request() {
    for (store, db) in fresh_stores().await {
        let t0 = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
        let window = Duration::minutes(10);
        let (a, b) = ([1u8; 32], [2u8; 32]);
        let first = |digest, at| store.first_delivery("webhook:p1", digest, at, window);
        assert!(first(&a, t0).await.unwrap(), "{:?}", db.backend);
        assert!(
            !first(&a, t0 + Duration::minutes(9)).await.unwrap(),
            "a replay"
        );
        assert!(first(&b, t0).await.unwrap());
        // Another source keeps its own.
        assert!(
            store
                .first_delivery("webhook:p2", &a, t0, window)
                .await
                .unwrap()
        );
        // Past the window it counts afresh (and the old row was pruned).
        assert!(first(&a, t0 + Duration::minutes(11)).await.unwrap());
        assert!(!first(&a, t0 + Duration::minutes(12)).await.unwrap());
        // Forgotten: the sender's retry gets through.
        store.forget_delivery("webhook:p1", &a).await.unwrap();
        assert!(first(&a, t0 + Duration::minutes(12)).await.unwrap());
        store.close().await;
    }
}
