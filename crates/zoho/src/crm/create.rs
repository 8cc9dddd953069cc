//! Creating a Contact or Lead: the fields sent, and Zoho's refusals that the
//! engine acts on (a duplicate it links to, a mandatory field it names).

use std::sync::Arc;

use ringbridge_core::crm::{CrmError, CrmModule, CrmRecordRef, NewRecord};
use serde_json::{Map, Value, json};

use super::map::{crm_error, record_error};
use crate::error::{ApiError, ErrorCode, ZohoError};
use crate::rest::{Fields, RecordError};

/// The fields of a new record. What the caller or agent gave wins over the
/// configured defaults (`n.fields`), which fill the rest.
pub fn new_record_fields(n: &NewRecord) -> Result<Map<String, Value>, CrmError> {
    let mut m = Map::new();
    match n.module {
        CrmModule::Contacts | CrmModule::Leads => {
            m.insert("Last_Name".into(), json!(n.last_name));
            if let Some(f) = &n.first_name {
                m.insert("First_Name".into(), json!(f));
            }
            if let (CrmModule::Leads, Some(c)) = (n.module, &n.company) {
                m.insert("Company".into(), json!(c));
            }
        }
        CrmModule::Accounts => {
            m.insert(
                "Account_Name".into(),
                json!(n.company.clone().unwrap_or_else(|| n.last_name.clone())),
            );
        }
        CrmModule::Deals => {
            return Err(CrmError::Rejected {
                code: "NOT_SUPPORTED".into(),
                message: "Deals are not created from phone numbers".into(),
                field: None,
            });
        }
    }
    m.insert("Phone".into(), json!(n.phone));
    if let Some(o) = &n.owner_id {
        m.insert("Owner".into(), json!({ "id": o }));
    }
    for (field, value) in &n.fields {
        m.entry(field.clone()).or_insert_with(|| json!(value));
    }
    Ok(m)
}

/// Configured defaults are text; a field whose metadata says its values are
/// numbers, booleans or (`Tag`) a list gets the typed value Zoho expects. A
/// value that does not parse is sent as given, for Zoho to name the field.
pub fn type_values(record: &mut Map<String, Value>, fields: &Fields) {
    for (name, value) in record.iter_mut() {
        let (Some(text), Some(meta)) = (value.as_str(), fields.get(name)) else {
            continue;
        };
        let text = text.trim();
        let typed = match meta.json_type.as_deref() {
            Some("integer") => text.parse::<i64>().ok().map(Value::from),
            Some("double") => text.parse::<f64>().ok().map(Value::from),
            Some("boolean") => text.parse::<bool>().ok().map(Value::from),
            Some("jsonarray") if name == "Tag" => Some(Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| json!({ "name": t }))
                    .collect(),
            )),
            _ => None,
        };
        if let Some(typed) = typed {
            *value = typed;
        }
    }
}

/// The first mandatory field (system mandatory, or required by the layout) that
/// `record` leaves blank, in the module's field order. Read-only fields and
/// `Owner` are Zoho's to fill; layout names the metadata does not know are
/// still checked.
pub fn missing_mandatory(
    fields: &Fields,
    layout: &[String],
    record: &Map<String, Value>,
) -> Option<String> {
    let blank = |name: &str| match record.get(name) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    };
    let zohos = |name: &str| name == "Owner" || fields.get(name).is_some_and(|f| f.read_only);
    let system = fields
        .0
        .iter()
        .filter(|f| f.system_mandatory || layout.contains(&f.api_name))
        .map(|f| f.api_name.as_str());
    let layout_only = layout.iter().map(String::as_str).filter(|l| !fields.has(l));
    system
        .chain(layout_only)
        .find(|name| !zohos(name) && blank(name))
        .map(str::to_owned)
}

/// A refused insert of a `module` record, classified: `DUPLICATE_DATA` naming
/// the existing record becomes [`CrmError::Duplicate`], `MANDATORY_NOT_FOUND`
/// naming a field [`CrmError::RequiredField`]; the rest as any Zoho error.
pub fn create_error(module: CrmModule, e: &RecordError) -> CrmError {
    let api = match e {
        RecordError::Rejected(a) => a,
        RecordError::Failed(z) => return request_error(module, Arc::clone(z)),
    };
    refusal(module, api).unwrap_or_else(|| record_error(e))
}

/// The same for an insert request that failed as a whole.
pub fn request_error(module: CrmModule, e: impl Into<Arc<ZohoError>>) -> CrmError {
    let e: Arc<ZohoError> = e.into();
    match &*e {
        ZohoError::Api(api) => refusal(module, api),
        _ => None,
    }
    .unwrap_or_else(|| crm_error(e))
}

