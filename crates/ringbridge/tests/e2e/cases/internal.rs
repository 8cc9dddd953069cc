//! Internal calls: recognised from the PBX's own data (not from how many
//! digits a number has), logged only when the setting says so, and an
//! extension number is never looked up in the CRM.

use ringbridge::world::World;
use ringbridge_sim_zoho::Module;

use super::{logs_for, start_options};
use crate::support::*;

/// An extension whose number looks like an outside one: ten digits, a
/// valid US number. Only the PBX's data can tell it is an extension.
const LONG_EXTENSION: &str = "4155550777";

async fn world_with_long_extension(log_internal: bool) -> World {
    start_options(|o| {
        let mut ext = o.pbx.company.extensions[0].clone();
        ext.id = 199;
        ext.number = LONG_EXTENSION.into();
        ext.caller_id_name = "Front Desk".into();
        ext.email_addr = String::new();
        o.pbx.company.extensions.push(ext);
        o.settings.logging.internal = log_internal;
    })
    .await
}

/// Every CRM lookup request (search or COQL) ringbridge sent, as text.
fn lookups(w: &World) -> Vec<String> {
    w.zoho_sim
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/search") || r.path.contains("/coql"))
        .map(|r| {
            let query: Vec<String> =
                url::form_urlencoded::parse(r.query.as_deref().unwrap_or_default().as_bytes())
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
            format!("{} {} {}", r.path, query.join("&"), r.body_text())
        })
        .collect()
}

/// `text` holds `digits` as a number of its own (not inside a longer one,
/// such as a record id).
fn mentions(text: &str, digits: &str) -> bool {
    text.match_indices(digits).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + digits.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[tokio::test]
async fn internal_calls_are_logged_as_internal_and_extensions_are_never_looked_up() {
    let w = world_with_long_extension(true).await;
    let leads_before = w.zoho_sim.records(Module::Leads).len();
    w.zoho_sim.clear_requests();
    let front_desk = play(
        &w,
        "internal",
        &[("caller", LONG_EXTENSION), ("callee", "1005")],
    )
    .await;
    let short = play(&w, "internal", &[("caller", "1004"), ("callee", "1006")]).await;
    // An unknown outside caller, for contrast: it is looked up in the CRM
    // (and, as the demo is set, becomes a Lead).
    let outside = play(&w, "inbound_answered", &[("caller", "4155550192")]).await;
    settle(&w, 3).await;

    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 3, "{calls:#?}");
    for (id, from, to) in [
        (&front_desk[0], LONG_EXTENSION, "1005"),
        (&short[0], "1004", "1006"),
    ] {
        let log = call_for(&calls, id);
        let subject = log["Subject"].as_str().unwrap_or_default();
        assert_eq!(
            subject,
            format!("Internal call {to}"),
            "names who was called"
        );
        let description = log["Description"].as_str().unwrap_or_default();
        assert!(
            description.starts_with(&format!("Internal call with {to}, extension {from}")),
            "{description}"
        );
        // Zoho has no internal call type; filed as the caller's outgoing call.
        assert_eq!(log["Call_Type"], "Outbound");
        assert_eq!(log["Caller_ID"], from, "the extension as the PBX gave it");
        assert_eq!(log["Dialled_Number"], to);
        assert!(log["Who_Id"].is_null() && log["What_Id"].is_null());
    }
    assert_eq!(
        call_for(&calls, &short[0])["Owner"]["id"],
        user_id(&w, "dana@corp.test").as_str(),
        "the caller's user"
    );

    let lookups = lookups(&w);
    assert!(
        lookups.iter().any(|l| l.contains("4155550192")),
        "the outside caller was looked up: {lookups:#?}"
    );
    for ext in [LONG_EXTENSION, "1004", "1005", "1006"] {
        let found: Vec<_> = lookups.iter().filter(|l| mentions(l, ext)).collect();
        assert!(found.is_empty(), "extension {ext} looked up: {found:#?}");
    }
    // Only the outside caller became a Lead.
    let leads = w.zoho_sim.records(Module::Leads);
    assert_eq!(leads.len(), leads_before + 1, "{leads:#?}");
    assert_eq!(call_for(&calls, &outside[0])["Call_Type"], "Inbound");
    w.stop().await;
}

#[tokio::test]
async fn internal_calls_are_skipped_by_default_even_with_outside_looking_numbers() {
    let w = world_with_long_extension(false).await;
    w.zoho_sim.clear_requests();
    let front_desk = play(
        &w,
        "internal",
        &[("caller", "1005"), ("callee", LONG_EXTENSION)],
    )
    .await;
    let outside = play(&w, "outbound_answered", &[("number", "4155550123")]).await;
    settle(&w, 2).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert!(logs_for(&calls, &front_desk[0]).is_empty());
    assert_eq!(call_for(&calls, &outside[0])["Call_Type"], "Outbound");
    let found: Vec<_> = lookups(&w)
        .into_iter()
        .filter(|l| mentions(l, LONG_EXTENSION))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    w.stop().await;
}
