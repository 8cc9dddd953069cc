//! Typed Calls records (docs/zoho-api.md §5) and call logging with the
//! "Missed without duration → retry with 00:00" fallback.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::{Fields, Record, RecordError, RecordOutcome, RestClient, Trigger, WriteSuccess};
use crate::error::{ErrorCode, Result, ZohoError};

const CALLS: &str = "Calls";
const CALL_DURATION: &str = "Call_Duration";

/// `Call_Type` picklist values (strings unconfirmed; check the org's picklist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallType {
    Inbound,
    Outbound,
    Missed,
}

impl CallType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "Inbound",
            Self::Outbound => "Outbound",
            Self::Missed => "Missed",
        }
    }
}

/// The "Related To" side of a call (`What_Id` + `$se_module`). Leads go here, not
/// in `Who_Id`, which only takes Contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelatedTo {
    Lead(String),
    Account(String),
    Deal(String),
    /// Any other module that supports activities (API name, record id).
    Other {
        module: String,
        id: String,
    },
}

impl RelatedTo {
    fn parts(&self) -> (&str, &str) {
        match self {
            Self::Lead(id) => ("Leads", id),
            Self::Account(id) => ("Accounts", id),
            Self::Deal(id) => ("Deals", id),
            Self::Other { module, id } => (module, id),
        }
    }
}

/// `Call_Duration` as `"mm:ss"`; minutes may exceed 59 (`"75:03"`).
pub fn format_duration(secs: u64) -> String {
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

/// Builds a Calls record with every field a call log needs, in the documented formats.
#[derive(Debug, Clone)]
pub struct CallsRecordBuilder {
    call_type: CallType,
    fields: Map<String, Value>,
    duration: Option<u64>,
}

impl CallsRecordBuilder {
    /// `start` is written as ISO 8601 with the offset of the org's time zone `tz`.
    pub fn new(subject: &str, call_type: CallType, start: DateTime<Utc>, tz: Tz) -> Self {
        let mut fields = Map::new();
        fields.insert("Subject".into(), json!(subject));
        fields.insert("Call_Type".into(), json!(call_type.as_str()));
        fields.insert(
            "Call_Start_Time".into(),
            json!(
                start
                    .with_timezone(&tz)
                    .to_rfc3339_opts(SecondsFormat::Secs, false)
            ),
        );
        Self {
            call_type,
            fields,
            duration: None,
        }
    }

    fn set(mut self, k: &str, v: Value) -> Self {
        self.fields.insert(k.to_owned(), v);
        self
    }

    /// Talk time in seconds.
    pub fn duration_secs(mut self, secs: u64) -> Self {
        self.duration = Some(secs);
        self
    }

    /// The Contact (`Who_Id`).
    pub fn contact(self, contact_id: &str) -> Self {
        self.set("Who_Id", json!({ "id": contact_id }))
    }

    /// The Lead/Account/Deal (`What_Id` + `$se_module`).
    pub fn related_to(self, what: &RelatedTo) -> Self {
        let (module, id) = what.parts();
        self.set("What_Id", json!({ "id": id }))
            .set("$se_module", json!(module))
    }

    /// The owning CRM user (`Owner`); default is the token's user.
    pub fn owner(self, user_id: &str) -> Self {
        self.set("Owner", json!({ "id": user_id }))
    }

    pub fn caller_id(self, number: &str) -> Self {
        self.set("Caller_ID", json!(number))
    }

    /// The dialled number (`Dialled_Number`, double "l").
    pub fn dialled_number(self, number: &str) -> Self {
        self.set("Dialled_Number", json!(number))
    }

    pub fn description(self, text: &str) -> Self {
        self.set("Description", json!(text))
    }

    /// `Call_Result` picklist value.
    pub fn call_result(self, value: &str) -> Self {
        self.set("Call_Result", json!(value))
    }

    /// `Call_Purpose` picklist value.
    pub fn call_purpose(self, value: &str) -> Self {
        self.set("Call_Purpose", json!(value))
    }

    /// Recording link (`Voice_Recording__s`; check the org has the field).
    pub fn voice_recording(self, url: &str) -> Self {
        self.set("Voice_Recording__s", json!(url))
    }

    /// Any other (e.g. custom) field.
    pub fn field(self, api_name: &str, value: Value) -> Self {
        self.set(api_name, value)
    }

    /// Checks the combination and produces the record.
    pub fn build(mut self) -> Result<CallsRecord> {
        let subject_ok = self
            .fields
            .get("Subject")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty());
        if !subject_ok {
            return Err(ZohoError::InvalidInput("a call needs a Subject".into()));
        }
        match (self.call_type, self.duration) {
            // Missed, or dialled and never answered: no talk time to give.
            (CallType::Missed | CallType::Outbound, None) => {}
            (CallType::Missed, Some(s)) => {
                self.fields
                    .insert(CALL_DURATION.into(), json!(format_duration(s)));
            }
            (_, None) => {
                return Err(ZohoError::InvalidInput(
                    "an answered call needs a duration".into(),
                ));
            }
            (_, Some(s)) => {
                // Zoho refuses a zero duration on Inbound/Outbound (v7 update-records note):
                // a call answered and dropped within the second is logged as 1 s.
                self.fields
                    .insert(CALL_DURATION.into(), json!(format_duration(s.max(1))));
            }
        }
        Ok(CallsRecord {
            call_type: self.call_type,
            fields: self.fields,
        })
    }
}

