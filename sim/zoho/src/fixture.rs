//! `sim zoho --fixture FILE`: an org described in TOML — edition, org settings and time
//! zone, roles, profiles, module sharing defaults, users and records of every module — so a
//! customer's situation can be rehearsed without writing Rust. `examples/zoho-fixture.toml`
//! shows every key; the simulator's own default org is such a file (`fixtures/default.toml`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::Edition;
use crate::error::SimError;
use crate::store::fields::fields;
use crate::store::layout::Layout;
use crate::store::module::Module;
use crate::store::seed::{OrgSeed, SeedData, SeedRecord, SeedUser};
use crate::store::sharing::{Access, Perm, Profile, Role, Sharing};

/// A loaded fixture: the data, and the edition when the file names one.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub seed: SeedData,
    pub edition: Option<Edition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    edition: Option<Edition>,
    #[serde(default)]
    org: OrgFile,
    #[serde(default)]
    roles: Vec<RoleFile>,
    #[serde(default)]
    profiles: Vec<ProfileFile>,
    /// Module API name → organisation-wide default.
    #[serde(default)]
    sharing: BTreeMap<String, Access>,
    users: Vec<UserFile>,
    #[serde(default)]
    records: Vec<RecordFile>,
    /// Module API name → fields the layout makes mandatory (e.g. `Leads = ["Company"]`).
    #[serde(default)]
    mandatory: BTreeMap<String, Vec<String>>,
    /// Module API name → fields marked unique (inserts repeating a value: `DUPLICATE_DATA`).
    #[serde(default)]
    unique: BTreeMap<String, Vec<String>>,
}

/// Keys left out take neutral values (UTC, US dollars, 10 licences).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct OrgFile {
    company_name: String,
    primary_email: String,
    /// IANA name, e.g. `Europe/Berlin`.
    time_zone: String,
    country: String,
    country_code: String,
    currency: String,
    currency_symbol: String,
    phone: String,
    users_license_purchased: u32,
}

