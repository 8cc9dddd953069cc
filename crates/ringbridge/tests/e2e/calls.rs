//! Each call case of the engine issue, checked in the simulated CRM.

use chrono::DateTime;
use ringbridge_core::audit::{AuditOutcome, AuditStore, AuditSystem};
use ringbridge_sim_zoho::Module;

use crate::support::*;

#[tokio::test]
async fn inbound_answered_from_a_known_contact() {
    let mut options = options();
    options.settings.call_results.insert(
        ringbridge_core::policy::CallKind::OutboundUnanswered,
        "No response/Busy".into(),
    );
    let w = ringbridge::world::World::start(options).await.unwrap();
    // The contact's phone is stored as "+1 (415) 555-0123"; the PBX presents 4155550123.
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    settle(&w, 1).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 1);
    let log = call_for(&calls, &ids[0]);
    assert_eq!(log["Call_Type"], "Inbound");
    assert_eq!(
        log["Who_Id"]["id"],
        record_id(&w, Module::Contacts, "Pereira").as_str()
    );
    assert_eq!(
        log["What_Id"]["id"],
        record_id(&w, Module::Accounts, "Zylker Inc").as_str()
    );
    assert_eq!(log["$se_module"], "Accounts");
    assert_eq!(
        log["Owner"]["id"],
        user_id(&w, "maya@corp.test").as_str(),
        "owner = the user mapped to ext 1005"
    );
    assert_eq!(log["Caller_ID"], "+14155550123");
    // 62 s of talk (the scenario's answer-to-hangup time).
    assert_eq!(log["Call_Duration"], "01:02");
    // Same instant as the PBX's record, shown in the org's time zone.
    let cdr = w
        .pbx_sim
        .call_records()
        .into_iter()
        .find(|r| r.call_id == ids[0])
        .expect("CDR");
    let start = DateTime::parse_from_rfc3339(log["Call_Start_Time"].as_str().unwrap()).unwrap();
    assert_eq!(start.timestamp(), cdr.started_at);
    assert_eq!(start.offset().local_minus_utc() % 3600, 0);
    assert_ne!(
        start.offset().local_minus_utc(),
        0,
        "shown in the org's zone (America/Los_Angeles)"
    );
    w.stop().await;
}

#[tokio::test]
async fn ring_group_answered_is_one_log_owned_by_the_answering_agent() {
    let mut options = options();
    options.settings.call_results.insert(
        ringbridge_core::policy::CallKind::OutboundUnanswered,
        "No response/Busy".into(),
    );
    let w = ringbridge::world::World::start(options).await.unwrap();
    let ids = play(
        &w,
        "ring_group_answered",
        &[("caller", "4155550124"), ("agent", "1006")],
    )
    .await;
    settle(&w, 1).await;
    let calls = crm_calls(&w);
    assert_eq!(
        calls.len(),
        1,
        "the agents who rang and did not answer get no log"
    );
    let log = call_for(&calls, &ids[0]);
    assert_eq!(log["Call_Type"], "Inbound");
    assert_eq!(log["Owner"]["id"], user_id(&w, "omar@corp.test").as_str());
    assert_eq!(
        log["Who_Id"]["id"],
        record_id(&w, Module::Contacts, "Miller").as_str()
    );
    w.stop().await;
}

#[tokio::test]
async fn unanswered_group_and_queue_calls_are_one_missed_log_each() {
    let mut options = options();
    options.settings.call_results.insert(
        ringbridge_core::policy::CallKind::OutboundUnanswered,
        "No response/Busy".into(),
    );
    let w = ringbridge::world::World::start(options).await.unwrap();
    let mut ids = play(&w, "ring_group_unanswered", &[("caller", "4155550124")]).await;
    ids.extend(play(&w, "queue_unanswered", &[("caller", "4155550125")]).await);
    settle(&w, 2).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2);
    for id in &ids {
        assert_eq!(call_for(&calls, id)["Call_Type"], "Missed");
    }
    // The Lead is related through What_Id, never Who_Id.
    let lead_log = call_for(&calls, &ids[1]);
    assert_eq!(
        lead_log["What_Id"]["id"],
        record_id(&w, Module::Leads, "Park").as_str()
    );
    assert_eq!(lead_log["$se_module"], "Leads");
    assert!(lead_log["Who_Id"].is_null());
    w.stop().await;
}

