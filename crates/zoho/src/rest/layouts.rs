//! `GET /crm/v8/settings/layouts?module=..`: the fields a layout makes mandatory
//! (`sections[].fields[].required`, Zoho's Layouts Metadata), which the field
//! metadata alone does not tell (it carries only `system_mandatory`).

use reqwest::Method;
use serde::Deserialize;

use super::{CRM_V8, RestClient, module_segment};
use crate::error::{Result, ZohoError};
use crate::transport::{ApiRequest, Operation};

#[derive(Debug, Deserialize)]
struct LayoutField {
    api_name: String,
    #[serde(default)]
    required: bool,
}

#[derive(Debug, Deserialize)]
struct Section {
    #[serde(default)]
    fields: Vec<LayoutField>,
}

#[derive(Debug, Deserialize)]
struct Layout {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    sections: Vec<Section>,
}

/// API names of the fields a module's layout requires, in layout order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LayoutRequired(pub Vec<String>);

impl LayoutRequired {
    /// Reads a `{"layouts": [...]}` answer. A record created through the API
    /// goes to the first active layout (Zoho lists the standard one first;
    /// which layout an insert without `Layout` uses is unconfirmed).
    fn from_answer(v: &serde_json::Value) -> Result<Self> {
        let layouts: Vec<Layout> = v
            .get("layouts")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| ZohoError::undecodable(200, "bad layouts", e))?
            .unwrap_or_default();
        let layout = layouts
            .iter()
            .find(|l| l.status.as_deref().is_none_or(|s| s == "active"));
        Ok(Self(
            layout
                .into_iter()
                .flat_map(|l| &l.sections)
                .flat_map(|s| &s.fields)
                .filter(|f| f.required)
                .map(|f| f.api_name.clone())
                .collect(),
        ))
    }
}

/// `GET /crm/v8/settings/layouts?module=..`.
pub fn build_layouts(module: &str) -> Result<ApiRequest> {
    Ok(ApiRequest::new(
        Method::GET,
        format!("{CRM_V8}/settings/layouts"),
        Operation::GetLayouts,
    )
    .query("module", module_segment(module)?))
}

impl RestClient {
    /// The fields `module`'s layout requires (none on 204).
    pub async fn layout_required(&self, module: &str) -> Result<LayoutRequired> {
        let resp = self.conn.execute(&build_layouts(module)?).await?;
        match resp.status {
            204 => Ok(LayoutRequired::default()),
            200 => LayoutRequired::from_answer(&resp.json()?),
            _ => Err(resp.into_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_active_layouts_required_fields() {
        let v = json!({"layouts": [
            {"status": "inactive", "sections": [{"fields": [{"api_name": "Email", "required": true}]}]},
            {"status": "active", "sections": [
                {"fields": [{"api_name": "Last_Name", "required": true},
                            {"api_name": "Phone", "required": false}]},
                {"fields": [{"api_name": "Company", "required": true}, {"api_name": "Rating"}]}]}
        ]});
        assert_eq!(
            LayoutRequired::from_answer(&v).expect("ok").0,
            ["Last_Name", "Company"]
        );
        assert!(
            LayoutRequired::from_answer(&json!({}))
                .expect("ok")
                .0
                .is_empty()
        );
        assert!(LayoutRequired::from_answer(&json!({"layouts": 5})).is_err());
        let r = build_layouts("Leads").expect("ok");
        assert_eq!(r.path, "/crm/v8/settings/layouts");
        assert_eq!(r.query, vec![("module".to_owned(), "Leads".to_owned())]);
    }
}
