//! "Sign in with Zoho" against both simulators: an agent signs in on the
//! simulator's consent page and lands on the panel, mapped to their
//! extension, with no account made by hand; the grant is theirs (revoked by
//! the agent and by the admin). The attacks named in the issue are each
//! refused: forged or missing state, a state from another browser, code
//! replay, a Zoho user no extension is paired with, an open redirect.

use reqwest::{Client, StatusCode};
use ringbridge_sim_yeastar::SimYeastar;
use ringbridge_sim_zoho::{SeedUser, SimConfig, SimZoho};
use serde_json::Value;

use super::{Page, Ringbridge, eventually, hidden_fields, read, start_connected};

/// A Zoho user whom no extension of the PBX simulator matches by e-mail.
const UNPAIRED: &str = "zed@corp.test";

pub(super) fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

pub(super) async fn get(client: &Client, url: &str) -> Page {
    read(client.get(url).send().await.expect("GET")).await
}

/// `/api/me` as `browser`'s account sees it.
pub(super) async fn me(rb: &Ringbridge, browser: &Client) -> Value {
    browser
        .get(format!("{}/api/me", rb.url))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("JSON")
}

/// In `browser`: `/auth/zoho?next=..` on ringbridge, then the simulator's
/// consent page as `email`, accepted. The callback URL Zoho sends back to.
pub(super) async fn consent(
    rb: &Ringbridge,
    browser: &Client,
    zoho: &SimZoho,
    email: &str,
    next: &str,
) -> String {
    let started = get(browser, &format!("{}/auth/zoho?next={next}", rb.url)).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    assert!(
        started.location.starts_with(zoho.accounts_url()),
        "{}",
        started.location
    );
    for scope in ["ZohoCRM.modules.contacts.READ", "ZohoCRM.users.READ"] {
        assert!(started.location.contains(scope), "{}", started.location);
    }
    assert!(
        !started.location.contains("modules.ALL"),
        "minimal scopes: {}",
        started.location
    );
    let page = get(browser, &started.location).await;
    assert!(page.body.contains("Allow access"), "{}", page.body);
    let mut form: Vec<(String, String)> = hidden_fields(&page.body);
    form.push(("login_email".into(), email.into()));
    form.push(("decision".into(), "accept".into()));
    let accepted = read(
        browser
            .post(format!("{}/oauth/v2/auth/consent", zoho.accounts_url()))
            .form(&form)
            .send()
            .await
            .expect("consent"),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::FOUND, "{}", accepted.body);
    assert!(
        accepted
            .location
            .starts_with(&format!("{}/auth/zoho/callback?", rb.url))
    );
    accepted.location
}

/// The PBX simulator, and the Zoho one (org `seed`) sending people back to
/// the sign-in callback of ringbridge on `listener`.
pub(super) async fn sign_in_simulators(
    seed: ringbridge_sim_zoho::SeedData,
) -> (SimYeastar, SimZoho, std::net::TcpListener) {
    let pbx = SimYeastar::start(Default::default())
        .await
        .expect("PBX simulator");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let zoho = SimZoho::start(SimConfig {
        redirect_uris: vec![format!("{url}/auth/zoho/callback")],
        auto_approve: false,
        seed,
        ..SimConfig::default()
    })
    .await
    .expect("Zoho simulator");
    (pbx, zoho, listener)
}

