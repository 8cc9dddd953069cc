//! A record created for an unknown caller ends up linked to the call's
//! Zoho log: the terminal notification waits for the record (the rule in
//! the engine's `phonebridge` module docs).

use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_sim_zoho::Module;

use super::*;

#[tokio::test]
async fn an_unknown_callers_new_lead_is_linked_to_the_calls_log() {
    let mut options = pb_options();
    options.settings.unknown_inbound = UnknownNumberAction::CreateLead;
    let w = World::start(options).await.expect("world starts");
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550177"), ("agent", "1005")],
    )
    .await;
    let ns = notified(&w, &ids[0]).await;
    assert_eq!(ns.last().and_then(|n| n.param("state")), Some("ended"));
    settled_in_phonebridge(&w, 1).await;

    let leads: Vec<_> = w
        .zoho_sim
        .records(Module::Leads)
        .into_iter()
        .filter(|l| l["Phone"] == "+14155550177")
        .collect();
    assert_eq!(leads.len(), 1, "one lead for the unknown number");
    let logs = logs_for(&w, &ids[0]);
    assert_eq!(logs.len(), 1, "{logs:#?}");
    assert_eq!(logs[0]["$se_module"], "Leads", "{:#?}", logs[0]);
    assert_eq!(logs[0]["What_Id"]["id"], leads[0]["id"], "{:#?}", logs[0]);
    w.stop().await;
}
