//! `GET /crm/v8/org`: time zone (for Call_Start_Time), country, edition (for limits).

use chrono_tz::Tz;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::{CRM_V8, RestClient};
use crate::error::{Result, ZohoError};
use crate::transport::{ApiRequest, Edition, Operation};

/// `license_details` of the org.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct LicenseDetails {
    pub paid: bool,
    pub paid_type: Option<String>,
    pub paid_expiry: Option<String>,
    pub users_license_purchased: Option<u64>,
    pub trial_type: Option<String>,
    pub trial_expiry: Option<String>,
    pub trial_action: Option<String>,
}

/// The org (fields beyond these are ignored).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Org {
    pub id: String,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub primary_email: Option<String>,
    /// IANA time zone name.
    pub time_zone: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub iso_code: Option<String>,
    /// `Production` / `Sandbox` / `Developer` / `Bigin`.
    #[serde(default, rename = "type")]
    pub org_type: Option<String>,
    #[serde(default)]
    pub license_details: Option<LicenseDetails>,
}

impl Org {
    /// The org's time zone, in which call start times are written.
    pub fn tz(&self) -> Result<Tz> {
        self.time_zone.parse().map_err(|_| {
            ZohoError::unexpected(200, format!("unknown org time zone {:?}", self.time_zone))
        })
    }

    /// The edition as far as limits go: the paid type, else the trial type, else Free.
    pub fn edition(&self) -> Edition {
        let Some(l) = &self.license_details else {
            return Edition::Free;
        };
        let kind = if l.paid {
            l.paid_type.as_deref()
        } else {
            l.trial_type.as_deref()
        };
        kind.map_or(Edition::Free, Edition::from_paid_type)
    }

    /// Documented daily credits for this org (without add-ons).
    pub fn daily_credits(&self) -> Option<u64> {
        let users = self
            .license_details
            .as_ref()
            .and_then(|l| l.users_license_purchased)
            .unwrap_or(1);
        self.edition().daily_credits(users)
    }
}

/// `GET /crm/v8/org`.
pub fn build_org() -> ApiRequest {
    ApiRequest::new(Method::GET, format!("{CRM_V8}/org"), Operation::GetOrg)
}

pub(crate) fn parse_org(status: u16, v: &Value) -> Result<Org> {
    let first = v
        .get("org")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .ok_or_else(|| ZohoError::unexpected(status, "org answer without `org[0]`"))?;
    serde_json::from_value(first.clone()).map_err(|e| ZohoError::undecodable(status, "bad org", e))
}

impl RestClient {
    /// The org's details. The connection takes the org's edition on the way:
    /// its concurrency limit and its daily credits as the local budget.
    pub async fn org(&self) -> Result<Org> {
        let resp = self.conn.execute(&build_org()).await?;
        if resp.status != 200 {
            return Err(resp.into_error());
        }
        let org = parse_org(resp.status, &resp.json()?)?;
        self.conn.set_edition(org.edition());
        self.conn.set_org_credits(org.daily_credits());
        Ok(org)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_documented_org() {
        let v = json!({"org":[{"id":"1","company_name":"Zylker","time_zone":"Europe/Berlin","country":"Germany","country_code":"DE",
            "iso_code":"EUR","type":"Production","mc_status":false,
            "license_details":{"paid":true,"paid_type":"enterprise","paid_expiry":"2026-01-31T00:00:00+00:00","users_license_purchased":25,
                "trial_type":null,"trial_expiry":null,"trial_action":null}}]});
        let o = parse_org(200, &v).expect("org");
        assert_eq!(o.tz().expect("tz"), chrono_tz::Europe::Berlin);
        assert_eq!(o.edition(), Edition::Enterprise);
        assert_eq!(o.daily_credits(), Some(75_000));
        assert_eq!(o.org_type.as_deref(), Some("Production"));
        assert!(parse_org(200, &json!({"org": []})).is_err());
        let mut bad = o.clone();
        bad.time_zone = "Mars/Olympus".into();
        assert!(bad.tz().is_err());
    }
}
