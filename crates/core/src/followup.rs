//! Missed calls become follow-ups: a missed inbound call from a known
//! record (or one created for the number) becomes a CRM task to call back,
//! at most once per caller per window (settings: [`MissedCallTasks`]).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::crm::{CrmModule, CrmRecord, CrmRecordRef};
use crate::template::Template;

/// The setting; absent (the default) means no tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MissedCallTasks {
    /// Further missed calls from the same caller within this many minutes
    /// of the one that made a task make no other task.
    pub window_minutes: u32,
    /// Days from the missed call to the task's due date (0: the same day).
    pub due_days: u32,
    /// The task's subject; placeholders as in call-log templates
    /// (`{name}`, `{number}`, `{started_at}`).
    pub subject: Template,
    /// Who owns the task when the record has no owner (e.g. the ring
    /// group's owner); the record's owner otherwise.
    pub owner: Option<String>,
}

impl Default for MissedCallTasks {
    fn default() -> Self {
        Self {
            window_minutes: 240,
            due_days: 0,
            subject: Template::parse("Call back {name} (missed call {started_at})")
                .expect("valid default"),
            owner: None,
        }
    }
}

/// A task to create in the CRM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTask {
    pub subject: String,
    pub due_date: NaiveDate,
    pub owner_id: Option<String>,
    /// A Contact.
    pub who: Option<CrmRecordRef>,
    /// A Lead, Account or Deal.
    pub what: Option<CrmRecordRef>,
    pub description: String,
    /// When the missed call that made it started (opens its window).
    pub call_started_at: DateTime<Utc>,
}

impl MissedCallTasks {
    /// The task for a missed call from `record` at `started_at`; the call's
    /// local time and due date in `tz`.
    pub fn task(
        &self,
        record: &CrmRecord,
        number: &str,
        started_at: DateTime<Utc>,
        tz: Tz,
    ) -> NewTask {
        let local = started_at.with_timezone(&tz);
        let values = [
            ("name", record.name.clone()),
            ("number", number.to_owned()),
            ("started_at", local.format("%Y-%m-%d %H:%M").to_string()),
        ]
        .into_iter()
        .collect();
        let (who, what) = match record.reference.module {
            CrmModule::Contacts => (Some(record.reference.clone()), None),
            _ => (None, Some(record.reference.clone())),
        };
        NewTask {
            subject: crate::text::single_line(&self.subject.render(&values)),
            due_date: local.date_naive() + Duration::days(i64::from(self.due_days)),
            owner_id: record.owner_id.clone().or_else(|| self.owner.clone()),
            who,
            what,
            description: number.to_owned(),
            call_started_at: started_at,
        }
    }

    /// Whether a missed call at `at` opens a new window after the one
    /// opened at `previous`.
    pub fn opens_window(&self, previous: DateTime<Utc>, at: DateTime<Utc>) -> bool {
        at - previous >= Duration::minutes(i64::from(self.window_minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(module: CrmModule, owner: Option<&str>) -> CrmRecord {
        CrmRecord {
            reference: CrmRecordRef {
                module,
                id: "r1".into(),
            },
            name: "Ana Pereira".into(),
            company: None,
            email: None,
            phones: vec![],
            owner_id: owner.map(str::to_owned),
            account: None,
            modified_at: Utc::now(),
        }
    }

    #[test]
    fn a_task_relates_to_the_record_and_is_due_in_the_callers_zone() {
        let s = MissedCallTasks {
            due_days: 1,
            owner: Some("group-owner".into()),
            ..MissedCallTasks::default()
        };
        let at = DateTime::parse_from_rfc3339("2026-12-07T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let t = s.task(
            &record(CrmModule::Contacts, Some("u1")),
            "+1415",
            at,
            berlin,
        );
        assert_eq!(
            t.subject,
            "Call back Ana Pereira (missed call 2026-12-08 00:30)"
        );
        assert_eq!(t.due_date, NaiveDate::from_ymd_opt(2026, 12, 9).unwrap());
        assert_eq!(t.owner_id.as_deref(), Some("u1"));
        assert_eq!(t.who.as_ref().map(|w| w.id.as_str()), Some("r1"));
        assert!(t.what.is_none());
        let lead = s.task(&record(CrmModule::Leads, None), "+1415", at, berlin);
        assert_eq!(lead.owner_id.as_deref(), Some("group-owner"));
        assert!(lead.who.is_none() && lead.what.is_some());
        assert!(!s.opens_window(at, at + Duration::minutes(239)));
        assert!(s.opens_window(at, at + Duration::minutes(240)));
    }
}
