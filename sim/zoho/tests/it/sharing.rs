//! Zoho's sharing model: a user's own token sees what their role, the module's
//! organisation-wide default, record ownership and their profile allow.

use reqwest::{Method, StatusCode};
use ringbridge_sim_zoho::{Fixture, InvisibleRecord, Module, SimConfig};
use serde_json::{Value, json};

use crate::oauth::{REDIRECT, exchange, query_of};
use crate::{ALL, H, R, assert_error};

/// CEO > Manager > Agent; Contacts private, Leads public read-only. Ann and Bert (agents)
/// share the switchboard number +1 415 555 0001; Rita's profile only views Contacts.
const ORG: &str = r#"
[[roles]]
name = "CEO"
[[roles]]
name = "Manager"
reports_to = "CEO"
[[roles]]
name = "Agent"
reports_to = "Manager"
[[roles]]
name = "Desk"
reports_to = "Manager"
share_with_peers = true

[[profiles]]
name = "Reader"
modules = { Contacts = ["view"] }

[sharing]
Contacts = "private"
Leads = "public_read_only"
Deals = "public_read_write"

[[users]]
last_name = "Boss"
email = "boss@org.test"
role = "CEO"
profile = "Administrator"
[[users]]
last_name = "Mona"
email = "mona@org.test"
role = "Manager"
profile = "Standard"
[[users]]
last_name = "Ann"
email = "ann@org.test"
role = "Agent"
profile = "Standard"
[[users]]
last_name = "Bert"
email = "bert@org.test"
role = "Agent"
profile = "Standard"
[[users]]
last_name = "Adam"
email = "adam@org.test"
role = "Agent"
profile = "Administrator"
[[users]]
last_name = "Rita"
email = "rita@org.test"
role = "Desk"
profile = "Reader"
[[users]]
last_name = "Dirk"
email = "dirk@org.test"
role = "Desk"
profile = "Standard"

[[records]]
module = "Contacts"
owner = "ann@org.test"
fields = { Last_Name = "AnnsCustomer", Phone = "+1 415 555 0001" }
[[records]]
module = "Contacts"
owner = "bert@org.test"
fields = { Last_Name = "BertsCustomer", Phone = "+1 (415) 555-0001" }
[[records]]
module = "Contacts"
fields = { Last_Name = "BossCustomer", Phone = "+1 415 555 0001" }
[[records]]
module = "Contacts"
owner = "dirk@org.test"
fields = { Last_Name = "DirksCustomer", Phone = "+1 415 555 0009" }
[[records]]
module = "Deals"
owner = "bert@org.test"
fields = { Deal_Name = "BertsDeal", Stage = "Qualification", Closing_Date = "2031-01-31" }
[[records]]
module = "Leads"
owner = "bert@org.test"
fields = { Last_Name = "BertsLead", Company = "Lead Co", Phone = "+1 415 555 0002" }
"#;

async fn org(invisible: InvisibleRecord) -> H {
    let seed = Fixture::from_toml(ORG).expect("org parses").seed;
    H::with(SimConfig {
        seed,
        invisible_record: invisible,
        auto_approve: false,
        ..SimConfig::default()
    })
    .await
}

fn token(h: &H, email: &str) -> String {
    h.sim
        .issue_tokens_for(email, ALL)
        .expect("user")
        .access_token
}

async fn as_user(h: &H, email: &str, method: Method, path: &str, body: Option<Value>) -> R {
    let mut req = h.req_as(&token(h, email), method, path);
    if let Some(b) = body {
        req = req.json(&b);
    }
    h.send(req).await
}