fn with_state(callback: &str, state: &str) -> String {
    let mut url = url::Url::parse(callback).expect("a URL");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "state")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut q = url.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        if !state.is_empty() {
            q.append_pair("state", state);
        }
    }
    url.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_sign_in_with_zoho_and_attacks_are_refused() {
    let mut seed = ringbridge::demo::seed();
    seed.users.push(SeedUser {
        first_name: Some("Zed".into()),
        last_name: "Unpaired".into(),
        email: UNPAIRED.into(),
        role: "Agent".into(),
        profile: "Standard".into(),
        active: true,
        phone: None,
    });
    let (pbx, zoho, listener) = sign_in_simulators(seed).await;
    let refresh = zoho
        .issue_tokens(ringbridge::world::ZOHO_SCOPES)
        .refresh_token;
    let rb = start_connected(&pbx, &zoho, listener, &refresh).await;
    rb.create_admin().await;
    let chen = zoho.user_id("chen@corp.test").expect("Chen in Zoho");

    // The sign-in page offers Zoho once the user map pairs Chen (the engine runs).
    let agent = browser();
    eventually("the sign-in page offers Zoho", async || {
        get(&agent, &format!("{}/login", rb.url))
            .await
            .body
            .contains("id=\"sign-in-zoho\"")
    })
    .await;
    let grants = zoho.refresh_token_count();

    // A Zoho user no extension is paired with: refused, no account, no grant left.
    let back = consent(&rb, &agent, &zoho, UNPAIRED, "/").await;
    let refused = get(&agent, &back).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains(UNPAIRED) && refused.body.contains("not paired"),
        "{}",
        refused.body
    );
    assert_eq!(
        zoho.refresh_token_count(),
        grants,
        "the refused grant is revoked"
    );
    let accounts = rb.get("/admin/accounts").await;
    assert!(!accounts.body.contains(UNPAIRED), "no account made");

    // Chen's first sign-in, with an open redirect in `next`: a new agent
    // account, paired with extension 1003, on the panel.
    let back = consent(
        &rb,
        &agent,
        &zoho,
        "chen@corp.test",
        "https%3A%2F%2Fevil.example%2F",
    )
    .await;
    let landed = get(&agent, &back).await;
    assert_eq!(
        (landed.status, landed.location.as_str()),
        (StatusCode::SEE_OTHER, "/panel"),
        "{}",
        landed.body
    );
    let me = me(&rb, &agent).await;
    assert_eq!(me["extension"], "1003", "{me}");
    assert_eq!(me["role"], "agent", "{me}");
    assert_eq!(me["crm_user_id"], chen.as_str(), "{me}");
    assert_eq!(zoho.refresh_token_count(), grants + 1, "Chen's own grant");

    // Code replay: the same callback again (its state was used up in this
    // browser), and the used code under a fresh state.
    let replay = get(&agent, &back).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{}", replay.body);
    let fresh = get(&agent, &format!("{}/auth/zoho", rb.url)).await;
    let fresh_state = url::Url::parse(&fresh.location)
        .expect("consent URL")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state");
    let reused = get(&agent, &with_state(&back, &fresh_state)).await;
    assert_eq!(reused.status, StatusCode::FORBIDDEN, "{}", reused.body);
    assert!(reused.body.contains("invalid_code"), "{}", reused.body);

    // Forged, missing and another browser's state.
    let attacker = browser();
    let other = consent(&rb, &attacker, &zoho, "dana@corp.test", "/").await;
    let victim = browser();
    let _ = get(&victim, &format!("{}/auth/zoho", rb.url)).await;
    let cross = get(&victim, &other).await;
    assert_eq!(
        cross.status,
        StatusCode::BAD_REQUEST,
        "another browser's state: {}",
        cross.body
    );
    let _ = get(&victim, &format!("{}/auth/zoho", rb.url)).await;
    for state in ["forged", ""] {
        let forged = get(&victim, &with_state(&other, state)).await;
        assert_eq!(
            forged.status,
            StatusCode::BAD_REQUEST,
            "state {state:?}: {}",
            forged.body
        );
    }
    let me = agent
        .get(format!("{}/api/me", rb.url))
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::OK, "Chen is still signed in");
    let victim_me = victim
        .get(format!("{}/api/me", rb.url))
        .send()
        .await
        .expect("me");
    assert_eq!(
        victim_me.status(),
        StatusCode::UNAUTHORIZED,
        "nobody signed in by the attacks"
    );

    // The accounts page shows who holds a Zoho grant, and offers to revoke
    // only theirs.
    let accounts = rb.get("/admin/accounts").await;
    let chen_row = row(&accounts.body, "chen@corp.test");
    assert!(
        chen_row.contains("Zoho access granted") && chen_row.contains("/revoke-zoho\""),
        "{chen_row}"
    );
    let root_row = row(&accounts.body, "root");
    assert!(
        !root_row.contains("Zoho access granted") && !root_row.contains("/revoke-zoho\""),
        "{root_row}"
    );

    // The admin revokes Chen's grant: gone at Zoho too.
    let id = account_id(&accounts.body, "chen@corp.test");
    let revoked = rb
        .post(&format!("/admin/accounts/{id}/revoke-zoho"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(zoho.refresh_token_count(), grants, "revoked at Zoho");
    let accounts = rb.get("/admin/accounts").await;
    let chen_row = row(&accounts.body, "chen@corp.test");
    assert!(
        !chen_row.contains("Zoho access granted") && !chen_row.contains("/revoke-zoho\""),
        "nothing left to revoke: {chen_row}"
    );

    // Chen signs in again (the same account), then signs out everywhere.
    let back = consent(&rb, &agent, &zoho, "chen@corp.test", "/").await;
    assert_eq!(get(&agent, &back).await.location, "/panel");
    assert_eq!(zoho.refresh_token_count(), grants + 1);
    let home = get(&agent, &format!("{}/", rb.url)).await;
    let token = super::csrf(&home.body);
    let out = read(
        agent
            .post(format!("{}/auth/zoho/revoke", rb.url))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .expect("sign out everywhere"),
    )
    .await;
    assert_eq!(
        (out.status, out.location.as_str()),
        (StatusCode::SEE_OTHER, "/login")
    );
    assert_eq!(zoho.refresh_token_count(), grants, "the agent revoked it");
    let me = agent
        .get(format!("{}/api/me", rb.url))
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "every session ended");
    let accounts = rb.get("/admin/accounts").await;
    assert!(
        accounts.body.contains("chen@corp.test"),
        "the account stays"
    );
}

/// The id in the accounts page's link to `username`'s detail page.
fn account_id(body: &str, username: &str) -> String {
    let at = body
        .find(&format!("<td>{username}</td>"))
        .expect("the account is listed");
    let after = &body[at..];
    let link = after
        .find("/admin/accounts/")
        .expect("a link to the account");
    after[link + "/admin/accounts/".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// The accounts page's table row of `username`.
fn row<'a>(body: &'a str, username: &str) -> &'a str {
    let at = body
        .find(&format!("<td>{username}</td>"))
        .expect("the account is listed");
    let rest = &body[at..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}
