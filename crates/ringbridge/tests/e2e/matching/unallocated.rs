//! Numbers the phone-number metadata does not know — reserved ranges
//! (Ofcom's 07700 900xxx drama range, North America's 555-01xx), newly
//! issued ones — are still numbers: found in the local directory and
//! through Zoho's search, in both directions, with the outside-line digit
//! taken off dialled numbers by the dial plan and the number logged as
//! presented.

use ringbridge::world::World;
use ringbridge_sim_zoho::Module;
use serde_json::json;

use super::uk::gb_options;
use super::{insert, linked, seed};
use crate::support::*;

#[tokio::test]
async fn reserved_uk_numbers_match_their_records_both_ways() {
    let mut options = gb_options();
    seed(
        &mut options,
        Module::Contacts,
        json!({"First_Name": "Drama", "Last_Name": "Okafor", "Mobile": "07700 900123"}),
    );
    let w = World::start(options).await.unwrap();
    // Typed after the directory's sync: found through Zoho's search.
    insert(
        &w,
        Module::Contacts,
        json!({"First_Name": "Drama", "Last_Name": "Lindqvist", "Phone": "+44 7700 900456"}),
    );
    let inbound = play(
        &w,
        "inbound_answered",
        &[("caller", "+447700900123"), ("agent", "1005")],
    )
    .await
    .remove(0);
    // Dialled with the outside-line digit in front of the national number.
    let outbound = play(
        &w,
        "outbound_answered",
        &[("number", "907700900456"), ("agent", "1004")],
    )
    .await
    .remove(0);
    let inbound_unsynced = play(
        &w,
        "inbound_answered",
        &[("caller", "07700900456"), ("agent", "1005")],
    )
    .await
    .remove(0);
    settle(&w, 3).await;

    let calls = crm_calls(&w);
    let okafor = record_id(&w, Module::Contacts, "Okafor");
    let lindqvist = record_id(&w, Module::Contacts, "Lindqvist");
    let log = call_for(&calls, &inbound);
    assert_eq!(linked(log), ("Contacts".to_owned(), okafor), "{log:#?}");
    assert_eq!(log["Caller_ID"], "+447700900123", "as presented");
    let log = call_for(&calls, &outbound);
    assert_eq!(
        linked(log),
        ("Contacts".to_owned(), lindqvist.clone()),
        "{log:#?}"
    );
    assert_eq!(
        log["Dialled_Number"], "07700900456",
        "the outside-line digit is not part of the number"
    );
    let log = call_for(&calls, &inbound_unsynced);
    assert_eq!(linked(log), ("Contacts".to_owned(), lindqvist), "{log:#?}");
    assert_eq!(log["Caller_ID"], "07700900456", "as presented");
    w.stop().await;
}

#[tokio::test]
async fn fictional_north_american_numbers_match_their_records_both_ways() {
    let mut options = options();
    seed(
        &mut options,
        Module::Leads,
        json!({"First_Name": "Film", "Last_Name": "Moreau", "Company": "Studio", "Phone": "(555) 555-0142"}),
    );
    let w = World::start(options).await.unwrap();
    insert(
        &w,
        Module::Contacts,
        json!({"First_Name": "Film", "Last_Name": "Tanaka", "Phone": "+1 555-555-0177"}),
    );
    let inbound = play(
        &w,
        "inbound_answered",
        &[("caller", "15555550142"), ("agent", "1005")],
    )
    .await
    .remove(0);
    let outbound = play(
        &w,
        "outbound_answered",
        &[("number", "5555550177"), ("agent", "1004")],
    )
    .await
    .remove(0);
    settle(&w, 2).await;

    let calls = crm_calls(&w);
    let log = call_for(&calls, &inbound);
    assert_eq!(
        linked(log),
        ("Leads".to_owned(), record_id(&w, Module::Leads, "Moreau")),
        "{log:#?}"
    );
    assert_eq!(log["Caller_ID"], "15555550142");
    let log = call_for(&calls, &outbound);
    assert_eq!(
        linked(log),
        (
            "Contacts".to_owned(),
            record_id(&w, Module::Contacts, "Tanaka")
        ),
        "{log:#?}"
    );
    assert_eq!(log["Dialled_Number"], "5555550177");
    w.stop().await;
}
