//! Zoho CRM REST API v8 (`{api_domain}/crm/v8/...`).
//!
//! Every operation has a pure `build_*` function returning an [`ApiRequest`](crate::ApiRequest)
//! (checked against Zoho's OpenAPI files in tests) and a [`RestClient`] method
//! that sends it and interprets the answer.

mod calls;
mod coql;
mod fields;
mod layouts;
mod org;
mod records;
mod search;
mod users;
mod write;

use serde_json::{Map, Value};

pub use calls::{CallType, CallsRecord, CallsRecordBuilder, RelatedTo, format_duration};
pub use coql::{
    CoqlCondition, CoqlQuery, MAX_COQL_CRITERIA, MAX_COQL_IN_VALUES, MAX_COQL_LIMIT, build_coql,
    phone_lookup_queries,
};
pub use fields::{FieldMeta, Fields, PickListValue, build_fields};
pub use layouts::{LayoutRequired, build_layouts};
pub use org::{LicenseDetails, Org, build_org};
pub use records::{
    ListOutcome, ListParams, SortBy, SortOrder, build_get_record, build_get_records, build_list,
};
pub use search::{
    Converted, Criteria, CriteriaOp, SearchBy, SearchParams, build_search, escape_criteria_value,
};
pub use users::{User, UserType, UsersPage, build_users};
pub use write::{
    MAX_WRITE_BATCH, RecordError, RecordOutcome, Trigger, WriteSuccess, build_delete, build_insert,
    build_update, parse_write_response,
};

use crate::error::{Result, ZohoError};
use crate::transport::{RawResponse, ZohoConnection};

/// Path prefix of every CRM v8 call.
pub const CRM_V8: &str = "/crm/v8";

/// Zoho allows at most 50 field names in `fields`.
pub const MAX_FIELDS: usize = 50;
/// `per_page` maximum.
pub const MAX_PER_PAGE: u32 = 200;

/// One CRM record: field API name → value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record(pub Map<String, Value>);

impl Record {
    pub fn id(&self) -> Option<&str> {
        self.0.get("id").and_then(Value::as_str)
    }

    /// A string field (`None` for null, missing or non-string).
    pub fn str(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(Value::as_str)
    }

    /// The `id` of a lookup field (`{"id": "...", "name": "..."}`).
    pub fn lookup_id(&self, field: &str) -> Option<&str> {
        self.0.get(field)?.get("id")?.as_str()
    }

    /// The `name` of a lookup field.
    pub fn lookup_name(&self, field: &str) -> Option<&str> {
        self.0.get(field)?.get("name")?.as_str()
    }
}

/// The `info` object of list/search/COQL answers.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageInfo {
    pub per_page: Option<u32>,
    pub count: Option<u32>,
    pub page: Option<u32>,
    pub more_records: bool,
    pub next_page_token: Option<String>,
    pub previous_page_token: Option<String>,
    pub page_token_expiry: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
}

/// One page of records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub records: Vec<Record>,
    pub info: PageInfo,
}

impl Page {
    /// Reads `{"data":[...],"info":{...}}`; 204 is an empty page.
    pub(crate) fn from_response(resp: RawResponse) -> Result<Self> {
        match resp.status {
            204 => Ok(Self::default()),
            200 => {
                let v = resp.json()?;
                Self::from_value(resp.status, v)
            }
            _ => Err(resp.into_error()),
        }
    }

