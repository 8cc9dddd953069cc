//! Role-aware pops, chooser and create, against both simulators (the demo
//! org: a manager over the agents, Contacts private). Agents signed in
//! with Zoho see a caller with their own eyes: Chen (role Agent) gets a
//! pop with no name and no link for Dana's contact, their manager Ben gets
//! both; Chen's chooser lists only his records; what Chen creates is made
//! by Chen; once his grant is revoked (at Zoho, or by the admin) his pops
//! show no CRM details — never the admin's view.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use ringbridge_sim_yeastar::SimYeastar;
use ringbridge_sim_zoho::{Module, Perm, Profile, SimZoho};
use serde_json::{Value, json};

use super::zoho_sign_in::{browser, consent, get, sign_in_simulators};
use super::{Ringbridge, eventually, start_connected_with};

/// Chen's agent view lets an answer live this long (the revocation test
/// waits it out).
const TTL_SECS: u64 = 2;

async fn call_to(pbx: &SimYeastar, caller: &str, agent: &str) {
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", caller)
        .expect("caller")
        .with_param("agent", agent)
        .expect("agent");
    pbx.play(&scenario).await.expect("played");
}

/// The panel's "No CRM details" banner, shown and hidden.
const BANNER_SHOWN: &str = r#"<div id="no-crm-banner" class="banner warn" role="alert">"#;
const BANNER_HIDDEN: &str = r#"<div id="no-crm-banner" class="banner warn" role="alert" hidden>"#;

/// Signs `email` in with Zoho in a fresh browser, landing on the panel.
async fn signed_in(rb: &Ringbridge, zoho: &SimZoho, email: &str) -> Client {
    let agent = browser();
    let back = consent(rb, &agent, zoho, email, "/panel").await;
    let landed = get(&agent, &back).await;
    assert_eq!(landed.location, "/panel", "{email}: {}", landed.body);
    agent
}

async fn lookup(rb: &Ringbridge, agent: &Client, number: &str) -> Value {
    agent
        .get(format!("{}/api/lookup?number={number}", rb.url))
        .send()
        .await
        .expect("lookup")
        .json()
        .await
        .expect("JSON")
}

/// The ringing event of the next call on `agent`'s live feed.
async fn ringing(
    rb: &Ringbridge,
    agent: &Client,
    pbx: &SimYeastar,
    caller: &str,
    extension: &str,
) -> Value {
    let mut stream = agent
        .get(format!("{}/api/calls/stream", rb.url))
        .send()
        .await
        .expect("the feed");
    assert_eq!(stream.status(), StatusCode::OK);
    call_to(pbx, caller, extension).await;
    let mut seen = String::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let chunk = stream.chunk().await.expect("chunk").expect("open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(e) = seen
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
                .find(|e| {
                    e["state"] == "ringing"
                        && e["number"].as_str().is_some_and(|n| n.ends_with(caller))
                })
            {
                return e;
            }
        }
    })
    .await
    .expect("a ringing event")
}

