//! `start_at`: the PBX-clock time a scenario starts at. With an offset
//! (`2027-03-28T01:58:00+01:00`) it is that instant; without one (`2027-03-28T01:58:00`) it
//! is a wall-clock time in the PBX's time zone, daylight saving time included.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ScenarioError;
use crate::timefmt::PbxZone;

/// When a scenario starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt {
    /// An instant.
    Instant(DateTime<FixedOffset>),
    /// A wall-clock time of the PBX.
    Local(NaiveDateTime),
}

const LOCAL_FORMATS: &[&str] = &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"];

impl std::str::FromStr for StartAt {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self::Instant(t));
        }
        LOCAL_FORMATS
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .map(Self::Local)
            .ok_or_else(|| {
                format!(
                    "start_at {text:?} is not a date-time like 2027-03-28T01:58:00+01:00 \
                     (an instant) or 2027-03-28T01:58:00 (PBX local time)"
                )
            })
    }
}

impl fmt::Display for StartAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Instant(t) => write!(f, "{}", t.to_rfc3339()),
            Self::Local(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

impl StartAt {
    /// The epoch second this names on a PBX in `zone`.
    pub fn epoch(&self, zone: PbxZone) -> Result<i64, ScenarioError> {
        match self {
            Self::Instant(t) => Ok(t.timestamp()),
            Self::Local(t) => zone.instant_of(t).ok_or_else(|| {
                ScenarioError::Invalid(format!(
                    "start_at {self} does not exist in the PBX time zone (skipped when \
                     daylight saving time starts)"
                ))
            }),
        }
    }
}

impl Serialize for StartAt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

struct StartAtVisitor;

impl<'de> Visitor<'de> for StartAtVisitor {
    type Value = StartAt;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date-time")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<StartAt, E> {
        v.parse().map_err(E::custom)
    }

    // TOML hands its native date-times over as a one-entry map holding the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StartAt, A::Error> {
        let Some((_, text)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom("empty date-time"));
        };
        text.parse().map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for StartAt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StartAtVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        start_at: StartAt,
    }

    #[test]
    fn toml_date_times_with_and_without_offset() {
        let doc: Doc = toml::from_str("start_at = 2027-03-28T01:58:00+01:00").expect("instant");
        assert_eq!(doc.start_at.epoch(PbxZone::Fixed(0)), Ok(1_806_195_480));
        let doc: Doc = toml::from_str("start_at = 2027-03-28T01:58:00").expect("local");
        let berlin = PbxZone::Iana(chrono_tz::Europe::Berlin);
        assert_eq!(doc.start_at.epoch(berlin), Ok(1_806_195_480));
        let doc: Doc = toml::from_str(r#"start_at = "2027-03-28 01:58:00""#).expect("text");
        assert_eq!(doc.start_at.epoch(PbxZone::Fixed(3600)), Ok(1_806_195_480));
    }

    #[test]
    fn a_local_time_skipped_by_dst_is_refused() {
        let doc: Doc = toml::from_str("start_at = 2027-03-28T02:30:00").expect("local");
        let berlin = PbxZone::Iana(chrono_tz::Europe::Berlin);
        assert!(matches!(
            doc.start_at.epoch(berlin),
            Err(ScenarioError::Invalid(m)) if m.contains("does not exist")
        ));
    }

    #[test]
    fn a_bad_start_time_names_its_line() {
        let err = toml::from_str::<Doc>("\nstart_at = \"soon\"")
            .err()
            .expect("refused");
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(err.to_string().contains("soon"), "{err}");
    }
}
