//! Issue 16, call notes: the note form's endpoint takes a signed-in
//! agent's note only with the page's CSRF token (a page on another site
//! posting into the agent's session is refused before anything is stored).

use reqwest::StatusCode;

use crate::console::start;

#[tokio::test]
async fn a_note_without_the_pages_csrf_token_is_refused() {
    let app = start().await;
    let admin = app.admin().await;
    let agent = app.agent(&admin).await;
    let url = format!("{}/api/calls/1733533200.42/note", app.url);
    let body = serde_json::json!({ "text": "forged", "result": null });

    let forged = agent.post(&url).json(&body).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // With the token the panel page carries, the request gets past the
    // check (no engine runs here: 503, not 403).
    let token = app.get(&agent, "/").await.csrf();
    let sent = agent
        .post(&url)
        .header("X-CSRF-Token", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// A note waiting for the CRM is listed on the console's dashboard as
/// text: what an agent typed never becomes markup there.
#[tokio::test]
async fn a_queued_note_is_shown_escaped_on_the_dashboard() {
    use ringbridge_core::call_note::CallNote;
    use ringbridge_core::job_key::JobKey;
    use ringbridge_core::job_payload::JobPayload;
    use ringbridge_core::outbox::OutboxStore;

    let app = start().await;
    let admin = app.admin().await;
    let note = CallNote::new(
        "1733533200.42",
        "<img src=x onerror=alert(1)>",
        None,
        &[],
        "maya",
        chrono::Utc::now(),
    )
    .unwrap();
    app.store
        .enqueue_job(
            &JobKey::call_note("pbx", "1733533200.42"),
            &JobPayload::AnnotateCall(Box::new(note)),
            chrono::Utc::now() + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    let page = app.get(&admin, "/console").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("maya: &#60;img src=x onerror=alert(1)&#62;"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<img src=x"), "{}", page.body);
}
