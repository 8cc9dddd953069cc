//! Screen pops and logs: inbound, missed, ring group, queue and transfer
//! calls notify the right agents in order, and each call has one log.

use ringbridge_sim_zoho::Module;

use super::*;

fn states(ns: &[Notification]) -> Vec<String> {
    summary(ns).into_iter().map(|(_, s, _)| s).collect()
}

#[tokio::test]
async fn an_inbound_call_rings_answers_and_ends_with_one_log() {
    let w = pb_world().await;
    let maya = user_id(&w, "maya@corp.test");
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    let ns = notified(&w, &ids[0]).await;
    assert_eq!(
        summary(&ns),
        ["ringing", "answered", "ended"].map(|s| (ids[0].clone(), s.to_owned(), maya.clone()))
    );
    for n in &ns {
        assert_eq!(n.param("type"), Some("received"));
        assert_eq!(n.param("from"), Some("+14155550123"), "E.164 for Zoho");
        assert_eq!(n.param("to"), Some("1005"));
    }
    let ended = &ns[2];
    assert!(ended.param("start_time").is_some());
    assert!(ended.param("duration").unwrap().parse::<u64>().unwrap() > 0);
    let voice = ended.param("voiceuri").expect("the recording goes along");
    assert!(
        voice.starts_with(&format!("{}/recordings/", w.http_url)),
        "{voice}"
    );
    assert_eq!(
        reqwest::get(voice).await.unwrap().status(),
        200,
        "the recording plays"
    );

    settled_in_phonebridge(&w, 1).await;
    let logs = logs_for(&w, &ids[0]);
    assert_eq!(logs.len(), 1, "{logs:#?}");
    assert_eq!(logs[0]["Call_Type"], "Inbound");
    assert_eq!(logs[0]["Owner"]["id"], maya.as_str());
    let contact = record_id(&w, Module::Contacts, "Pereira");
    assert_eq!(logs[0]["Who_Id"]["id"], contact.as_str());
    w.stop().await;
}

#[tokio::test]
async fn a_missed_call_is_one_missed_notification_and_log() {
    let w = pb_world().await;
    let omar = user_id(&w, "omar@corp.test");
    let ids = play(
        &w,
        "inbound_missed",
        &[("caller", "4155550123"), ("agent", "1006")],
    )
    .await;
    let ns = notified(&w, &ids[0]).await;
    assert_eq!(
        summary(&ns),
        ["ringing", "missed"].map(|s| (ids[0].clone(), s.to_owned(), omar.clone()))
    );
    assert!(ns[1].param("start_time").is_some());
    settled_in_phonebridge(&w, 1).await;
    let logs = logs_for(&w, &ids[0]);
    assert_eq!(logs.len(), 1, "{logs:#?}");
    assert_eq!(logs[0]["Call_Type"], "Missed");
    w.stop().await;
}

#[tokio::test]
async fn a_ring_group_pops_every_member_and_logs_once_for_the_one_who_answered() {
    let w = pb_world().await;
    let members = ["maya", "omar", "priya"].map(|u| user_id(&w, &format!("{u}@corp.test")));
    let ids = play(
        &w,
        "ring_group_answered",
        &[("caller", "4155550123"), ("agent", "1006")],
    )
    .await;
    let ns = notified(&w, &ids[0]).await;
    let seen = summary(&ns);
    // One Zoho call: every pop shares the id, so the one terminal closes them all.
    assert!(seen.iter().all(|(id, _, _)| *id == ids[0]), "{seen:?}");
    let rang: Vec<&String> = seen
        .iter()
        .filter(|(_, s, _)| s == "ringing")
        .map(|(_, _, u)| u)
        .collect();
    assert_eq!(rang.len(), 3, "{seen:?}");
    for m in &members {
        assert!(rang.contains(&m), "{m} rang: {seen:?}");
    }
    let rest: Vec<_> = seen.iter().filter(|(_, s, _)| s != "ringing").collect();
    let omar = &members[1];
    assert_eq!(
        rest,
        [
            &(ids[0].clone(), "answered".to_owned(), omar.clone()),
            &(ids[0].clone(), "ended".to_owned(), omar.clone()),
        ]
    );
    settled_in_phonebridge(&w, 1).await;
    let logs = logs_for(&w, &ids[0]);
    assert_eq!(logs.len(), 1, "one log for the group call: {logs:#?}");
    assert_eq!(logs[0]["Owner"]["id"], omar.as_str());
    w.stop().await;
}