/// A ready record of Zoho's Calls module (not the PBX's `pbx::CallRecord`:
/// the name keeps the two apart).
#[derive(Debug, Clone, PartialEq)]
pub struct CallsRecord {
    call_type: CallType,
    fields: Map<String, Value>,
}

impl CallsRecord {
    pub fn call_type(&self) -> CallType {
        self.call_type
    }

    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The JSON record sent to Zoho.
    pub fn to_record(&self) -> Record {
        Record(self.fields.clone())
    }

    fn needs_duration_fallback(&self) -> bool {
        matches!(self.call_type, CallType::Missed | CallType::Outbound)
            && !self.fields.contains_key(CALL_DURATION)
    }

    fn with_zero_duration(&self) -> Self {
        let mut c = self.clone();
        c.fields.insert(CALL_DURATION.into(), json!("00:00"));
        c
    }

    /// Drops fields the org's Calls module does not have (e.g. `Voice_Recording__s`
    /// on orgs without it). Does nothing when `fields` is empty (metadata unknown).
    pub fn retain_known(&mut self, fields: &Fields) {
        if fields.0.is_empty() {
            return;
        }
        self.fields
            .retain(|k, _| k.starts_with('$') || fields.has(k));
    }
}

fn is_missing_duration(e: &RecordError) -> bool {
    match e {
        // Without `api_name` we cannot tell which field; a missed call lacks only the duration.
        RecordError::Rejected(a) => {
            a.code == ErrorCode::MandatoryNotFound
                && a.api_name().is_none_or(|n| n == CALL_DURATION)
        }
        RecordError::Failed(_) => false,
    }
}

impl RestClient {
    /// Logs one call. A Missed call is first sent without duration; if Zoho answers
    /// MANDATORY_NOT_FOUND it is re-sent with `00:00`, and the connection remembers
    /// to send `00:00` right away next time.
    pub async fn log_call(
        &self,
        call: &CallsRecord,
        trigger: Option<&[Trigger]>,
    ) -> Result<WriteSuccess> {
        let mut out = self.log_calls(std::slice::from_ref(call), trigger).await?;
        match out.pop() {
            Some(Ok(s)) => Ok(s),
            Some(Err(RecordError::Rejected(e))) => Err(ZohoError::Api(e)),
            Some(Err(RecordError::Failed(e))) => Err(match std::sync::Arc::try_unwrap(e) {
                Ok(e) => e,
                Err(shared) => ZohoError::unexpected(0, shared.to_string()),
            }),
            None => Err(ZohoError::unexpected(0, "no result for the call record")),
        }
    }

