//! Business hours set on the settings page reach the running engine: a
//! call outside them is not logged (its agent's panel says so), and once
//! the hours cover the call's time the next call is logged.

use std::time::Duration;

use chrono::{Datelike, TimeZone, Utc};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use super::{Ringbridge, demo_simulators, eventually, signed_in_browser, start_connected};

/// The settings page's form with business hours on `days` (`hours_mon`…),
/// all day long in UTC.
fn settings(days: &[String]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("log_inbound_answered", "on"),
        ("log_inbound_missed", "on"),
        ("log_outbound_answered", "on"),
        ("log_outbound_unanswered", "on"),
        ("min_talk_s", "0"),
        ("subject", "{direction} call {name}"),
        ("description", "Caller {number}"),
        ("unknown_inbound", "nothing"),
        ("unknown_outbound", "nothing"),
        ("default_country", "US"),
        ("recording", "until_revoked"),
        ("owner", "last_talker"),
        ("group_missed_owner", ""),
        ("hours_on", "on"),
        ("hours_start", "00:00"),
        ("hours_end", "23:59:59"),
        ("hours_time_zone", "UTC"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    form.extend(days.iter().map(|d| (d.clone(), "on".to_owned())));
    form
}

/// Saves `form` on the settings page and waits for the service to run
/// with it (the change restarts the integration).
async fn save(rb: &Ringbridge, form: &[(String, String)]) {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = rb.post("/console/settings", &fields).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Settings saved."), "{}", saved.body);
    // The old generation answered; give it time to stop before waiting
    // for the new one's links.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    eventually("both links up again", async || {
        rb.get("/console").await.body.matches("state ok").count() == 2
    })
    .await;
}

/// Agent 1005's recent calls, as the panel reads them.
async fn recent(rb: &Ringbridge, agent: &Client) -> Vec<Value> {
    let response = agent
        .get(format!("{}/api/calls/recent", rb.url))
        .send()
        .await
        .expect("recent calls");
    response.json().await.unwrap_or_default()
}

fn by_caller<'a>(calls: &'a [Value], digits: &str) -> Option<&'a Value> {
    calls
        .iter()
        .find(|c| c["number"].as_str().is_some_and(|n| n.ends_with(digits)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_outside_business_hours_set_on_the_page_are_not_logged() {
    let (pbx, zoho, refresh) = demo_simulators().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let mut rb = start_connected(&pbx, &zoho, listener, &refresh).await;
    rb.create_admin().await;
    // Agent 1005 answers the calls; her panel shows what became of them.
    let agent_pw = "agent password 1";
    let made = rb
        .post(
            "/admin/accounts",
            &[
                ("username", "maya"),
                ("display_name", "Maya"),
                ("role", "agent"),
                ("extension", "1005"),
                ("password", agent_pw),
                ("password_confirm", agent_pw),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let agent = signed_in_browser(&rb.url, "maya", agent_pw).await;

    // Open only on a day three days from the PBX's today: now is outside.
    let now = Utc
        .timestamp_opt(pbx.clock().now(), 0)
        .single()
        .expect("the PBX's time");
    let closed_today = (now + chrono::Duration::days(3)).weekday();
    let day = |d: chrono::Weekday| format!("hours_{}", d.to_string().to_lowercase());
    save(&rb, &settings(&[day(closed_today)])).await;
    let page = rb.get("/console/settings").await.body;
    assert!(
        page.contains(&format!("name=\"{}\" checked", day(closed_today))),
        "{page}"
    );

    let play = |caller: &'static str| {
        let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
            .expect("scenario")
            .with_param("caller", caller)
            .expect("caller");
        let pbx = &pbx;
        async move { pbx.play(&scenario).await.expect("played") }
    };
    play("4155550101").await;
    eventually(
        "the call outside the hours shown as not logged",
        async || {
            by_caller(&recent(&rb, &agent).await, "4155550101")
                .is_some_and(|c| c["log"] == "not_logged")
        },
    )
    .await;

    // Open every day: the next call is logged, the first one still not.
    let every_day: Vec<String> = [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ]
    .into_iter()
    .map(day)
    .collect();
    save(&rb, &settings(&every_day)).await;
    play("4155550102").await;
    let described = |digits: &'static str| {
        let zoho = &zoho;
        move || {
            zoho.calls().iter().any(|c| {
                c["Description"]
                    .as_str()
                    .is_some_and(|d| d.contains(digits))
            })
        }
    };
    eventually("the call within the hours logged", async || {
        described("5550102")()
    })
    .await;
    assert!(!described("5550101")(), "{:?}", zoho.calls());
    assert_eq!(zoho.calls().len(), 1, "{:?}", zoho.calls());
    let calls = recent(&rb, &agent).await;
    assert_eq!(
        by_caller(&calls, "4155550101").map(|c| c["log"].clone()),
        Some(Value::from("not_logged"))
    );
    assert_eq!(
        by_caller(&calls, "4155550102").map(|c| c["log"].clone()),
        Some(Value::from("written"))
    );
    rb.shut_down().await;
}
