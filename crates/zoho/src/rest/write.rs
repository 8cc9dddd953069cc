//! Bulk insert/update: chunks of at most 100 records, per-record outcomes in order.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use super::{CRM_V8, Record, RestClient, module_segment};
use crate::error::{ApiError, Result, ZohoError};
use crate::transport::{ApiRequest, Operation, RawResponse, cost};

/// Zoho processes at most 100 records per write request.
pub const MAX_WRITE_BATCH: usize = 100;

/// `trigger` values of write requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Workflow,
    Approval,
    Blueprint,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Self::Workflow => "workflow",
            Self::Approval => "approval",
            Self::Blueprint => "blueprint",
        }
    }
}

/// A record Zoho wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteSuccess {
    pub id: String,
    pub message: String,
    /// Upsert only: `insert` / `update`.
    pub action: Option<String>,
    pub created_time: Option<String>,
    pub modified_time: Option<String>,
}

/// Why one record was not written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecordError {
    /// Zoho refused this record (MANDATORY_NOT_FOUND, INVALID_DATA, DUPLICATE_DATA...).
    #[error("record rejected: {0}")]
    Rejected(ApiError),
    /// The request carrying this record failed as a whole (or was never sent
    /// because an earlier batch failed): whether it was written is known only
    /// where the error says so (e.g. not for timeouts).
    #[error("request failed: {0}")]
    Failed(Arc<ZohoError>),
}

impl RecordError {
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Rejected(e) => e.code.is_retryable(),
            Self::Failed(e) => e.is_retryable(),
        }
    }
}

/// Per-record result, in input order.
pub type RecordOutcome = std::result::Result<WriteSuccess, RecordError>;

fn write_body(records: &[Record], trigger: Option<&[Trigger]>) -> Value {
    let mut body =
        json!({ "data": records.iter().map(|r| Value::Object(r.0.clone())).collect::<Vec<_>>() });
    // No `trigger` key = all automation runs; an empty array = none.
    if let Some(t) = trigger {
        body["trigger"] = Value::from(t.iter().map(|t| t.as_str()).collect::<Vec<_>>());
    }
    body
}

/// `POST /crm/v8/{Module}` with 1..=100 records.
pub fn build_insert(
    module: &str,
    records: &[Record],
    trigger: Option<&[Trigger]>,
) -> Result<ApiRequest> {
    check_batch(records)?;
    Ok(ApiRequest::new(
        Method::POST,
        format!("{CRM_V8}/{}", module_segment(module)?),
        Operation::InsertRecords,
    )
    .json(write_body(records, trigger))
    .credits(cost::write(records.len()))
    .heavy(records.len() > 10))
}

/// `PUT /crm/v8/{Module}` with 1..=100 records, each with its `id`.
pub fn build_update(
    module: &str,
    records: &[Record],
    trigger: Option<&[Trigger]>,
) -> Result<ApiRequest> {
    check_batch(records)?;
    if let Some(i) = records.iter().position(|r| r.id().is_none()) {
        return Err(ZohoError::InvalidInput(format!(
            "record {i} has no `id` to update"
        )));
    }
    Ok(ApiRequest::new(
        Method::PUT,
        format!("{CRM_V8}/{}", module_segment(module)?),
        Operation::UpdateRecords,
    )
    .json(write_body(records, trigger))
    .credits(cost::write(records.len()))
    .heavy(records.len() > 10))
}

/// `DELETE /crm/v8/{Module}?ids=` with 1..=100 ids (`ringbridge doctor`
/// removes its test record with it).
pub fn build_delete(module: &str, ids: &[String]) -> Result<ApiRequest> {
    if ids.is_empty() || ids.len() > MAX_WRITE_BATCH {
        return Err(ZohoError::InvalidInput(format!(
            "1..={MAX_WRITE_BATCH} ids per request, got {}",
            ids.len()
        )));
    }
    Ok(ApiRequest::new(
        Method::DELETE,
        format!("{CRM_V8}/{}", module_segment(module)?),
        Operation::DeleteRecords,
    )
    .query("ids", ids.join(","))
    .credits(cost::write(ids.len())))
}

