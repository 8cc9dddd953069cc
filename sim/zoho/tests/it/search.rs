//! Search: phone under all three matching rules, email, word, criteria, limits.

use reqwest::StatusCode;
use ringbridge_sim_zoho::{Module, PhoneMatchMode, SimConfig};
use serde_json::json;

use crate::{H, assert_error};

fn names(r: &crate::R) -> Vec<String> {
    r.body["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["Last_Name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn phone(h: &H, q: &str) -> Vec<String> {
    let r = h
        .send(
            h.req(reqwest::Method::GET, "/crm/v8/Contacts/search")
                .query(&[("phone", q)]),
        )
        .await;
    assert!(matches!(r.status.as_u16(), 200 | 204), "{}", r.text);
    names(&r)
}

#[tokio::test]
async fn phone_search_modes() {
    let h = H::with(SimConfig {
        phone_match: PhoneMatchMode::Exact,
        ..SimConfig::default()
    })
    .await;
    // Bob's Phone is stored as "(415) 555-0124".
    assert_eq!(phone(&h, "+14155550123").await, ["Pereira"]);
    assert!(phone(&h, "4155550124").await.is_empty());
    assert_eq!(phone(&h, "(415) 555-0124").await, ["Miller"]);

    h.sim.set_phone_match(PhoneMatchMode::DigitsEqual);
    assert_eq!(phone(&h, "415-555-0124").await, ["Miller"]);
    assert!(phone(&h, "+14155550124").await.is_empty());
    assert_eq!(phone(&h, "+351912345678").await, ["Pereira"]);

    h.sim.set_phone_match(PhoneMatchMode::DigitsSuffix);
    assert_eq!(phone(&h, "+14155550124").await, ["Miller"]);
    assert!(
        phone(&h, "0124").await.is_empty(),
        "too short to suffix-match"
    );
    // Chen's "0415 5550125" vs E.164: neither digit string ends with the other.
    assert!(phone(&h, "+14155550125").await.is_empty());

    // An unencoded '+' arrives as a space: exact fails, digit modes still match.
    h.sim.set_phone_match(PhoneMatchMode::Exact);
    let raw = h.get("/crm/v8/Contacts/search?phone=+14155550123").await;
    assert_eq!(raw.status, StatusCode::NO_CONTENT);
    h.sim.set_phone_match(PhoneMatchMode::DigitsEqual);
    let raw = h.get("/crm/v8/Contacts/search?phone=+14155550123").await;
    assert_eq!(names(&raw), ["Pereira"]);
}

#[tokio::test]
async fn email_word_and_criteria() {
    let h = H::new().await;
    let r = h.get("/crm/v8/Contacts/search?email=ANA@example.com").await;
    assert_eq!(names(&r), ["Pereira"]);
    assert_eq!(r.body["info"]["count"], 1);
    assert_eq!(r.body["info"]["more_records"], false);
    assert_eq!(
        names(&h.get("/crm/v8/Contacts/search?word=mill").await),
        ["Miller"]
    );
    assert_eq!(
        h.get("/crm/v8/Contacts/search?word=zzz").await.status,
        StatusCode::NO_CONTENT
    );

    let crit = |c: &str| {
        h.send(
            h.req(reqwest::Method::GET, "/crm/v8/Contacts/search")
                .query(&[("criteria", c)]),
        )
    };
    assert_eq!(names(&crit("(Last_Name:equals:Miller)").await), ["Miller"]);
    assert_eq!(
        names(&crit("(Last_Name:starts_with:per)").await),
        ["Pereira"]
    );
    assert_eq!(
        names(&crit("(Last_Name:in:Wei,Dora)").await),
        ["Wei", "Dora"]
    );
    let both = crit("((Last_Name:equals:Miller)or(Email:equals:ana@example.com))").await;
    assert_eq!(names(&both), ["Pereira", "Miller"]);
    // Escaped parentheses and comma in a value.
    h.sim
        .insert_record(
            Module::Contacts,
            json!({"Last_Name": "Smith (Berlin), Ltd"}),
        )
        .expect("insert");
    let esc = crit(r"(Last_Name:equals:Smith \(Berlin\)\, Ltd)").await;
    assert_eq!(names(&esc), ["Smith (Berlin), Ltd"]);
    // In multi-condition criteria, equals on text behaves like "contains".
    let contains = crit("((Last_Name:equals:ill)and(Email:equals:acme))").await;
    assert_eq!(names(&contains), ["Miller"]);
    assert_eq!(
        crit("(Last_Name:equals:ill)").await.status,
        StatusCode::NO_CONTENT
    );
    let created = crit("(Created_Time:greater_than:2000-01-01T00:00:00+00:00)").await;
    assert_eq!(names(&created).len(), 5);

    assert_error(&crit("(Nope:equals:x)").await, 400, "INVALID_QUERY");
    assert_error(&crit("(Last_Name:ends_with:x)").await, 400, "INVALID_QUERY");
    assert_error(&crit("(Last_Name:equals:x").await, 400, "INVALID_QUERY");
    let eleven = (0..11)
        .map(|i| format!("(Last_Name:equals:n{i})"))
        .collect::<Vec<_>>()
        .join("or");
    assert_error(
        &crit(&format!("({eleven})")).await,
        400,
        "CRITERIA_LIMIT_EXCEEDED",
    );
}

#[tokio::test]
async fn search_limits_and_missing_params() {
    let h = H::new().await;
    let r = h.get("/crm/v8/Contacts/search").await;
    assert_error(&r, 400, "EXPECTED_PARAM_MISSING");
    let r = h
        .get("/crm/v8/Contacts/search?word=a&page=11&per_page=200")
        .await;
    assert_error(&r, 400, "LIMIT_REACHED");
    assert_eq!(r.body["details"], json!({"limit": "2000"}));
    assert_eq!(
        r.body["message"],
        "maximum response iteration limit reached"
    );
    let page2 = h
        .get("/crm/v8/Contacts/search?word=e&per_page=1&page=2")
        .await;
    assert_eq!(page2.body["info"]["page"], 2);
    assert_eq!(page2.body["info"]["more_records"], true);
    let leads = h.get("/crm/v8/Leads/search?phone=%2B14155550199").await;
    assert_eq!(names(&leads), ["Park"]);
    let fields = h
        .get("/crm/v8/Leads/search?phone=%2B14155550199&fields=Company")
        .await;
    assert_eq!(fields.body["data"][0].as_object().map(|o| o.len()), Some(2));
}
