//! The settings page's engine choices: call owners, business hours and
//! call results, the display time zone and the CRM modules searched,
//! saved, read back and refused when wrong.

use std::sync::atomic::Ordering;

use chrono::{NaiveTime, Weekday};
use reqwest::StatusCode;
use ringbridge_core::console::{ConsoleSettings, ConsoleStore};
use ringbridge_core::crm::CrmModule;
use ringbridge_core::policy::CallKind;
use ringbridge_core::tracker::OwnerPolicy;

use super::{App, HOSTILE, Page, assert_inert, start};
use reqwest::Client;

/// The page's other fields, as a browser posts them untouched.
const REST: [(&str, &str); 6] = [
    ("log_inbound_answered", "on"),
    ("subject", "{direction} call {name}"),
    ("unknown_inbound", "nothing"),
    ("unknown_outbound", "nothing"),
    ("recording", "until_revoked"),
    ("pop_answer", "on"),
];

fn with<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    REST.iter().chain(fields).copied().collect()
}

const HOURS: [(&str, &str); 7] = [
    ("hours_on", "on"),
    ("hours_tue", "on"),
    ("hours_sat", "on"),
    ("hours_start", "08:30"),
    ("hours_end", "12:15:30"),
    ("hours_time_zone", "Asia/Shanghai"),
    ("owner", "first_talker"),
];

/// Posts the page with `fields`; it must come back refused, saying `message`.
async fn refused(app: &App, admin: &Client, fields: &[(&str, &str)], message: &str) -> Page {
    let page = app
        .submit(
            admin,
            "/console/settings",
            "/console/settings",
            &with(fields),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
    assert!(page.body.contains(message), "{message} in {}", page.body);
    assert!(page.body.contains("class=\"error\""), "{}", page.body);
    page
}

#[tokio::test]
async fn owners_hours_and_call_results_are_saved_and_shown() {
    let app = start().await;
    let admin = app.admin().await;
    let page = app.get(&admin, "/console/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    // Nothing kept yet: last talker, hours off but offered in UTC (the
    // display time zone), Zoho's default owner, the CRM's users to pick.
    assert!(
        page.body.contains("value=\"last_talker\" selected"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"hours_on\" checked"));
    assert!(page.body.contains("name=\"hours_time_zone\" value=\"UTC\""));
    assert!(
        page.body
            .contains("type=\"time\" name=\"hours_start\" value=\"09:00\"")
    );
    assert!(
        page.body
            .contains("<option value=\"u1\">Maya Ortiz</option>")
    );
    assert_inert(&page.body);

    let mut form = with(&HOURS);
    form.extend([
        ("group_missed_owner", "u1"),
        ("result_outbound_unanswered", "No response/Busy"),
        ("result_inbound_answered", "  Interested "),
        ("result_voicemail", ""),
    ]);
    let saved = app
        .submit(&admin, "/console/settings", "/console/settings", &form)
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(s.engine.owner, OwnerPolicy::FirstTalker);
    let hours = s.engine.logging.business_hours.clone().expect("hours kept");
    assert_eq!(hours.days, [Weekday::Tue, Weekday::Sat]);
    assert_eq!(hours.start, NaiveTime::from_hms_opt(8, 30, 0).unwrap());
    assert_eq!(hours.end, NaiveTime::from_hms_opt(12, 15, 30).unwrap());
    assert_eq!(hours.time_zone, "Asia/Shanghai");
    assert_eq!(s.engine.group_missed_owner.as_deref(), Some("u1"));
    assert_eq!(
        s.engine.call_results.into_iter().collect::<Vec<_>>(),
        [
            (CallKind::InboundAnswered, "Interested".to_owned()),
            (CallKind::OutboundUnanswered, "No response/Busy".to_owned()),
        ],
        "empty ones are not sent"
    );
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 1);

    // The page shows what is kept.
    let shown = app.get(&admin, "/console/settings").await.body;
    for fact in [
        "value=\"first_talker\" selected",
        "name=\"hours_on\" checked",
        "name=\"hours_tue\" checked",
        "name=\"hours_sat\" checked",
        // Seconds kept: the time input steps by seconds, or a browser
        // would refuse to send the form again.
        "name=\"hours_end\" value=\"12:15:30\" step=\"1\">",
        "name=\"hours_start\" value=\"08:30\">",
        "name=\"hours_time_zone\" value=\"Asia/Shanghai\"",
        "<option value=\"u1\" selected>Maya Ortiz</option>",
        "<option value=\"No response/Busy\" selected>No response/Busy</option>",
    ] {
        assert!(shown.contains(fact), "{fact} in {shown}");
    }
    assert!(!shown.contains("name=\"hours_mon\" checked"));

    // Unticked, the hours are dropped; back to the last talker and Zoho's owner.
    let off = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings",
            &with(&[("owner", "last_talker"), ("group_missed_owner", "")]),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(s.engine.logging.business_hours, None);
    assert_eq!(s.engine.owner, OwnerPolicy::LastTalker);
    assert_eq!(s.engine.group_missed_owner, None);
    assert!(s.engine.call_results.is_empty());
}

#[tokio::test]
async fn wrong_business_hours_are_refused_and_nothing_is_saved() {
    let app = start().await;
    let admin = app.admin().await;
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[
                ("hours_on", "on"),
                ("hours_start", "17:00"),
                ("hours_end", "09:00"),
                ("hours_mon", "on"),
                ("hours_time_zone", "UTC"),
            ],
            "opening time before the closing time",
        ),
        (
            &[
                ("hours_on", "on"),
                ("hours_start", "09:00"),
                ("hours_end", "17:00"),
                ("hours_time_zone", "UTC"),
            ],
            "at least one day",
        ),
        (
            &[
                ("hours_on", "on"),
                ("hours_start", "09:00"),
                ("hours_end", "17:00"),
                ("hours_fri", "on"),
                ("hours_time_zone", "Mars/Olympus_Mons"),
            ],
            "known time zone",
        ),
    ];
    for (fields, message) in cases {
        let refused = refused(&app, &admin, fields, message).await;
        // What was typed stays on the page to be corrected.
        assert!(refused.body.contains("name=\"hours_on\" checked"));
        assert!(
            app.store.console().await.unwrap().settings.is_none(),
            "nothing saved for {message}"
        );
    }
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 0);
    let zh = app.get(&admin, "/console/settings?lang=zh-CN").await.body;
    assert!(zh.contains("仅记录在工作时间内开始的通话"), "{zh}");
}

