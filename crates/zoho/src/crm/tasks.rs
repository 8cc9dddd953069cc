//! Follow-up tasks in Zoho's Tasks module: created 100 per request, and
//! found again (after a lost answer) by subject, due date and record.

use std::collections::HashMap;

use ringbridge_core::crm::{CrmError, CrmRecordRef};
use ringbridge_core::followup::NewTask;
use ringbridge_core::text::fit_line;
use serde_json::{Map, json};

use super::ZohoCrm;
use super::map::{self, crm_error};
use super::marker::neutralise;
use crate::rest::{CoqlCondition, CoqlQuery, MAX_COQL_IN_VALUES, Record};

const TASKS: &str = "Tasks";
const DATE: &str = "%Y-%m-%d";

/// Zoho's Tasks record for `t`: a Contact in `Who_Id`, anything else in
/// `What_Id` with `$se_module` (as for calls).
fn to_record(t: &NewTask, subject_max: usize) -> Record {
    let mut m = Map::new();
    m.insert(
        "Subject".into(),
        json!(fit_line(&neutralise(&t.subject), subject_max)),
    );
    m.insert(
        "Due_Date".into(),
        json!(t.due_date.format(DATE).to_string()),
    );
    m.insert("Description".into(), json!(neutralise(&t.description)));
    if let Some(o) = &t.owner_id {
        m.insert("Owner".into(), json!({ "id": o }));
    }
    if let Some(w) = &t.who {
        m.insert("Who_Id".into(), json!({ "id": w.id }));
    }
    if let Some(w) = &t.what {
        m.insert("What_Id".into(), json!({ "id": w.id }));
        m.insert("$se_module".into(), json!(w.module.as_str()));
    }
    Record(m)
}

fn lookup_id(r: &Record, field: &str) -> Option<String> {
    r.0.get(field)?.get("id")?.as_str().map(str::to_owned)
}

fn same_record(found: Option<String>, want: Option<&CrmRecordRef>) -> bool {
    found.as_deref() == want.map(|w| w.id.as_str())
}

impl ZohoCrm {
    fn subject_max(meta: &crate::rest::Fields) -> usize {
        meta.get("Subject")
            .and_then(|f| f.length)
            .map_or(255, |l| l as usize)
    }

    pub(super) async fn insert_tasks(
        &self,
        tasks: &[NewTask],
    ) -> Result<Vec<Result<String, CrmError>>, CrmError> {
        let max = Self::subject_max(&self.fields(TASKS).await?);
        let records: Vec<Record> = tasks.iter().map(|t| to_record(t, max)).collect();
        let out = self
            .rest
            .insert_records(TASKS, &records, self.cfg.trigger.as_deref())
            .await
            .map_err(crm_error)?;
        Ok(map::written_ids(out))
    }

    pub(super) async fn lookup_tasks(
        &self,
        tasks: &[NewTask],
    ) -> Result<Vec<Option<String>>, CrmError> {
        let max = Self::subject_max(&self.fields(TASKS).await?);
        let subjects: Vec<String> = tasks
            .iter()
            .map(|t| fit_line(&neutralise(&t.subject), max))
            .collect();
        let mut unique = subjects.clone();
        unique.sort();
        unique.dedup();
        let mut rows: HashMap<String, Vec<Record>> = HashMap::new();
        for chunk in unique.chunks(MAX_COQL_IN_VALUES) {
            let q = CoqlQuery::new(
                &["id", "Subject", "Due_Date", "Who_Id", "What_Id"],
                TASKS,
                CoqlCondition::In("Subject".into(), chunk.to_vec()),
            );
            for r in self.rest.coql_all(&q).await.map_err(crm_error)? {
                if let Some(s) = r.str("Subject") {
                    rows.entry(s.to_owned()).or_default().push(r);
                }
            }
        }
        Ok(tasks
            .iter()
            .zip(&subjects)
            .map(|(t, subject)| {
                let due = t.due_date.format(DATE).to_string();
                rows.get(subject)?
                    .iter()
                    .find(|r| {
                        r.str("Due_Date") == Some(due.as_str())
                            && same_record(lookup_id(r, "Who_Id"), t.who.as_ref())
                            && same_record(lookup_id(r, "What_Id"), t.what.as_ref())
                    })
                    .and_then(|r| r.id().map(str::to_owned))
            })
            .collect())
    }
}