#[tokio::test]
async fn queue_and_blind_transfer_are_owned_by_who_talked_last() {
    let mut options = options();
    options.settings.call_results.insert(
        ringbridge_core::policy::CallKind::OutboundUnanswered,
        "No response/Busy".into(),
    );
    let w = ringbridge::world::World::start(options).await.unwrap();
    let queue = play(
        &w,
        "queue_answered",
        &[("caller", "4155550123"), ("agent", "1003")],
    )
    .await;
    let transfer = play(
        &w,
        "blind_transfer",
        &[
            ("caller", "4155550123"),
            ("agent", "1005"),
            ("target", "1007"),
        ],
    )
    .await;
    settle(&w, 2).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2);
    assert_eq!(
        call_for(&calls, &queue[0])["Owner"]["id"],
        user_id(&w, "chen@corp.test").as_str()
    );
    let t = call_for(&calls, &transfer[0]);
    assert_eq!(
        t["Owner"]["id"],
        user_id(&w, "priya@corp.test").as_str(),
        "the agent the call was transferred to"
    );
    assert_eq!(
        t["Caller_ID"], "+14155550123",
        "the original caller is kept"
    );
    w.stop().await;
}

#[tokio::test]
async fn outbound_calls_and_internal_calls() {
    let mut options = options();
    options.settings.call_results.insert(
        ringbridge_core::policy::CallKind::OutboundUnanswered,
        "No response/Busy".into(),
    );
    let w = ringbridge::world::World::start(options).await.unwrap();
    let out = play(
        &w,
        "outbound_answered",
        &[("number", "4155550123"), ("agent", "1004")],
    )
    .await;
    let unanswered = play(
        &w,
        "outbound_unanswered",
        &[("number", "4155550124"), ("agent", "1007")],
    )
    .await;
    play(&w, "internal", &[]).await;
    settle(&w, 3).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "internal calls are not logged by default");
    let o = call_for(&calls, &out[0]);
    assert_eq!(o["Call_Type"], "Outbound");
    assert_eq!(o["Owner"]["id"], user_id(&w, "dana@corp.test").as_str());
    assert_eq!(o["Dialled_Number"], "+14155550123");
    let u = call_for(&calls, &unanswered[0]);
    assert_eq!(u["Call_Type"], "Outbound");
    assert_eq!(u["Owner"]["id"], user_id(&w, "priya@corp.test").as_str());
    assert_eq!(
        u["Call_Result"], "No response/Busy",
        "the configured call result"
    );
    assert!(
        o["Call_Result"].is_null(),
        "none configured for answered calls"
    );
    w.stop().await;
}

#[tokio::test]
async fn two_calls_at_once_from_one_unknown_number_make_two_logs_and_one_lead() {
    let w = world().await;
    let ids = play(&w, "simultaneous_same_caller", &[("caller", "4155550190")]).await;
    assert_eq!(ids.len(), 2);
    settle(&w, 2).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2);
    let leads: Vec<_> = w
        .zoho_sim
        .records(Module::Leads)
        .into_iter()
        .filter(|l| l["Phone"] == "+14155550190")
        .collect();
    assert_eq!(leads.len(), 1, "one record for the number: {leads:#?}");
    let lead_id = leads[0]["id"].as_str().unwrap();
    for id in &ids {
        assert_eq!(call_for(&calls, id)["What_Id"]["id"], lead_id);
    }
    // The audit trail holds the one creation, with the id Zoho gave it.
    let created: Vec<_> = w
        .store
        .recent(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.system == AuditSystem::Crm && e.target == "Leads")
        .collect();
    assert_eq!(created.len(), 1, "{created:#?}");
    assert_eq!(created[0].remote_id.as_deref(), Some(lead_id));
    assert_eq!(created[0].outcome, AuditOutcome::Ok);
    w.stop().await;
}