    /// Logs many calls (100 per request) with the same fallback, per record.
    pub async fn log_calls(
        &self,
        calls: &[CallsRecord],
        trigger: Option<&[Trigger]>,
    ) -> Result<Vec<RecordOutcome>> {
        let learned = self.conn.quirks().missed_call_needs_duration();
        let prepared: Vec<CallsRecord> = calls
            .iter()
            .map(|c| {
                if learned && c.needs_duration_fallback() {
                    c.with_zero_duration()
                } else {
                    c.clone()
                }
            })
            .collect();
        let records: Vec<Record> = prepared.iter().map(CallsRecord::to_record).collect();
        let mut out = self.insert_records(CALLS, &records, trigger).await?;

        let retry: Vec<usize> = out
            .iter()
            .enumerate()
            .filter(|(i, o)| {
                prepared[*i].needs_duration_fallback()
                    && o.as_ref().err().is_some_and(is_missing_duration)
            })
            .map(|(i, _)| i)
            .collect();
        if retry.is_empty() {
            return Ok(out);
        }
        tracing::info!(
            count = retry.len(),
            "Zoho wants Call_Duration on missed calls; re-sending with 00:00"
        );
        self.conn.quirks().set_missed_call_needs_duration();
        let again: Vec<Record> = retry
            .iter()
            .map(|i| prepared[*i].with_zero_duration().to_record())
            .collect();
        match self.insert_records(CALLS, &again, trigger).await {
            Ok(second) => {
                for (i, o) in retry.into_iter().zip(second) {
                    out[i] = o;
                }
            }
            Err(e) => {
                let e = std::sync::Arc::new(e);
                for i in retry {
                    out[i] = Err(RecordError::Failed(std::sync::Arc::clone(&e)));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-10T13:05:12Z")
            .expect("ts")
            .with_timezone(&Utc)
    }

    #[test]
    fn start_time_offset_follows_the_org_zone_across_a_dst_change() {
        let berlin: Tz = "Europe/Berlin".parse().expect("tz");
        let at = |ts: &str| {
            DateTime::parse_from_rfc3339(ts)
                .expect("ts")
                .with_timezone(&Utc)
        };
        let field = |ts: &str| {
            CallsRecordBuilder::new("s", CallType::Inbound, at(ts), berlin).fields["Call_Start_Time"]
                .clone()
        };
        // 2026-03-29 01:59:59 UTC is 02:59:59 CET; one second later clocks jump to CEST.
        assert_eq!(field("2026-03-29T00:59:59Z"), "2026-03-29T01:59:59+01:00");
        assert_eq!(field("2026-03-29T01:00:00Z"), "2026-03-29T03:00:00+02:00");
        // Back in October the same local hour happens twice; the offset tells them apart.
        assert_eq!(field("2026-10-25T00:30:00Z"), "2026-10-25T02:30:00+02:00");
        assert_eq!(field("2026-10-25T01:30:00Z"), "2026-10-25T02:30:00+01:00");
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(275), "04:35");
        assert_eq!(format_duration(0), "00:00");
        assert_eq!(format_duration(4503), "75:03");
    }

    #[test]
    fn inbound_contact_with_account() {
        let c = CallsRecordBuilder::new(
            "Inbound call from +14155550123",
            CallType::Inbound,
            start(),
            chrono_tz::Europe::Berlin,
        )
        .duration_secs(275)
        .contact("5725767000001234001")
        .related_to(&RelatedTo::Account("5725767000000998877".into()))
        .owner("5725767000000411001")
        .caller_id("+14155550123")
        .dialled_number("+4930123456")
        .call_purpose("Prospecting")
        .call_result("Interested")
        .description("Answered by ext 201")
        .voice_recording("https://rb.example.com/rec/1")
        .build()
        .expect("ok");
        let v = Value::Object(c.fields().clone());
        assert_eq!(v["Call_Start_Time"], "2025-03-10T14:05:12+01:00");
        assert_eq!(v["Call_Duration"], "04:35");
        assert_eq!(v["Call_Type"], "Inbound");
        assert_eq!(v["Who_Id"]["id"], "5725767000001234001");
        assert_eq!(v["What_Id"]["id"], "5725767000000998877");
        assert_eq!(v["$se_module"], "Accounts");
        assert_eq!(v["Owner"]["id"], "5725767000000411001");
        assert_eq!(v["Dialled_Number"], "+4930123456");
        assert_eq!(v["Voice_Recording__s"], "https://rb.example.com/rec/1");
    }

    #[test]
    fn missed_lead_and_rules() {
        let c = CallsRecordBuilder::new(
            "Missed call",
            CallType::Missed,
            start(),
            chrono_tz::America::New_York,
        )
        .related_to(&RelatedTo::Lead("5725767000002222001".into()))
        .build()
        .expect("ok");
        assert!(c.needs_duration_fallback());
        assert_eq!(c.fields()["$se_module"], "Leads");
        assert!(
            c.fields().get("Who_Id").is_none(),
            "Leads never go into Who_Id"
        );
        assert_eq!(c.fields()["Call_Start_Time"], "2025-03-10T09:05:12-04:00");
        assert_eq!(c.with_zero_duration().fields()["Call_Duration"], "00:00");

        let zero = CallsRecordBuilder::new("s", CallType::Outbound, start(), chrono_tz::UTC)
            .duration_secs(0)
            .build()
            .expect("ok");
        assert_eq!(zero.fields()["Call_Duration"], "00:01");
        assert!(
            CallsRecordBuilder::new("s", CallType::Inbound, start(), chrono_tz::UTC)
                .build()
                .is_err()
        );
        assert!(
            CallsRecordBuilder::new(" ", CallType::Missed, start(), chrono_tz::UTC)
                .build()
                .is_err()
        );
    }

    #[test]
    fn retain_known_drops_missing_fields() {
        let mut c = CallsRecordBuilder::new("s", CallType::Missed, start(), chrono_tz::UTC)
            .voice_recording("https://x")
            .related_to(&RelatedTo::Deal("1".into()))
            .build()
            .expect("ok");
        let fields: Vec<super::super::FieldMeta> = serde_json::from_value(json!([
            {"api_name":"Subject"},{"api_name":"Call_Type"},{"api_name":"Call_Start_Time"},{"api_name":"What_Id"}
        ]))
        .expect("meta");
        c.retain_known(&Fields(fields));
        assert!(c.fields().get("Voice_Recording__s").is_none());
        assert_eq!(c.fields()["$se_module"], "Deals");
        assert!(c.fields().contains_key("What_Id"));
    }
}