fn check_batch(records: &[Record]) -> Result<()> {
    if records.is_empty() || records.len() > MAX_WRITE_BATCH {
        return Err(ZohoError::InvalidInput(format!(
            "1..={MAX_WRITE_BATCH} records per request, got {}",
            records.len()
        )));
    }
    Ok(())
}

/// Reads a write answer: one item per sent record, in order (201 all created,
/// 200 updated, 207 mixed, 400 with `data` = all failed). A 400 without `data`
/// is a request-level error. A wrong number of items is never taken as success.
pub fn parse_write_response(resp: RawResponse, sent: usize) -> Result<Vec<RecordOutcome>> {
    let status = resp.status;
    if !matches!(status, 200 | 201 | 202 | 207 | 400) {
        return Err(resp.into_error());
    }
    let v = resp.json()?;
    let Some(items) = v.get("data").and_then(Value::as_array) else {
        return Err(match ApiError::from_value(status, &v) {
            Some(e) => ZohoError::Api(e),
            None => ZohoError::unexpected(status, "write answer without `data`"),
        });
    };
    if items.len() != sent {
        return Err(ZohoError::unexpected(
            status,
            format!("{} results for {sent} records", items.len()),
        ));
    }
    Ok(items.iter().map(|item| parse_item(status, item)).collect())
}

