use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ringbridge::demo;
use ringbridge::world::{World, WorldOptions};
use ringbridge_core::accounts::{
    AccountProfile, AccountStore, ApiScope, NewAccount, Role, Username,
};
use ringbridge_sim_zoho::Module;
use ringbridge_web::AppState;
use ringbridge_web::auth::api_tokens;
use serde_json::Value;

pub fn options() -> WorldOptions {
    demo::options(false)
}

pub async fn world() -> World {
    World::start(options()).await.expect("world starts")
}

/// Plays a built-in scenario with parameters; returns the call ids.
pub async fn play(world: &World, name: &str, params: &[(&str, &str)]) -> Vec<String> {
    let mut scenario = ringbridge_sim_yeastar::builtin(name).expect("scenario");
    for (k, v) in params {
        scenario = scenario.with_param(k, *v).expect("param");
    }
    world.pbx_sim.play(&scenario).await.expect("played")
}

pub async fn settle(world: &World, calls: u64) {
    world
        .settle(calls, Duration::from_secs(60))
        .await
        .expect("settled");
}

pub fn crm_calls(world: &World) -> Vec<Value> {
    world.zoho_sim.calls()
}

pub fn record_id(world: &World, module: Module, last_name: &str) -> String {
    world
        .zoho_sim
        .records(module)
        .into_iter()
        .find(|r| r["Last_Name"] == last_name || r["Account_Name"] == last_name)
        .and_then(|r| r["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("{last_name} in {module:?}"))
}

pub fn user_id(world: &World, email: &str) -> String {
    world.zoho_sim.user_id(email).expect("user")
}

/// The Calls records whose Description names this PBX call (none expected
/// when the policy skips it).
pub fn logs_for<'a>(calls: &'a [Value], call_id: &str) -> Vec<&'a Value> {
    let marker = format!("pbx:{call_id}");
    calls
        .iter()
        .filter(|c| {
            c["Description"]
                .as_str()
                .unwrap_or_default()
                .contains(&marker)
        })
        .collect()
}

/// The one Calls record whose Description names this PBX call.
pub fn call_for<'a>(calls: &'a [Value], call_id: &str) -> &'a Value {
    let matching = logs_for(calls, call_id);
    assert_eq!(
        matching.len(),
        1,
        "exactly one log for call {call_id}: {calls:#?}"
    );
    matching[0]
}

/// An agent account at `extension` and an API token for it.
pub async fn agent(w: &World, name: &str, extension: &str) -> String {
    let account = w
        .store
        .create_account(&NewAccount {
            username: Username::parse(name).unwrap(),
            password_hash: "not used: bearer token".into(),
            profile: AccountProfile {
                display_name: name.into(),
                role: Role::Agent,
                crm_user_id: None,
                extension: Some(extension.into()),
                disabled: false,
            },
            at: Utc::now(),
        })
        .await
        .unwrap();
    let issuer = AppState::new(Arc::new(w.store.clone()), Arc::new(w.store.clone()), None);
    // Every scope: these tests act as the panel would, lookups and records too.
    let grant = api_tokens::TokenGrant {
        scopes: ApiScope::ALL.to_vec(),
        ..api_tokens::TokenGrant::default()
    };
    api_tokens::issue_with(&issuer, account.id, "e2e", &grant)
        .await
        .unwrap()
        .1
}
