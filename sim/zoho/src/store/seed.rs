//! Sample data and the seeding format. Records may reference each other with `{"ref": key}`
//! (replaced by the id of the seeded record with that key) and users with `{"user": email}`.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::module::Module;
use super::{Org, Store, User, WriteCtx};
use crate::error::SimError;

/// Org settings to seed.
#[derive(Debug, Clone)]
pub struct OrgSeed {
    pub company_name: String,
    pub primary_email: String,
    /// IANA name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub country: String,
    pub country_code: String,
    pub currency: String,
    pub currency_symbol: String,
    pub phone: String,
    pub users_license_purchased: u32,
}

/// A user to seed.
#[derive(Debug, Clone)]
pub struct SeedUser {
    pub first_name: Option<String>,
    pub last_name: String,
    pub email: String,
    pub role: String,
    pub profile: String,
    pub active: bool,
    pub phone: Option<String>,
}

/// A record to seed; `key` names it for `{"ref": key}` lookups.
#[derive(Debug, Clone)]
pub struct SeedRecord {
    pub module: Module,
    pub key: Option<String>,
    pub fields: Value,
}

/// Everything the store starts with.
#[derive(Debug, Clone)]
pub struct SeedData {
    pub org: OrgSeed,
    pub users: Vec<SeedUser>,
    pub records: Vec<SeedRecord>,
}

fn user(first: &str, last: &str, email: &str, role: &str, profile: &str, active: bool) -> SeedUser {
    SeedUser {
        first_name: Some(first.into()),
        last_name: last.into(),
        email: email.into(),
        role: role.into(),
        profile: profile.into(),
        active,
        phone: None,
    }
}

fn rec(module: Module, key: &str, fields: Value) -> SeedRecord {
    SeedRecord {
        module,
        key: Some(key.into()),
        fields,
    }
}

impl SeedData {
    /// Org and users only, no records.
    pub fn empty() -> Self {
        Self {
            org: OrgSeed {
                company_name: "Zylker Ltd".into(),
                primary_email: "jane@zylker.example".into(),
                time_zone: "Europe/Berlin".into(),
                country: "Germany".into(),
                country_code: "DE".into(),
                currency: "Euro".into(),
                currency_symbol: "€".into(),
                phone: "+4930123456".into(),
                users_license_purchased: 10,
            },
            users: vec![
                user(
                    "Jane",
                    "Doe",
                    "jane@zylker.example",
                    "CEO",
                    "Administrator",
                    true,
                ),
                user(
                    "John",
                    "Smith",
                    "john@zylker.example",
                    "Manager",
                    "Standard",
                    true,
                ),
                user(
                    "Priya",
                    "Raman",
                    "priya@zylker.example",
                    "Manager",
                    "Standard",
                    true,
                ),
                user(
                    "Old",
                    "Timer",
                    "old@zylker.example",
                    "Manager",
                    "Standard",
                    false,
                ),
            ],
            records: Vec::new(),
        }
    }

    /// The default data: a few accounts, contacts and leads with phones in mixed formats.
    pub fn sample() -> Self {
        use Module::*;
        let mut s = Self::empty();
        s.records = vec![
            rec(
                Accounts,
                "zylker",
                json!({"Account_Name": "Zylker Inc", "Phone": "+1 (415) 555-0100", "Website": "zylker.example"}),
            ),
            rec(
                Accounts,
                "acme",
                json!({"Account_Name": "Acme GmbH", "Phone": "+49 30 1234567"}),
            ),
            rec(
                Contacts,
                "ana",
                json!({"First_Name": "Ana", "Last_Name": "Pereira", "Email": "ana@example.com",
                "Phone": "+14155550123", "Mobile": "+351 912 345 678", "Account_Name": {"ref": "zylker"}}),
            ),
            rec(
                Contacts,
                "bob",
                json!({"First_Name": "Bob", "Last_Name": "Miller", "Email": "bob@acme.example",
                "Phone": "(415) 555-0124", "Account_Name": {"ref": "acme"}, "Owner": {"user": "john@zylker.example"}}),
            ),
            rec(
                Contacts,
                "chen",
                json!({"First_Name": "Chen", "Last_Name": "Wei", "Phone": "0415 5550125",
                "Home_Phone": "+49 (0)30 9876543"}),
            ),
            rec(
                Contacts,
                "dora",
                json!({"Last_Name": "Dora", "Mobile": "+44 20 7123 4567", "Email": "dora@example.org"}),
            ),
            rec(
                Leads,
                "lee",
                json!({"First_Name": "Lee", "Last_Name": "Park", "Company": "Parkside", "Phone": "+14155550199",
                "Email": "lee@parkside.example", "Lead_Source": "Cold Call"}),
            ),
            rec(
                Leads,
                "max",
                json!({"Last_Name": "Muster", "Company": "Muster AG", "Mobile": "030 555 0000"}),
            ),
            rec(
                Deals,
                "deal1",
                json!({"Deal_Name": "Zylker renewal", "Stage": "Qualification", "Closing_Date": "2030-01-31",
                "Amount": 1200.5, "Account_Name": {"ref": "zylker"}, "Contact_Name": {"ref": "ana"}}),
            ),
        ];
        s
    }

