//! The sync dashboard: how far setup is, the PBX and CRM connections,
//! jobs waiting and failed (with the error and a retry button), and recent
//! calls with where they were written.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use ringbridge_core::audit::AuditEntry;
use ringbridge_core::console::{ConsoleConfig, CrmMode};
use ringbridge_core::outbox::{Job, JobKind, JobStatus, OutboxCounts};

use ringbridge_engine::retry::{error_matches, refused_field};
use serde::Deserialize;

use super::dashboard_calls::{self, CallRow, Registration};
use super::dashboard_retry::fix_hint_id;
use super::users::{Coverage, coverage};
use super::{Console, LinkState, LinkStates, Nav, console, explain};
use crate::AppState;
use crate::auth::{FailedSignIn, RequireAdmin};
use crate::error::WebError;
use crate::pages::PageCtx;

/// Jobs of each list shown at most.
const LIST: u32 = 25;

#[derive(Template)]
#[template(path = "console_dashboard.html")]
struct DashboardPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    config: ConsoleConfig,
    links: LinkStates,
    counts: Vec<(JobKind, OutboxCounts)>,
    failed: Vec<Job>,
    pending: Vec<Job>,
    calls: Vec<CallRow>,
    writes: Vec<AuditEntry>,
    /// Wrong passwords lately (this node's memory), newest first.
    failed_sign_ins: Vec<FailedSignIn>,
    /// The failed list's filter by error text or code ("" shows all).
    filter: String,
    /// How many failed jobs the last retry queued again.
    retried: Option<usize>,
    /// Extensions logging calls for nobody, once both sides are set up
    /// (`Err`: why it could not be checked).
    gaps: Option<Result<Coverage, String>>,
    /// PhoneBridge mode: each mapped user's registration at Zoho.
    registrations: Option<Vec<Registration>>,
}

/// The dashboard's query: the failed list's filter, and the retry's result.
#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    error: String,
    retried: Option<usize>,
}

impl DashboardPage<'_> {
    fn kind_name(&self, kind: &JobKind) -> String {
        self.ctx
            .t(&format!("console-job-{}", kind.as_str().replace('_', "-")))
    }

    fn when(&self, at: &DateTime<Utc>) -> String {
        at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }

    fn link(&self, state: &LinkState) -> String {
        match state {
            LinkState::NotConfigured => self.ctx.t("console-link-not-configured"),
            LinkState::Starting => self.ctx.t("console-link-starting"),
            LinkState::Connected => self.ctx.t("console-link-connected"),
            LinkState::Failed(why) => self.ctx.t1("console-link-failed", "detail", why),
            LinkState::ReconnectNeeded(why) => self.ctx.t1("console-link-reconnect", "detail", why),
        }
    }

    fn link_class(&self, state: &LinkState) -> &'static str {
        match state {
            LinkState::Connected => "state ok",
            LinkState::Failed(_) | LinkState::ReconnectNeeded(_) => "state bad",
            _ => "state",
        }
    }

    /// What a job is about, from its payload, for a person.
    fn summary(&self, job: &Job) -> String {
        dashboard_calls::summary(self.ctx, job)
    }

    /// The field Zoho refused in a failed job, and what fixes it.
    fn refused(&self, job: &Job) -> Option<(String, String)> {
        let field = refused_field(job.last_error.as_deref()?)?;
        Some((
            field.to_owned(),
            self.ctx.t1(fix_hint_id(field), "field", field),
        ))
    }

    /// Where a finished call went.
    fn written(&self, job: &Job) -> String {
        let remote = job.result.as_deref().unwrap_or_default();
        match job.kind {
            JobKind::NotifyPhoneBridge => self.ctx.t1("console-call-in-phonebridge", "id", remote),
            _ => self.ctx.t1("console-call-in-crm", "id", remote),
        }
    }

    fn mode_name(&self, mode: &CrmMode) -> String {
        self.ctx.t(match mode {
            CrmMode::Rest => "console-mode-rest",
            CrmMode::PhoneBridge => "console-mode-phonebridge",
        })
    }

    /// Zoho refused the grant: the page offers to connect again.
    fn crm_reconnect(&self) -> bool {
        matches!(self.links.crm, LinkState::ReconnectNeeded(_))
    }

    fn crm_connected(&self) -> bool {
        self.config.crm.as_ref().is_some_and(|c| c.grant.is_some())
    }

    /// Every step done and every extension logging for an active user.
    fn complete(&self) -> bool {
        self.config.is_complete() && matches!(&self.gaps, Some(Ok(g)) if g.is_full())
    }

    fn users_done(&self) -> bool {
        matches!(&self.gaps, Some(Ok(g)) if g.is_full())
    }
}

