//! Records behind a number: `GET /api/lookup?number=` (every match, for
//! the chooser when several records share a number) and
//! `POST /api/records` (an agent creates a Contact or Lead for an unknown
//! caller, and the call's log is related to it — see `engine::manual`).

use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::crm::{CrmError, CrmModule, CrmRecord};
use ringbridge_core::job_key::JobKey;
use ringbridge_core::visibility::VisibilityError;
use ringbridge_engine::EngineContext;
use ringbridge_engine::manual::{self, LinkState, ManualError, ManualRecord};
use ringbridge_engine::visibility::Sighted;
use serde::{Deserialize, Serialize};

use super::{Refusal, engine, owncall, refusal};
use crate::AppState;
use crate::auth::CurrentUser;

/// How long creating a record waits for a call log being written right now.
const LINK_WAIT: Duration = Duration::from_secs(15);
/// After that the agent gets an answer and the linking goes on this long
/// in the background (a CRM slow to accept the log, retries with backoff).
const LINK_LATER: Duration = Duration::from_secs(600);
/// Form fields longer than this are refused (Zoho's name fields take 80).
const FIELD_MAX: usize = 80;

/// A record as the panel shows and opens it.
#[derive(Debug, Clone, Serialize)]
pub struct PanelRecord {
    pub id: String,
    pub name: String,
    pub module: String,
    pub company: Option<String>,
    pub url: String,
    /// A record the agent may not open (their Zoho role hides it): shown
    /// as such, without name, company or link.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl PanelRecord {
    /// "A CRM record you cannot open".
    pub fn hidden(module: CrmModule) -> Self {
        Self {
            id: String::new(),
            name: String::new(),
            module: module.as_str().to_owned(),
            company: None,
            url: String::new(),
            hidden: true,
        }
    }

    pub fn new(ctx: &EngineContext, record: &CrmRecord) -> Self {
        Self {
            id: record.reference.id.clone(),
            name: record.name.clone(),
            module: record.reference.module.as_str().to_owned(),
            company: record.company.clone(),
            url: ctx.crm.record_url(&record.reference),
            hidden: false,
        }
    }
}

/// The CRM user the agent is: set on the account, else mapped from the extension.
pub(super) fn crm_user(ctx: &EngineContext, user: &CurrentUser) -> Option<String> {
    let profile = &user.account.profile;
    profile.crm_user_id.clone().or_else(|| {
        let extension = profile.extension.as_deref()?;
        Some(ctx.users().user_for(extension)?.crm_user_id.clone())
    })
}

fn crm_refusal(err: &CrmError) -> Refusal {
    match err {
        CrmError::Rejected { message, .. } => {
            refusal(StatusCode::UNPROCESSABLE_ENTITY, "crm_rejected", message)
        }
        other => refusal(
            StatusCode::BAD_GATEWAY,
            "crm_unavailable",
            &other.to_string(),
        ),
    }
}

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    number: String,
}

pub async fn lookup(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(query): Query<LookupQuery>,
) -> Result<Response, Refusal> {
    let ctx = engine(&state)?;
    let owner = crm_user(&ctx, &user);
    match ctx.matcher.lookup(&query.number, owner.as_deref()).await {
        Ok(found) => {
            // The chooser lists only what the agent may see, in the match
            // rule's order among those.
            let (records, hidden, no_grant) = match ctx.sift_for(owner.as_deref(), found).await {
                Sighted::Records(found) => (
                    found
                        .chosen
                        .iter()
                        .chain(&found.others)
                        .map(|r| PanelRecord::new(&ctx, r))
                        .collect(),
                    false,
                    false,
                ),
                Sighted::Hidden { .. } => (Vec::new(), true, false),
                Sighted::NoGrant => (Vec::new(), false, true),
            };
            Ok(Json(serde_json::json!({
                "number": query.number,
                "records": records,
                "hidden": hidden,
                "no_grant": no_grant,
            }))
            .into_response())
        }
        Err(err) => Err(crm_refusal(&err)),
    }
}

#[derive(Debug, Deserialize)]
pub struct CreateRequest {
    module: String,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    company: Option<String>,
    number: String,
    /// The PBX call to relate to the new record, if any.
    #[serde(default)]
    call_id: Option<String>,
}