#[tokio::test]
async fn a_hostile_call_result_is_kept_as_text_and_shown_inert() {
    let app = start().await;
    let admin = app.admin().await;
    let saved = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings",
            &with(&[("result_inbound_missed", HOSTILE)]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(s.engine.call_results[&CallKind::InboundMissed], HOSTILE);
    let page = app.get(&admin, "/console/settings").await.body;
    let field = page
        .split("name=\"result_inbound_missed\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .and_then(|select| select.split(" selected>").nth(1))
        .unwrap_or_default()
        .to_owned();
    assert!(
        field.contains("&#60;script&#62;") || field.contains("&lt;script&gt;"),
        "{field}"
    );
    assert_inert(&page);
}

#[tokio::test]
async fn the_page_works_while_the_crm_cannot_list_its_users() {
    let app = start().await;
    let admin = app.admin().await;
    let kept = ConsoleSettings {
        engine: ringbridge_core::settings::EngineSettings {
            group_missed_owner: Some("u1".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    app.store.put_settings(&kept).await.unwrap();
    app.backend.users_fail.store(true, Ordering::SeqCst);
    let page = app.get(&admin, "/console/settings").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("id=\"group-owner-note\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("timed out"), "says why: {}", page.body);
    assert!(
        page.body
            .contains("<option value=\"u1\" selected>u1</option>"),
        "{}",
        page.body
    );

    // Saving keeps the owner it cannot check; a new one is refused.
    let saved = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings",
            &with(&[("group_missed_owner", "u1"), ("min_talk_s", "7")]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(
        (
            s.engine.group_missed_owner.as_deref(),
            s.engine.logging.min_talk_s
        ),
        (Some("u1"), 7)
    );
    let refused = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings",
            &with(&[("group_missed_owner", "u2")]),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    app.backend.users_fail.store(false, Ordering::SeqCst);
    let unknown = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings",
            &with(&[("group_missed_owner", "nobody")]),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("Pick a CRM user"), "{}", unknown.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(s.engine.group_missed_owner.as_deref(), Some("u1"));
}

#[tokio::test]
async fn display_zone_and_match_modules_are_saved_and_shown() {
    let app = start().await;
    let admin = app.admin().await;
    // Nothing kept yet: UTC, and Contacts, Leads, Accounts in that order.
    let page = app.get(&admin, "/console/settings").await.body;
    for fact in [
        "name=\"display_time_zone\" value=\"UTC\"",
        "name=\"match_1\"><option value=\"Contacts\" selected>",
        "<option value=\"Leads\" selected>",
        "<option value=\"Accounts\" selected>",
    ] {
        assert!(page.contains(fact), "{fact} in {page}");
    }
    assert!(!page.contains("value=\"Deals\""), "{page}");

    let saved = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings",
            &with(&[
                ("display_time_zone", " America/New_York "),
                ("match_1", "Leads"),
                ("match_2", ""),
                ("match_3", "Contacts"),
                ("min_talk_s", "9"),
            ]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(s.engine.display_time_zone, "America/New_York");
    assert_eq!(
        s.engine.match_modules,
        [CrmModule::Leads, CrmModule::Contacts]
    );
    assert_eq!(s.engine.logging.min_talk_s, 9, "the rest saved too");
    let shown = app.get(&admin, "/console/settings").await.body;
    for fact in [
        "name=\"display_time_zone\" value=\"America/New_York\"",
        "name=\"match_1\"><option value=\"Contacts\">Contacts</option><option value=\"Leads\" selected>Leads</option>",
        // The gap closed: Contacts moves up to the 2nd choice.
        "name=\"match_2\"><option value=\"\">—</option><option value=\"Contacts\" selected>",
        "name=\"match_3\"><option value=\"\" selected>—</option>",
    ] {
        assert!(shown.contains(fact), "{fact} in {shown}");
    }
    assert_inert(&shown);
    let zh = app.get(&admin, "/console/settings?lang=zh-CN").await.body;
    assert!(
        zh.contains("第二选择") && zh.contains(">线索</option>"),
        "{zh}"
    );

    // A form without these fields (an older page) keeps them.
    let older = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings",
            &with(&[("min_talk_s", "3")]),
        )
        .await;
    assert_eq!(older.status, StatusCode::OK, "{}", older.body);
    let s = app.store.console().await.unwrap().settings.unwrap();
    assert_eq!(
        (
            s.engine.display_time_zone.as_str(),
            s.engine.match_modules.as_slice(),
            s.engine.logging.min_talk_s
        ),
        (
            "America/New_York",
            [CrmModule::Leads, CrmModule::Contacts].as_slice(),
            3
        )
    );
}

#[tokio::test]
async fn an_unknown_zone_or_a_module_twice_is_refused_and_nothing_is_saved() {
    let app = start().await;
    let admin = app.admin().await;
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("display_time_zone", "Mars/Olympus_Mons")],
            "known time zone for times in subjects",
        ),
        (
            &[
                ("match_1", "Contacts"),
                ("match_2", "Leads"),
                ("match_3", "Contacts"),
            ],
            "each CRM module to search at most once",
        ),
        (
            &[("match_1", ""), ("match_2", ""), ("match_3", "")],
            "at least one CRM module",
        ),
        (
            &[("match_1", "Deals")],
            "CRM modules to search from the list",
        ),
    ];
    for (fields, message) in cases {
        refused(&app, &admin, fields, message).await;
        assert!(
            app.store.console().await.unwrap().settings.is_none(),
            "nothing saved for {message}"
        );
    }
    // What was typed stays on the page to be corrected, inert.
    let refused = app
        .submit(
            &admin,
            "/console/settings",
            "/console/settings",
            &with(&[("display_time_zone", HOSTILE)]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_inert(&refused.body);
    assert_eq!(app.backend.applied.load(Ordering::SeqCst), 0);
    let zh = app
        .submit(
            &admin,
            "/console/settings?lang=zh-CN",
            "/console/settings?lang=zh-CN",
            &with(&[("match_1", "Leads"), ("match_2", "Leads")]),
        )
        .await;
    assert_eq!(zh.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        zh.body.contains("每个 CRM 模块最多只能选择一次"),
        "{}",
        zh.body
    );
}
