//! The demo company, the same on both sides: Zoho users whose e-mails match
//! the simulated PBX's extensions, and CRM records whose phone numbers are
//! stored in mixed formats, as people type them.

use ringbridge_sim_zoho::{Fixture, Module, SeedData};

/// Outside numbers as the PBX presents them (US national format), with the
/// CRM record each belongs to, if any.
pub const KNOWN_CALLERS: &[&str] = &[
    "4155550123",
    "4155550124",
    "4155550125",
    "4155550126",
    "4155550127",
];
pub const UNKNOWN_CALLERS: &[&str] = &["4155550190", "4155550191", "4155550192"];

/// The demo org is the example fixture (one source of truth for the demo and
/// `sim zoho --fixture examples/zoho-fixture.toml`): a CEO (the admin whose grant
/// ringbridge uses), a manager over the agents, Contacts private.
const FIXTURE: &str = include_str!("../../../../examples/zoho-fixture.toml");

pub fn zoho_seed() -> SeedData {
    Fixture::from_toml(FIXTURE)
        .map(|f| f.seed)
        .unwrap_or_else(|e| panic!("examples/zoho-fixture.toml is valid: {e}"))
}

/// The known callers whose number belongs to a CRM Contact, read from the
/// seed (a number matches when a Contact's phone field, stripped to its
/// digits, ends with it: the seed stores them in mixed formats).
pub fn contact_numbers() -> Vec<&'static str> {
    let seed = zoho_seed();
    let digits = |v: &serde_json::Value| -> Option<String> {
        v.as_str()
            .map(|s| s.chars().filter(char::is_ascii_digit).collect())
    };
    KNOWN_CALLERS
        .iter()
        .copied()
        .filter(|number| {
            seed.records
                .iter()
                .filter(|r| r.module == Module::Contacts)
                .filter_map(|r| r.fields.as_object())
                .flat_map(|fields| fields.values().filter_map(digits))
                .any(|d| d.ends_with(number))
        })
        .collect()
}
