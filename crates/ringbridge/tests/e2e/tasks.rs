//! Issue 16, missed calls become follow-ups: two missed calls from a known
//! caller inside the window make one Zoho Task, owned by the record's owner
//! and related to it; an unknown caller's task follows the Lead created
//! for the number.

use std::time::Duration;

use ringbridge::world::World;
use ringbridge_core::followup::MissedCallTasks;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_sim_zoho::Module;
use serde_json::Value;

use crate::support::*;

fn tasks_for(w: &World, id: &str) -> Vec<Value> {
    w.zoho_sim
        .records(Module::Tasks)
        .into_iter()
        .filter(|t| t["Who_Id"]["id"] == id || t["What_Id"]["id"] == id)
        .collect()
}

async fn eventually_tasks(w: &World, id: &str) -> Vec<Value> {
    for _ in 0..200 {
        let found = tasks_for(w, id);
        if !found.is_empty() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no task for {id}: {:#?}", w.zoho_sim.records(Module::Tasks));
}

#[tokio::test]
async fn two_missed_calls_inside_the_window_make_one_task_related_to_the_caller() {
    let mut o = options();
    o.settings.missed_call_tasks = Some(MissedCallTasks {
        // For records without an owner; Bob's and the new Lead have one (a
        // user Zoho does not know would make it refuse the task).
        owner: Some("4150868000000999999".into()),
        ..MissedCallTasks::default()
    });
    o.settings.unknown_inbound = UnknownNumberAction::CreateLead;
    let w = World::start(o).await.expect("world starts");

    // Bob Miller, a Contact John owns, rings twice and nobody answers.
    play(
        &w,
        "inbound_missed",
        &[("caller", "4155550124"), ("agent", "1005")],
    )
    .await;
    play(
        &w,
        "inbound_missed",
        &[("caller", "4155550124"), ("agent", "1005")],
    )
    .await;
    // An unknown caller: a Lead is created for the number, then its task.
    play(
        &w,
        "inbound_missed",
        &[("caller", "4155550177"), ("agent", "1005")],
    )
    .await;
    settle(&w, 3).await;

    let bob = record_id(&w, Module::Contacts, "Miller");
    let tasks = eventually_tasks(&w, &bob).await;
    let lead = w
        .zoho_sim
        .records(Module::Leads)
        .into_iter()
        .find(|l| l["Phone"] == "+14155550177")
        .expect("a Lead for the unknown caller");
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    let lead_tasks = eventually_tasks(&w, &lead_id).await;
    // Time for a second task to show up, if one were (wrongly) made.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let tasks_again = tasks_for(&w, &bob);
    assert_eq!(
        tasks_again.len(),
        1,
        "one task per window: {tasks_again:#?}"
    );
    let task = &tasks[0];
    assert!(
        task["Subject"].as_str().unwrap().contains("Bob Miller"),
        "{task}"
    );
    let bob_record = w
        .zoho_sim
        .records(Module::Contacts)
        .into_iter()
        .find(|r| r["id"] == bob.as_str())
        .unwrap();
    assert_eq!(
        task["Owner"]["id"], bob_record["Owner"]["id"],
        "the record's owner"
    );
    assert!(task["Due_Date"].as_str().is_some(), "{task}");
    assert_eq!(tasks_for(&w, &lead_id).len(), 1);
    assert_eq!(lead_tasks[0]["$se_module"], "Leads", "{:#?}", lead_tasks[0]);
    assert_eq!(lead_tasks[0]["Owner"]["id"], lead["Owner"]["id"]);
    w.stop().await;
}