/// The panel's Create contact for `number`, as `agent`: status and body.
async fn create_contact(
    rb: &Ringbridge,
    agent: &Client,
    last_name: &str,
    number: &str,
) -> (StatusCode, String) {
    let panel = get(agent, &format!("{}/panel", rb.url)).await;
    let csrf = panel
        .body
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF token")
        .to_owned();
    let sent = agent
        .post(format!("{}/api/records", rb.url))
        .header("X-CSRF-Token", &csrf)
        .json(&json!({"module": "Contacts", "last_name": last_name, "number": number}))
        .send()
        .await
        .expect("create");
    let status = sent.status();
    (status, sent.text().await.expect("a body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_see_callers_with_their_own_zoho_eyes() {
    // Priya's profile may view Contacts but not create them.
    let mut seed = ringbridge::demo::seed();
    seed.sharing.profiles.push(Profile {
        name: "Viewer".into(),
        modules: [(Module::Contacts, [Perm::View].into())].into(),
    });
    for user in &mut seed.users {
        if user.email == "priya@corp.test" {
            user.profile = "Viewer".into();
        }
    }
    let (pbx, zoho, listener) = sign_in_simulators(seed).await;
    let (chen, dana) = (
        zoho.user_id("chen@corp.test").expect("Chen"),
        zoho.user_id("dana@corp.test").expect("Dana"),
    );
    let owned = |first: &str, last: &str, phone: &str, owner: &str| json!({"First_Name": first, "Last_Name": last, "Phone": phone, "Owner": {"id": owner}});
    let danas = zoho
        .insert_record(
            Module::Contacts,
            owned("Dana's", "Secret", "+1 415 555 0161", &dana),
        )
        .expect("Dana's contact");
    zoho.insert_record(
        Module::Contacts,
        owned("Chen's", "Own", "+1 415 555 0162", &chen),
    )
    .expect("Chen's contact");
    zoho.advance(Duration::from_secs(60));
    zoho.insert_record(
        Module::Contacts,
        owned("Dana's", "Newer", "415-555-0162", &dana),
    )
    .expect("Dana's newer contact");
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    let engine = format!("[engine]\nvisibility_ttl_secs = {TTL_SECS}\n");
    let rb = start_connected_with(&pbx, &zoho, listener, &refresh, &engine).await;
    rb.create_admin().await;
    eventually("the sign-in page offers Zoho", async || {
        get(&browser(), &format!("{}/login", rb.url))
            .await
            .body
            .contains("id=\"sign-in-zoho\"")
    })
    .await;
    eventually("the directory holds the new contacts", async || {
        let admin_view = rb.get("/api/lookup?number=4155550162").await.body;
        admin_view.contains("Newer") && admin_view.contains("Own")
    })
    .await;

    let chen_browser = signed_in(&rb, &zoho, "chen@corp.test").await;
    let ben_browser = signed_in(&rb, &zoho, "ben@corp.test").await;

    // Dana's caller rings Chen: a record he cannot open, nothing of it shown.
    let pop = ringing(&rb, &chen_browser, &pbx, "4155550161", "1003").await;
    assert_eq!(pop["record"]["access"], "hidden", "{pop}");
    assert_eq!(pop["record"]["name"], "", "{pop}");
    assert_eq!(pop["record"]["url"], "", "{pop}");
    assert!(
        !pop.to_string().contains("Secret") && !pop.to_string().contains(&danas),
        "{pop}"
    );
    let seen = lookup(&rb, &chen_browser, "4155550161").await;
    assert_eq!(
        (seen["records"].clone(), seen["hidden"].clone()),
        (json!([]), json!(true)),
        "{seen}"
    );

    // Their manager sees the same caller, name and link.
    let pop = ringing(&rb, &ben_browser, &pbx, "4155550161", "1002").await;
    assert_eq!(pop["record"]["access"], "visible", "{pop}");
    assert_eq!(pop["record"]["name"], "Dana's Secret", "{pop}");
    assert!(
        pop["record"]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&danas)),
        "{pop}"
    );

    // A shared number: Chen's chooser lists his own record only; Ben's both.
    let chens = lookup(&rb, &chen_browser, "4155550162").await;
    let names = |v: &Value| -> Vec<String> {
        v["records"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(names(&chens), ["Chen's Own"], "{chens}");
    let bens = lookup(&rb, &ben_browser, "4155550162").await;
    assert_eq!(names(&bens).len(), 2, "{bens}");

    // Chen creates a contact: made by Chen, with his grant.
    let (status, body) = create_contact(&rb, &chen_browser, "Made By Chen", "4155550163").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let record = zoho
        .records(Module::Contacts)
        .into_iter()
        .find(|r| r["Last_Name"] == "Made By Chen")
        .expect("in Zoho");
    assert_eq!(record["Created_By"]["id"], chen.as_str(), "{record}");
    assert_eq!(record["Owner"]["id"], chen.as_str(), "{record}");

    // Zoho refuses Priya's create (her profile): she sees Zoho's reason.
    let priya = signed_in(&rb, &zoho, "priya@corp.test").await;
    let (status, body) = create_contact(&rb, &priya, "Not By Priya", "4155550164").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("permission denied"), "Zoho's reason: {body}");
    assert!(
        !zoho
            .records(Module::Contacts)
            .iter()
            .any(|r| r["Last_Name"] == "Not By Priya"),
        "not made with the admin's grant instead"
    );

    // Zoho revokes Chen's grants: within the TTL his pops show no CRM
    // details (never the admin's view), and the panel's banner says why (no_grant).
    let revoked: Value = Client::new()
        .post(format!("{}/_sim/faults", zoho.api_url()))
        .json(&json!({"kind": "revoke-tokens", "email": "chen@corp.test"}))
        .send()
        .await
        .expect("revoked at Zoho")
        .json()
        .await
        .expect("JSON");
    assert_eq!(revoked["revoked_refresh_tokens"], 1, "{revoked}");
    tokio::time::sleep(Duration::from_secs(TTL_SECS + 1)).await;
    let pop = ringing(&rb, &chen_browser, &pbx, "4155550162", "1003").await;
    assert_eq!(pop["record"]["access"], "no_grant", "{pop}");
    assert!(
        !pop.to_string().contains("Own") && !pop.to_string().contains("Newer"),
        "{pop}"
    );
    let seen = lookup(&rb, &chen_browser, "4155550162").await;
    assert_eq!(
        (seen["records"].clone(), seen["no_grant"].clone()),
        (json!([]), json!(true)),
        "{seen}"
    );

    // Chen signs in again, then the admin revokes: at once, no CRM details.
    let chen_browser = signed_in(&rb, &zoho, "chen@corp.test").await;
    assert_eq!(
        names(&lookup(&rb, &chen_browser, "4155550162").await),
        ["Chen's Own"]
    );
    assert!(
        get(&chen_browser, &format!("{}/panel", rb.url))
            .await
            .body
            .contains(BANNER_HIDDEN),
        "a live grant: no banner"
    );
    let accounts = rb.get("/admin/accounts").await;
    let at = accounts
        .body
        .find("<td>chen@corp.test</td>")
        .expect("Chen's account");
    let id: String = accounts.body[at..]
        .split("/admin/accounts/")
        .nth(1)
        .expect("a link")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let revoked = rb
        .post(&format!("/admin/accounts/{id}/revoke-zoho"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    // The panel says so as it loads, before any pop or lookup.
    let panel = get(&chen_browser, &format!("{}/panel", rb.url)).await;
    assert!(
        panel.body.contains(BANNER_SHOWN) && !panel.body.contains(BANNER_HIDDEN),
        "{}",
        panel.body
    );
    let seen = lookup(&rb, &chen_browser, "4155550162").await;
    assert_eq!(seen["no_grant"], true, "{seen}");
    assert_eq!(seen["records"], json!([]), "{seen}");
}