    pub(crate) fn from_value(status: u16, mut v: Value) -> Result<Self> {
        let data = match v.get_mut("data").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => return Err(ZohoError::unexpected(status, "answer has no `data` array")),
        };
        let records = data
            .into_iter()
            .map(|item| match item {
                Value::Object(m) => Ok(Record(m)),
                other => Err(ZohoError::unexpected(
                    status,
                    format!("record is not an object: {other}"),
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        let info = match v.get_mut("info").map(Value::take) {
            Some(i @ Value::Object(_)) => serde_json::from_value(i)
                .map_err(|e| ZohoError::undecodable(status, "bad `info`", e))?,
            _ => PageInfo::default(),
        };
        Ok(Self { records, info })
    }
}

/// The CRM REST client of one connection. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RestClient {
    conn: ZohoConnection,
}

impl RestClient {
    pub fn new(conn: ZohoConnection) -> Self {
        Self { conn }
    }

    pub fn connection(&self) -> &ZohoConnection {
        &self.conn
    }
}

/// Checks a module API name (`Contacts`, custom `Calls_X`) and returns the path segment.
pub(crate) fn module_segment(module: &str) -> Result<&str> {
    if !module.is_empty()
        && module
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        Ok(module)
    } else {
        Err(ZohoError::InvalidInput(format!(
            "invalid module API name {module:?}"
        )))
    }
}

/// Checks a record id (digits in practice; kept opaque but path-safe).
pub(crate) fn id_segment(id: &str) -> Result<&str> {
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Ok(id)
    } else {
        Err(ZohoError::InvalidInput(format!("invalid record id {id:?}")))
    }
}

/// Joins field API names for `fields=` (mandatory on record reads since v3; ≤ 50).
pub(crate) fn fields_param(fields: &[String]) -> Result<String> {
    if fields.is_empty() {
        return Err(ZohoError::InvalidInput(
            "`fields` is mandatory and must not be empty".into(),
        ));
    }
    if fields.len() > MAX_FIELDS {
        return Err(ZohoError::InvalidInput(format!(
            "at most {MAX_FIELDS} fields, got {}",
            fields.len()
        )));
    }
    for f in fields {
        if f.is_empty() || f.contains([',', ' ']) {
            return Err(ZohoError::InvalidInput(format!(
                "invalid field API name {f:?}"
            )));
        }
    }
    Ok(fields.join(","))
}

pub(crate) fn check_per_page(per_page: u32) -> Result<u32> {
    if (1..=MAX_PER_PAGE).contains(&per_page) {
        Ok(per_page)
    } else {
        Err(ZohoError::InvalidInput(format!(
            "per_page must be 1..={MAX_PER_PAGE}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn page_parsing() {
        let v = json!({"data":[{"id":"1","Last_Name":"Smith","Account_Name":{"id":"9","name":"Zylker"}}],
            "info":{"per_page":200,"count":1,"page":1,"more_records":false,"next_page_token":null}});
        let p = Page::from_value(200, v).expect("page");
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].id(), Some("1"));
        assert_eq!(p.records[0].lookup_id("Account_Name"), Some("9"));
        assert_eq!(p.records[0].lookup_name("Account_Name"), Some("Zylker"));
        assert!(!p.info.more_records);
        assert!(Page::from_value(200, json!({"users": []})).is_err());
        assert!(Page::from_value(200, json!({"data": [1]})).is_err());
    }

    #[test]
    fn empty_200_is_not_success() {
        let r = RawResponse {
            status: 200,
            headers: Default::default(),
            body: Vec::new(),
        };
        assert!(matches!(
            Page::from_response(r),
            Err(ZohoError::UnexpectedResponse { .. })
        ));
        let r = RawResponse {
            status: 204,
            headers: Default::default(),
            body: Vec::new(),
        };
        assert_eq!(Page::from_response(r).expect("204").records.len(), 0);
    }

    #[test]
    fn input_checks() {
        assert!(module_segment("Contacts").is_ok());
        assert!(module_segment("../org").is_err());
        assert!(id_segment("5725767000001234001").is_ok());
        assert!(id_segment("1/2").is_err());
        assert!(fields_param(&[]).is_err());
        let many: Vec<String> = (0..51).map(|i| format!("F{i}")).collect();
        assert!(fields_param(&many).is_err());
        assert_eq!(fields_param(&["A".into(), "B".into()]).expect("ok"), "A,B");
        assert!(check_per_page(0).is_err());
        assert!(check_per_page(201).is_err());
    }
}
