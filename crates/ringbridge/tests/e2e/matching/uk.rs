//! UK numbers, both ways: CRM records typed in any of the usual spellings
//! are found from the PBX's spelling of the same number, on a PBX whose
//! default country is GB and whose users dial "9" for an outside line —
//! from the local directory, and through Zoho's search when the directory
//! does not know the record yet.

use ringbridge::world::{World, WorldOptions};
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_sim_zoho::Module;
use serde_json::json;

use super::{coql_queries, insert, linked, seed};
use crate::support::*;

/// A GB PBX with outside-line prefix 9; unknown callers create nothing, so
/// a failed match shows as an unlinked log instead of hiding behind a new Lead.
pub(super) fn gb_options() -> WorldOptions {
    let mut options = options();
    options.plan = NumberPlan::new("GB")
        .expect("GB is a country")
        .with_outside_line_prefixes(&["9"]);
    options.settings.unknown_inbound = UnknownNumberAction::Nothing;
    options.settings.unknown_outbound = UnknownNumberAction::Nothing;
    options
}

/// Plays a call from `caller` answered by Maya (1005); returns its call id.
async fn inbound(w: &World, caller: &str) -> String {
    play(
        w,
        "inbound_answered",
        &[("caller", caller), ("agent", "1005")],
    )
    .await
    .remove(0)
}

#[tokio::test]
async fn every_uk_spelling_finds_its_record_from_the_local_directory() {
    let mut options = gb_options();
    for (last, phone) in [
        ("Hughes", "+44 20 7946 0000"),
        ("Patel", "0044 20 7946 0001"),
        ("Evans", "020 7946 0002"),
        ("Brown", "(020) 7946-0003"),
    ] {
        seed(
            &mut options,
            Module::Contacts,
            json!({"First_Name": "UK", "Last_Name": last, "Phone": phone}),
        );
    }
    let w = World::start(options).await.unwrap();
    let coql_before = coql_queries(&w);
    // The PBX presents each number in a spelling other than the CRM's.
    let mut expected = Vec::new();
    for (caller, last) in [
        ("02079460000", "Hughes"),
        ("+442079460001", "Patel"),
        ("00442079460002", "Evans"),
        ("442079460003", "Brown"),
    ] {
        expected.push((inbound(&w, caller).await, last, "Caller_ID"));
    }
    // Dialled with the outside-line digit in front of the national number.
    let out = play(
        &w,
        "outbound_answered",
        &[("number", "902079460003"), ("agent", "1004")],
    )
    .await;
    expected.push((out[0].clone(), "Brown", "Dialled_Number"));
    settle(&w, 5).await;

    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 5);
    for (id, last, number_field) in &expected {
        let log = call_for(&calls, id);
        assert_eq!(
            linked(log),
            ("Contacts".to_owned(), record_id(&w, Module::Contacts, last)),
            "call {id} links {last}: {log:#?}"
        );
        let digit = last_digit(last);
        assert_eq!(
            log[*number_field],
            format!("+44207946000{digit}"),
            "the number goes to the CRM in E.164"
        );
    }
    assert_eq!(call_for(&calls, &out[0])["Call_Type"], "Outbound");
    // The live view looks callers up too, so there are more local lookups than calls.
    let stats = w.directory.stats();
    assert!(stats.lookups_local >= 5, "{stats:?}");
    assert_eq!(stats.lookups_remote, 0, "{stats:?}");
    assert_eq!(coql_queries(&w), coql_before, "no search request to Zoho");
    w.stop().await;
}

fn last_digit(last: &str) -> u8 {
    match last {
        "Hughes" => 0,
        "Patel" => 1,
        "Evans" => 2,
        "Brown" => 3,
        "Clarke" => 4,
        "Wright" => 5,
        "Young" => 6,
        other => panic!("no number for {other}"),
    }
}

#[tokio::test]
async fn records_the_directory_has_not_synced_yet_are_found_through_zohos_search() {
    let w = World::start(gb_options()).await.unwrap();
    // Typed into the CRM after the directory's sync; the next incremental
    // refresh is minutes away.
    for (last, phone) in [
        ("Clarke", "(020) 7946-0004"),
        ("Wright", "0044 20 7946 0005"),
        ("Young", "+44 20 7946 0006"),
    ] {
        insert(
            &w,
            Module::Contacts,
            json!({"First_Name": "UK", "Last_Name": last, "Phone": phone}),
        );
    }
    let coql_before = coql_queries(&w);
    let mut expected = Vec::new();
    for (caller, last) in [
        ("+442079460004", "Clarke"),
        ("02079460005", "Wright"),
        ("00442079460006", "Young"),
    ] {
        expected.push((inbound(&w, caller).await, last));
    }
    settle(&w, 3).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 3);
    for (id, last) in &expected {
        assert_eq!(
            linked(call_for(&calls, id)),
            ("Contacts".to_owned(), record_id(&w, Module::Contacts, last)),
            "call {id} links {last}"
        );
    }
    let stats = w.directory.stats();
    assert_eq!(stats.lookups_remote, 3, "each number asked Zoho once");
    let searches = coql_queries(&w) - coql_before;
    assert!(searches >= 3, "{searches} search requests");

    // What the search found is in the directory now: a second call from
    // one of the numbers, spelled yet another way, asks Zoho nothing.
    let again = inbound(&w, "020 7946 0004").await;
    settle(&w, 4).await;
    let calls = crm_calls(&w);
    assert_eq!(
        linked(call_for(&calls, &again)).1,
        record_id(&w, Module::Contacts, "Clarke")
    );
    assert_eq!(w.directory.stats().lookups_remote, 3);
    assert_eq!(coql_queries(&w) - coql_before, searches);
    w.stop().await;
}
