//! Turns a finished call into the log written to the CRM.

use std::collections::BTreeMap;

use ringbridge_core::crm::{CallLog, CrmModule, CrmRecord, CrmRecordRef};
use ringbridge_core::pbx::CallDirection;
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::policy::CallKind;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::template::minutes_seconds;
use ringbridge_core::text::single_line;
use ringbridge_core::tracker::CallOutcome;
use ringbridge_core::usermap::MappedUser;

/// Everything known about a call when its log is written.
pub struct LogInput<'a> {
    pub key: &'a str,
    pub outcome: &'a CallOutcome,
    pub kind: CallKind,
    pub record: Option<&'a CrmRecord>,
    pub owner_extension: Option<&'a str>,
    pub owner: Option<&'a MappedUser>,
    pub recording_url: Option<String>,
}

pub fn build(input: &LogInput<'_>, settings: &EngineSettings, plan: &NumberPlan) -> CallLog {
    let outcome = input.outcome;
    let other = outcome.other_party.as_deref();
    // Numbers go to the CRM in E.164 when the metadata knows them, so the
    // CRM's own matching and click-to-call work; otherwise as the PBX gave
    // them (a dialled number without its outside-line prefix): a digits
    // key is for matching, not for showing.
    let number = other.map(|n| match plan.read(n) {
        Ok(reading) if reading.valid => reading.key.to_string(),
        _ => n.trim().to_owned(),
    });
    // An internal call has no outside party: its subject and description
    // name the extension called, by number (the PBX's end-of-call event
    // carries no names), never normalised as if it were a phone number.
    let other_extension =
        (outcome.direction == CallDirection::Internal).then(|| outcome.record.to_number.clone());
    let (who, what) = relate(input.record);
    let direction = match input.kind {
        CallKind::InboundAnswered => "Inbound",
        CallKind::InboundMissed => "Missed",
        CallKind::Voicemail => "Voicemail",
        CallKind::OutboundAnswered | CallKind::OutboundUnanswered => "Outbound",
        CallKind::Internal => "Internal",
    };
    let name = input
        .record
        .map(|r| r.name.clone())
        .or_else(|| number.clone())
        .or_else(|| other_extension.clone())
        .unwrap_or_default();
    let tz: chrono_tz::Tz = settings.display_time_zone.parse().unwrap_or(chrono_tz::UTC);
    let talk_s = outcome.record.talk_s.unwrap_or(0);
    // Caller ID, names and ring-group labels come from outside: each value is
    // one clean line, so none can add lines or reorder the text around it.
    let values: BTreeMap<&str, String> = BTreeMap::from([
        ("direction", direction.to_owned()),
        (
            "number",
            number.clone().or(other_extension).unwrap_or_default(),
        ),
        ("name", name),
        (
            "extension",
            input.owner_extension.unwrap_or_default().to_owned(),
        ),
        (
            "agent",
            input.owner.map(|o| o.name.clone()).unwrap_or_default(),
        ),
        ("handled_by", handled_by(input)),
        ("duration", minutes_seconds(talk_s)),
        ("call_id", outcome.call_id.to_string()),
        ("via", outcome.via.clone().unwrap_or_default()),
        (
            "started_at",
            outcome
                .record
                .started_at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        ),
    ])
    .into_iter()
    .map(|(k, v)| (k, single_line(&v)))
    .collect();
    let (caller, dialled) = match outcome.direction {
        CallDirection::Inbound => (
            number.clone(),
            outcome
                .record
                .did
                .clone()
                .or_else(|| Some(outcome.record.to_number.clone())),
        ),
        CallDirection::Outbound => (Some(outcome.record.from_number.clone()), number.clone()),
        CallDirection::Internal => (
            Some(outcome.record.from_number.clone()),
            Some(outcome.record.to_number.clone()),
        ),
    };
    CallLog {
        key: input.key.to_owned(),
        call_type: input.kind.log_type(),
        started_at: outcome.record.started_at,
        duration_s: if outcome.answered { talk_s } else { 0 },
        subject: settings.subject.render(&values),
        description: settings.description.render(&values),
        owner_id: input.owner.map(|o| o.crm_user_id.clone()),
        who,
        what,
        caller_number: caller,
        dialled_number: dialled,
        result: settings.call_results.get(&input.kind).cloned(),
        recording_url: input.recording_url.clone(),
    }
}

/// Who took the call, in words: a missed ring-group or queue call has no
/// owning extension, and an empty "extension  ()" reads like a bug.
fn handled_by(input: &LogInput<'_>) -> String {
    let agent = input
        .owner
        .map(|o| o.name.as_str())
        .filter(|n| !n.is_empty());
    match (input.owner_extension.filter(|e| !e.is_empty()), agent) {
        (Some(ext), Some(agent)) => format!("extension {ext} ({agent})"),
        (Some(ext), None) => format!("extension {ext}"),
        (None, Some(agent)) => agent.to_owned(),
        (None, None) => match input.outcome.via.as_deref().filter(|v| !v.is_empty()) {
            Some(via) => format!("via {via}, no one answered"),
            None => "no one answered".to_owned(),
        },
    }
}

/// A Contact is the call's "who", related to its Account as "what"; a Lead
/// or Account is the "what" (Zoho files Leads under What_Id with `$se_module`).
fn relate(record: Option<&CrmRecord>) -> (Option<CrmRecordRef>, Option<CrmRecordRef>) {
    match record {
        None => (None, None),
        Some(r) if r.reference.module == CrmModule::Contacts => {
            (Some(r.reference.clone()), r.account.clone())
        }
        Some(r) => (None, Some(r.reference.clone())),
    }
}
