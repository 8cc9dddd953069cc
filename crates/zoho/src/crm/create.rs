//! Creating a Contact or Lead: the fields sent, and Zoho's refusals that the
//! engine acts on (a duplicate it links to, a mandatory field it names).

use ringbridge_core::crm::{CrmError, CrmModule, CrmRecordRef, NewRecord};
use serde_json::{Map, Value, json};

use super::map::{crm_error, record_error};
use crate::error::{ApiError, ErrorCode, ZohoError};
use crate::rest::RecordError;

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

/// A refused insert of a `module` record, classified: `DUPLICATE_DATA` naming
/// the existing record becomes [`CrmError::Duplicate`], `MANDATORY_NOT_FOUND`
/// naming a field [`CrmError::RequiredField`]; the rest as any Zoho error.
pub fn create_error(module: CrmModule, e: &RecordError) -> CrmError {
    let api = match e {
        RecordError::Rejected(a) => a,
        RecordError::Failed(z) => return request_error(module, z),
    };
    refusal(module, api).unwrap_or_else(|| record_error(e))
}

/// The same for an insert request that failed as a whole.
pub fn request_error(module: CrmModule, e: &ZohoError) -> CrmError {
    match e {
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
            request_error(CrmModule::Contacts, &whole),
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