fn names(r: &R) -> Vec<String> {
    let mut out: Vec<String> = r.body["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|x| x["Last_Name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn contact_id(h: &H, last: &str) -> String {
    h.sim
        .records(Module::Contacts)
        .into_iter()
        .find(|r| r["Last_Name"] == last)
        .and_then(|r| r["id"].as_str().map(str::to_owned))
        .expect("seeded contact")
}

#[tokio::test]
async fn search_list_and_coql_leave_out_what_the_role_hides() {
    let h = org(InvisibleRecord::NoPermission).await;
    let search = "/crm/v8/Contacts/search?phone=%2B14155550001&fields=Last_Name";
    let coql =
        json!({"select_query": "select Last_Name from Contacts where Last_Name is not null"});
    let list = "/crm/v8/Contacts?fields=Last_Name";
    for (who, expected) in [
        ("ann@org.test", vec!["AnnsCustomer"]),
        ("bert@org.test", vec!["BertsCustomer"]),
        ("mona@org.test", vec!["AnnsCustomer", "BertsCustomer"]),
        (
            "boss@org.test",
            vec!["AnnsCustomer", "BertsCustomer", "BossCustomer"],
        ),
    ] {
        let r = as_user(&h, who, Method::GET, search, None).await;
        assert_eq!(names(&r), expected, "search as {who}: {}", r.text);
    }
    // The subordinates' records, not the superior's or a sibling role's.
    let r = as_user(
        &h,
        "mona@org.test",
        Method::POST,
        "/crm/v8/coql",
        Some(coql.clone()),
    )
    .await;
    assert_eq!(
        names(&r),
        ["AnnsCustomer", "BertsCustomer", "DirksCustomer"]
    );
    let r = as_user(&h, "ann@org.test", Method::POST, "/crm/v8/coql", Some(coql)).await;
    assert_eq!(names(&r), ["AnnsCustomer"]);
    let r = as_user(&h, "ann@org.test", Method::GET, list, None).await;
    assert_eq!(names(&r), ["AnnsCustomer"]);
    let r = as_user(
        &h,
        "ann@org.test",
        Method::GET,
        "/crm/v8/Contacts/actions/count?phone=%2B14155550001",
        None,
    )
    .await;
    assert_eq!(r.body["count"], "1");
    // Nothing visible is an empty answer, not an error.
    let r = as_user(
        &h,
        "ann@org.test",
        Method::GET,
        "/crm/v8/Contacts/search?phone=%2B14155550009",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // The admin's grant (the primary user) sees everything, as before.
    let r = h.get(list).await;
    assert_eq!(names(&r).len(), 4);
}

#[tokio::test]
async fn public_read_write_lets_others_edit_but_not_delete() {
    let h = org(InvisibleRecord::NoPermission).await;
    let deal = h.sim.records(Module::Deals)[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let body = json!({"data": [{"id": deal, "Stage": "Needs Analysis"}]});
    let r = as_user(&h, "ann@org.test", Method::PUT, "/crm/v8/Deals", Some(body)).await;
    assert_eq!(r.body["data"][0]["code"], "SUCCESS", "{}", r.text);
    let r = as_user(
        &h,
        "ann@org.test",
        Method::DELETE,
        &format!("/crm/v8/Deals/{deal}"),
        None,
    )
    .await;
    assert_eq!(r.body["data"][0]["code"], "NO_PERMISSION", "{}", r.text);
    assert_eq!(
        r.body["data"][0]["details"]["permissions"],
        json!(["Crm_Implied_Delete_Deals"])
    );
    assert_eq!(h.sim.records(Module::Deals).len(), 1);
}

/// The profile grants module rights; which records show is the role's business, even for
/// an administrator placed low in the hierarchy.
#[tokio::test]
async fn an_administrator_profile_does_not_widen_the_role() {
    let h = org(InvisibleRecord::NoPermission).await;
    let r = as_user(
        &h,
        "adam@org.test",
        Method::GET,
        "/crm/v8/Contacts/search?phone=%2B14155550001&fields=Last_Name",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
}

#[tokio::test]
async fn peers_share_when_their_role_says_so() {
    let h = org(InvisibleRecord::NoPermission).await;
    let r = as_user(
        &h,
        "rita@org.test",
        Method::GET,
        "/crm/v8/Contacts?fields=Last_Name",
        None,
    )
    .await;
    assert_eq!(names(&r), ["DirksCustomer"], "{}", r.text);
}

#[tokio::test]
async fn reading_a_hidden_record_answers_no_permission_or_no_content() {
    let h = org(InvisibleRecord::NoPermission).await;
    let path = format!("/crm/v8/Contacts/{}", contact_id(&h, "BertsCustomer"));
    let r = as_user(&h, "ann@org.test", Method::GET, &path, None).await;
    assert_error(&r, 403, "NO_PERMISSION");
    assert_eq!(
        r.body["details"]["permissions"],
        json!(["Crm_Implied_View_Contacts"])
    );
    let r = as_user(&h, "mona@org.test", Method::GET, &path, None).await;
    assert_eq!(r.body["data"][0]["Last_Name"], "BertsCustomer");
    let r = as_user(&h, "bert@org.test", Method::GET, &path, None).await;
    assert_eq!(r.status, StatusCode::OK);

    let h = org(InvisibleRecord::NoContent).await;
    let path = format!("/crm/v8/Contacts/{}", contact_id(&h, "BertsCustomer"));
    let r = as_user(&h, "ann@org.test", Method::GET, &path, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.text.is_empty());
}

#[tokio::test]
async fn public_read_only_records_are_seen_but_changed_only_by_owner_and_superiors() {
    let h = org(InvisibleRecord::NoPermission).await;
    let lead = h.sim.records(Module::Leads)[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = as_user(
        &h,
        "ann@org.test",
        Method::GET,
        "/crm/v8/Leads?fields=Last_Name",
        None,
    )
    .await;
    assert_eq!(names(&r), ["BertsLead"]);
    let body = json!({"data": [{"id": lead, "Company": "Changed"}]});
    let r = as_user(
        &h,
        "ann@org.test",
        Method::PUT,
        "/crm/v8/Leads",
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.body["data"][0]["code"], "NO_PERMISSION", "{}", r.text);
    assert_eq!(
        r.body["data"][0]["details"]["permissions"],
        json!(["Crm_Implied_Edit_Leads"])
    );
    assert_eq!(h.sim.records(Module::Leads)[0]["Company"], "Lead Co");
    let r = as_user(
        &h,
        "mona@org.test",
        Method::PUT,
        "/crm/v8/Leads",
        Some(body),
    )
    .await;
    assert_eq!(r.body["data"][0]["code"], "SUCCESS", "{}", r.text);
    let r = as_user(
        &h,
        "ann@org.test",
        Method::DELETE,
        &format!("/crm/v8/Leads?ids={lead}"),
        None,
    )
    .await;
    assert_eq!(r.body["data"][0]["code"], "NO_PERMISSION", "{}", r.text);
    assert_eq!(h.sim.records(Module::Leads).len(), 1);
}

#[tokio::test]
async fn the_profile_decides_which_modules_a_user_may_read_and_create_in() {
    let h = org(InvisibleRecord::NoPermission).await;
    let create = json!({"data": [{"Last_Name": "New", "Phone": "+1 415 555 0003"}]});
    let r = as_user(
        &h,
        "rita@org.test",
        Method::POST,
        "/crm/v8/Contacts",
        Some(create.clone()),
    )
    .await;
    assert_error(&r, 403, "NO_PERMISSION");
    assert_eq!(
        r.body["details"]["permissions"],
        json!(["Crm_Implied_Create_Contacts"])
    );
    assert!(
        h.sim
            .records(Module::Contacts)
            .iter()
            .all(|c| c["Last_Name"] != "New")
    );
    let r = as_user(
        &h,
        "rita@org.test",
        Method::GET,
        "/crm/v8/Leads/search?phone=%2B14155550002",
        None,
    )
    .await;
    assert_error(&r, 403, "NO_PERMISSION");
    assert_eq!(
        r.body["details"]["permissions"],
        json!(["Crm_Implied_View_Leads"])
    );
    // A create with the agent's own token is owned and made by the agent.
    let r = as_user(
        &h,
        "ann@org.test",
        Method::POST,
        "/crm/v8/Contacts",
        Some(create),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let ann = h.sim.user_id("ann@org.test").expect("ann");
    let rec = h
        .sim
        .record(
            Module::Contacts,
            r.body["data"][0]["details"]["id"].as_str().expect("id"),
        )
        .expect("stored");
    assert_eq!(rec["Owner"]["id"], ann.as_str());
    assert_eq!(rec["Created_By"]["id"], ann.as_str());
}

#[tokio::test]
async fn the_consent_page_signs_in_the_user_who_chooses_to() {
    let h = org(InvisibleRecord::NoPermission).await;
    let page = crate::oauth::authorize(&h, "offline", "s").await;
    let html = page.text().await.expect("html");
    assert!(html.contains("name=\"login_email\""), "{html}");
    assert!(html.contains("ann@org.test"));
    let form = |email: &'static str| {
        vec![
            ("scope", "ZohoCRM.modules.ALL,ZohoCRM.users.READ"),
            ("client_id", h.sim.client_id()),
            ("response_type", "code"),
            ("access_type", "offline"),
            ("redirect_uri", REDIRECT),
            ("decision", "accept"),
            ("login_email", email),
        ]
    };
    let resp = h
        .http
        .post(h.accounts("/oauth/v2/auth/consent"))
        .form(&form("ann@org.test"))
        .send()
        .await
        .expect("accept");
    let q = query_of(resp.headers()["location"].to_str().expect("ascii"));
    let t = exchange(&h, &q["code"]).await;
    let access = t.body["access_token"].as_str().expect("token");
    let me = h
        .send(h.req_as(access, Method::GET, "/crm/v8/users?type=CurrentUser"))
        .await;
    assert_eq!(me.body["users"][0]["email"], "ann@org.test");
    assert_eq!(me.body["users"][0]["role"]["name"], "Agent");
    let r = h
        .send(h.req_as(access, Method::GET, "/crm/v8/Contacts?fields=Last_Name"))
        .await;
    assert_eq!(names(&r), ["AnnsCustomer"]);
    let resp = h
        .http
        .post(h.accounts("/oauth/v2/auth/consent"))
        .form(&form("nobody@org.test"))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "no such user signs in"
    );
}
