//! `callnotify` and `clicktodialerror` payloads (docs/zoho-phonebridge.md §4, §6).

use chrono::{DateTime, Utc};
use url::Url;

use crate::error::{Result, ZohoError};

/// `type`: who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Inbound: `from` = customer, `to` = agent.
    Received,
    /// Outbound: `from` = agent, `to` = customer.
    Dialed,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Dialed => "dialed",
        }
    }
}

/// Why an outbound call was never answered; also the `code` of `clicktodialerror`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unattended {
    Busy,
    Invalid,
    Blocked,
    NotAvailable,
    NoAnswer,
    Rejected,
}

impl Unattended {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Busy => "busy",
            Self::Invalid => "invalid",
            Self::Blocked => "blocked",
            Self::NotAvailable => "notavailable",
            Self::NoAnswer => "noanswer",
            Self::Rejected => "rejected",
        }
    }
}

/// `state` with the parameters that belong to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallState {
    /// Pop-up. `transferred_call_id` only on inbound calls transferred to another agent.
    Ringing {
        transferred_call_id: Option<String>,
    },
    Answered,
    /// Terminal: talk time in seconds.
    Ended {
        start: DateTime<Utc>,
        duration_secs: u64,
        voice_uri: Option<Url>,
    },
    /// Terminal, inbound only (voicemail may be attached).
    Missed {
        start: DateTime<Utc>,
        voice_uri: Option<Url>,
    },
    /// Terminal, outbound only.
    Unattended {
        reason: Unattended,
        start: DateTime<Utc>,
        voice_uri: Option<Url>,
    },
}

impl CallState {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ringing { .. } => "ringing",
            Self::Answered => "answered",
            Self::Ended { .. } => "ended",
            Self::Missed { .. } => "missed",
            Self::Unattended { reason, .. } => reason.as_str(),
        }
    }

    pub fn is_terminal(&self) -> bool {
        !matches!(self, Self::Ringing { .. } | Self::Answered)
    }
}

/// One `POST /phonebridge/v3/callnotify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallNotify {
    pub direction: Direction,
    pub state: CallState,
    /// Our call id: the same for every event of one call (agent leg).
    pub id: String,
    pub from: String,
    pub to: String,
    /// The agent's PhoneBridge user id: drives the pop-up and the call owner.
    pub zohouser: Option<String>,
}

/// `start_time` format: GMT `yyyy-MM-dd HH:mm:ss` (ISO 8601 is rejected).
pub fn format_start_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn check_text(what: &str, v: &str) -> Result<()> {
    if v.trim().is_empty() || v.chars().any(char::is_control) {
        return Err(ZohoError::InvalidInput(format!(
            "callnotify `{what}` is empty or has control characters"
        )));
    }
    Ok(())
}

impl CallNotify {
    /// The form pairs. Encoding (`+` → `%2B`, space → `+`) is left to the form
    /// encoder, which does it right; numbers are passed as given (E.164 expected).
    pub fn to_form(&self) -> Result<Vec<(String, String)>> {
        check_text("id", &self.id)?;
        check_text("from", &self.from)?;
        check_text("to", &self.to)?;
        match (&self.state, self.direction) {
            (CallState::Missed { .. }, Direction::Dialed) => {
                return Err(ZohoError::InvalidInput(
                    "`missed` is an inbound (received) state".into(),
                ));
            }
            (CallState::Unattended { .. }, Direction::Received) => {
                return Err(ZohoError::InvalidInput(
                    "busy/noanswer/... are outbound (dialed) states".into(),
                ));
            }
            (
                CallState::Ringing {
                    transferred_call_id: Some(_),
                },
                Direction::Dialed,
            ) => {
                return Err(ZohoError::InvalidInput(
                    "`transferredcallid` is for received calls".into(),
                ));
            }
            _ => {}
        }
        let mut f = vec![
            ("type".to_owned(), self.direction.as_str().to_owned()),
            ("state".to_owned(), self.state.name().to_owned()),
            ("id".to_owned(), self.id.clone()),
            ("from".to_owned(), self.from.clone()),
            ("to".to_owned(), self.to.clone()),
        ];
        if let Some(u) = &self.zohouser {
            check_text("zohouser", u)?;
            f.push(("zohouser".into(), u.clone()));
        }
        let push_voice = |f: &mut Vec<(String, String)>, v: &Option<Url>| {
            if let Some(v) = v {
                f.push(("voiceuri".into(), v.to_string()));
            }
        };
        match &self.state {
            CallState::Ringing {
                transferred_call_id,
            } => {
                if let Some(t) = transferred_call_id {
                    check_text("transferredcallid", t)?;
                    f.push(("transferredcallid".into(), t.clone()));
                }
            }
            CallState::Answered => {}
            CallState::Ended {
                start,
                duration_secs,
                voice_uri,
            } => {
                f.push(("start_time".into(), format_start_time(*start)));
                f.push(("duration".into(), duration_secs.to_string()));
                push_voice(&mut f, voice_uri);
            }
            CallState::Missed { start, voice_uri }
            | CallState::Unattended {
                start, voice_uri, ..
            } => {
                f.push(("start_time".into(), format_start_time(*start)));
                push_voice(&mut f, voice_uri);
            }
        }
        Ok(f)
    }

    /// The `ended` + `duration=0` stand-in for a `missed`/unattended state that a
    /// Zoho DC refuses (what Vobiz and the FusionPBX bridge do).
    pub fn as_zero_length_ended(&self) -> Option<Self> {
        let (start, voice_uri) = match &self.state {
            CallState::Missed { start, voice_uri }
            | CallState::Unattended {
                start, voice_uri, ..
            } => (*start, voice_uri.clone()),
            _ => return None,
        };
        Some(Self {
            state: CallState::Ended {
                start,
                duration_secs: 0,
                voice_uri,
            },
            ..self.clone()
        })
    }
}

