//! Ring groups and queues nobody answered: one Missed log per call, none
//! for the agents who rang; its owner is the CRM's default (the user who
//! connected ringbridge) or, as a setting, the group's owner.

use ringbridge::world::World;

use super::start_with;
use crate::support::*;

/// Bob Miller rings group 6300 (Maya, Omar, Priya); Ana Pereira waits in
/// queue 6400 while Ben, Chen and Dana time out. Nobody answers either.
async fn nobody_answers(w: &World) -> (String, String) {
    let group = play(w, "ring_group_unanswered", &[("caller", "4155550124")]).await;
    let queue = play(w, "queue_unanswered", &[("caller", "4155550123")]).await;
    (group[0].clone(), queue[0].clone())
}

const AGENTS: &[&str] = &[
    "maya@corp.test",
    "omar@corp.test",
    "priya@corp.test",
    "ben@corp.test",
    "chen@corp.test",
    "dana@corp.test",
];

#[tokio::test]
async fn unanswered_group_and_queue_calls_are_one_missed_log_each_for_the_default_owner() {
    let w = start_with(|_| {}).await;
    let (group, queue) = nobody_answers(&w).await;
    settle(&w, 2).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "no log for the agents who rang: {calls:#?}");
    // ringbridge connected to Zoho as Ana; with no group owner set, Zoho
    // gives the log to her rather than to an agent picked at random.
    let connected = user_id(&w, "ana@corp.test");
    let agents: Vec<String> = AGENTS.iter().map(|e| user_id(&w, e)).collect();
    for id in [&group, &queue] {
        let log = call_for(&calls, id);
        assert_eq!(log["Call_Type"], "Missed");
        assert_eq!(log["Call_Duration_in_seconds"].as_u64().unwrap_or(0), 0);
        assert_eq!(log["Owner"]["id"], connected.as_str());
        let owner = log["Owner"]["id"].as_str().unwrap_or_default().to_owned();
        assert!(!agents.contains(&owner), "not one of the agents who rang");
    }
    assert_eq!(call_for(&calls, &group)["Caller_ID"], "+14155550124");
    assert_eq!(call_for(&calls, &queue)["Caller_ID"], "+14155550123");
    // The description says nobody took it, not "extension  ()".
    let description = call_for(&calls, &group)["Description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        description.starts_with("Missed call with +14155550124, via ")
            && description.contains(", no one answered, talk time 0:00."),
        "{description}"
    );
    w.stop().await;
}

#[tokio::test]
async fn the_group_missed_owner_setting_gives_missed_group_calls_to_that_user() {
    let w = start_with(|_| {}).await;
    // The setting names a CRM user, whose id is known once the CRM runs.
    let group_owner = user_id(&w, "ben@corp.test");
    let ctx = w.engine.context();
    let mut settings = (*ctx.settings()).clone();
    settings.group_missed_owner = Some(group_owner.clone());
    ctx.set_settings(settings);
    let (group, queue) = nobody_answers(&w).await;
    // A missed call that rang one extension stays that extension's user's.
    let single = play(
        &w,
        "inbound_missed",
        &[("caller", "4155550125"), ("agent", "1006")],
    )
    .await;
    settle(&w, 3).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 3, "{calls:#?}");
    for id in [&group, &queue] {
        let log = call_for(&calls, id);
        assert_eq!(log["Call_Type"], "Missed");
        assert_eq!(
            log["Owner"]["id"],
            group_owner.as_str(),
            "logged once, for the group's owner"
        );
    }
    let single = call_for(&calls, &single[0]);
    assert_eq!(single["Call_Type"], "Missed");
    assert_eq!(
        single["Owner"]["id"],
        user_id(&w, "omar@corp.test").as_str()
    );
    w.stop().await;
}
