//! Transfers, blind and attended: one log for the call, the original caller
//! kept, the total talk time, owned by the last agent who talked (or, as a
//! setting, the first).

use ringbridge_core::tracker::OwnerPolicy;
use ringbridge_sim_zoho::Module;

use super::{crm_started_at, pbx_started_at, start_with};
use crate::support::*;

/// Ana Pereira (Zylker Inc) calls Omar (1006), who consults Ben (1002) on a
/// call of its own and completes the transfer. The caller talks 15 s to
/// Omar, waits 4 s + 10 s on hold while Omar consults, then talks 40 s to
/// Ben: 69 s in all (the 5 s of ringing are not talk time).
async fn attended(w: &ringbridge::world::World) -> String {
    let ids = play(
        w,
        "attended_transfer",
        &[
            ("caller", "4155550123"),
            ("agent", "1006"),
            ("target", "1002"),
        ],
    )
    .await;
    assert_eq!(
        ids.len(),
        1,
        "the consultation is not a call of the caller's"
    );
    ids[0].clone()
}

/// Bob Miller calls Maya (1005), who blind-transfers him to Priya (1007):
/// 20 s with Maya, 5 s ringing Priya while still in the call, 30 s with
/// Priya: 55 s.
async fn blind(w: &ringbridge::world::World) -> String {
    play(
        w,
        "blind_transfer",
        &[
            ("caller", "4155550124"),
            ("agent", "1005"),
            ("target", "1007"),
        ],
    )
    .await
    .remove(0)
}

#[tokio::test]
async fn attended_transfer_is_one_log_for_the_caller_owned_by_the_last_agent() {
    let w = start_with(|_| {}).await;
    let id = attended(&w).await;
    // Two finished calls: the caller's, and the agents' internal consultation
    // (not logged: internal calls are off by default).
    settle(&w, 2).await;
    let calls = crm_calls(&w);
    assert_eq!(
        calls.len(),
        1,
        "one log for the transferred call: {calls:#?}"
    );
    let log = call_for(&calls, &id);
    assert_eq!(log["Call_Type"], "Inbound");
    assert_eq!(log["Caller_ID"], "+14155550123", "the original caller");
    assert_eq!(
        log["Who_Id"]["id"],
        record_id(&w, Module::Contacts, "Pereira").as_str()
    );
    assert_eq!(
        log["Call_Duration"], "01:09",
        "the caller's total talk time"
    );
    assert_eq!(log["Call_Duration_in_seconds"], 69);
    assert_eq!(
        log["Owner"]["id"],
        user_id(&w, "ben@corp.test").as_str(),
        "the agent who talked last (1002)"
    );
    assert_eq!(crm_started_at(log), pbx_started_at(&w, &id));
    w.stop().await;
}

#[tokio::test]
async fn blind_transfer_log_has_the_total_duration() {
    let w = start_with(|_| {}).await;
    let id = blind(&w).await;
    settle(&w, 1).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let log = call_for(&calls, &id);
    assert_eq!(log["Call_Type"], "Inbound");
    assert_eq!(log["Caller_ID"], "+14155550124");
    assert_eq!(
        log["Who_Id"]["id"],
        record_id(&w, Module::Contacts, "Miller").as_str()
    );
    assert_eq!(log["Call_Duration"], "00:55", "both agents' parts together");
    assert_eq!(log["Owner"]["id"], user_id(&w, "priya@corp.test").as_str());
    w.stop().await;
}

#[tokio::test]
async fn with_the_first_talker_setting_transfers_belong_to_the_first_agent() {
    let w = start_with(|s| s.owner = OwnerPolicy::FirstTalker).await;
    let attended_id = attended(&w).await;
    let blind_id = blind(&w).await;
    settle(&w, 3).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 2, "{calls:#?}");

    let a = call_for(&calls, &attended_id);
    assert_eq!(
        a["Owner"]["id"],
        user_id(&w, "omar@corp.test").as_str(),
        "who answered first (1006), not the transfer target"
    );
    assert_eq!(a["Caller_ID"], "+14155550123");
    assert_eq!(a["Call_Duration"], "01:09");

    let b = call_for(&calls, &blind_id);
    assert_eq!(b["Owner"]["id"], user_id(&w, "maya@corp.test").as_str());
    assert_eq!(b["Caller_ID"], "+14155550124");
    assert_eq!(b["Call_Duration"], "00:55");
    // Who the log is about and how long it took do not depend on the owner rule.
    assert_eq!(
        b["Who_Id"]["id"],
        record_id(&w, Module::Contacts, "Miller").as_str()
    );
    w.stop().await;
}
