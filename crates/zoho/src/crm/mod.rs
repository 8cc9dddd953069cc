//! [`ringbridge_core::crm::Crm`] for Zoho CRM, over the REST client.

mod create;
mod map;
mod marker;
mod notes;
mod tasks;
pub mod visibility;

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use chrono_tz::Tz;
use ringbridge_core::crm::{
    CallAnnotation, CallLog, Crm, CrmCallProbe, CrmError, CrmLoggedCall, CrmModule, CrmRecord,
    CrmRecordRef, CrmUser, NewRecord, RecordPage,
};
use serde_json::{Map, json};
use tokio::sync::{Mutex, OnceCell};
use url::Url;

pub use map::{crm_error, default_web_base};
pub use marker::CallMarkerKey;

use crate::rest::{
    CoqlCondition, CoqlQuery, Fields, ListOutcome, ListParams, MAX_COQL_IN_VALUES, Record,
    RestClient, Trigger, UserType,
};

/// How ringbridge uses the org.
#[derive(Debug, Clone)]
pub struct ZohoCrmConfig {
    /// A custom Calls field holding ringbridge's idempotency key (e.g. `PBX_Call_ID`),
    /// the only place a lost answer's log is then looked for. Without one the key
    /// goes into the Description as a keyed marker (see `marker`) and is found
    /// again by start time and that exact marker.
    pub call_key_field: Option<String>,
    /// The secret of the Description markers. The default is random, good for
    /// one process only: give the one derived from the data dir's secret key.
    pub marker_key: CallMarkerKey,
    /// `trigger` of call/record writes (`None` = all automation runs).
    pub trigger: Option<Vec<Trigger>>,
    /// Web UI base for record links; default derived from the API domain.
    pub web_base: Option<Url>,
}

impl Default for ZohoCrmConfig {
    fn default() -> Self {
        Self {
            call_key_field: None,
            marker_key: CallMarkerKey::random(),
            trigger: None,
            web_base: None,
        }
    }
}

/// The Zoho implementation of ringbridge's CRM port.
#[derive(Debug)]
pub struct ZohoCrm {
    rest: RestClient,
    cfg: ZohoCrmConfig,
    tz: OnceCell<Tz>,
    fields: Mutex<HashMap<String, Fields>>,
    /// Per module, the fields its layout requires (read once; empty when the
    /// layouts cannot be read, e.g. a grant from before the layouts scope).
    layout_required: Mutex<HashMap<String, Vec<String>>>,
}

const PAGE: u32 = 200;
/// The Calls module's result picklist.
const CALL_RESULT: &str = "Call_Result";

impl ZohoCrm {
    pub fn new(rest: RestClient, cfg: ZohoCrmConfig) -> Self {
        Self {
            rest,
            cfg,
            tz: OnceCell::new(),
            fields: Mutex::new(HashMap::new()),
            layout_required: Mutex::new(HashMap::new()),
        }
    }

    /// The org's time zone (read once).
    async fn tz(&self) -> Result<Tz, CrmError> {
        self.tz
            .get_or_try_init(|| async {
                let org = self.rest.org().await.map_err(crm_error)?;
                org.tz().map_err(crm_error)
            })
            .await
            .copied()
    }

    /// Field metadata of a module (read once).
    async fn fields(&self, module: &str) -> Result<Fields, CrmError> {
        let mut cache = self.fields.lock().await;
        if let Some(f) = cache.get(module) {
            return Ok(f.clone());
        }
        let f = self.rest.fields(module).await.map_err(crm_error)?;
        cache.insert(module.to_owned(), f.clone());
        Ok(f)
    }

    /// The fields `module`'s layout requires (read once). A refused read (an
    /// older grant without the layouts scope) is not asked again: Zoho's own
    /// `MANDATORY_NOT_FOUND` still names the field.
    async fn layout_required(&self, module: &str) -> Vec<String> {
        let mut cache = self.layout_required.lock().await;
        if let Some(r) = cache.get(module) {
            return r.clone();
        }
        let required = match self.rest.layout_required(module).await {
            Ok(r) => r.0,
            // Asked again next time: this answer says nothing about the org.
            Err(e) if e.is_retryable() => {
                tracing::debug!(module, error = %e, "layouts not read this time");
                return Vec::new();
            }
            Err(e) => {
                tracing::warn!(module, error = %e, "layouts unreadable; relying on Zoho to name mandatory fields");
                Vec::new()
            }
        };
        cache.insert(module.to_owned(), required.clone());
        required
    }

