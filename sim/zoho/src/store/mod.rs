//! The simulated org's data: users, org settings and records of each module.

pub mod compare;
pub mod fields;
pub mod fieldsets;
pub mod layout;
pub mod module;
pub mod phone;
pub mod render;
pub mod seed;
pub mod sharing;
pub mod validate;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use module::Module;
use validate::{Mode, canonical_utc, parse_duration, validate};

/// A stored record: field API name → value, datetimes in UTC, lookups as `{"id"}`.
pub type Record = Map<String, Value>;

/// A CRM user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub zuid: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: String,
    pub active: bool,
    pub confirm: bool,
    pub role: String,
    pub profile: String,
    pub time_zone: String,
    pub phone: Option<String>,
    pub created_time: DateTime<Utc>,
    pub modified_time: DateTime<Utc>,
}

impl User {
    pub fn full_name(&self) -> String {
        join_name(self.first_name.as_deref(), &self.last_name)
    }
}

/// Organisation details served by `GET /org`.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub company_name: String,
    pub primary_email: String,
    pub time_zone: Tz,
    pub country: String,
    pub country_code: String,
    pub currency: String,
    pub iso_code: String,
    pub currency_symbol: String,
    pub phone: String,
    pub users_license_purchased: u32,
    pub created_time: DateTime<Utc>,
}

/// An entry of `GET /{Module}/deleted`.
#[derive(Debug, Clone)]
pub struct DeletedRecord {
    pub id: String,
    pub display_name: String,
    pub created_by: String,
    pub deleted_by: String,
    pub deleted_time: DateTime<Utc>,
}

/// Who writes and when.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub user_id: String,
    pub now: DateTime<Utc>,
}

/// The whole data set.
#[derive(Debug, Clone)]
pub struct Store {
    pub org: Org,
    pub users: Vec<User>,
    records: BTreeMap<Module, BTreeMap<String, Record>>,
    deleted: BTreeMap<Module, Vec<DeletedRecord>>,
    next_id: u64,
    pub call_preferences: (bool, bool),
    /// Whether a Missed call needs `Call_Duration` (see `SimConfig::missed_call_needs_duration`).
    pub missed_needs_duration: bool,
    /// Whether a write naming no field of the module is `INVALID_DATA`
    /// (see `SimConfig::refuse_unknown_fields`).
    pub refuse_unknown_fields: bool,
    /// Roles, profiles and module defaults: who sees which records.
    pub sharing: sharing::Sharing,
    /// Layout-mandatory and unique fields.
    pub layout: layout::Layout,
}

/// Zoho ids are 19-digit strings; all ids of one org share a prefix.
const ID_PREFIX: &str = "5725767";