/// One `POST /phonebridge/v3/clicktodialerror`: a click-to-dial that never started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickToDialError {
    pub code: Unattended,
    /// Agent number.
    pub from: String,
    /// Customer number.
    pub to: String,
    pub zohouser: Option<String>,
    /// Shown to the user.
    pub message: Option<String>,
}

impl ClickToDialError {
    pub fn to_form(&self) -> Result<Vec<(String, String)>> {
        check_text("from", &self.from)?;
        check_text("to", &self.to)?;
        let mut f = vec![
            ("code".to_owned(), self.code.as_str().to_owned()),
            ("from".to_owned(), self.from.clone()),
            ("to".to_owned(), self.to.clone()),
        ];
        if let Some(u) = &self.zohouser {
            f.push(("zohouser".into(), u.clone()));
        }
        if let Some(m) = &self.message {
            f.push(("message".into(), m.clone()));
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-10T09:15:02Z")
            .expect("ts")
            .with_timezone(&Utc)
    }

    fn call(direction: Direction, state: CallState) -> CallNotify {
        CallNotify {
            direction,
            state,
            id: "1718000001.42".into(),
            from: "+14155550100".into(),
            to: "+14155550199".into(),
            zohouser: Some("4000000012345".into()),
        }
    }

    fn encoded(c: &CallNotify) -> String {
        serde_urlencoded::to_string(c.to_form().expect("form")).expect("encode")
    }

    #[test]
    fn ended_matches_documented_example() {
        let c = call(
            Direction::Received,
            CallState::Ended {
                start: t(),
                duration_secs: 184,
                voice_uri: Some(
                    Url::parse("https://bridge.example.com/rec/abc?sig=x").expect("url"),
                ),
            },
        );
        assert_eq!(
            encoded(&c),
            "type=received&state=ended&id=1718000001.42&from=%2B14155550100&to=%2B14155550199&zohouser=4000000012345\
             &start_time=2024-06-10+09%3A15%3A02&duration=184&voiceuri=https%3A%2F%2Fbridge.example.com%2Frec%2Fabc%3Fsig%3Dx"
        );
    }

    #[test]
    fn every_documented_state() {
        let received = [
            CallState::Ringing {
                transferred_call_id: Some("orig.1".into()),
            },
            CallState::Answered,
            CallState::Ended {
                start: t(),
                duration_secs: 5,
                voice_uri: None,
            },
            CallState::Missed {
                start: t(),
                voice_uri: None,
            },
        ];
        let names: Vec<&str> = received.iter().map(CallState::name).collect();
        assert_eq!(names, ["ringing", "answered", "ended", "missed"]);
        for s in received {
            assert!(call(Direction::Received, s).to_form().is_ok());
        }
        let reasons = [
            Unattended::Busy,
            Unattended::Invalid,
            Unattended::Blocked,
            Unattended::NotAvailable,
            Unattended::NoAnswer,
            Unattended::Rejected,
        ];
        for r in reasons {
            let c = call(
                Direction::Dialed,
                CallState::Unattended {
                    reason: r,
                    start: t(),
                    voice_uri: None,
                },
            );
            let f = c.to_form().expect("ok");
            assert!(f.contains(&("state".into(), r.as_str().into())));
            assert!(f.contains(&("start_time".into(), "2024-06-10 09:15:02".into())));
        }
        for s in [
            CallState::Ringing {
                transferred_call_id: None,
            },
            CallState::Answered,
        ] {
            assert!(call(Direction::Dialed, s).to_form().is_ok());
        }
        assert!(
            encoded(&call(
                Direction::Received,
                CallState::Missed {
                    start: t(),
                    voice_uri: None
                }
            ))
            .contains("state=missed")
        );
        assert!(
            encoded(&call(
                Direction::Received,
                CallState::Ringing {
                    transferred_call_id: Some("orig.1".into())
                }
            ))
            .contains("transferredcallid=orig.1")
        );
    }

    #[test]
    fn impossible_combinations_refused() {
        assert!(
            call(
                Direction::Dialed,
                CallState::Missed {
                    start: t(),
                    voice_uri: None
                }
            )
            .to_form()
            .is_err()
        );
        let u = CallState::Unattended {
            reason: Unattended::Busy,
            start: t(),
            voice_uri: None,
        };
        assert!(call(Direction::Received, u).to_form().is_err());
        assert!(
            call(
                Direction::Dialed,
                CallState::Ringing {
                    transferred_call_id: Some("x".into())
                }
            )
            .to_form()
            .is_err()
        );
        let mut c = call(Direction::Received, CallState::Answered);
        c.id = " ".into();
        assert!(c.to_form().is_err());
    }

    #[test]
    fn zero_length_fallback() {
        let c = call(
            Direction::Received,
            CallState::Missed {
                start: t(),
                voice_uri: None,
            },
        );
        let e = c.as_zero_length_ended().expect("fallback");
        assert!(encoded(&e).contains("state=ended") && encoded(&e).contains("duration=0"));
        assert!(
            call(Direction::Received, CallState::Answered)
                .as_zero_length_ended()
                .is_none()
        );
    }

    #[test]
    fn click_to_dial_error_form() {
        let e = ClickToDialError {
            code: Unattended::Blocked,
            from: "201".into(),
            to: "+4930123456".into(),
            zohouser: None,
            message: Some("International dialing is disabled for the extension 201.".into()),
        };
        let s = serde_urlencoded::to_string(e.to_form().expect("ok")).expect("enc");
        assert!(
            s.starts_with("code=blocked&from=201&to=%2B4930123456&message=International+dialing")
        );
    }
}