    /// Standard phone fields the org has, plus custom phone-type fields (≤ 25, COQL's limit).
    async fn phone_fields(&self, m: CrmModule) -> Result<Vec<String>, CrmError> {
        let meta = self.fields(m.as_str()).await?;
        let mut out: Vec<String> = map::standard_phone_fields(m)
            .iter()
            .filter(|f| meta.0.is_empty() || meta.has(f))
            .map(|f| (*f).to_owned())
            .collect();
        for f in meta.phone_fields() {
            if !out.iter().any(|o| o == f) {
                out.push(f.to_owned());
            }
        }
        out.truncate(crate::rest::MAX_COQL_CRITERIA);
        Ok(out)
    }

    fn select(m: CrmModule, phones: &[String]) -> Vec<String> {
        map::other_fields(m)
            .iter()
            .map(|s| (*s).to_owned())
            .chain(phones.iter().cloned())
            .collect()
    }

    async fn find_by_time(&self, logs: &[CallLog]) -> Result<Vec<Option<String>>, CrmError> {
        let tz = self.tz().await?;
        let (Some(min), Some(max)) = (
            logs.iter().map(|l| l.started_at).min(),
            logs.iter().map(|l| l.started_at).max(),
        ) else {
            return Ok(Vec::new());
        };
        let fmt = |t: DateTime<Utc>| {
            t.with_timezone(&tz)
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        };
        let filter = CoqlCondition::Between(
            "Call_Start_Time".into(),
            fmt(min - Duration::seconds(1)),
            fmt(max + Duration::seconds(1)),
        );
        // LIMIT 200 costs 1 credit, 2000 costs 3: the window usually holds a few
        // calls, and a busy one pages on (still cheaper until it passes ~1,000 rows).
        let q = CoqlQuery::new(&["id", "Description", "Call_Start_Time"], "Calls", filter);
        let rows = self.rest.coql_all(&q).await.map_err(crm_error)?;
        // Only the exact marker of the exact call counts; anything else
        // (another call's text quoting a marker) is "not written".
        Ok(logs
            .iter()
            .map(|l| {
                rows.iter()
                    .find(|r| {
                        r.str("Description")
                            .is_some_and(|d| self.cfg.marker_key.marks(d, &l.key))
                    })
                    .and_then(|r| r.id().map(str::to_owned))
            })
            .collect())
    }
}

#[async_trait]
impl Crm for ZohoCrm {
    async fn find_by_phone(
        &self,
        modules: &[CrmModule],
        candidates: &[String],
    ) -> Result<Vec<CrmRecord>, CrmError> {
        // Spellings COQL cannot quote are skipped, not guessed at.
        let numbers: Vec<String> = candidates
            .iter()
            .filter(|c| !c.contains(['\'', '\\']))
            .cloned()
            .collect();
        let mut out = Vec::new();
        if numbers.is_empty() {
            return Ok(out);
        }
        for &m in modules {
            let phones = self.phone_fields(m).await?;
            if phones.is_empty() {
                continue;
            }
            let select = Self::select(m, &phones);
            let select: Vec<&str> = select.iter().map(String::as_str).collect();
            let phone_refs: Vec<&str> = phones.iter().map(String::as_str).collect();
            let rows = self
                .rest
                .coql_lookup_phones(m.as_str(), &select, &phone_refs, &numbers)
                .await
                .map_err(crm_error)?;
            for r in &rows {
                out.push(map::to_crm_record(m, r, &phones)?);
            }
        }
        Ok(out)
    }