impl Store {
    pub fn empty(org: Org) -> Self {
        Self {
            org,
            users: Vec::new(),
            records: BTreeMap::new(),
            deleted: BTreeMap::new(),
            next_id: 0,
            call_preferences: (true, true),
            missed_needs_duration: false,
            refuse_unknown_fields: false,
            sharing: sharing::Sharing::default(),
            layout: layout::Layout::default(),
        }
    }

    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{ID_PREFIX}{:012}", 1_000_000 + self.next_id * 1_000 + 1)
    }

    pub fn tz(&self) -> Tz {
        self.org.time_zone
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// First active user (the org's primary admin in seeded data).
    pub fn primary_user(&self) -> Option<&User> {
        self.users.iter().find(|u| u.active)
    }

    pub fn get(&self, module: Module, id: &str) -> Option<&Record> {
        self.records.get(&module)?.get(id)
    }

    /// Records in ascending id order (= creation order).
    pub fn records(&self, module: Module) -> impl Iterator<Item = &Record> {
        self.records
            .get(&module)
            .into_iter()
            .flat_map(|m| m.values())
    }

    pub fn deleted(&self, module: Module) -> &[DeletedRecord] {
        self.deleted.get(&module).map_or(&[], Vec::as_slice)
    }

    /// A lookup's `name`.
    pub fn display_name(&self, module: Module, id: &str) -> Option<String> {
        let rec = self.get(module, id)?;
        Some(
            rec.get(module.name_field())
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )
    }

    /// Validates and inserts `$.data[idx]`; returns the new id.
    pub fn insert(
        &mut self,
        module: Module,
        input: &Value,
        idx: usize,
        ctx: &WriteCtx,
    ) -> Result<String, ApiError> {
        let clean = validate(self, module, input, idx, Mode::Insert)?;
        check_call_rules(module, &clean, idx, self.missed_needs_duration)?;
        self.check_unique(module, &clean, idx, None)?;
        Ok(self.insert_clean(module, clean, ctx))
    }

    /// Inserts already-validated fields (also used by PhoneBridge call logging).
    pub fn insert_clean(&mut self, module: Module, clean: Record, ctx: &WriteCtx) -> String {
        let id = self.new_id();
        let now = json!(canonical_utc(ctx.now));
        let me = json!({"id": ctx.user_id});
        let mut rec = Record::new();
        rec.insert("id".into(), json!(id));
        rec.insert("Owner".into(), me.clone());
        rec.extend(clean.into_iter().filter(|(_, v)| !v.is_null()));
        rec.insert("Created_By".into(), me.clone());
        rec.insert("Modified_By".into(), me);
        rec.insert("Created_Time".into(), now.clone());
        rec.insert("Modified_Time".into(), now);
        if module == Module::Calls && !rec.contains_key("CTI_Entry") {
            rec.insert("CTI_Entry".into(), json!(false));
        }
        derive(module, &mut rec);
        self.records
            .entry(module)
            .or_default()
            .insert(id.clone(), rec);
        id
    }

    /// Validates `$.data[idx]` and applies it to record `id` (only sent fields change).
    pub fn update(
        &mut self,
        module: Module,
        id: &str,
        input: &Value,
        idx: usize,
        ctx: &WriteCtx,
    ) -> Result<(), ApiError> {
        if self.get(module, id).is_none() {
            return Err(ApiError::invalid_id(id));
        }
        let clean = validate(self, module, input, idx, Mode::Update)?;
        let mut merged = self.get(module, id).cloned().unwrap_or_default();
        for (k, v) in clean {
            if v.is_null() {
                merged.remove(&k);
            } else {
                merged.insert(k, v);
            }
        }
        check_call_rules(module, &merged, idx, self.missed_needs_duration)?;
        self.check_unique(module, &merged, idx, Some(id))?;
        merged.insert("Modified_By".into(), json!({"id": ctx.user_id}));
        merged.insert("Modified_Time".into(), json!(canonical_utc(ctx.now)));
        derive(module, &mut merged);
        self.records
            .entry(module)
            .or_default()
            .insert(id.to_owned(), merged);
        Ok(())
    }

    /// Moves a record to the recycle bin.
    pub fn delete(&mut self, module: Module, id: &str, ctx: &WriteCtx) -> Result<(), ApiError> {
        let display_name = self.display_name(module, id).unwrap_or_default();
        let rec = self
            .records
            .get_mut(&module)
            .and_then(|m| m.remove(id))
            .ok_or_else(|| ApiError::invalid_id(id))?;
        let created_by = rec["Created_By"]["id"].as_str().unwrap_or_default();
        self.deleted.entry(module).or_default().push(DeletedRecord {
            id: id.to_owned(),
            display_name,
            created_by: created_by.to_owned(),
            deleted_by: ctx.user_id.clone(),
            deleted_time: ctx.now,
        });
        Ok(())
    }
}

/// Calls rule from Zoho's v7 update-records note: Inbound/Outbound calls may not have a zero
/// duration.
/// Rules of the Calls module beyond field types. `missed_needs_duration`: an
/// org where a Missed call without `Call_Duration` is refused as a missing
/// mandatory field (whether Zoho does is unconfirmed, docs/zoho-api.md §5).
fn check_call_rules(
    module: Module,
    rec: &Record,
    idx: usize,
    missed_needs_duration: bool,
) -> Result<(), ApiError> {
    if module != Module::Calls {
        return Ok(());
    }
    let ty = rec.get("Call_Type").and_then(Value::as_str);
    let duration_blank = rec.get("Call_Duration").is_none_or(Value::is_null);
    if missed_needs_duration && ty == Some("Missed") && duration_blank {
        return Err(ApiError::mandatory_not_found(
            "Call_Duration",
            &format!("$.data[{idx}].Call_Duration"),
        ));
    }
    let secs = rec
        .get("Call_Duration")
        .and_then(Value::as_str)
        .and_then(parse_duration);
    if matches!(ty, Some("Inbound" | "Outbound")) && secs == Some(0) {
        return Err(ApiError::invalid_data(json!({
            "api_name": "Call_Duration", "json_path": format!("$.data[{idx}].Call_Duration")
        })));
    }
    Ok(())
}

/// Read-only fields Zoho derives from others.
fn derive(module: Module, rec: &mut Record) {
    match module {
        Module::Contacts | Module::Leads => {
            let first = rec.get("First_Name").and_then(Value::as_str);
            let last = rec
                .get("Last_Name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let full = join_name(first, last);
            rec.insert("Full_Name".into(), json!(full));
        }
        Module::Calls => {
            let secs = rec
                .get("Call_Duration")
                .and_then(Value::as_str)
                .and_then(parse_duration);
            match secs {
                Some(s) => rec.insert("Call_Duration_in_seconds".into(), json!(s)),
                None => rec.remove("Call_Duration_in_seconds"),
            };
        }
        Module::Accounts | Module::Deals => {}
    }
}

fn join_name(first: Option<&str>, last: &str) -> String {
    match first.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => format!("{f} {last}"),
        None => last.to_owned(),
    }
}
