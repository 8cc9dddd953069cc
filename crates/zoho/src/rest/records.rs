//! Records: get one/many, list with paging and `If-Modified-Since`.

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Method;
use reqwest::header::HeaderName;

use super::{
    CRM_V8, Converted, Page, Record, RestClient, check_per_page, fields_param, id_segment,
    module_segment,
};
use crate::error::{Result, ZohoError};
use crate::transport::{ApiRequest, Operation};

/// `page` reaches only the first 2,000 records; beyond that `page_token` is needed.
const PAGE_NUMBER_REACH: u32 = 2_000;
/// Zoho's documented limit for `ids=` (same as delete; unconfirmed for GET).
const MAX_IDS: usize = 100;

/// `sort_by` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Id,
    CreatedTime,
    ModifiedTime,
}

impl SortBy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::CreatedTime => "Created_Time",
            Self::ModifiedTime => "Modified_Time",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

/// Parameters of `GET /crm/v8/{Module}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    /// Mandatory, at most 50.
    pub fields: Vec<String>,
    pub per_page: u32,
    /// Page number (only reaches the first 2,000 records).
    pub page: Option<u32>,
    /// Continuation token (not combinable with `page`).
    pub page_token: Option<String>,
    pub sort_by: Option<SortBy>,
    pub sort_order: Option<SortOrder>,
    /// Sent as `If-Modified-Since`; Zoho answers 304 when nothing changed.
    pub modified_since: Option<DateTime<Utc>>,
    pub converted: Option<Converted>,
}

impl ListParams {
    pub fn new(fields: &[&str]) -> Self {
        Self {
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            per_page: super::MAX_PER_PAGE,
            page: None,
            page_token: None,
            sort_by: None,
            sort_order: None,
            modified_since: None,
            converted: None,
        }
    }

    /// Incremental sync: changed since `since`, oldest first.
    pub fn modified_since(mut self, since: DateTime<Utc>) -> Self {
        self.modified_since = Some(since);
        self.sort_by = Some(SortBy::ModifiedTime);
        self.sort_order = Some(SortOrder::Asc);
        self
    }
}

/// Answer of a list call.
#[derive(Debug, Clone, PartialEq)]
pub enum ListOutcome {
    /// 304: nothing changed since `If-Modified-Since`.
    NotModified,
    Page(Page),
}

/// `GET /crm/v8/{Module}/{id}` (all fields when `fields` is empty).
pub fn build_get_record(module: &str, id: &str, fields: &[String]) -> Result<ApiRequest> {
    let mut r = ApiRequest::new(
        Method::GET,
        format!("{CRM_V8}/{}/{}", module_segment(module)?, id_segment(id)?),
        Operation::GetRecord,
    );
    if !fields.is_empty() {
        r = r.query("fields", fields_param(fields)?);
    }
    Ok(r)
}

/// `GET /crm/v8/{Module}?ids=..&fields=..` (≤ 100 ids).
pub fn build_get_records(module: &str, ids: &[String], fields: &[String]) -> Result<ApiRequest> {
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(ZohoError::InvalidInput(format!(
            "1..={MAX_IDS} ids per request"
        )));
    }
    for id in ids {
        id_segment(id)?;
    }
    Ok(ApiRequest::new(
        Method::GET,
        format!("{CRM_V8}/{}", module_segment(module)?),
        Operation::GetRecords,
    )
    .query("ids", ids.join(","))
    .query("fields", fields_param(fields)?))
}

