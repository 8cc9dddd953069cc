//! Agents' notes on Zoho Calls records: one update (`PUT`) of Description
//! and Call_Result, and finding the Calls record Zoho wrote itself for a
//! PhoneBridge call (by owner, start time and the customer's number).

use chrono::{Duration, SecondsFormat};
use ringbridge_core::crm::{CallAnnotation, CrmCallProbe, CrmError, CrmLoggedCall};
use ringbridge_core::text::truncate_chars;
use serde_json::{Map, json};

use super::map::{self, crm_error};
use super::marker::neutralise;
use super::{CALL_RESULT, ZohoCrm};
use crate::rest::{CoqlCondition, CoqlQuery, Record};

/// Digits compared from the end of two numbers: the same subscriber
/// however either side wrote the country and trunk prefixes.
const TAIL_DIGITS: usize = 8;

impl ZohoCrm {
    pub(super) async fn annotate(&self, call_id: &str, a: &CallAnnotation) -> Result<(), CrmError> {
        let meta = self.fields("Calls").await?;
        let limit = meta
            .get("Description")
            .and_then(|f| f.length)
            .map_or(usize::MAX, |l| l as usize);
        // Typed by an agent: it can never forge the marker of a log.
        let mut description = neutralise(&a.description);
        let marker = match (&a.key, &self.cfg.call_key_field) {
            (Some(key), None) => Some(self.cfg.marker_key.marker(key)),
            _ => None,
        };
        let room = limit.saturating_sub(marker.as_ref().map_or(0, |m| m.chars().count() + 1));
        description = truncate_chars(&description, room).to_owned();
        if let Some(marker) = marker {
            if !description.is_empty() {
                description.push('\n');
            }
            description.push_str(&marker);
        }
        let mut m = Map::new();
        m.insert("id".into(), json!(call_id));
        m.insert("Description".into(), json!(description));
        if let Some(result) = &a.result {
            m.insert(CALL_RESULT.into(), json!(result));
        }
        self.update_call(m, self.cfg.trigger.as_deref()).await
    }

    /// One update of a Calls record (`m` holds its `id` and the fields to change).
    pub(super) async fn update_call(
        &self,
        m: Map<String, serde_json::Value>,
        trigger: Option<&[crate::rest::Trigger]>,
    ) -> Result<(), CrmError> {
        let out = self
            .rest
            .update_records("Calls", &[Record(m)], trigger)
            .await
            .map_err(crm_error)?;
        match out.into_iter().next() {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(map::record_error(&e)),
            None => Err(CrmError::Protocol("no result for the call update".into())),
        }
    }

    pub(super) async fn find_written_by_zoho(
        &self,
        probe: &CrmCallProbe,
    ) -> Result<Option<CrmLoggedCall>, CrmError> {
        let tz = self.tz().await?;
        let fmt = |t: chrono::DateTime<chrono::Utc>| {
            t.with_timezone(&tz)
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        };
        // PhoneBridge sends whole seconds: a second either side is the call.
        let filter = CoqlCondition::Between(
            "Call_Start_Time".into(),
            fmt(probe.started_at - Duration::seconds(1)),
            fmt(probe.started_at + Duration::seconds(1)),
        );
        let q = CoqlQuery::new(
            &["id", "Owner", "Caller_ID", "Dialled_Number", "Description"],
            "Calls",
            filter,
        );
        let rows = self.rest.coql_all(&q).await.map_err(crm_error)?;
        let want = tail(&probe.customer);
        let found = rows.iter().find(|r| {
            let owner =
                r.0.get("Owner")
                    .and_then(|o| o.get("id"))
                    .and_then(|v| v.as_str());
            let number = ["Caller_ID", "Dialled_Number"].iter().any(|f| {
                r.str(f)
                    .is_some_and(|n| !want.is_empty() && tail(n) == want)
            });
            owner == Some(probe.owner_id.as_str()) && number
        });
        Ok(found.and_then(|r| {
            Some(CrmLoggedCall {
                id: r.id()?.to_owned(),
                description: r.str("Description").unwrap_or_default().to_owned(),
            })
        }))
    }

    pub(super) async fn result_values(&self) -> Result<Vec<String>, CrmError> {
        let meta = self.fields("Calls").await?;
        Ok(meta
            .choices(CALL_RESULT)
            .into_iter()
            .map(str::to_owned)
            .collect())
    }
}

/// The last [`TAIL_DIGITS`] digits of a number.
fn tail(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(TAIL_DIGITS)..]
        .iter()
        .collect()
}