/// What the dashboard knows about people, once both sides are set up:
/// the extensions without an active CRM user and, in PhoneBridge mode,
/// each user's registration at Zoho.
type People = (Option<Result<Coverage, String>>, Option<Vec<Registration>>);

async fn people(console: &Console, ctx: &PageCtx, config: &ConsoleConfig) -> People {
    let crm = config.crm.as_ref().is_some_and(|c| c.grant.is_some());
    if config.pbx.is_none() || !crm {
        return (None, None);
    }
    let (extensions, users) = match (
        console.backend.pbx_extensions().await,
        console.backend.crm_users().await,
    ) {
        (Ok(extensions), Ok(users)) => (extensions, users),
        (Err(err), _) | (_, Err(err)) => return (Some(Err(explain(ctx, &err))), None),
    };
    let gaps = coverage(&extensions, &users, &config.users);
    let registrations = if config.mode == Some(CrmMode::PhoneBridge) {
        match console.backend.phonebridge_registered().await {
            Ok(Some(ids)) => Some(dashboard_calls::registrations(
                &extensions,
                &users,
                &config.users,
                &ids,
            )),
            Ok(None) => None,
            Err(err) => {
                tracing::warn!(error = %err, "PhoneBridge registrations could not be read");
                None
            }
        }
    } else {
        None
    };
    (Some(Ok(gaps)), registrations)
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let store = &console.store;
    let mut counts = Vec::new();
    let mut failed = Vec::new();
    let mut pending = Vec::new();
    for kind in JobKind::ALL {
        counts.push((kind, store.counts(kind).await?));
        failed.extend(
            store
                .list(kind, JobStatus::Failed, LIST)
                .await?
                .into_iter()
                .filter(|j| error_matches(j.last_error.as_deref(), Some(&query.error))),
        );
        pending.extend(store.list(kind, JobStatus::Pending, LIST).await?);
    }
    // Newest first across kinds.
    failed.sort_by_key(|j| std::cmp::Reverse(j.created_at));
    pending.sort_by_key(|j| std::cmp::Reverse(j.created_at));
    // Calls end in the CRM as a REST call log or, in PhoneBridge mode, as
    // the call's terminal notification (Zoho logs it).
    let mut done = Vec::new();
    for kind in [JobKind::WriteCallLog, JobKind::NotifyPhoneBridge] {
        done.extend(store.list(kind, JobStatus::Done, LIST).await?);
    }
    let mut calls = dashboard_calls::rows(&ctx, done);
    calls.truncate(LIST as usize);
    let config = store.console().await?;
    let (gaps, registrations) = people(console, &ctx, &config).await;
    let page = DashboardPage {
        ctx: &ctx,
        nav: Nav("/console"),
        config,
        gaps,
        registrations,
        links: console.backend.states(),
        counts,
        failed,
        pending,
        calls,
        writes: store.recent(LIST).await?,
        failed_sign_ins: state.web.recent_failed_sign_ins(LIST as usize),
        filter: query.error.trim().to_owned(),
        retried: query.retried,
    };
    ctx.render(StatusCode::OK, &page)
}