    async fn records_changed_since(
        &self,
        module: CrmModule,
        since: Option<DateTime<Utc>>,
        page: Option<String>,
    ) -> Result<RecordPage, CrmError> {
        let phones = self.phone_fields(module).await?;
        let fields = Self::select(module, &phones);
        let mut p = ListParams::new(&fields.iter().map(String::as_str).collect::<Vec<_>>());
        p.per_page = PAGE;
        match since {
            Some(s) => p = p.modified_since(s),
            None => {
                p.sort_by = Some(crate::rest::SortBy::Id);
                p.sort_order = Some(crate::rest::SortOrder::Asc);
            }
        }
        // Our cursor: `p:<page number>` within Zoho's 2,000-record page reach, then `t:<page_token>`.
        let mut number = 1;
        match page.as_deref() {
            None => p.page = Some(1),
            Some(c) => match (
                c.strip_prefix("p:").and_then(|n| n.parse().ok()),
                c.strip_prefix("t:"),
            ) {
                (Some(n), _) => {
                    number = n;
                    p.page = Some(n);
                }
                (None, Some(t)) => p.page_token = Some(t.to_owned()),
                _ => {
                    return Err(CrmError::Protocol(
                        format!("unknown page cursor {c:?}").into(),
                    ));
                }
            },
        }
        let page = match self
            .rest
            .list_records(module.as_str(), &p)
            .await
            .map_err(crm_error)?
        {
            ListOutcome::NotModified => {
                return Ok(RecordPage {
                    records: Vec::new(),
                    next: None,
                });
            }
            ListOutcome::Page(page) => page,
        };
        let records = page
            .records
            .iter()
            .map(|r| map::to_crm_record(module, r, &phones))
            .collect::<Result<Vec<_>, _>>()?;
        let next = if !page.info.more_records {
            None
        } else if p.page.is_some() && (number + 1) * PAGE <= 2_000 {
            Some(format!("p:{}", number + 1))
        } else {
            let t = page
                .info
                .next_page_token
                .ok_or_else(|| CrmError::Protocol("more records but no next_page_token".into()))?;
            Some(format!("t:{t}"))
        };
        Ok(RecordPage { records, next })
    }

    async fn log_calls(&self, logs: &[CallLog]) -> Result<Vec<Result<String, CrmError>>, CrmError> {
        let tz = self.tz().await?;
        let meta = self.fields("Calls").await?;
        let key_field = self.cfg.call_key_field.as_deref();
        if let Some(f) = key_field.filter(|f| !meta.0.is_empty() && !meta.has(f)) {
            return Err(CrmError::Rejected {
                code: "INVALID_CONFIG".into(),
                message: format!("the Calls module has no field {f}"),
                field: Some(f.to_owned()),
            });
        }
        let key_at = match key_field {
            Some(f) => map::CallKeyAt::Field(f),
            None => map::CallKeyAt::Description(&self.cfg.marker_key),
        };
        let mut calls = Vec::with_capacity(logs.len());
        for l in logs {
            let mut c = map::to_call_record(l, tz, &meta, key_at)?;
            c.retain_known(&meta);
            calls.push(c);
        }
        let out = self
            .rest
            .log_calls(&calls, self.cfg.trigger.as_deref())
            .await
            .map_err(crm_error)?;
        Ok(map::written_ids(out))
    }

