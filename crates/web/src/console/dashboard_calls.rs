//! What the dashboard says about calls and people: a job named by its
//! call (number, extension and time — never an internal key such as
//! `pb:pbx:…`), and in PhoneBridge mode each mapped user's registration
//! at Zoho.

use chrono::{DateTime, Utc};
use ringbridge_core::console::UserOverride;
use ringbridge_core::crm::{CallLog, CrmUser};
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::outbox::Job;
use ringbridge_core::pbx::Extension;
use ringbridge_core::phonebridge::{PbDirection, PbNotification, PbState};

use super::users::mapping;
use crate::pages::PageCtx;

/// One finished call on the dashboard.
pub struct CallRow {
    pub at: DateTime<Utc>,
    pub what: String,
    /// The job whose result this is (for "written to…").
    pub job: Job,
}

/// When the call started, as its payload says (the job's creation else).
fn started(job: &Job) -> DateTime<Utc> {
    match job.decode_payload() {
        Ok(JobPayload::WriteCallLog(log)) => log.started_at,
        Ok(JobPayload::NotifyPhoneBridge(n)) => match n.state {
            PbState::Ended { start, .. }
            | PbState::Missed { start, .. }
            | PbState::Unattended { start, .. } => start,
            _ => job.created_at,
        },
        _ => job.created_at,
    }
}

/// A PhoneBridge notification named for a person: who called whom.
fn phonebridge_call(ctx: &PageCtx, n: &PbNotification) -> String {
    let id = match (&n.direction, &n.state) {
        (_, PbState::Missed { .. }) => "console-pb-call-missed",
        (PbDirection::Received, _) => "console-pb-call-received",
        (PbDirection::Dialed, _) => "console-pb-call-dialed",
    };
    ctx.lang.t_args(
        id,
        &[
            ("number", n.customer.as_str()),
            ("extension", n.extension.as_str()),
        ],
    )
}

/// What a job is about, for a person: a call log's subject, a PhoneBridge
/// call's parties, a processed call's number; empty when none applies.
pub fn summary(ctx: &PageCtx, job: &Job) -> String {
    match job.decode_payload() {
        Ok(JobPayload::WriteCallLog(log)) => log.subject,
        Ok(JobPayload::NotifyPhoneBridge(n)) => phonebridge_call(ctx, &n),
        _ => String::new(),
    }
}

/// The dashboard's recent calls: done call logs and PhoneBridge terminals.
pub fn rows(ctx: &PageCtx, jobs: Vec<Job>) -> Vec<CallRow> {
    let mut rows: Vec<CallRow> = jobs
        .into_iter()
        .map(|job| {
            let what = match job.decode::<CallLog>() {
                Ok(log) => log.subject,
                Err(_) => summary(ctx, &job),
            };
            CallRow {
                at: started(&job),
                what,
                job,
            }
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
    rows
}

/// One mapped user in PhoneBridge mode.
pub struct Registration {
    pub extension: String,
    pub user: String,
    pub registered: bool,
}

/// Each extension's user and whether Zoho has it registered.
pub fn registrations(
    extensions: &[Extension],
    users: &[CrmUser],
    overrides: &[UserOverride],
    registered: &[String],
) -> Vec<Registration> {
    let map = mapping(extensions, users, overrides);
    map.iter()
        .map(|(extension, user)| Registration {
            extension: extension.to_owned(),
            user: user.name.clone(),
            registered: registered.contains(&user.crm_user_id),
        })
        .collect()
}
