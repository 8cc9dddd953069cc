//! What an org's admin configures on fields beyond Zoho's system definitions: fields made
//! mandatory in the layout (e.g. `Company` on Leads) and fields marked unique, which Zoho
//! checks on every insert ("Duplicates are checked for every insert record API call based
//! on unique fields", Insert Records, zoho.com/crm/developer/docs/api/v8/insert-records.html)
//! and answers with `DUPLICATE_DATA` naming the existing record.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::module::Module;
use super::render::minified_user;
use super::{Record, Store};
use crate::error::ApiError;
use axum::http::StatusCode;

/// Layout-mandatory and unique fields per module (API names). None by default: which
/// fields a new org has marked unique is not documented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub mandatory: BTreeMap<Module, Vec<String>>,
    pub unique: BTreeMap<Module, Vec<String>>,
}

impl Layout {
    pub fn is_mandatory(&self, module: Module, field: &str) -> bool {
        self.mandatory
            .get(&module)
            .is_some_and(|f| f.iter().any(|x| x == field))
    }
}

/// Text compares without case and surrounding blanks (an e-mail typed twice in different
/// case is the same e-mail); other values compare exactly.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
        _ => a == b,
    }
}

impl Store {
    /// `DUPLICATE_DATA` when a unique field of `rec` holds a value another record of the
    /// module already has (`except`: the record being updated).
    pub fn check_unique(
        &self,
        module: Module,
        rec: &Record,
        idx: usize,
        except: Option<&str>,
    ) -> Result<(), ApiError> {
        let Some(unique) = self.layout.unique.get(&module) else {
            return Ok(());
        };
        for field in unique {
            let Some(value) = rec.get(field).filter(|v| !v.is_null()) else {
                continue;
            };
            let mut same = self.records(module).filter(|r| {
                r.get("id").and_then(Value::as_str) != except
                    && r.get(field).is_some_and(|v| same_value(v, value))
            });
            let Some(first) = same.next() else {
                continue;
            };
            let owner = first["Owner"]["id"].as_str().unwrap_or_default();
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "DUPLICATE_DATA",
                "duplicate data",
                json!({
                    "api_name": field,
                    "json_path": format!("$.data[{idx}].{field}"),
                    "duplicate_record": {
                        "id": first["id"],
                        "Owner": minified_user(self, owner),
                        "module": {
                            "api_name": module.api_name(),
                            "id": format!("5725767{:012}", 1_000 + module.id_suffix()),
                        },
                    },
                    "more_records": same.next().is_some(),
                }),
            ));
        }
        Ok(())
    }
}
