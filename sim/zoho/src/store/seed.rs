//! Sample data and the seeding format. Records may reference each other with `{"ref": key}`
//! (replaced by the id of the seeded record with that key) and users with `{"user": email}`.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::layout::Layout;
use super::module::Module;
use super::sharing::Sharing;
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
    /// Roles, profiles and module defaults (default: everyone sees everything).
    pub sharing: Sharing,
    /// Layout-mandatory and unique fields (default: none beyond Zoho's own).
    pub layout: Layout,
}

impl SeedData {
    /// The built-in org and users, no records.
    pub fn empty() -> Self {
        let mut s = Self::sample();
        s.records.clear();
        s
    }

    /// The default data: a few accounts, contacts and leads with phones in mixed formats,
    /// read from the embedded default fixture (one source of truth with `--fixture`).
    pub fn sample() -> Self {
        crate::fixture::default_seed()
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
        self.sharing.check().map_err(SimError::Config)?;
        store.sharing = self.sharing.clone();
        store.layout = self.layout.clone();
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
