//! Translation between ringbridge's CRM-neutral types and Zoho's.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ringbridge_core::crm::{CallLog, CallLogType, CrmError, CrmModule, CrmRecord, CrmRecordRef};
use url::Url;

use crate::error::{ErrorCode, OAuthError, ZohoError};
use crate::rest::{CallRecord, CallRecordBuilder, CallType, Record, RecordError, RelatedTo};

/// Zoho errors, classified for the engine.
pub fn crm_error(e: &ZohoError) -> CrmError {
    match e {
        ZohoError::ReconnectNeeded { reason } => CrmError::ReconnectNeeded(reason.clone()),
        ZohoError::OAuth(OAuthError::Throttled(m)) => CrmError::RateLimited {
            reason: m.clone(),
            retry_after: None,
        },
        ZohoError::OAuth(o) if o.needs_reconnect() => CrmError::ReconnectNeeded(o.to_string()),
        ZohoError::OAuth(o) => CrmError::Unavailable(o.to_string()),
        ZohoError::CreditBudgetExhausted { .. } => CrmError::BudgetExhausted(e.to_string()),
        ZohoError::Transport(_) | ZohoError::Timeout => CrmError::Unavailable(e.to_string()),
        ZohoError::UnexpectedResponse { status, .. } if *status == 429 || *status >= 500 => {
            CrmError::Unavailable(e.to_string())
        }
        ZohoError::UnexpectedResponse { .. } => CrmError::Protocol(e.to_string()),
        ZohoError::InvalidInput(m) => CrmError::Rejected {
            code: "INVALID_INPUT".into(),
            message: m.clone(),
            field: None,
        },
        ZohoError::Api(a) => match &a.code {
            // 429 is credits or concurrency; Zoho's answer does not say which.
            ErrorCode::TooManyRequests => CrmError::RateLimited {
                reason: a.message.clone(),
                retry_after: None,
            },
            ErrorCode::OauthScopeMismatch | ErrorCode::AuthenticationFailure => {
                CrmError::ReconnectNeeded(a.to_string())
            }
            ErrorCode::InternalError => CrmError::Unavailable(a.to_string()),
            _ if a.status >= 500 => CrmError::Unavailable(a.to_string()),
            // Still invalid right after a refresh: transient on Zoho's side as far as we can tell.
            ErrorCode::InvalidToken => CrmError::Unavailable(a.to_string()),
            code => CrmError::Rejected {
                code: code.to_string(),
                message: a.message.clone(),
                field: a.api_name().map(str::to_owned),
            },
        },
    }
}

pub fn record_error(e: &RecordError) -> CrmError {
    match e {
        RecordError::Rejected(a) => crm_error(&ZohoError::Api(a.clone())),
        RecordError::Failed(z) => crm_error(z),
    }
}

/// Standard phone fields per module (SDK names; Fax left out: nobody calls it).
pub fn standard_phone_fields(m: CrmModule) -> &'static [&'static str] {
    match m {
        CrmModule::Contacts => &["Phone", "Mobile", "Home_Phone", "Other_Phone", "Asst_Phone"],
        CrmModule::Leads => &["Phone", "Mobile"],
        CrmModule::Accounts => &["Phone"],
        CrmModule::Deals => &[],
    }
}

/// Fields to read besides the phone fields.
pub fn other_fields(m: CrmModule) -> &'static [&'static str] {
    match m {
        CrmModule::Contacts => &[
            "id",
            "Full_Name",
            "Email",
            "Owner",
            "Account_Name",
            "Modified_Time",
        ],
        CrmModule::Leads => &[
            "id",
            "Full_Name",
            "Email",
            "Owner",
            "Company",
            "Modified_Time",
        ],
        CrmModule::Accounts => &["id", "Account_Name", "Owner", "Modified_Time"],
        CrmModule::Deals => &["id", "Deal_Name", "Owner", "Account_Name", "Modified_Time"],
    }
}