/// `GET /crm/v8/{Module}` with paging, sorting and `If-Modified-Since`.
pub fn build_list(module: &str, p: &ListParams) -> Result<ApiRequest> {
    if p.page.is_some() && p.page_token.is_some() {
        return Err(ZohoError::InvalidInput(
            "`page` and `page_token` cannot be combined".into(),
        ));
    }
    let mut r = ApiRequest::new(
        Method::GET,
        format!("{CRM_V8}/{}", module_segment(module)?),
        Operation::ListRecords,
    )
    .query("fields", fields_param(&p.fields)?)
    .query("per_page", check_per_page(p.per_page)?.to_string());
    if let Some(page) = p.page {
        r = r.query("page", page.max(1).to_string());
    }
    if let Some(t) = &p.page_token {
        r = r.query("page_token", t.clone());
    }
    if let Some(s) = p.sort_by {
        // GET with sort_by is in the heavy sub-concurrency group.
        r = r.query("sort_by", s.as_str()).heavy(true);
    }
    if let Some(o) = p.sort_order {
        r = r.query(
            "sort_order",
            if o == SortOrder::Asc { "asc" } else { "desc" },
        );
    }
    if let Some(c) = p.converted {
        r = r.query("converted", c.as_str());
    }
    if let Some(since) = p.modified_since {
        // ISO 8601 with offset, as Zoho documents it (not an HTTP-date).
        r = r.header(
            HeaderName::from_static("if-modified-since"),
            since.to_rfc3339_opts(SecondsFormat::Secs, false),
        );
    }
    Ok(r)
}

impl RestClient {
    /// One record, all fields or the given ones; `None` on 204 (no such record).
    pub async fn get_record(
        &self,
        module: &str,
        id: &str,
        fields: &[String],
    ) -> Result<Option<Record>> {
        let resp = self
            .conn
            .execute(&build_get_record(module, id, fields)?)
            .await?;
        let page = Page::from_response(resp)?;
        Ok(page.records.into_iter().next())
    }

    /// Several records by id (chunked by 100).
    pub async fn get_records(
        &self,
        module: &str,
        ids: &[String],
        fields: &[String],
    ) -> Result<Vec<Record>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_IDS) {
            let resp = self
                .conn
                .execute(&build_get_records(module, chunk, fields)?)
                .await?;
            out.extend(Page::from_response(resp)?.records);
        }
        Ok(out)
    }

    /// One list page.
    pub async fn list_records(&self, module: &str, params: &ListParams) -> Result<ListOutcome> {
        let resp = self.conn.execute(&build_list(module, params)?).await?;
        if resp.status == 304 {
            return Ok(ListOutcome::NotModified);
        }
        Page::from_response(resp).map(ListOutcome::Page)
    }

    /// All pages: page numbers up to 2,000 records, then `page_token`.
    /// `None` when Zoho answered 304 (nothing modified).
    pub async fn list_all_records(
        &self,
        module: &str,
        params: &ListParams,
    ) -> Result<Option<Vec<Record>>> {
        let mut p = params.clone();
        p.page_token = None;
        p.page = Some(1);
        let mut out = Vec::new();
        loop {
            let page = match self.list_records(module, &p).await? {
                ListOutcome::NotModified if out.is_empty() => return Ok(None),
                ListOutcome::NotModified => break,
                ListOutcome::Page(page) => page,
            };
            let more = page.info.more_records;
            let token = page.info.next_page_token.clone();
            out.extend(page.records);
            if !more {
                break;
            }
            match p.page {
                Some(n) if (n + 1) * p.per_page <= PAGE_NUMBER_REACH => p.page = Some(n + 1),
                _ => {
                    let t = token.ok_or_else(|| {
                        ZohoError::unexpected(
                            200,
                            "more_records past the page-number reach but no next_page_token",
                        )
                    })?;
                    p.page = None;
                    p.page_token = Some(t);
                }
            }
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_request() {
        let since = DateTime::from_timestamp(1_741_564_800, 0).expect("ts");
        let p = ListParams::new(&["Last_Name", "Phone"]).modified_since(since);
        let r = build_list("Contacts", &p).expect("ok");
        assert_eq!(r.path, "/crm/v8/Contacts");
        assert!(
            r.query
                .contains(&("fields".into(), "Last_Name,Phone".into()))
        );
        assert!(
            r.query
                .contains(&("sort_by".into(), "Modified_Time".into()))
        );
        assert!(r.heavy);
        assert_eq!(r.headers[0].1, "2025-03-10T00:00:00+00:00");
        let mut bad = p.clone();
        bad.page = Some(1);
        bad.page_token = Some("t".into());
        assert!(build_list("Contacts", &bad).is_err());
    }
}