    async fn find_logged_calls(&self, logs: &[CallLog]) -> Result<Vec<Option<String>>, CrmError> {
        let Some(field) = self.cfg.call_key_field.as_deref() else {
            return self.find_by_time(logs).await;
        };
        let keys: Vec<String> = logs.iter().map(|l| l.key.clone()).collect();
        let mut found: HashMap<String, String> = HashMap::new();
        for chunk in keys.chunks(MAX_COQL_IN_VALUES) {
            let q = CoqlQuery::new(
                &["id", field],
                "Calls",
                CoqlCondition::In(field.to_owned(), chunk.to_vec()),
            );
            for r in self.rest.coql_all(&q).await.map_err(crm_error)? {
                if let (Some(k), Some(id)) = (r.str(field), r.id()) {
                    found.insert(k.to_owned(), id.to_owned());
                }
            }
        }
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    async fn create_record(&self, n: &NewRecord) -> Result<CrmRecord, CrmError> {
        let mut m = create::new_record_fields(n)?;
        let fields = self.fields(n.module.as_str()).await?;
        create::type_values(&mut m, &fields);
        // Names may come from a caller or an agent: one clean line that fits.
        map::fit_text_fields(&mut m, &fields);
        // A mandatory field nothing fills would be refused: say which, unsent.
        let layout = self.layout_required(n.module.as_str()).await;
        if let Some(field) = create::missing_mandatory(&fields, &layout, &m) {
            return Err(CrmError::RequiredField {
                module: n.module,
                field,
            });
        }
        let out = self
            .rest
            .insert_records(n.module.as_str(), &[Record(m)], self.cfg.trigger.as_deref())
            .await
            .map_err(|e| create::request_error(n.module, e))?;
        let w = match out.into_iter().next() {
            Some(Ok(w)) => w,
            Some(Err(e)) => return Err(create::create_error(n.module, &e)),
            None => return Err(CrmError::Protocol("no result for the new record".into())),
        };
        let name = match (n.module, &n.first_name) {
            (CrmModule::Accounts, _) => n.company.clone().unwrap_or_else(|| n.last_name.clone()),
            (_, Some(f)) => format!("{f} {}", n.last_name),
            (_, None) => n.last_name.clone(),
        };
        let modified_at = w
            .modified_time
            .as_deref()
            .or(w.created_time.as_deref())
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        Ok(CrmRecord {
            reference: CrmRecordRef {
                module: n.module,
                id: w.id,
            },
            name,
            company: n.company.clone(),
            email: None,
            phones: vec![n.phone.clone()],
            owner_id: n.owner_id.clone(),
            account: None,
            modified_at,
        })
    }

    async fn users(&self) -> Result<Vec<CrmUser>, CrmError> {
        let mut out = Vec::new();
        for (kind, active) in [
            (UserType::ActiveUsers, true),
            (UserType::DeactiveUsers, false),
        ] {
            for u in self.rest.all_users(kind).await.map_err(crm_error)? {
                out.push(CrmUser {
                    name: u
                        .full_name
                        .clone()
                        .or_else(|| u.email.clone())
                        .unwrap_or_else(|| u.id.clone()),
                    id: u.id,
                    email: u.email,
                    active,
                });
            }
        }
        Ok(out)
    }

    async fn relate_call(
        &self,
        call_id: &str,
        who: Option<&CrmRecordRef>,
        what: Option<&CrmRecordRef>,
    ) -> Result<(), CrmError> {
        let mut m = Map::new();
        m.insert("id".into(), json!(call_id));
        // Who_Id takes only Contacts; anything else is what the call relates to.
        let (who, what) = match who {
            Some(w) if w.module != CrmModule::Contacts => (None, Some(w)),
            _ => (who, what),
        };
        if let Some(w) = who {
            m.insert("Who_Id".into(), json!({ "id": w.id }));
        }
        if let Some(w) = what {
            m.insert("What_Id".into(), json!({ "id": w.id }));
            m.insert("$se_module".into(), json!(w.module.as_str()));
        }
        self.update_call(m, None).await
    }

    async fn create_tasks(
        &self,
        tasks: &[ringbridge_core::followup::NewTask],
    ) -> Result<Vec<Result<String, CrmError>>, CrmError> {
        self.insert_tasks(tasks).await
    }

    async fn find_tasks(
        &self,
        tasks: &[ringbridge_core::followup::NewTask],
    ) -> Result<Vec<Option<String>>, CrmError> {
        self.lookup_tasks(tasks).await
    }

    async fn call_results(&self) -> Result<Vec<String>, CrmError> {
        self.result_values().await
    }

    async fn annotate_call(&self, call_id: &str, a: &CallAnnotation) -> Result<(), CrmError> {
        self.annotate(call_id, a).await
    }

    async fn find_crm_logged_call(
        &self,
        probe: &CrmCallProbe,
    ) -> Result<Option<CrmLoggedCall>, CrmError> {
        self.find_written_by_zoho(probe).await
    }

    fn record_url(&self, r: &CrmRecordRef) -> String {
        let base = self
            .cfg
            .web_base
            .clone()
            .unwrap_or_else(|| default_web_base(&self.rest.connection().tokens().api_domain()));
        format!(
            "{}/crm/tab/{}/{}",
            base.as_str().trim_end_matches('/'),
            r.module.as_str(),
            r.id
        )
    }
}
