//! `GET /crm/v8/settings/fields?module=..`: which fields a module has (e.g. does
//! Calls have `Voice_Recording__s`), which are mandatory, picklist values.

use reqwest::Method;
use serde::Deserialize;

use super::{CRM_V8, RestClient, module_segment};
use crate::error::{Result, ZohoError};
use crate::transport::{ApiRequest, Operation};

/// The picklist entry Zoho lists first in its standard picklists, which
/// stands for "no value".
pub const NONE_VALUE: &str = "-None-";

/// One picklist entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PickListValue {
    pub display_value: String,
    #[serde(default)]
    pub actual_value: Option<String>,
}

/// One field's metadata (the parts a call logger needs).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FieldMeta {
    pub api_name: String,
    #[serde(default)]
    pub data_type: Option<String>,
    /// The JSON type a value takes (`string`, `integer`, `double`, `boolean`,
    /// `jsonobject`, `jsonarray`).
    #[serde(default)]
    pub json_type: Option<String>,
    #[serde(default)]
    pub system_mandatory: bool,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub custom_field: bool,
    #[serde(default)]
    pub length: Option<u32>,
    #[serde(default)]
    pub pick_list_values: Vec<PickListValue>,
}

/// A module's fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fields(pub Vec<FieldMeta>);

impl Fields {
    pub fn get(&self, api_name: &str) -> Option<&FieldMeta> {
        self.0.iter().find(|f| f.api_name == api_name)
    }

    pub fn has(&self, api_name: &str) -> bool {
        self.get(api_name).is_some()
    }

    /// The values an admin can choose in picklist `api_name`, in Zoho's
    /// order, without Zoho's "-None-" entry (which means no value); empty
    /// when the field is unknown or not a picklist.
    pub fn choices(&self, api_name: &str) -> Vec<&str> {
        self.get(api_name)
            .map(|f| {
                f.pick_list_values
                    .iter()
                    .map(|p| p.display_value.as_str())
                    .filter(|v| *v != NONE_VALUE)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// API names of fields of `data_type` `phone` (custom phone fields included).
    pub fn phone_fields(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|f| f.data_type.as_deref() == Some("phone"))
            .map(|f| f.api_name.as_str())
            .collect()
    }

    /// Whether `value` is an allowed display value of picklist `api_name`
    /// (`true` when the field is unknown or not a picklist: nothing to check).
    pub fn allows(&self, api_name: &str, value: &str) -> bool {
        match self.get(api_name) {
            Some(f) if !f.pick_list_values.is_empty() => {
                f.pick_list_values.iter().any(|p| p.display_value == value)
            }
            _ => true,
        }
    }
}

/// `GET /crm/v8/settings/fields?module=..`.
pub fn build_fields(module: &str) -> Result<ApiRequest> {
    Ok(ApiRequest::new(
        Method::GET,
        format!("{CRM_V8}/settings/fields"),
        Operation::GetFields,
    )
    .query("module", module_segment(module)?))
}

impl RestClient {
    /// Field metadata of a module (empty on 204).
    pub async fn fields(&self, module: &str) -> Result<Fields> {
        let resp = self.conn.execute(&build_fields(module)?).await?;
        match resp.status {
            204 => Ok(Fields::default()),
            200 => {
                let v = resp.json()?;
                let list = v
                    .get("fields")
                    .cloned()
                    .ok_or_else(|| ZohoError::unexpected(200, "answer without `fields`"))?;
                serde_json::from_value(list)
                    .map(Fields)
                    .map_err(|e| ZohoError::undecodable(200, "bad fields", e))
            }
            _ => Err(resp.into_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_queries() {
        let f: Vec<FieldMeta> = serde_json::from_value(json!([
            {"api_name":"Subject","data_type":"text","system_mandatory":true,"length":255},
            {"api_name":"Call_Type","data_type":"picklist","system_mandatory":true,
             "pick_list_values":[{"display_value":"-None-"},{"display_value":"Inbound","actual_value":"Inbound"},{"display_value":"Outbound"},{"display_value":"Missed"}]},
            {"api_name":"Voice_Recording__s","data_type":"website"},
            {"api_name":"Alt_Phone__c","data_type":"phone","custom_field":true}
        ]))
        .expect("fields");
        let f = Fields(f);
        assert!(f.has("Voice_Recording__s"));
        assert!(!f.has("Nope"));
        assert!(f.get("Subject").expect("subject").system_mandatory);
        assert!(f.allows("Call_Type", "Missed"));
        assert!(!f.allows("Call_Type", "Voicemail"));
        assert!(f.allows("Subject", "anything"));
        assert_eq!(f.choices("Call_Type"), ["Inbound", "Outbound", "Missed"]);
        assert!(f.choices("Subject").is_empty() && f.choices("Nope").is_empty());
        assert_eq!(f.phone_fields(), vec!["Alt_Phone__c"]);
        let r = build_fields("Calls").expect("ok");
        assert_eq!(r.path, "/crm/v8/settings/fields");
        assert_eq!(r.query, vec![("module".to_owned(), "Calls".to_owned())]);
    }
}
