//! The subject and description of a sample call as the engine would write
//! them with the templates being edited: shown with the page, and live
//! while typing through `POST /console/settings/preview` (the console's
//! script posts the form there; CSRF-checked like every console post).

use std::sync::LazyLock;

use axum::Json;
use axum::extract::Form;
use chrono::{TimeZone, Utc};
use ringbridge_core::crm::{CrmModule, CrmRecord, CrmRecordRef};
use ringbridge_core::pbx::{CallDirection, CallId, CallRecord, CallStatus};
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::policy::CallKind;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::template::Template;
use ringbridge_core::tracker::CallOutcome;
use ringbridge_core::usermap::MappedUser;
use ringbridge_engine::calllog::{LogInput, build};
use serde::Serialize;

use super::engine::display_zone;
use super::form::SettingsForm;
use crate::auth::RequireAdmin;
use crate::pages::PageCtx;

/// A call log's texts, or why the templates cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogPreview {
    pub subject: String,
    pub description: String,
    /// Set when a template is wrong (its words, in the page's language);
    /// the texts are then empty.
    pub problem: Option<String>,
}

/// An answered inbound call through a ring group, from a known contact.
struct SampleCall {
    outcome: CallOutcome,
    record: CrmRecord,
    owner: MappedUser,
}

static SAMPLE: LazyLock<SampleCall> = LazyLock::new(|| {
    let started_at = Utc
        .with_ymd_and_hms(2026, 3, 10, 14, 5, 12)
        .single()
        .unwrap_or_default();
    SampleCall {
        outcome: CallOutcome {
            call_id: CallId("1773151512.42".into()),
            direction: CallDirection::Inbound,
            other_party: Some("+14155550123".into()),
            internal_parties: None,
            answered: true,
            initiator: None,
            talked: vec!["1005".into()],
            rang: vec!["1005".into(), "1006".into()],
            via: Some("Sales".into()),
            record: CallRecord {
                call_id: CallId("1773151512.42".into()),
                leg_id: None,
                started_at,
                direction: CallDirection::Inbound,
                disposition: CallStatus::Answered,
                from_number: "+14155550123".into(),
                from_name: None,
                to_number: "6300".into(),
                to_name: None,
                duration_s: Some(166),
                ring_s: Some(12),
                talk_s: Some(154),
                inbound_trunk: None,
                outbound_trunk: None,
                did: None,
                recording: None,
            },
        },
        record: CrmRecord {
            reference: CrmRecordRef {
                module: CrmModule::Contacts,
                id: "sample".into(),
            },
            name: "Ana Pereira".into(),
            company: None,
            email: None,
            phones: vec!["+14155550123".into()],
            owner_id: None,
            account: None,
            modified_at: started_at,
        },
        owner: MappedUser {
            crm_user_id: "sample".into(),
            name: "Maya Ortiz".into(),
            manual: false,
        },
    }
});

/// The sample call's log with the form's templates, display time zone and
/// default country (an unknown zone or country falls back as the engine
/// does: UTC, no country).
pub fn preview(ctx: &PageCtx, form: &SettingsForm) -> LogPreview {
    let (subject, description) = match (
        Template::parse(form.subject.trim()),
        Template::parse(form.description.trim()),
    ) {
        (Ok(s), Ok(d)) if !form.subject.trim().is_empty() => (s, d),
        (Ok(_), Ok(_)) | (Err(_), _) => return refused(ctx, "console-settings-bad-subject"),
        (_, Err(_)) => return refused(ctx, "console-settings-bad-description"),
    };
    let settings = EngineSettings {
        subject,
        description,
        display_time_zone: form
            .display_time_zone
            .as_deref()
            .and_then(|z| display_zone(z).ok())
            .unwrap_or_else(|| "UTC".to_owned()),
        ..EngineSettings::default()
    };
    let plan = NumberPlan::new(form.default_country.trim()).unwrap_or_default();
    let sample = &*SAMPLE;
    let input = LogInput {
        key: "preview",
        outcome: &sample.outcome,
        kind: CallKind::InboundAnswered,
        record: Some(&sample.record),
        owner_extension: Some("1005"),
        owner: Some(&sample.owner),
        recording_url: None,
    };
    let log = build(&input, &settings, &plan);
    LogPreview {
        subject: log.subject,
        description: log.description,
        problem: None,
    }
}

fn refused(ctx: &PageCtx, id: &str) -> LogPreview {
    LogPreview {
        subject: String::new(),
        description: String::new(),
        problem: Some(ctx.t(id)),
    }
}

/// `POST /console/settings/preview`: the settings form as posted, answered
/// with the sample call's texts as JSON. Nothing is stored.
pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    Form(form): Form<SettingsForm>,
) -> Json<LogPreview> {
    Json(preview(&ctx, &form))
}
