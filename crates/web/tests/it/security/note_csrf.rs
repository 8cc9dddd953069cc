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