fn too_long(request: &CreateRequest) -> bool {
    [
        request.first_name.as_deref(),
        Some(request.last_name.as_str()),
        request.company.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|f| f.chars().count() > FIELD_MAX)
}

pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(request): Json<CreateRequest>,
) -> Result<Response, Refusal> {
    let ctx = engine(&state)?;
    let module = match CrmModule::parse(&request.module) {
        Some(m @ (CrmModule::Contacts | CrmModule::Leads)) => m,
        _ => {
            return Err(refusal(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_module",
                "Create a Contact or a Lead.",
            ));
        }
    };
    if too_long(&request) {
        return Err(refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_long",
            "A name or company is too long.",
        ));
    }
    let call = request.call_id.as_deref().filter(|id| !id.is_empty());
    if let Some(call_id) = call {
        let key = JobKey::call(&ctx.pbx_id, call_id).to_string();
        owncall::check(&ctx, &state, &user, call_id, &key, &request.number).await?;
    }
    let input = ManualRecord {
        module,
        first_name: request.first_name.clone(),
        last_name: request.last_name.clone(),
        company: request.company.clone(),
        number: request.number.clone(),
        owner_id: crm_user(&ctx, &user),
    };
    // An agent who signed in with Zoho creates as themselves (their grant).
    let agent_crm = ctx
        .crm_for(input.owner_id.as_deref())
        .await
        .map_err(|err| match err {
            VisibilityError::NoGrant => refusal(
                StatusCode::FORBIDDEN,
                "no_grant",
                "Your Zoho access was revoked or has expired: sign in with Zoho again.",
            ),
            VisibilityError::Unavailable(why) => {
                refusal(StatusCode::BAD_GATEWAY, "crm_unavailable", &why)
            }
        })?;
    let made = manual::create_as(&ctx, &input, agent_crm)
        .await
        .map_err(|e| manual_refusal(&e))?;
    let record = made.record;
    let link = match call {
        Some(call_id) => {
            let key = JobKey::call(&ctx.pbx_id, call_id).to_string();
            let action = owncall::relink_action(&user);
            let target = record.reference.module.as_str();
            let entry = AuditEntry::ok(
                AuditSystem::Crm,
                &action,
                target,
                &key,
                Some(&record.reference.id),
            );
            ctx.audit(entry).await;
            match manual::link_call(&ctx, &key, &record, LINK_WAIT).await {
                Ok(LinkState::Busy) => {
                    link_later(ctx.clone(), key, record.clone());
                    Some(LinkState::Busy)
                }
                Ok(state) => Some(state),
                // The record exists; say so, and that the call is not related.
                Err(err) => {
                    tracing::warn!(call = %key, error = %err, "could not relate the call to the new record");
                    None
                }
            }
        }
        None => None,
    };
    tracing::info!(username = %user.account.username, module = %module, ?link, "record created from the panel");
    // The CRM had the record already (a unique field): nothing was created.
    let status = if made.existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(serde_json::json!({
            "record": PanelRecord::new(&ctx, &record),
            "link": link,
            "existed": made.existed,
        })),
    )
        .into_response())
}

/// Keeps trying to relate the call after the agent got an answer.
fn link_later(ctx: std::sync::Arc<EngineContext>, key: String, record: CrmRecord) {
    tokio::spawn(async move {
        match manual::link_call(&ctx, &key, &record, LINK_LATER).await {
            Ok(state) => {
                tracing::info!(call = %key, ?state, "call related to the agent's new record")
            }
            Err(err) => {
                tracing::warn!(call = %key, error = %err, "could not relate the call to the new record")
            }
        }
    });
}

fn manual_refusal(err: &ManualError) -> Refusal {
    match err {
        ManualError::Module(_) => refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_module",
            &err.to_string(),
        ),
        ManualError::NoName => refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "name_required",
            &err.to_string(),
        ),
        ManualError::Number(_) => refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_number",
            &err.to_string(),
        ),
        ManualError::RequiredField(message) => {
            refusal(StatusCode::UNPROCESSABLE_ENTITY, "required_field", message)
        }
        ManualError::Crm(e) => crm_refusal(e),
        ManualError::Store(e) => {
            tracing::error!(error = %e, "storage failed while creating a record");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Storage failed.",
            )
        }
    }
}
