//! The settings page prevents what Zoho would refuse: Call Results from
//! the org's picklist, a country from a list, every refused field marked
//! beside itself at once, and the call log previewed from the templates.

use std::sync::atomic::Ordering;

use reqwest::StatusCode;
use ringbridge_core::console::{ConsoleSettings, ConsoleStore};
use ringbridge_core::policy::CallKind;
use ringbridge_core::template::PLACEHOLDERS;

use super::{App, CALL_RESULTS, assert_inert, start};
use reqwest::Client;

/// The page's other fields, as a browser posts them untouched.
const REST: [(&str, &str); 3] = [
    ("unknown_inbound", "nothing"),
    ("unknown_outbound", "nothing"),
    ("recording", "until_revoked"),
];

async fn save(app: &App, admin: &Client, fields: &[(&str, &str)]) -> super::Page {
    let mut form: Vec<_> = REST.iter().chain(fields).copied().collect();
    if !fields.iter().any(|(name, _)| *name == "subject") {
        form.push(("subject", "{direction} call {name}"));
    }
    app.submit(admin, "/console/settings", "/console/settings", &form)
        .await
}

/// The tag of the input or select named `field`, up to its `>`.
fn tag_of<'a>(body: &'a str, field: &str) -> &'a str {
    body.split(&format!("name=\"{field}\""))
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("no {field} in {body}"))
}

fn marked(body: &str, field: &str) -> bool {
    tag_of(body, field).contains(&format!(
        "aria-invalid=\"true\" aria-describedby=\"{field}-problem\""
    )) && body.contains(&format!("id=\"{field}-problem\""))
}