/// A Zoho record as a [`CrmRecord`].
pub fn to_crm_record(
    m: CrmModule,
    r: &Record,
    phone_fields: &[String],
) -> Result<CrmRecord, CrmError> {
    let id = r
        .id()
        .ok_or_else(|| CrmError::Protocol(format!("{m} record without id")))?;
    let name = match m {
        CrmModule::Contacts | CrmModule::Leads => r.str("Full_Name"),
        CrmModule::Accounts => r.str("Account_Name"),
        CrmModule::Deals => r.str("Deal_Name"),
    }
    .unwrap_or_default()
    .to_owned();
    let modified_at = r
        .str("Modified_Time")
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| CrmError::Protocol(format!("{m} {id}: missing or bad Modified_Time")))?;
    let account = match m {
        CrmModule::Contacts | CrmModule::Deals => {
            r.lookup_id("Account_Name").map(|id| CrmRecordRef {
                module: CrmModule::Accounts,
                id: id.to_owned(),
            })
        }
        _ => None,
    };
    let company = match m {
        CrmModule::Leads => r.str("Company").map(str::to_owned),
        CrmModule::Contacts | CrmModule::Deals => r.lookup_name("Account_Name").map(str::to_owned),
        CrmModule::Accounts => None,
    };
    Ok(CrmRecord {
        reference: CrmRecordRef {
            module: m,
            id: id.to_owned(),
        },
        name,
        company,
        email: r.str("Email").map(str::to_owned),
        phones: phone_fields
            .iter()
            .filter_map(|f| r.str(f))
            .filter(|p| !p.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        owner_id: r.lookup_id("Owner").map(str::to_owned),
        account,
        modified_at,
    })
}

/// The marker written into the Description when no key field is configured.
pub fn key_marker(key: &str) -> String {
    format!("[ringbridge:{key}]")
}

/// A [`CallLog`] as a Calls record in the org's time zone.
pub fn to_call_record(
    log: &CallLog,
    tz: Tz,
    key_field: Option<&str>,
) -> Result<CallRecord, CrmError> {
    let kind = match log.call_type {
        CallLogType::Inbound => CallType::Inbound,
        CallLogType::Outbound => CallType::Outbound,
        CallLogType::Missed => CallType::Missed,
    };
    let mut b = CallRecordBuilder::new(&log.subject, kind, log.started_at, tz);
    // No talk time is no duration (an unanswered outbound call, a missed
    // one); the engine gives an answered call at least one second.
    if kind == CallType::Inbound || log.duration_s > 0 {
        b = b.duration_secs(u64::from(log.duration_s));
    }
    let mut description = log.description.clone();
    match key_field {
        Some(f) => b = b.field(f, serde_json::Value::from(log.key.clone())),
        None => {
            if !description.is_empty() {
                description.push('\n');
            }
            description.push_str(&key_marker(&log.key));
        }
    }
    b = b.description(&description);
    if let Some(o) = &log.owner_id {
        b = b.owner(o);
    }
    if let Some(w) = &log.who {
        match w.module {
            CrmModule::Contacts => b = b.contact(&w.id),
            // Who_Id takes only Contacts; anything else is a "related to".
            other => b = b.related_to(&related(other, &w.id)),
        }
    }
    if let Some(w) = &log.what {
        b = b.related_to(&related(w.module, &w.id));
    }
    if let Some(n) = &log.caller_number {
        b = b.caller_id(n);
    }
    if let Some(n) = &log.dialled_number {
        b = b.dialled_number(n);
    }
    if let Some(r) = &log.result {
        b = b.call_result(r);
    }
    if let Some(u) = &log.recording_url {
        b = b.voice_recording(u);
    }
    b.build().map_err(|e| crm_error(&e))
}

fn related(m: CrmModule, id: &str) -> RelatedTo {
    match m {
        CrmModule::Leads => RelatedTo::Lead(id.to_owned()),
        CrmModule::Accounts => RelatedTo::Account(id.to_owned()),
        CrmModule::Deals => RelatedTo::Deal(id.to_owned()),
        CrmModule::Contacts => RelatedTo::Other {
            module: "Contacts".into(),
            id: id.to_owned(),
        },
    }
}

