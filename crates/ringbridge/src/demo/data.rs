//! The demo company, the same on both sides: Zoho users whose e-mails match
//! the simulated PBX's extensions, and CRM records whose phone numbers are
//! stored in mixed formats, as people type them.

use ringbridge_sim_zoho::{Module, SeedData, SeedRecord, SeedUser};
use serde_json::json;

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

fn user(first: &str, last: &str, email: &str) -> SeedUser {
    SeedUser {
        first_name: Some(first.into()),
        last_name: last.into(),
        email: email.into(),
        role: "Agent".into(),
        profile: "Standard".into(),
        active: true,
        phone: None,
    }
}

fn rec(module: Module, key: &str, fields: serde_json::Value) -> SeedRecord {
    SeedRecord {
        module,
        key: Some(key.into()),
        fields,
    }
}

pub fn zoho_seed() -> SeedData {
    let mut seed = SeedData::empty();
    seed.org.time_zone = "America/Los_Angeles".into();
    seed.org.country = "United States".into();
    seed.org.country_code = "US".into();
    seed.users = vec![
        user("Ana", "Silva", "ana@corp.test"),
        user("Ben", "Okafor", "ben@corp.test"),
        user("Chen", "Wei", "chen@corp.test"),
        user("Dana", "Kim", "dana@corp.test"),
        user("Maya", "Ortiz", "maya@corp.test"),
        user("Omar", "Haddad", "omar@corp.test"),
        user("Priya", "Nair", "priya@corp.test"),
    ];
    seed.records = vec![
        rec(
            Module::Accounts,
            "zylker",
            json!({"Account_Name": "Zylker Inc", "Phone": "(415) 555 0126"}),
        ),
        rec(
            Module::Contacts,
            "ana",
            json!({"First_Name": "Ana", "Last_Name": "Pereira", "Phone": "+1 (415) 555-0123", "Account_Name": {"ref": "zylker"}}),
        ),
        rec(
            Module::Contacts,
            "bob",
            json!({"First_Name": "Bob", "Last_Name": "Miller", "Mobile": "415-555-0124"}),
        ),
        rec(
            Module::Leads,
            "lee",
            json!({"First_Name": "Lee", "Last_Name": "Park", "Company": "Parkside", "Phone": "+14155550125"}),
        ),
        rec(
            Module::Contacts,
            "cara",
            json!({"First_Name": "Cara", "Last_Name": "Diaz", "Phone": "001 415 555 0127"}),
        ),
    ];
    seed
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