impl Default for OrgFile {
    fn default() -> Self {
        Self {
            company_name: "Simulated Org".into(),
            primary_email: String::new(),
            time_zone: "UTC".into(),
            country: String::new(),
            country_code: String::new(),
            currency: "US Dollar".into(),
            currency_symbol: "$".into(),
            phone: String::new(),
            users_license_purchased: 10,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleFile {
    name: String,
    reports_to: Option<String>,
    #[serde(default)]
    share_with_peers: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    /// Module API name → permissions; modules left out get none.
    #[serde(default)]
    modules: BTreeMap<String, BTreeSet<Perm>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFile {
    first_name: Option<String>,
    last_name: String,
    email: String,
    role: String,
    profile: String,
    #[serde(default = "yes")]
    active: bool,
    phone: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordFile {
    module: String,
    /// Names the record for `{ ref = "key" }` lookups of later records.
    key: Option<String>,
    /// E-mail of the owner (default: the first active user).
    owner: Option<String>,
    /// Field API name → value as in a REST insert; `{ ref = "key" }` links a seeded record,
    /// `{ user = "e-mail" }` a user. Dates and times go in quotes (`"2030-01-31"`).
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
}

fn module(name: &str) -> Result<Module, SimError> {
    Module::parse(name).ok_or_else(|| SimError::UnknownModule(name.to_owned()))
}

impl Fixture {
    /// Parses a fixture; roles, profiles and modules are checked, records are validated when
    /// the simulator starts (exactly like API inserts).
    pub fn from_toml(text: &str) -> Result<Self, SimError> {
        let file: FixtureFile =
            toml::from_str(text).map_err(|e| SimError::Config(format!("fixture: {e}")))?;
        let o = file.org;
        let org = OrgSeed {
            company_name: o.company_name,
            primary_email: o.primary_email,
            time_zone: o.time_zone,
            country: o.country,
            country_code: o.country_code,
            currency: o.currency,
            currency_symbol: o.currency_symbol,
            phone: o.phone,
            users_license_purchased: o.users_license_purchased,
        };
        let users = file
            .users
            .into_iter()
            .map(|u| SeedUser {
                first_name: u.first_name,
                last_name: u.last_name,
                email: u.email,
                role: u.role,
                profile: u.profile,
                active: u.active,
                phone: u.phone,
            })
            .collect();
        let sharing = sharing(file.roles, file.profiles, file.sharing)?;
        let records = file
            .records
            .into_iter()
            .map(|r| {
                let mut fields = r.fields;
                if let Some(owner) = r.owner {
                    fields.insert("Owner".into(), json!({"user": owner}));
                }
                Ok(SeedRecord {
                    module: module(&r.module)?,
                    key: r.key,
                    fields: Value::Object(fields),
                })
            })
            .collect::<Result<_, SimError>>()?;
        Ok(Self {
            seed: SeedData {
                org,
                users,
                records,
                sharing,
                layout: Layout {
                    mandatory: field_lists(file.mandatory)?,
                    unique: field_lists(file.unique)?,
                },
            },
            edition: file.edition,
        })
    }

    /// Reads and parses a fixture file.
    pub fn load(path: &Path) -> Result<Self, SimError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SimError::Config(format!("fixture {}: {e}", path.display())))?;
        Self::from_toml(&text).map_err(|e| match e {
            SimError::Config(m) => SimError::Config(format!("{}: {m}", path.display())),
            other => other,
        })
    }
}

/// Module names parsed, every field checked against the module's fields.
fn field_lists(
    lists: BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<Module, Vec<String>>, SimError> {
    lists
        .into_iter()
        .map(|(m, names)| {
            let module = module(&m)?;
            if let Some(bad) = names
                .iter()
                .find(|n| !fields(module).iter().any(|f| f.api_name == n.as_str()))
            {
                return Err(SimError::Config(format!("{m} has no field {bad:?}")));
            }
            Ok((module, names))
        })
        .collect()
}

fn sharing(
    roles: Vec<RoleFile>,
    profiles: Vec<ProfileFile>,
    defaults: BTreeMap<String, Access>,
) -> Result<Sharing, SimError> {
    let profiles = profiles
        .into_iter()
        .map(|p| {
            let modules = p
                .modules
                .into_iter()
                .map(|(m, perms)| Ok((module(&m)?, perms)))
                .collect::<Result<_, SimError>>()?;
            Ok(Profile {
                name: p.name,
                modules,
            })
        })
        .collect::<Result<_, SimError>>()?;
    let sharing = Sharing {
        roles: roles
            .into_iter()
            .map(|r| Role {
                name: r.name,
                reports_to: r.reports_to,
                share_with_peers: r.share_with_peers,
            })
            .collect(),
        profiles,
        defaults: defaults
            .into_iter()
            .map(|(m, a)| Ok((module(&m)?, a)))
            .collect::<Result<_, SimError>>()?,
    };
    sharing.check().map_err(SimError::Config)?;
    Ok(sharing)
}

/// The simulator's built-in org (what `SimConfig::default()` serves).
const DEFAULT_FIXTURE: &str = include_str!("../fixtures/default.toml");

/// The built-in org, parsed from the embedded default fixture (a unit test proves it parses).
pub fn default_seed() -> SeedData {
    Fixture::from_toml(DEFAULT_FIXTURE)
        .map(|f| f.seed)
        .unwrap_or_else(|e| panic!("the embedded default fixture is valid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_fixture_parses() {
        let seed = default_seed();
        assert_eq!(seed.users[0].email, "jane@zylker.example");
        assert!(seed.records.len() > 5);
    }

    #[test]
    fn unknown_keys_and_modules_are_refused() {
        let base = "[[users]]\nlast_name = \"A\"\nemail = \"a@x\"\nrole = \"R\"\nprofile = \"P\"\n";
        assert!(Fixture::from_toml(base).is_ok());
        assert!(Fixture::from_toml(&format!("{base}colour = \"red\"\n")).is_err());
        assert!(Fixture::from_toml(&format!("{base}[sharing]\nEvents = \"private\"\n")).is_err());
        assert!(Fixture::from_toml(&format!("{base}[sharing]\nContacts = \"secret\"\n")).is_err());
    }
}
