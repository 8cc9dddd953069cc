//! The dashboard's repairs of failed jobs: retry one, retry all (or those
//! whose error matches the filter), and for a job Zoho refused, the field
//! it named and what fixes it. The retries themselves are the engine's
//! (`ringbridge_engine::retry`): a failed call log is rebuilt from its call
//! with the settings in force now.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_engine::retry::{Retried, retry_all_failed, retry_failed};
use serde::Deserialize;

use super::console;
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{ErrorKind, WebError};

/// The retry button: the failed job again (a call log rebuilt).
pub async fn retry(
    RequireAdmin(admin): RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let retried = retry_failed(console.store.as_ref(), id, state.web.now()).await?;
    if retried == Retried::NotFailed {
        return Err(ErrorKind::NotFound.into());
    }
    tracing::info!(by = %admin.account.username, job = id, ?retried, "failed job retried");
    Ok(Redirect::to("/console?retried=1#failed").into_response())
}

#[derive(Deserialize)]
pub struct RetryAllForm {
    /// Only the jobs whose error contains this (all when empty).
    #[serde(default)]
    filter: String,
}

/// "Retry all failed": every failed job, or those the filter shows.
pub async fn retry_all(
    RequireAdmin(admin): RequireAdmin,
    State(state): State<AppState>,
    Form(form): Form<RetryAllForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let filter = Some(form.filter.as_str());
    let count = retry_all_failed(console.store.as_ref(), filter, state.web.now()).await?;
    tracing::info!(by = %admin.account.username, count, filter = %form.filter, "failed jobs retried");
    Ok(Redirect::to(&format!("/console?retried={count}#failed")).into_response())
}

/// The catalogue message saying what fixes a refused `field`: a setting of
/// ringbridge's for the fields it fills from settings, else the CRM's
/// field setup.
pub fn fix_hint_id(field: &str) -> &'static str {
    match field {
        "Call_Result" => "console-fix-call-result",
        "Subject" | "Description" => "console-fix-templates",
        "Owner" => "console-fix-owner",
        "Who_Id" | "What_Id" | "$se_module" => "console-fix-record",
        _ => "console-fix-crm-field",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_field_gets_the_hint_of_what_fixes_it() {
        assert_eq!(fix_hint_id("Call_Result"), "console-fix-call-result");
        assert_eq!(fix_hint_id("Custom_Field__c"), "console-fix-crm-field");
    }

    #[test]
    fn every_hint_is_in_every_language() {
        use crate::i18n::Lang;
        for field in ["Call_Result", "Subject", "Owner", "Who_Id", "Other"] {
            let id = fix_hint_id(field);
            let texts: Vec<String> = Lang::ALL
                .iter()
                .map(|lang| lang.t_args(id, &[("field", field)]))
                .collect();
            assert!(texts.iter().all(|t| t != id), "{id}: {texts:?}");
            // A language that lacks it would show another's text.
            for (i, a) in texts.iter().enumerate() {
                assert!(texts[i + 1..].iter().all(|b| b != a), "{id}: {texts:?}");
            }
        }
    }
}
