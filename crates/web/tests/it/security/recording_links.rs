//! Issue 12, recording links: the admin revokes one link, every link of a
//! call, or rotates the signing key (every older link dies, on every node
//! sharing the database); the link policy in force when a link is used
//! decides, not the one in force when it was issued.

use std::sync::Arc;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use ringbridge_core::console::RecordingLinkPolicy;
use ringbridge_web::recordings::{RecordingLinker, RecordingService, load_or_create_keys};

use super::fast_config;
use crate::console::start_on;
use crate::recordings::{Setup, get, refused, setup};

#[tokio::test]
async fn a_stricter_policy_reaches_links_already_sent() {
    let s = setup().await;
    let now = Utc::now();
    // Issued under "until revoked": the links themselves never expire.
    let old = s.linker.url(
        &s.linker
            .capability(&s.call_key, None, now - Duration::days(3)),
    );
    let fresh = s.linker.url(&s.linker.capability(&s.call_key, None, now));
    assert_eq!(get(&old, None).await.status(), 200);

    s.service
        .set_policy(RecordingLinkPolicy::ExpireAfterDays(2));
    refused(get(&old, None).await, 410, "expired").await;
    assert_eq!(get(&fresh, None).await.status(), 200);

    s.service.set_policy(RecordingLinkPolicy::Off);
    refused(get(&fresh, None).await, 410, "turned off").await;

    s.service.set_policy(RecordingLinkPolicy::UntilRevoked);
    assert_eq!(get(&old, None).await.status(), 200);
}

#[tokio::test]
async fn the_admin_revokes_links_and_rotates_the_key_from_the_console() {
    let Setup {
        sim: _sim,
        store,
        pbx,
        call_key,
        db,
        ..
    } = setup().await;
    let stored = Arc::new(store.clone());
    let keys = load_or_create_keys(&store).await.unwrap();
    let node = |keys| {
        Arc::new(
            RecordingService::new(keys, stored.clone(), stored.clone(), pbx.clone())
                .with_stored_keys(stored.clone()),
        )
    };
    let service = node(keys.clone());
    // Another node sharing the database.
    let other_node = node(keys.clone());
    let app = start_on(store.clone(), db, fast_config(), |state| {
        state.with_recordings(service.clone())
    })
    .await;
    let linker = RecordingLinker::new(&app.url, keys);
    let link =
        |linker: &RecordingLinker| linker.url(&linker.capability(&call_key, None, Utc::now()));
    let (first, second, pasted) = (link(&linker), link(&linker), link(&linker));
    assert_eq!(get(&first, None).await.status(), 200);
    assert_eq!(get(&second, None).await.status(), 200);

    let admin = app.admin().await;
    let page = app.get(&admin, "/console/recordings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&call_key), "{}", page.body);
    // The first listed (newest) link's own revoke button.
    let marker = "action=\"/console/recordings/links/";
    let from = page.body.find(marker).unwrap() + marker.len();
    let id = page.body[from..].split('/').next().unwrap().to_owned();
    let done = app
        .submit(
            &admin,
            "/console/recordings",
            &format!("/console/recordings/links/{id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let statuses = [
        get(&first, None).await.status(),
        get(&second, None).await.status(),
    ];
    assert!(
        statuses.contains(&reqwest::StatusCode::GONE)
            && statuses.contains(&reqwest::StatusCode::OK),
        "exactly one link revoked: {statuses:?}"
    );

    // A link pasted by the admin, never opened.
    let done = app
        .submit(
            &admin,
            "/console/recordings",
            "/console/recordings/revoke",
            &[("link", &pasted)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    refused(get(&pasted, None).await, 410, "revoked").await;
    let junk = app
        .submit(
            &admin,
            "/console/recordings",
            "/console/recordings/revoke",
            &[("link", "https://example.com/recordings/forged")],
        )
        .await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Every link of the call.
    let done = app
        .submit(
            &admin,
            "/console/recordings",
            "/console/recordings/calls/revoke",
            &[("call_key", &call_key)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    refused(get(&first, None).await, 410, "revoked").await;
    refused(get(&second, None).await, 410, "revoked").await;

    // Rotation: a link made after that (links carry whole seconds, so a
    // second later) dies with the old key, here and on the other node.
    let later = Utc::now() + chrono::Duration::seconds(2);
    let before = linker.url(&linker.capability(&call_key, None, later));
    assert_eq!(get(&before, None).await.status(), 200);
    let revision = {
        use ringbridge_core::console::ConsoleStore;
        store.console_revision().await.unwrap()
    };
    let done = app
        .submit(
            &admin,
            "/console/recordings",
            "/console/recordings/rotate",
            &[],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    refused(get(&before, None).await, 403, "no longer accepted").await;
    let token = before.rsplit('/').next().unwrap();
    assert!(
        other_node
            .keys()
            .await
            .unwrap()
            .verify(token, Utc::now())
            .is_err(),
        "the other node still accepts the old key"
    );
    {
        use ringbridge_core::console::ConsoleStore;
        assert!(
            store.console_revision().await.unwrap() > revision,
            "nodes not told"
        );
    }
    // Links signed with the new key play.
    let renewed = RecordingLinker::new(&app.url, load_or_create_keys(&store).await.unwrap());
    let after = renewed.url(&renewed.capability(&call_key, None, later));
    assert_eq!(get(&after, None).await.status(), 200);

    // Agents cannot reach any of it.
    let agent = app.agent(&admin).await;
    assert_eq!(
        app.get(&agent, "/console/recordings").await.status,
        StatusCode::FORBIDDEN
    );
}