#[tokio::test]
async fn call_results_come_from_the_orgs_picklist_and_others_are_refused_beside_their_field() {
    let app = start().await;
    let admin = app.admin().await;
    let page = app.get(&admin, "/console/settings").await.body;
    let select = page
        .split("name=\"result_inbound_answered\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_else(|| panic!("a select: {page}"));
    assert!(
        select.contains("<option value=\"\">(none)</option>"),
        "{select}"
    );
    for value in &CALL_RESULTS[..3] {
        assert!(
            select.contains(&format!("<option value=\"{value}\">{value}</option>")),
            "{value} in {select}"
        );
    }
    assert_inert(&page);

    // A value the org does not have is refused beside its field.
    let refused = save(&app, &admin, &[("result_inbound_missed", "Intrested")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        marked(&refused.body, "result_inbound_missed"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("not in your org&#39;s Call Result picklist")
            || refused
                .body
                .contains("not in your org's Call Result picklist"),
        "{}",
        refused.body
    );
    // What was posted stays shown, marked as not in Zoho's list.
    let shown = refused
        .body
        .split("name=\"result_inbound_missed\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_default();
    assert!(
        shown.contains("value=\"Intrested\" selected data-unknown=\"1\"")
            && shown.contains("not in Zoho"),
        "{shown}"
    );
    assert!(app.store.console().await.unwrap().settings.is_none());

    let saved = save(
        &app,
        &admin,
        &[("result_inbound_missed", "Requested call back")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(
        s.engine.call_results[&CallKind::InboundMissed],
        "Requested call back"
    );

    // A value kept from before the org changed its picklist is shown as not
    // in the list, so the admin sees why calls fail.
    let mut kept = ConsoleSettings::default();
    kept.engine
        .call_results
        .insert(CallKind::Voicemail, "Left message".into());
    app.store.put_settings(&kept).await.unwrap();
    let page = app.get(&admin, "/console/settings").await.body;
    let voicemail = page
        .split("name=\"result_voicemail\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_default();
    assert!(
        voicemail.contains("value=\"Left message\" selected data-unknown=\"1\"")
            && voicemail.contains("not in Zoho"),
        "{voicemail}"
    );
    let zh = app.get(&admin, "/console/settings?lang=zh-CN").await.body;
    assert!(
        zh.contains("不在 Zoho 的列表中") && zh.contains("（无）"),
        "{zh}"
    );
}

#[tokio::test]
async fn call_results_are_typed_with_a_note_while_the_crm_cannot_be_asked() {
    let app = start().await;
    let admin = app.admin().await;
    app.backend.fields_fail.store(true, Ordering::SeqCst);
    let page = app.get(&admin, "/console/settings").await.body;
    assert!(
        page.contains("<input id=\"result_inbound_answered\" name=\"result_inbound_answered\""),
        "{page}"
    );
    assert!(
        page.contains("id=\"results-note\"") && page.contains("fields timed out"),
        "says why: {page}"
    );
    // Nothing to check against: what is typed is kept.
    let saved = save(&app, &admin, &[("result_internal", "Anything")]).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(s.engine.call_results[&CallKind::Internal], "Anything");
}

#[tokio::test]
async fn every_refused_field_is_marked_at_once_and_the_first_is_focused() {
    let app = start().await;
    let admin = app.admin().await;
    let refused = save(
        &app,
        &admin,
        &[
            ("min_talk_s", "-1"),
            ("result_voicemail", "Nope"),
            ("default_country", "GE-RMANY"),
            ("display_time_zone", "Mars/Base"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &refused.body;
    // The CRM's own check is not left for a second round.
    for field in [
        "min_talk_s",
        "display_time_zone",
        "result_voicemail",
        "default_country",
    ] {
        assert!(marked(body, field), "{field} marked in {body}");
        assert!(
            body.contains(&format!("<li><a href=\"#{field}\">")),
            "{field} listed in the summary: {body}"
        );
        assert!(body.contains(&format!("id=\"{field}\" name=\"{field}\"")));
    }
    // The summary in the page's order, the first refused field focused.
    let at = |field: &str| body.find(&format!("<li><a href=\"#{field}\">")).unwrap();
    assert!(at("min_talk_s") < at("display_time_zone"));
    assert!(at("display_time_zone") < at("result_voicemail"));
    assert!(at("result_voicemail") < at("default_country"));
    assert!(tag_of(body, "min_talk_s").contains("autofocus"), "{body}");
    assert_eq!(body.matches(" autofocus").count(), 1, "{body}");
    // A field that is fine is not marked.
    assert!(!tag_of(body, "subject").contains("aria-invalid"));
    assert!(app.store.console().await.unwrap().settings.is_none());
}

#[tokio::test]
async fn the_default_country_and_time_zones_are_chosen_from_lists() {
    let app = start().await;
    let admin = app.admin().await;
    let page = app.get(&admin, "/console/settings").await.body;
    let select = page
        .split("name=\"default_country\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_else(|| panic!("a country select: {page}"));
    assert!(
        select.contains("<option value=\"DE\" data-dial=\"+49\">DE (+49)</option>"),
        "{select}"
    );
    assert!(select.contains("<option value=\"GE\" data-dial=\"+995\">"));
    assert!(select.matches("<option").count() > 200);
    assert!(page.contains("<datalist id=\"zones\">"));
    assert!(page.contains("<option value=\"Europe/Berlin\">"));
    assert!(tag_of(&page, "hours_time_zone").contains("list=\"zones\""));
    assert!(tag_of(&page, "display_time_zone").contains("list=\"zones\""));

    // "Germany" is no code: refused, never cut to "GE" (Georgia).
    let refused = save(&app, &admin, &[("default_country", "Germany")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(marked(&refused.body, "default_country"), "{}", refused.body);
    assert!(app.store.console().await.unwrap().settings.is_none());

    let saved = save(&app, &admin, &[("default_country", "DE")]).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(s.default_country.as_deref(), Some("DE"));
    let shown = app.get(&admin, "/console/settings").await.body;
    assert!(
        shown.contains("<option value=\"DE\" data-dial=\"+49\" selected")
            || shown.contains("<option value=\"DE\" selected data-dial=\"+49\">"),
        "{shown}"
    );
}

#[tokio::test]
async fn every_placeholder_is_listed_and_the_log_is_previewed() {
    let app = start().await;
    let admin = app.admin().await;
    let saved = save(
        &app,
        &admin,
        &[
            ("subject", "{direction} call with {name}"),
            (
                "description",
                "Taken by {handled_by} via {via} in {duration}",
            ),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let page = app.get(&admin, "/console/settings").await.body;
    for name in PLACEHOLDERS {
        assert!(
            page.contains(&format!("<code>{{{name}}}</code>")),
            "{{{name}}} listed: {page}"
        );
    }
    assert!(page.contains("who took the call"), "{page}");
    assert!(
        page.contains("<dd id=\"preview-subject\">Inbound call with Ana Pereira</dd>"),
        "{page}"
    );
    assert!(
        page.contains("Taken by extension 1005 (Maya Ortiz) via Sales in 2:34"),
        "{page}"
    );
    let script = page
        .split("<script src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the console script: {page}"));
    let served = app.get(&admin, script).await;
    assert_eq!(served.status, StatusCode::OK);
    assert!(
        served.body.contains("/console/settings/preview")
            || served.body.contains("dataset.preview")
    );
}

#[tokio::test]
async fn the_preview_endpoint_renders_the_templates_and_refuses_without_csrf() {
    let app = start().await;
    let admin = app.admin().await;
    let answer = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings/preview",
            &[
                ("subject", "{name} via {via}"),
                ("description", "{handled_by} at {started_at}"),
                ("display_time_zone", "Asia/Shanghai"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(json["subject"], "Ana Pereira via Sales");
    assert_eq!(
        json["description"],
        "extension 1005 (Maya Ortiz) at 2026-03-10 22:05"
    );
    assert!(json["problem"].is_null());

    let wrong = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings/preview",
            &[("subject", "{nope}")],
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&wrong.body).unwrap();
    assert!(
        json["problem"]
            .as_str()
            .unwrap_or_default()
            .contains("unknown placeholder"),
        "{json}"
    );

    let forged = app
        .post(
            &admin,
            "/console/settings/preview",
            &[("subject", "{name}")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let anonymous = app
        .post(
            &super::browser(),
            "/console/settings/preview",
            &[("subject", "{name}")],
        )
        .await;
    assert_ne!(anonymous.status, StatusCode::OK);
    // An agent, with a valid token of their own, is no admin.
    let agent = app.agent(&admin).await;
    let refused = app
        .submit(
            &agent,
            "/",
            "/console/settings/preview",
            &[("subject", "{name}")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(!refused.body.contains("Ana Pereira"));
}

#[tokio::test]
async fn missed_call_tasks_and_zoho_visibility_are_saved_shown_and_checked_together() {
    let app = start().await;
    let admin = app.admin().await;
    let page = app.get(&admin, "/console/settings").await.body;
    // Off by default, visibility automatic, the engine's defaults shown.
    assert!(!tag_of(&page, "tasks_on").contains("checked"), "{page}");
    assert!(tag_of(&page, "tasks_window").contains("value=\"240\""));
    assert!(page.contains("<option value=\"auto\" selected>"), "{page}");
    assert!(tag_of(&page, "visibility_ttl").contains("value=\"300\""));

    // Every bad field is refused beside itself at once; nothing is saved.
    let refused = save(
        &app,
        &admin,
        &[
            ("tasks_on", "on"),
            ("tasks_window", "0"),
            ("tasks_due_days", "1"),
            ("tasks_subject", "Call back {nope}"),
            ("tasks_owner", "nobody"),
            ("zoho_permissions", "always"),
            ("visibility_ttl", "5"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "tasks_window",
        "tasks_subject",
        "tasks_owner",
        "visibility_ttl",
    ] {
        assert!(marked(&refused.body, field), "{field}: {}", refused.body);
    }
    assert!(!marked(&refused.body, "tasks_due_days"));
    assert!(refused.body.contains("from 1 to 10080") && refused.body.contains("from 10 to 86400"));
    assert!(app.store.console().await.unwrap().settings.is_none());
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 0);

    let saved = save(
        &app,
        &admin,
        &[
            ("tasks_on", "on"),
            ("tasks_window", "45"),
            ("tasks_due_days", "2"),
            ("tasks_subject", "Ring {name} back ({number})"),
            ("tasks_owner", "u1"),
            ("zoho_permissions", "never"),
            ("visibility_ttl", "900"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Settings saved"), "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    let tasks = s.engine.missed_call_tasks.expect("tasks on");
    assert_eq!((tasks.window_minutes, tasks.due_days), (45, 2));
    assert_eq!(tasks.subject.source(), "Ring {name} back ({number})");
    assert_eq!(tasks.owner.as_deref(), Some("u1"));
    assert_eq!(s.engine.respect_zoho_permissions, Some(false));
    assert_eq!(s.engine.visibility_ttl_secs, 900);
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 1, "hot-applied");

    let page = app.get(&admin, "/console/settings").await.body;
    assert!(tag_of(&page, "tasks_on").contains("checked"), "{page}");
    assert!(tag_of(&page, "tasks_window").contains("value=\"45\""));
    assert!(tag_of(&page, "tasks_due_days").contains("value=\"2\""));
    assert!(tag_of(&page, "tasks_subject").contains("value=\"Ring {name} back ({number})\""));
    assert!(
        page.contains("<option value=\"u1\" selected>Maya Ortiz</option>"),
        "{page}"
    );
    assert!(page.contains("<option value=\"never\" selected>"), "{page}");
    assert!(tag_of(&page, "visibility_ttl").contains("value=\"900\""));
    let zh = app.get(&admin, "/console/settings?lang=zh-CN").await.body;
    assert!(
        zh.contains("未接来电跟进任务") && zh.contains("Zoho 记录可见性"),
        "{zh}"
    );

    // Unticked: no tasks any more.
    save(
        &app,
        &admin,
        &[
            ("tasks_window", "45"),
            ("tasks_due_days", "2"),
            ("tasks_subject", "x"),
            ("zoho_permissions", "auto"),
            ("visibility_ttl", "900"),
        ],
    )
    .await;
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(s.engine.missed_call_tasks, None);
    assert_eq!(s.engine.respect_zoho_permissions, None);
}
