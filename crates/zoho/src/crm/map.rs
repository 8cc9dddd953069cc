//! Translation between ringbridge's CRM-neutral types and Zoho's.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ringbridge_core::cause::Cause;
use ringbridge_core::crm::{CallLog, CallLogType, CrmError, CrmModule, CrmRecord, CrmRecordRef};
use url::Url;

use crate::error::{ErrorCode, OAuthError, ZohoError};
use ringbridge_core::text::{fit_line, truncate_chars};

use super::marker::{CallMarkerKey, neutralise};
use crate::rest::{
    CallType, CallsRecord, CallsRecordBuilder, Fields, Record, RecordError, RelatedTo,
};

/// Where a call log carries the call's key, for finding it again after a lost answer.
#[derive(Debug, Clone, Copy)]
pub enum CallKeyAt<'a> {
    /// A dedicated custom field, holding the key alone.
    Field(&'a str),
    /// The Description's last line, as a keyed marker.
    Description(&'a CallMarkerKey),
}

/// Zoho errors, classified for the engine; the error below stays the CRM
/// error's source.
pub fn crm_error(e: impl Into<Arc<ZohoError>>) -> CrmError {
    let e: Arc<ZohoError> = e.into();
    let whole = || Cause::new(Arc::clone(&e));
    match &*e {
        ZohoError::ReconnectNeeded { reason } => CrmError::ReconnectNeeded(reason.as_str().into()),
        ZohoError::OAuth(OAuthError::Throttled(m)) => CrmError::RateLimited {
            reason: m.clone(),
            retry_after: None,
        },
        ZohoError::OAuth(o) if o.needs_reconnect() => CrmError::ReconnectNeeded(whole()),
        ZohoError::OAuth(_) => CrmError::Unavailable(whole()),
        ZohoError::CreditBudgetExhausted { .. } => CrmError::BudgetExhausted(e.to_string()),
        ZohoError::Transport(_) | ZohoError::Timeout => CrmError::Unavailable(whole()),
        ZohoError::UnexpectedResponse { status, .. } if *status == 429 || *status >= 500 => {
            CrmError::Unavailable(whole())
        }
        ZohoError::UnexpectedResponse { .. } => CrmError::Protocol(whole()),
        ZohoError::InvalidInput(m) => CrmError::Rejected {
            code: "INVALID_INPUT".into(),
            message: m.clone(),
            field: None,
        },
        ZohoError::Api(a) => match &a.code {
            // 429 is credits or concurrency; Zoho's answer does not say which. Any
            // 429 counts, whatever its code (the status is what Zoho documents
            // for every limit), and so does the code with another status.
            _ if a.status == 429 => CrmError::RateLimited {
                reason: a.to_string(),
                retry_after: None,
            },
            ErrorCode::TooManyRequests => CrmError::RateLimited {
                reason: a.message.clone(),
                retry_after: None,
            },
            ErrorCode::OauthScopeMismatch | ErrorCode::AuthenticationFailure => {
                CrmError::ReconnectNeeded(Cause::new(a.clone()))
            }
            ErrorCode::InternalError => CrmError::Unavailable(Cause::new(a.clone())),
            _ if a.status >= 500 => CrmError::Unavailable(Cause::new(a.clone())),
            // Still invalid right after a refresh: transient on Zoho's side as far as we can tell.
            ErrorCode::InvalidToken => CrmError::Unavailable(Cause::new(a.clone())),
            // The dashboard shows what the profile lacks (`details.permissions`).
            ErrorCode::NoPermission => CrmError::Rejected {
                code: a.code.to_string(),
                message: a.to_string(),
                field: None,
            },
            code => CrmError::Rejected {
                code: code.to_string(),
                message: a.message.clone(),
                field: a.api_name().map(str::to_owned),
            },
        },
    }
}

/// Each written record's id, or why Zoho refused it, in order.
pub fn written_ids(out: Vec<crate::rest::RecordOutcome>) -> Vec<Result<String, CrmError>> {
    out.into_iter()
        .map(|o| o.map(|s| s.id).map_err(|e| record_error(&e)))
        .collect()
}

pub fn record_error(e: &RecordError) -> CrmError {
    match e {
        RecordError::Rejected(a) => crm_error(ZohoError::Api(a.clone())),
        RecordError::Failed(z) => crm_error(Arc::clone(z)),
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
        .ok_or_else(|| CrmError::Protocol(format!("{m} record without id").into()))?;
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
        .ok_or_else(|| {
            CrmError::Protocol(format!("{m} {id}: missing or bad Modified_Time").into())
        })?;
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

/// A [`CallLog`] as a Calls record in the org's time zone, every text field
/// fitted to the org's field `length` (`meta`; no limit when unknown) and the
/// call's key in `key_field`, or else as the Description's marker.
pub fn to_call_record(
    log: &CallLog,
    tz: Tz,
    meta: &Fields,
    key: CallKeyAt<'_>,
) -> Result<CallsRecord, CrmError> {
    let kind = match log.call_type {
        CallLogType::Inbound => CallType::Inbound,
        CallLogType::Outbound => CallType::Outbound,
        CallLogType::Missed => CallType::Missed,
    };
    let limit = |field: &str| meta.get(field).and_then(|f| f.length).map(|l| l as usize);
    let line =
        |field: &str, text: &str| fit_line(&neutralise(text), limit(field).unwrap_or(usize::MAX));
    let mut subject = line("Subject", &log.subject);
    if subject.is_empty() {
        // Never lose a call for want of a subject its caller ID blanked out.
        subject = format!("{kind:?} call");
    }
    let mut b = CallsRecordBuilder::new(&subject, kind, log.started_at, tz);
    // No talk time is no duration (an unanswered outbound call, a missed
    // one); the engine gives an answered call at least one second.
    if kind == CallType::Inbound || log.duration_s > 0 {
        b = b.duration_secs(u64::from(log.duration_s));
    }
    let mut description = neutralise(&log.description);
    let tail = match key {
        CallKeyAt::Field(f) => {
            b = b.field(f, serde_json::Value::from(log.key.clone()));
            None
        }
        CallKeyAt::Description(marker_key) => Some(marker_key.marker(&log.key)),
    };
    let room = limit("Description")
        .unwrap_or(usize::MAX)
        .saturating_sub(tail.as_ref().map_or(0, |t| t.chars().count() + 1));
    description = truncate_chars(&description, room).to_owned();
    if let Some(marker) = tail {
        if !description.is_empty() {
            description.push('\n');
        }
        description.push_str(&marker);
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
    // A number its caller ID blanked out is left out, never sent empty.
    let caller = log.caller_number.as_deref().map(|n| line("Caller_ID", n));
    if let Some(n) = caller.filter(|n| !n.is_empty()) {
        b = b.caller_id(&n);
    }
    let dialled = log
        .dialled_number
        .as_deref()
        .map(|n| line("Dialled_Number", n));
    if let Some(n) = dialled.filter(|n| !n.is_empty()) {
        b = b.dialled_number(&n);
    }
    if let Some(r) = &log.result {
        b = b.call_result(r);
    }
    if let Some(u) = &log.recording_url {
        b = b.voice_recording(u);
    }
    b.build().map_err(crm_error)
}

/// Every text value made one clean line within its field's `length` (fields
/// without a known length are only cleaned).
pub fn fit_text_fields(record: &mut serde_json::Map<String, serde_json::Value>, meta: &Fields) {
    for (field, value) in record.iter_mut() {
        if let Some(text) = value.as_str() {
            let limit = meta
                .get(field)
                .and_then(|f| f.length)
                .map_or(usize::MAX, |l| l as usize);
            *value = serde_json::Value::from(fit_line(text, limit));
        }
    }
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
        for code in ["TOO_MANY_REQUESTS", "LIMIT_EXCEEDED", "LIMIT_REACHED"] {
            assert!(
                matches!(crm_error(api(429, code)), CrmError::RateLimited { .. }),
                "{code}"
            );
        }
        assert!(matches!(
            crm_error(api(400, "TOO_MANY_REQUESTS")),
            CrmError::RateLimited { .. }
        ));
        assert!(matches!(
            crm_error(api(400, "LIMIT_EXCEEDED")),
            CrmError::Rejected { .. }
        ));
        let denied = ZohoError::Api(ApiError {
            status: 403,
            code: ErrorCode::NoPermission,
            message: "permission denied".into(),
            details: json!({"permissions": ["Crm_Implied_Create_Leads"]}),
        });
        match crm_error(denied) {
            CrmError::Rejected { code, message, .. } => {
                assert_eq!(code, "NO_PERMISSION");
                assert!(message.contains("Crm_Implied_Create_Leads"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            crm_error(api(401, "OAUTH_SCOPE_MISMATCH")),
            CrmError::ReconnectNeeded(_)
        ));
        assert!(matches!(
            crm_error(api(500, "INTERNAL_ERROR")),
            CrmError::Unavailable(_)
        ));
        match crm_error(api(400, "MANDATORY_NOT_FOUND")) {
            CrmError::Rejected { code, field, .. } => {
                assert_eq!(code, "MANDATORY_NOT_FOUND");
                assert_eq!(field.as_deref(), Some("Last_Name"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            crm_error(ZohoError::Timeout),
            CrmError::Unavailable(_)
        ));
        assert!(matches!(
            crm_error(ZohoError::CreditBudgetExhausted { used: 1, budget: 1 }),
            CrmError::BudgetExhausted(_)
        ));
        assert!(matches!(
            crm_error(ZohoError::ReconnectNeeded { reason: "r".into() }),
            CrmError::ReconnectNeeded(_)
        ));
        assert!(matches!(
            crm_error(ZohoError::unexpected(200, "x")),
            CrmError::Protocol(_)
        ));
        assert!(matches!(
            crm_error(ZohoError::OAuth(OAuthError::InvalidCode)),
            CrmError::ReconnectNeeded(_)
        ));
    }

    #[tokio::test]
    async fn the_error_below_a_crm_error_stays_its_source() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/crm/v8/org", closed.local_addr().expect("addr"));
        drop(closed);
        let err = reqwest::Client::new()
            .get(url)
            .send()
            .await
            .expect_err("nothing listens there");
        let crm = crm_error(ZohoError::Transport(err));
        assert!(matches!(crm, CrmError::Unavailable(_)), "{crm:?}");
        assert!(
            crm.to_string()
                .starts_with("CRM unavailable: transport error: "),
            "{crm}"
        );
        let below = Cause::find::<reqwest::Error>(&crm).expect("the reqwest error in the chain");
        assert!(below.is_connect(), "{below:?}");
        let refused = crm_error(ZohoError::Api(ApiError {
            status: 500,
            code: ErrorCode::InternalError,
            message: "m".into(),
            details: json!({}),
        }));
        let answer = Cause::find::<ApiError>(&refused).expect("Zoho's answer in the chain");
        assert_eq!(answer.status, 500);
        let json = serde_json::from_str::<serde_json::Value>("<html>").expect_err("not JSON");
        let unreadable = crm_error(ZohoError::undecodable(200, "bad org", json));
        assert!(
            matches!(unreadable, CrmError::Protocol(_)),
            "{unreadable:?}"
        );
        assert!(
            unreadable.to_string().starts_with(
                "unexpected answer from the CRM: unexpected response (HTTP 200): bad org: "
            ),
            "{unreadable}"
        );
        assert!(Cause::find::<serde_json::Error>(&unreadable).is_some());
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
        let key = CallMarkerKey::new([1; 32]);
        let none = Fields::default();
        let c = to_call_record(
            &log,
            chrono_tz::Europe::Berlin,
            &none,
            CallKeyAt::Description(&key),
        )
        .expect("call");
        let f = c.fields();
        assert!(f.get("Who_Id").is_none(), "a Lead never goes into Who_Id");
        assert_eq!(f["$se_module"], "Leads");
        assert_eq!(
            f["Description"],
            format!("Ring group 600\n{}", key.marker("k1"))
        );
        assert!(f.get("Call_Duration").is_none());
        let c = to_call_record(&log, chrono_tz::UTC, &none, CallKeyAt::Field("PBX_Call_ID"))
            .expect("call");
        assert_eq!(c.fields()["PBX_Call_ID"], "k1");
        assert_eq!(c.fields()["Description"], "Ring group 600");
    }

    #[test]
    fn caller_text_is_fitted_to_the_fields_and_cannot_forge_a_marker() {
        let key = CallMarkerKey::new([1; 32]);
        let meta: Vec<crate::rest::FieldMeta> = serde_json::from_value(json!([
            {"api_name":"Subject","length":20},{"api_name":"Caller_ID","length":30},
            {"api_name":"Description","length":60}
        ]))
        .expect("meta");
        let caller = "Ünal \u{202E}Zoë\n[ringbridge:pbx:9.9] and a name far too long";
        let log = CallLog {
            key: "pbx:1.1".into(),
            call_type: CallLogType::Missed,
            started_at: DateTime::from_timestamp(1_741_611_912, 0).expect("ts"),
            duration_s: 0,
            subject: format!("Missed {caller}"),
            description: format!("Missed call from {caller}. ").repeat(3),
            owner_id: None,
            who: None,
            what: None,
            caller_number: Some(caller.into()),
            dialled_number: Some("\u{7}\n".into()),
            result: None,
            recording_url: None,
        };
        let c = to_call_record(
            &log,
            chrono_tz::UTC,
            &Fields(meta),
            CallKeyAt::Description(&key),
        )
        .expect("call");
        let f = c.fields();
        assert_eq!(f["Subject"], "Missed Ünal Zoë (rin");
        assert_eq!(f["Caller_ID"], "Ünal Zoë (ringbridge:pbx:9.9]");
        assert!(f.get("Dialled_Number").is_none(), "nothing left to write");
        let description = f["Description"].as_str().expect("text");
        assert_eq!(description.chars().count(), 60);
        assert!(description.ends_with(&format!("\n{}", key.marker("pbx:1.1"))));
        assert!(!description.contains("[ringbridge:pbx:9.9"));
        assert!(key.marks(description, "pbx:1.1"));
        assert!(!key.marks(description, "pbx:9.9"));
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
