//! Which finished calls are written to the CRM, and as what.

use chrono::{Datelike, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::crm::CallLogType;
use crate::pbx::CallDirection;
use crate::tracker::CallOutcome;

/// The kinds of call a logging policy distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    InboundAnswered,
    InboundMissed,
    OutboundAnswered,
    OutboundUnanswered,
    Internal,
    Voicemail,
}

impl CallKind {
    pub fn of(outcome: &CallOutcome) -> Self {
        match (outcome.direction, outcome.answered) {
            (CallDirection::Internal, _) => Self::Internal,
            _ if outcome.is_voicemail() => Self::Voicemail,
            (CallDirection::Inbound, true) => Self::InboundAnswered,
            (CallDirection::Inbound, false) => Self::InboundMissed,
            (CallDirection::Outbound, true) => Self::OutboundAnswered,
            (CallDirection::Outbound, false) => Self::OutboundUnanswered,
        }
    }

    /// How the CRM files this kind of call.
    pub fn log_type(self) -> CallLogType {
        match self {
            Self::InboundAnswered => CallLogType::Inbound,
            Self::InboundMissed | Self::Voicemail => CallLogType::Missed,
            Self::OutboundAnswered | Self::OutboundUnanswered => CallLogType::Outbound,
            // Internal calls, when logged, are filed as the caller's outbound call.
            Self::Internal => CallLogType::Outbound,
        }
    }
}

/// Office hours in the org's time zone; calls outside them can be skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    pub time_zone: String,
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// What gets logged (PRODUCT.md feature 3: "which calls are logged is a setting").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggingPolicy {
    pub inbound_answered: bool,
    pub inbound_missed: bool,
    pub outbound_answered: bool,
    pub outbound_unanswered: bool,
    pub internal: bool,
    pub voicemail: bool,
    /// Answered calls shorter than this are not logged.
    pub min_talk_s: u32,
    /// When set, only calls that started within these hours are logged.
    pub business_hours: Option<BusinessHours>,
}

impl Default for LoggingPolicy {
    fn default() -> Self {
        Self {
            inbound_answered: true,
            inbound_missed: true,
            outbound_answered: true,
            outbound_unanswered: true,
            internal: false,
            voicemail: true,
            min_talk_s: 0,
            business_hours: None,
        }
    }
}

/// Why a call is not logged, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    KindDisabled(CallKind),
    TooShort { talk_s: u32 },
    OutsideBusinessHours,
}

impl LoggingPolicy {
    pub fn decide(&self, outcome: &CallOutcome) -> Result<CallKind, Skip> {
        let kind = CallKind::of(outcome);
        let enabled = match kind {
            CallKind::InboundAnswered => self.inbound_answered,
            CallKind::InboundMissed => self.inbound_missed,
            CallKind::OutboundAnswered => self.outbound_answered,
            CallKind::OutboundUnanswered => self.outbound_unanswered,
            CallKind::Internal => self.internal,
            CallKind::Voicemail => self.voicemail,
        };
        if !enabled {
            return Err(Skip::KindDisabled(kind));
        }
        let talk_s = outcome.record.talk_s.unwrap_or(0);
        if outcome.answered && talk_s < self.min_talk_s {
            return Err(Skip::TooShort { talk_s });
        }
        if let Some(hours) = &self.business_hours
            && !hours.contains(outcome.record.started_at)
        {
            return Err(Skip::OutsideBusinessHours);
        }
        Ok(kind)
    }
}

impl BusinessHours {
    /// An unknown time zone name counts as UTC (validated when settings are saved).
    pub fn contains(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        let tz: chrono_tz::Tz = self.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let local = at.with_timezone(&tz);
        let time = local.time();
        self.days.contains(&local.weekday()) && time >= self.start && time < self.end
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::pbx::{CallRecord, CallStatus};

    fn outcome(
        direction: CallDirection,
        answered: bool,
        disposition: CallStatus,
        talk_s: u32,
    ) -> CallOutcome {
        CallOutcome {
            call_id: "1.1".into(),
            direction,
            other_party: Some("5550199".into()),
            internal_parties: None,
            answered,
            initiator: None,
            talked: vec![],
            rang: vec![],
            via: None,
            record: CallRecord {
                call_id: "1.1".into(),
                leg_id: None,
                // A Monday, 09:30 in Berlin (08:30 UTC in winter).
                started_at: Utc.with_ymd_and_hms(2026, 1, 5, 8, 30, 0).unwrap(),
                direction,
                disposition,
                from_number: "5550199".into(),
                from_name: None,
                to_number: "1005".into(),
                to_name: None,
                duration_s: Some(talk_s + 5),
                ring_s: Some(5),
                talk_s: Some(talk_s),
                inbound_trunk: None,
                outbound_trunk: None,
                did: None,
                recording: None,
            },
        }
    }

    #[test]
    fn kinds_and_their_crm_types() {
        let policy = LoggingPolicy::default();
        let missed = outcome(CallDirection::Inbound, false, CallStatus::NoAnswer, 0);
        assert_eq!(policy.decide(&missed), Ok(CallKind::InboundMissed));
        assert_eq!(CallKind::InboundMissed.log_type(), CallLogType::Missed);
        let vm = outcome(CallDirection::Inbound, false, CallStatus::Voicemail, 0);
        assert_eq!(policy.decide(&vm), Ok(CallKind::Voicemail));
        let internal = outcome(CallDirection::Internal, true, CallStatus::Answered, 30);
        assert_eq!(
            policy.decide(&internal),
            Err(Skip::KindDisabled(CallKind::Internal))
        );
    }

    #[test]
    fn minimum_talk_time_applies_to_answered_calls_only() {
        let policy = LoggingPolicy {
            min_talk_s: 10,
            ..LoggingPolicy::default()
        };
        assert_eq!(
            policy.decide(&outcome(
                CallDirection::Outbound,
                true,
                CallStatus::Answered,
                4
            )),
            Err(Skip::TooShort { talk_s: 4 })
        );
        assert!(
            policy
                .decide(&outcome(
                    CallDirection::Outbound,
                    false,
                    CallStatus::NoAnswer,
                    0
                ))
                .is_ok()
        );
    }

    #[test]
    fn business_hours_use_the_local_clock() {
        let hours = BusinessHours {
            time_zone: "Europe/Berlin".into(),
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        };
        let policy = LoggingPolicy {
            business_hours: Some(hours.clone()),
            ..LoggingPolicy::default()
        };
        assert!(
            policy
                .decide(&outcome(
                    CallDirection::Inbound,
                    true,
                    CallStatus::Answered,
                    30
                ))
                .is_ok()
        );
        // 08:30 UTC in July is 10:30 in Berlin (summer time), still open;
        // 16:30 UTC in July is 18:30 in Berlin: closed.
        assert!(hours.contains(Utc.with_ymd_and_hms(2026, 7, 6, 8, 30, 0).unwrap()));
        assert!(!hours.contains(Utc.with_ymd_and_hms(2026, 7, 6, 16, 30, 0).unwrap()));
        assert!(
            !hours.contains(Utc.with_ymd_and_hms(2026, 1, 4, 10, 0, 0).unwrap()),
            "Sunday"
        );
    }
}