fn refusal(module: CrmModule, api: &ApiError) -> Option<CrmError> {
    if let Some(dup) = api.duplicate_record() {
        // Zoho names the duplicate's module; an unknown name means the one written to.
        let dup_module = dup
            .module
            .as_deref()
            .and_then(CrmModule::parse)
            .unwrap_or(module);
        return Some(CrmError::Duplicate {
            existing: CrmRecordRef {
                module: dup_module,
                id: dup.id,
            },
            field: api.api_name().map(str::to_owned),
        });
    }
    match (&api.code, api.api_name()) {
        (ErrorCode::MandatoryNotFound, Some(field)) => Some(CrmError::RequiredField {
            module,
            field: field.to_owned(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, body: Value) -> RecordError {
        RecordError::Rejected(ApiError::from_value(status, &body).expect("error object"))
    }

    /// Zoho's documented `DUPLICATE_DATA` item (Insert Records, v8).
    #[test]
    fn a_duplicate_names_the_existing_record() {
        let body = json!({"code": "DUPLICATE_DATA", "status": "error", "message": "duplicate data",
            "details": {"api_name": "Phone", "json_path": "$.data[0].Phone",
                "duplicate_record": {"id": "4150868000001234567",
                    "Owner": {"id": "4150868000000225013", "name": "Patricia Boyle"},
                    "module": {"api_name": "Leads", "id": "4150868000000002175"}},
                "more_records": false}});
        assert_eq!(
            create_error(CrmModule::Leads, &refused(400, body)),
            CrmError::Duplicate {
                existing: CrmRecordRef {
                    module: CrmModule::Leads,
                    id: "4150868000001234567".into()
                },
                field: Some("Phone".into()),
            }
        );
    }

    #[test]
    fn a_duplicate_without_a_record_stays_a_refusal() {
        let body = json!({"code": "DUPLICATE_DATA", "status": "error", "message": "duplicate data",
            "details": {"api_name": "Email"}});
        let whole = ZohoError::Api(ApiError::from_value(400, &body).expect("error object"));
        for err in [
            create_error(CrmModule::Contacts, &refused(400, body)),
            request_error(CrmModule::Contacts, whole),
        ] {
            match err {
                CrmError::Rejected { code, field, .. } => {
                    assert_eq!(
                        (code.as_str(), field.as_deref()),
                        ("DUPLICATE_DATA", Some("Email"))
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_missing_mandatory_field_is_named() {
        let body = json!({"code": "MANDATORY_NOT_FOUND", "status": "error",
            "message": "required field not found",
            "details": {"api_name": "Company", "json_path": "$.data[0].Company"}});
        let err = create_error(CrmModule::Leads, &refused(400, body));
        assert_eq!(
            err,
            CrmError::RequiredField {
                module: CrmModule::Leads,
                field: "Company".into()
            }
        );
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("Company"), "{err}");
    }

    #[test]
    fn text_defaults_become_the_types_the_fields_take() {
        let fields = Fields(
            serde_json::from_value(json!([
                {"api_name": "No_of_Employees", "json_type": "integer"},
                {"api_name": "Annual_Revenue", "json_type": "double"},
                {"api_name": "Email_Opt_Out", "json_type": "boolean"},
                {"api_name": "Tag", "json_type": "jsonarray"},
                {"api_name": "Lead_Status", "json_type": "string"}
            ]))
            .expect("fields"),
        );
        let mut r = json!({"No_of_Employees": "12", "Annual_Revenue": "2500.5",
            "Email_Opt_Out": "true", "Tag": "pbx, unknown caller", "Lead_Status": "Qualified",
            "Unknown__c": "7"})
        .as_object()
        .cloned()
        .expect("object");
        type_values(&mut r, &fields);
        assert_eq!(
            Value::Object(r.clone()),
            json!({"No_of_Employees": 12, "Annual_Revenue": 2500.5, "Email_Opt_Out": true,
                "Tag": [{"name": "pbx"}, {"name": "unknown caller"}], "Lead_Status": "Qualified",
                "Unknown__c": "7"})
        );
        r.insert("No_of_Employees".into(), json!("many"));
        type_values(&mut r, &fields);
        assert_eq!(r["No_of_Employees"], "many", "left for Zoho to name");
    }

    #[test]
    fn the_first_blank_mandatory_field_is_named() {
        let fields: Fields = Fields(
            serde_json::from_value(json!([
                {"api_name": "Owner", "system_mandatory": true},
                {"api_name": "Last_Name", "system_mandatory": true},
                {"api_name": "Full_Name", "system_mandatory": true, "read_only": true},
                {"api_name": "Company"},
                {"api_name": "Lead_Source"}
            ]))
            .expect("fields"),
        );
        let layout = ["Lead_Source".to_owned(), "Company".to_owned()];
        let rec = |v: Value| v.as_object().cloned().expect("object");
        let r = rec(json!({"Last_Name": "L", "Company": " "}));
        assert_eq!(
            missing_mandatory(&fields, &layout, &r).as_deref(),
            Some("Company"),
            "field order, blanks count as missing"
        );
        let r = rec(json!({"Last_Name": "L", "Company": "C", "Lead_Source": "Chat"}));
        assert_eq!(missing_mandatory(&fields, &layout, &r), None);
        let unknown = ["Region__c".to_owned()];
        assert_eq!(
            missing_mandatory(&fields, &unknown, &r).as_deref(),
            Some("Region__c")
        );
        assert_eq!(missing_mandatory(&Fields::default(), &[], &r), None);
    }

    #[test]
    fn given_values_win_over_defaults_and_defaults_fill_the_rest() {
        let mut n = NewRecord {
            module: CrmModule::Leads,
            first_name: None,
            last_name: "Caller".into(),
            company: Some("Acme".into()),
            phone: "+14155550199".into(),
            owner_id: None,
            fields: [("Company", "Unknown"), ("Lead_Source", "Phone")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        };
        let m = new_record_fields(&n).expect("fields");
        assert_eq!(
            (m["Company"].as_str(), m["Lead_Source"].as_str()),
            (Some("Acme"), Some("Phone"))
        );
        n.company = None;
        assert_eq!(new_record_fields(&n).expect("fields")["Company"], "Unknown");
        n.fields.clear();
        assert!(
            !new_record_fields(&n)
                .expect("fields")
                .contains_key("Company")
        );
    }
}