    /// Builds a store (records are validated exactly like API inserts).
    pub fn build(&self, now: DateTime<Utc>) -> Result<Store, SimError> {
        let tz =
            self.org.time_zone.parse().map_err(|_| {
                SimError::Config(format!("unknown time zone {}", self.org.time_zone))
            })?;
        let mut store = Store::empty(Org {
            id: String::new(),
            company_name: self.org.company_name.clone(),
            primary_email: self.org.primary_email.clone(),
            time_zone: tz,
            country: self.org.country.clone(),
            country_code: self.org.country_code.clone(),
            currency: self.org.currency.clone(),
            iso_code: iso_code(&self.org.currency),
            currency_symbol: self.org.currency_symbol.clone(),
            phone: self.org.phone.clone(),
            users_license_purchased: self.org.users_license_purchased,
            created_time: now,
        });
        store.org.id = store.new_id();
        for (n, u) in self.users.iter().enumerate() {
            let id = store.new_id();
            store.users.push(User {
                id,
                zuid: format!("{}", 60_012_345 + n),
                email: u.email.clone(),
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                active: u.active,
                confirm: true,
                role: u.role.clone(),
                profile: u.profile.clone(),
                time_zone: self.org.time_zone.clone(),
                phone: u.phone.clone(),
                created_time: now,
                modified_time: now,
            });
        }
        let owner = store
            .primary_user()
            .map(|u| u.id.clone())
            .ok_or_else(|| SimError::Config("seed needs at least one active user".into()))?;
        let ctx = WriteCtx {
            user_id: owner,
            now,
        };
        let mut keys: Vec<(String, String)> = Vec::new();
        for r in &self.records {
            let fields = resolve(&r.fields, &keys, &store)?;
            let id = store
                .insert(r.module, &fields, 0, &ctx)
                .map_err(SimError::Rejected)?;
            if let Some(k) = &r.key {
                keys.push((k.clone(), id));
            }
        }
        Ok(store)
    }
}

fn iso_code(currency: &str) -> String {
    match currency {
        "Euro" => "EUR",
        "Pound Sterling" => "GBP",
        _ => "USD",
    }
    .into()
}

fn resolve(v: &Value, keys: &[(String, String)], store: &Store) -> Result<Value, SimError> {
    Ok(match v {
        Value::Object(o) if o.len() == 1 && o.contains_key("ref") => {
            let key = o["ref"].as_str().unwrap_or_default();
            let id = keys
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, id)| id.clone())
                .ok_or_else(|| {
                    SimError::Config(format!("seed ref {key:?} not defined before use"))
                })?;
            json!({"id": id})
        }
        Value::Object(o) if o.len() == 1 && o.contains_key("user") => {
            let email = o["user"].as_str().unwrap_or_default();
            let u = store
                .user_by_email(email)
                .ok_or_else(|| SimError::UnknownUser(email.into()))?;
            json!({"id": u.id})
        }
        Value::Object(o) => {
            let mut out = serde_json::Map::new();
            for (k, x) in o {
                out.insert(k.clone(), resolve(x, keys, store)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}