#[tokio::test]
async fn a_queue_call_pops_its_agents_and_logs_once() {
    let w = pb_world().await;
    let agents = ["ben", "chen", "dana"].map(|u| user_id(&w, &format!("{u}@corp.test")));
    let ids = play(
        &w,
        "queue_answered",
        &[("caller", "4155550123"), ("agent", "1003")],
    )
    .await;
    let ns = notified(&w, &ids[0]).await;
    let seen = summary(&ns);
    let chen = &agents[1];
    assert!(seen.iter().all(|(id, _, _)| *id == ids[0]), "{seen:?}");
    assert!(
        seen.iter()
            .filter(|(_, s, _)| s == "ringing")
            .all(|(_, _, u)| agents.contains(u)),
        "only the queue's agents pop: {seen:?}"
    );
    assert!(seen.contains(&(ids[0].clone(), "ringing".into(), chen.clone())));
    assert_eq!(
        &seen[seen.len() - 2..],
        [
            (ids[0].clone(), "answered".into(), chen.clone()),
            (ids[0].clone(), "ended".into(), chen.clone()),
        ]
    );
    settled_in_phonebridge(&w, 1).await;
    assert_eq!(logs_for(&w, &ids[0]).len(), 1);
    w.stop().await;
}

#[tokio::test]
async fn a_transfer_hands_the_call_to_a_new_id_and_logs_once() {
    let w = pb_world().await;
    let maya = user_id(&w, "maya@corp.test");
    let priya = user_id(&w, "priya@corp.test");
    let ids = play(
        &w,
        "blind_transfer",
        &[
            ("caller", "4155550123"),
            ("agent", "1005"),
            ("target", "1007"),
        ],
    )
    .await;
    let ns = notified(&w, &ids[0]).await;
    let handed = format!("{}-1007", ids[0]);
    assert_eq!(
        summary(&ns),
        [
            (ids[0].clone(), "ringing".into(), maya.clone()),
            (ids[0].clone(), "answered".into(), maya.clone()),
            (handed.clone(), "ringing".into(), priya.clone()),
            (handed.clone(), "answered".into(), priya.clone()),
            (handed.clone(), "ended".into(), priya.clone()),
        ]
    );
    assert_eq!(ns[2].param("transferredcallid"), Some(ids[0].as_str()));
    assert_eq!(states(&ns).iter().filter(|s| *s == "ended").count(), 1);
    settled_in_phonebridge(&w, 1).await;
    let logs = logs_for(&w, &ids[0]);
    assert_eq!(logs.len(), 1, "one log for the transferred call: {logs:#?}");
    w.stop().await;
}

#[tokio::test]
async fn the_processing_job_logs_a_call_the_live_stream_missed() {
    let w = pb_world().await;
    // No live notifier: only the call's processing job can queue the terminal.
    w.phonebridge.stop();
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    let ns = notified(&w, &ids[0]).await;
    assert_eq!(states(&ns), ["ended"], "no live pops, one terminal");
    settled_in_phonebridge(&w, 1).await;
    assert_eq!(logs_for(&w, &ids[0]).len(), 1);
    let jobs = w.counts(JobKind::NotifyPhoneBridge).await.unwrap();
    assert_eq!(jobs.done, 1);
    w.stop().await;
}

#[tokio::test]
async fn contact_sync_and_lead_creation_still_run_in_phonebridge_mode() {
    let w = pb_world().await;
    play(&w, "inbound_answered", &[("caller", "4155550124")]).await;
    let ids = play(&w, "inbound_answered", &[("caller", "4155550191")]).await;
    notified(&w, &ids[0]).await;
    settled_in_phonebridge(&w, 2).await;
    let bobs = w
        .pbx_sim
        .contacts()
        .into_iter()
        .filter(|c| c.first_name == "Bob" && c.last_name == "Miller")
        .count();
    assert_eq!(
        bobs, 1,
        "the matched contact is copied into the PBX phonebook"
    );
    let leads = w
        .zoho_sim
        .records(Module::Leads)
        .into_iter()
        .filter(|l| l["Phone"] == "+14155550191")
        .count();
    assert_eq!(leads, 1, "a lead for the unknown number");
    assert_eq!(
        crm_calls(&w).len(),
        2,
        "one log per call, from PhoneBridge only"
    );
    w.stop().await;
}