/// Zoho's web UI for an API domain: `www.zohoapis.eu` → `crm.zoho.eu`,
/// `www.zohoapis.ca` → `crm.zohocloud.ca` (URL scheme unconfirmed; configurable).
/// Unknown hosts (simulators) keep the API domain.
pub fn default_web_base(api_domain: &Url) -> Url {
    let host = api_domain.host_str().unwrap_or_default();
    let web = match host.strip_prefix("www.zohoapis.") {
        Some("ca") => Some("crm.zohocloud.ca".to_owned()),
        Some(tld) => Some(format!("crm.zoho.{tld}")),
        None => None,
    };
    match web.and_then(|h| Url::parse(&format!("https://{h}")).ok()) {
        Some(u) => u,
        None => api_domain.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use serde_json::json;

    #[test]
    fn errors_classified() {
        let api = |status, code: &str| {
            ZohoError::Api(ApiError {
                status,
                code: ErrorCode::parse(code),
                message: "m".into(),
                details: json!({"api_name": "Last_Name"}),
            })
        };
        assert!(matches!(
            crm_error(&api(429, "TOO_MANY_REQUESTS")),
            CrmError::RateLimited { .. }
        ));
        assert!(matches!(
            crm_error(&api(401, "OAUTH_SCOPE_MISMATCH")),
            CrmError::ReconnectNeeded(_)
        ));
        assert!(matches!(
            crm_error(&api(500, "INTERNAL_ERROR")),
            CrmError::Unavailable(_)
        ));
        match crm_error(&api(400, "MANDATORY_NOT_FOUND")) {
            CrmError::Rejected { code, field, .. } => {
                assert_eq!(code, "MANDATORY_NOT_FOUND");
                assert_eq!(field.as_deref(), Some("Last_Name"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            crm_error(&ZohoError::Timeout),
            CrmError::Unavailable(_)
        ));
        assert!(matches!(
            crm_error(&ZohoError::CreditBudgetExhausted { used: 1, budget: 1 }),
            CrmError::BudgetExhausted(_)
        ));
        assert!(matches!(
            crm_error(&ZohoError::ReconnectNeeded { reason: "r".into() }),
            CrmError::ReconnectNeeded(_)
        ));
        assert!(matches!(
            crm_error(&ZohoError::unexpected(200, "x")),
            CrmError::Protocol(_)
        ));
        assert!(matches!(
            crm_error(&ZohoError::OAuth(OAuthError::InvalidCode)),
            CrmError::ReconnectNeeded(_)
        ));
    }

    #[test]
    fn record_mapping() {
        let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(
            r#"{"id":"7","Full_Name":"Ana Pereira","Email":"ana@example.com","Phone":"+351211234567","Mobile":null,"Home_Phone":" ",
               "Owner":{"id":"42","name":"Jane"},"Account_Name":{"id":"9","name":"Zylker"},"Modified_Time":"2025-03-10T10:15:00+01:00"}"#,
        ) else {
            unreachable!("object")
        };
        let phones: Vec<String> = standard_phone_fields(CrmModule::Contacts)
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = to_crm_record(CrmModule::Contacts, &Record(m), &phones).expect("record");
        assert_eq!(c.name, "Ana Pereira");
        assert_eq!(c.phones, vec!["+351211234567"]);
        assert_eq!(c.owner_id.as_deref(), Some("42"));
        assert_eq!(c.account.map(|a| a.id), Some("9".into()));
        assert_eq!(c.company.as_deref(), Some("Zylker"));
        assert_eq!(c.modified_at.to_rfc3339(), "2025-03-10T09:15:00+00:00");
    }

    #[test]
    fn call_log_mapping() {
        let log = CallLog {
            key: "k1".into(),
            call_type: CallLogType::Missed,
            started_at: DateTime::from_timestamp(1_741_611_912, 0).expect("ts"),
            duration_s: 0,
            subject: "Missed call".into(),
            description: "Ring group 600".into(),
            owner_id: Some("42".into()),
            who: Some(CrmRecordRef {
                module: CrmModule::Leads,
                id: "5".into(),
            }),
            what: None,
            caller_number: Some("+14155550199".into()),
            dialled_number: None,
            result: None,
            recording_url: None,
        };
        let c = to_call_record(&log, chrono_tz::Europe::Berlin, None).expect("call");
        let f = c.fields();
        assert!(f.get("Who_Id").is_none(), "a Lead never goes into Who_Id");
        assert_eq!(f["$se_module"], "Leads");
        assert_eq!(f["Description"], "Ring group 600\n[ringbridge:k1]");
        assert!(f.get("Call_Duration").is_none());
        let c = to_call_record(&log, chrono_tz::UTC, Some("PBX_Call_ID")).expect("call");
        assert_eq!(c.fields()["PBX_Call_ID"], "k1");
        assert_eq!(c.fields()["Description"], "Ring group 600");
    }

    #[test]
    fn web_base() {
        let u = |s: &str| Url::parse(s).expect("url");
        assert_eq!(
            default_web_base(&u("https://www.zohoapis.eu")).as_str(),
            "https://crm.zoho.eu/"
        );
        assert_eq!(
            default_web_base(&u("https://www.zohoapis.ca")).as_str(),
            "https://crm.zohocloud.ca/"
        );
        assert_eq!(
            default_web_base(&u("http://127.0.0.1:9")).as_str(),
            "http://127.0.0.1:9/"
        );
    }
}