#[tokio::test]
async fn a_known_contact_is_copied_into_the_pbx_phonebook_once() {
    let w = world().await;
    play(&w, "inbound_answered", &[("caller", "4155550124")]).await;
    play(&w, "outbound_answered", &[("number", "4155550124")]).await;
    settle(&w, 2).await;
    let book = w
        .pbx_sim
        .phonebooks()
        .into_iter()
        .find(|b| b.name == "CRM Contacts")
        .expect("phonebook created");
    let bobs: Vec<_> = w
        .pbx_sim
        .contacts()
        .into_iter()
        .filter(|c| c.first_name == "Bob" && c.last_name == "Miller")
        .collect();
    assert_eq!(bobs.len(), 1, "no duplicate PBX contact");
    assert!(book.members.contains(&bobs[0].id));
    // Every write to the PBX's phonebook is in the audit trail.
    let pbx_writes: Vec<_> = w
        .store
        .recent(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.system == AuditSystem::Pbx)
        .collect();
    assert!(
        pbx_writes.iter().any(|e| e.outcome == AuditOutcome::Ok
            && e.remote_id.as_deref() == Some(bobs[0].id.to_string().as_str())),
        "{pbx_writes:#?}"
    );
    let digits = |n: &str| n.chars().filter(char::is_ascii_digit).collect::<String>();
    assert!(
        bobs[0]
            .numbers
            .iter()
            .any(|(_, n)| digits(n).ends_with("4155550124")),
        "{:?}",
        bobs[0].numbers
    );
    w.stop().await;
}

#[tokio::test]
async fn the_pbx_phonebook_follows_a_name_change_in_the_crm() {
    let w = world().await;
    play(&w, "inbound_answered", &[("caller", "4155550124")]).await;
    settle(&w, 1).await;
    // Bob Miller becomes Robert Miller in Zoho (through the real API, so
    // Modified_Time moves), the directory syncs, Bob calls again.
    let id = record_id(&w, Module::Contacts, "Miller");
    let change = serde_json::json!({"id": id, "First_Name": "Robert"});
    let record = ringbridge_zoho::rest::Record(change.as_object().unwrap().clone());
    let outcome = w
        .zoho
        .rest()
        .update_records("Contacts", &[record], None)
        .await
        .unwrap();
    assert_eq!(outcome.len(), 1);
    w.directory.sync().await.unwrap();
    play(&w, "inbound_answered", &[("caller", "4155550124")]).await;
    settle(&w, 2).await;
    let millers: Vec<_> = w
        .pbx_sim
        .contacts()
        .into_iter()
        .filter(|c| c.last_name == "Miller")
        .collect();
    assert_eq!(millers.len(), 1, "updated, not duplicated: {millers:?}");
    assert_eq!(millers[0].first_name, "Robert");
    w.stop().await;
}

#[tokio::test]
async fn the_call_log_links_to_its_recording_which_plays_without_pbx_credentials() {
    let w = world().await;
    let ids = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    settle(&w, 1).await;
    let calls = crm_calls(&w);
    let link = call_for(&calls, &ids[0])["Voice_Recording__s"]
        .as_str()
        .expect("a recording link")
        .to_owned();
    assert!(
        link.starts_with(&format!("{}/recordings/", w.http_url)),
        "{link}"
    );
    let full = reqwest::get(&link).await.unwrap();
    assert_eq!(full.status(), 200);
    let bytes = full.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"RIFF", "a WAV file, streamed from the PBX");
    // Seeking: a byte range.
    let part = reqwest::Client::new()
        .get(&link)
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.unwrap().len(), 100);
    // A tampered link is refused. The flipped character sits inside the
    // signature (not the last one, whose spare bits a decoder may reject
    // as malformed before any signature check).
    let mut chars: Vec<char> = link.chars().collect();
    let at = chars.len() - 10;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403);
    w.stop().await;
}
