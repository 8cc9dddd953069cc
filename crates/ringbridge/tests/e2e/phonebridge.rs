//! PhoneBridge mode end to end: the Zoho simulator's PhoneBridge
//! notifications and Calls records, the Yeastar simulator's dials.

use std::time::Duration;

use ringbridge::world::{World, WorldOptions};
use ringbridge_core::outbox::JobKind;
use ringbridge_sim_zoho::CallControlAction;
use ringbridge_sim_zoho::Notification;

use crate::support::*;

mod calls;
mod control;
mod dial;
mod dial_failure;
mod dial_policy;
mod linking;

pub fn pb_options() -> WorldOptions {
    let mut o = options();
    o.phonebridge = true;
    o
}

pub async fn pb_world() -> World {
    World::start(pb_options()).await.expect("world starts")
}

/// `callnotify` requests for this PBX call, once its terminal arrived.
pub async fn notified(w: &World, call_id: &str) -> Vec<Notification> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let ns: Vec<Notification> = w
            .zoho_sim
            .notifications()
            .into_iter()
            .filter(|n| n.endpoint == "callnotify")
            .filter(|n| {
                n.param("id")
                    .is_some_and(|id| id == call_id || id.starts_with(&format!("{call_id}-")))
            })
            .collect();
        if ns.iter().any(|n| n.call_id.is_some()) {
            for n in &ns {
                assert_eq!(n.status, 200, "Zoho accepted {:?}", n.params);
            }
            return ns;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no terminal notification for {call_id}: {ns:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `(id, state, zohouser)` per notification.
pub fn summary(ns: &[Notification]) -> Vec<(String, String, String)> {
    ns.iter()
        .map(|n| {
            let p = |k: &str| n.param(k).unwrap_or_default().to_owned();
            (p("id"), p("state"), p("zohouser"))
        })
        .collect()
}

/// The Calls records PhoneBridge logged for this PBX call (the simulator
/// names the notification's id in the Description).
pub fn logs_for(w: &World, call_id: &str) -> Vec<serde_json::Value> {
    crm_calls(w)
        .into_iter()
        .filter(|c| {
            c["Description"]
                .as_str()
                .is_some_and(|d| d.contains(&format!("PhoneBridge call {call_id}")))
        })
        .collect()
}

/// Everything settled; the calls were logged by PhoneBridge, none by REST.
pub async fn settled_in_phonebridge(w: &World, calls: u64) {
    settle(w, calls).await;
    let rest = w.counts(JobKind::WriteCallLog).await.unwrap();
    assert_eq!(
        rest.done + rest.pending + rest.failed,
        0,
        "no REST call logs"
    );
    let pb = w.counts(JobKind::NotifyPhoneBridge).await.unwrap();
    assert_eq!(pb.failed, 0, "{pb:?}");
}

#[tokio::test]
async fn every_mapped_user_is_registered_and_switching_off_uninstalls() {
    let w = pb_world().await;
    assert!(w.zoho_sim.phonebridge_integrated());
    let users = w.engine.context().users();
    let registered = w.zoho_sim.clicktodial_registrations();
    let control = w.zoho_sim.callcontrol_registrations();
    let maya = user_id(&w, "maya@corp.test");
    assert!(registered.len() >= 7, "{registered:?}");
    for (_, mapped) in users.iter() {
        let reg = &registered[&mapped.crm_user_id];
        assert_eq!(
            reg.uri,
            format!("{}/zoho/phonebridge/clicktodial", w.http_url)
        );
        let auth = reg.authorization.as_ref().expect("authorization value");
        assert_eq!(auth.name, "X-Ringbridge-Auth");
        assert!(auth.value.len() >= 32);
        let cc = &control[&mapped.crm_user_id];
        for (action, path) in [
            (CallControlAction::Answer, "answer"),
            (CallControlAction::Hangup, "hangup"),
            (CallControlAction::Hold, "hold"),
            (CallControlAction::Unhold, "unhold"),
            (CallControlAction::Mute, "mute"),
            (CallControlAction::Unmute, "unmute"),
        ] {
            assert_eq!(
                cc.uris.get(&action).map(String::as_str),
                Some(format!("{}/zoho/phonebridge/callcontrol/{path}", w.http_url).as_str())
            );
        }
        assert_eq!(cc.uris.len(), 6, "no keypress: the PBX cannot send tones");
    }
    let values: std::collections::BTreeSet<_> = registered
        .values()
        .filter_map(|r| r.authorization.as_ref().map(|a| a.value.clone()))
        .collect();
    assert_eq!(values.len(), registered.len(), "one value per user");

    // Unmapping a user unregisters them.
    let mut map = users.clone();
    map.remove("1005");
    w.engine.context().set_users(map);
    let report = w
        .phonebridge
        .registration
        .sync_users(&w.engine.context().users())
        .await
        .unwrap();
    assert_eq!(report.unregistered, vec![maya.clone()]);
    assert!(!w.zoho_sim.clicktodial_registrations().contains_key(&maya));
    assert!(!w.zoho_sim.callcontrol_registrations().contains_key(&maya));

    // Mode off: REST again, integration removed.
    w.phonebridge
        .switch(ringbridge_core::console::CrmMode::Rest)
        .await
        .unwrap();
    assert!(!w.zoho_sim.phonebridge_integrated());
    assert!(w.phonebridge.registration.registered().is_empty());
    w.stop().await;
}

#[tokio::test]
async fn registrations_survive_a_restart_on_every_database() {
    use ringbridge::serve::phonebridge::PhoneBridgeRegistration;
    use ringbridge_web::phonebridge::PhoneBridgeHooks;
    use secrecy::ExposeSecret;

    for db in ringbridge_store::testing::fresh_databases().await {
        let mut options = pb_options();
        options.database_url = Some(db.url.clone());
        let w = World::start(options).await.expect("world starts");
        let before = w.phonebridge.registration.registered();
        assert!(!before.is_empty(), "{:?}", db.backend);

        // A new process: the values come back from the encrypted store.
        let store: std::sync::Arc<dyn ringbridge_core::store::Store> =
            std::sync::Arc::new(w.store.clone());
        let again = PhoneBridgeRegistration::new(w.zoho.phonebridge(), store, &w.http_url)
            .expect("registration");
        again.load().await.expect("load");
        assert_eq!(again.registered(), before, "{:?}", db.backend);
        let zoho = w.zoho_sim.clicktodial_registrations();
        for user in &before {
            let expected = &zoho[user].authorization.as_ref().unwrap().value;
            let loaded = again.authorization(user).expect("value");
            assert_eq!(loaded.expose_secret(), expected, "{:?}", db.backend);
        }
        w.stop().await;
    }
}