fn parse_item(status: u16, item: &Value) -> RecordOutcome {
    let is_success = item.get("status").and_then(Value::as_str) == Some("success");
    let details = item.get("details");
    let id = details.and_then(|d| d.get("id")).and_then(Value::as_str);
    match (is_success, id) {
        (true, Some(id)) => {
            let s = |k: &str| {
                details
                    .and_then(|d| d.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            Ok(WriteSuccess {
                id: id.to_owned(),
                message: item
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                action: item
                    .get("action")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                created_time: s("Created_Time"),
                modified_time: s("Modified_Time"),
            })
        }
        (true, None) => Err(RecordError::Failed(Arc::new(ZohoError::unexpected(
            status,
            "success item without details.id",
        )))),
        (false, _) => Err(match ApiError::from_value(status, item) {
            Some(e) => RecordError::Rejected(e),
            None => RecordError::Failed(Arc::new(ZohoError::unexpected(
                status,
                format!("unreadable item {item}"),
            ))),
        }),
    }
}

impl RestClient {
    /// Inserts any number of records, 100 per request. Per-record outcomes come
    /// back in input order. `Err` means nothing was written; once a later batch
    /// fails, it and the remaining batches are reported as `RecordError::Failed`.
    pub async fn insert_records(
        &self,
        module: &str,
        records: &[Record],
        trigger: Option<&[Trigger]>,
    ) -> Result<Vec<RecordOutcome>> {
        self.write_batches(records, |chunk| build_insert(module, chunk, trigger))
            .await
    }

    /// Updates any number of records (each with `id`), 100 per request.
    pub async fn update_records(
        &self,
        module: &str,
        records: &[Record],
        trigger: Option<&[Trigger]>,
    ) -> Result<Vec<RecordOutcome>> {
        self.write_batches(records, |chunk| build_update(module, chunk, trigger))
            .await
    }

    /// Deletes records by id, 100 per request; per-id outcomes in order.
    pub async fn delete_records(&self, module: &str, ids: &[String]) -> Result<Vec<RecordOutcome>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_WRITE_BATCH) {
            let resp = self.conn.execute(&build_delete(module, chunk)?).await?;
            out.extend(parse_write_response(resp, chunk.len())?);
        }
        Ok(out)
    }

    async fn write_batches(
        &self,
        records: &[Record],
        build: impl Fn(&[Record]) -> Result<ApiRequest>,
    ) -> Result<Vec<RecordOutcome>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let mut out: Vec<RecordOutcome> = Vec::with_capacity(records.len());
        for chunk in records.chunks(MAX_WRITE_BATCH) {
            let req = build(chunk)?;
            let result = match self.conn.execute(&req).await {
                Ok(resp) => parse_write_response(resp, chunk.len()),
                Err(e) => Err(e),
            };
            match result {
                Ok(items) => out.extend(items),
                Err(e) if out.is_empty() => return Err(e),
                Err(e) => {
                    let e = Arc::new(e);
                    out.extend(
                        (out.len()..records.len())
                            .map(|_| Err(RecordError::Failed(Arc::clone(&e)))),
                    );
                    break;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> Record {
        match v {
            Value::Object(m) => Record(m),
            _ => unreachable!("test records are objects"),
        }
    }

    fn resp(status: u16, body: Value) -> RawResponse {
        RawResponse {
            status,
            headers: Default::default(),
            body: body.to_string().into_bytes(),
        }
    }

    #[test]
    fn insert_request_costs_and_trigger() {
        let records: Vec<Record> = (0..25)
            .map(|i| rec(json!({"Last_Name": format!("N{i}")})))
            .collect();
        let r = build_insert("Leads", &records, Some(&[Trigger::Workflow])).expect("ok");
        assert_eq!(r.credits, 3);
        assert!(r.heavy);
        assert!(!r.idempotent);
        let crate::transport::RequestBody::Json(body) = &r.body else {
            unreachable!("json body")
        };
        assert_eq!(body["trigger"], json!(["workflow"]));
        assert_eq!(body["data"].as_array().map(Vec::len), Some(25));
        let r = build_insert("Leads", &records[..1], None).expect("ok");
        let crate::transport::RequestBody::Json(body) = &r.body else {
            unreachable!("json body")
        };
        assert!(body.get("trigger").is_none());
        let many: Vec<Record> = (0..101).map(|_| rec(json!({}))).collect();
        assert!(build_insert("Leads", &many, None).is_err());
        assert!(
            build_update("Leads", &records[..1], None).is_err(),
            "update needs ids"
        );
    }

    #[test]
    fn partial_success_207() {
        let body = json!({"data":[
            {"code":"SUCCESS","status":"success","message":"record added","details":{"id":"111","Created_Time":"2025-03-10T10:15:00+01:00"}},
            {"code":"MANDATORY_NOT_FOUND","status":"error","message":"required field not found","details":{"api_name":"Last_Name","json_path":"$.data[1].Last_Name"}}]});
        let out = parse_write_response(resp(207, body), 2).expect("ok");
        assert_eq!(out[0].as_ref().expect("ok").id, "111");
        match &out[1] {
            Err(RecordError::Rejected(e)) => assert_eq!(e.api_name(), Some("Last_Name")),
            other => panic!("expected rejection, got {other:?}"),
        }
    }

    #[test]
    fn single_failed_record_is_400_with_data() {
        let body = json!({"data":[{"code":"INVALID_DATA","status":"error","message":"invalid data","details":{"api_name":"Call_Start_Time"}}]});
        let out = parse_write_response(resp(400, body), 1).expect("per-record");
        assert!(
            matches!(&out[0], Err(RecordError::Rejected(e)) if e.code == crate::error::ErrorCode::InvalidData)
        );
        let body = json!({"code":"INVALID_MODULE","details":{},"message":"the module name given seems to be invalid","status":"error"});
        assert!(matches!(
            parse_write_response(resp(400, body), 1),
            Err(ZohoError::Api(_))
        ));
    }

    #[test]
    fn unexpected_write_answers_fail() {
        assert!(parse_write_response(resp(201, json!({"data": []})), 1).is_err());
        let empty = RawResponse {
            status: 201,
            headers: Default::default(),
            body: Vec::new(),
        };
        assert!(parse_write_response(empty, 1).is_err());
        let out = parse_write_response(
            resp(201, json!({"data":[{"status":"success","code":"SUCCESS"}]})),
            1,
        )
        .expect("ok");
        assert!(
            matches!(out[0], Err(RecordError::Failed(_))),
            "success without id is not success"
        );
    }
}
