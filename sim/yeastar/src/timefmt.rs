//! PBX time formats: CDR display format, 30012 `time_start`, recording-file stamps, all in
//! the PBX's local time ([`PbxZone`]: a fixed offset, or an IANA zone with its DST rules).

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone};

use crate::config::{DateOrder, DisplayFormat};

/// The PBX's time zone (System > Date and Time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PbxZone {
    /// A fixed offset from UTC in seconds (no daylight saving time).
    Fixed(i32),
    /// An IANA zone such as `Europe/Berlin`, daylight saving time included.
    Iana(chrono_tz::Tz),
}

impl PbxZone {
    /// The offset in force at `epoch`.
    pub fn offset_at(self, epoch: i64) -> Option<FixedOffset> {
        match self {
            Self::Fixed(secs) => FixedOffset::east_opt(secs),
            Self::Iana(tz) => tz
                .timestamp_opt(epoch, 0)
                .single()
                .map(|t| t.offset().fix()),
        }
    }

    /// The instant a PBX-local wall-clock time names. Ambiguous times (the hour repeated
    /// when DST ends) take the earlier instant; times skipped when DST starts are `None`.
    pub fn instant_of(self, local: &NaiveDateTime) -> Option<i64> {
        let earliest = |r: LocalResult<i64>| match r {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t),
            LocalResult::None => None,
        };
        match self {
            Self::Fixed(secs) => earliest(
                FixedOffset::east_opt(secs)?
                    .from_local_datetime(local)
                    .map(|t| t.timestamp()),
            ),
            Self::Iana(tz) => earliest(tz.from_local_datetime(local).map(|t| t.timestamp())),
        }
    }
}

fn local(epoch: i64, zone: PbxZone) -> Option<DateTime<FixedOffset>> {
    zone.offset_at(epoch)?.timestamp_opt(epoch, 0).single()
}

fn date_pattern(order: DateOrder) -> &'static str {
    match order {
        DateOrder::DayMonthYear => "%d/%m/%Y",
        DateOrder::MonthDayYear => "%m/%d/%Y",
        DateOrder::YearMonthDay => "%Y/%m/%d",
    }
}

/// CDR `time`: the PBX display format, e.g. `01/01/2026 09:00:00 AM`.
pub fn display(epoch: i64, zone: PbxZone, fmt: DisplayFormat) -> String {
    local(epoch, zone)
        .map(|t| t.format(&display_pattern(fmt)).to_string())
        .unwrap_or_default()
}

/// 30012 `time_start`: `YYYY-MM-DD HH:mm:ss`, PBX-local.
pub fn time_start(epoch: i64, zone: PbxZone) -> String {
    local(epoch, zone)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Recording-name and `uid` stamp: `YYYYMMDDhhmmss`, PBX-local.
pub fn file_stamp(epoch: i64, zone: PbxZone) -> String {
    local(epoch, zone)
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default()
}

fn display_pattern(fmt: DisplayFormat) -> String {
    let time = if fmt.hour12 {
        "%I:%M:%S %p"
    } else {
        "%H:%M:%S"
    };
    format!("{} {time}", date_pattern(fmt.order))
}

/// Parses a `cdr/search` time. Vendor pages document the PBX display format (exactly: the
/// configured date order and 12/24-hour clock); newer pages add Unix seconds, which only
/// firmware with `accept_epoch` takes. Returns epoch seconds.
pub fn parse_search_time(
    raw: &str,
    zone: PbxZone,
    fmt: DisplayFormat,
    accept_epoch: bool,
) -> Option<i64> {
    let s = raw.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return accept_epoch.then(|| s.parse().ok()).flatten();
    }
    let naive = NaiveDateTime::parse_from_str(s, &display_pattern(fmt)).ok()?;
    zone.instant_of(&naive)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTC: PbxZone = PbxZone::Fixed(0);

    #[test]
    fn formats_match_vendor_examples() {
        let f = DisplayFormat::default();
        assert_eq!(display(1_767_258_000, UTC, f), "01/01/2026 09:00:00 AM");
        assert_eq!(time_start(1_767_258_000, UTC), "2026-01-01 09:00:00");
        assert_eq!(file_stamp(1_767_258_000, UTC), "20260101090000");
        assert_eq!(
            display(1_767_258_000 + 5 * 3600, UTC, f),
            "01/01/2026 02:00:00 PM"
        );
    }

    #[test]
    fn search_times_follow_the_display_format_only() {
        let f = DisplayFormat::default();
        assert_eq!(
            parse_search_time("1767258000", UTC, f, true),
            Some(1_767_258_000)
        );
        assert_eq!(parse_search_time("1767258000", UTC, f, false), None);
        assert_eq!(
            parse_search_time("01/01/2026 09:00:00 AM", UTC, f, false),
            Some(1_767_258_000)
        );
        // Another date order or clock than the configured one is refused.
        assert_eq!(
            parse_search_time("2026/01/01 09:00:00 AM", UTC, f, false),
            None
        );
        assert_eq!(
            parse_search_time("01/01/2026 09:00:00", UTC, f, false),
            None
        );
        let mdy24 = DisplayFormat {
            order: DateOrder::MonthDayYear,
            hour12: false,
        };
        assert_eq!(
            parse_search_time("01/01/2026 10:00:00", PbxZone::Fixed(3600), mdy24, false),
            Some(1_767_258_000)
        );
        assert_eq!(parse_search_time("yesterday", UTC, f, true), None);
    }

    #[test]
    fn display_formats_parse_from_vendor_notation() {
        let parsed: DisplayFormat = "MM/DD/YYYY HH:mm:ss".parse().expect("24h");
        assert_eq!(
            parsed,
            DisplayFormat {
                order: DateOrder::MonthDayYear,
                hour12: false
            }
        );
        let parsed: DisplayFormat = "YYYY/MM/DD hh:mm:ss AM".parse().expect("12h");
        assert_eq!(
            display(1_767_258_000, UTC, parsed),
            "2026/01/01 09:00:00 AM"
        );
        assert!("DD.MM.YYYY".parse::<DisplayFormat>().is_err());
    }
}

#[cfg(test)]
mod dst_tests {
    use super::*;

    const BERLIN: PbxZone = PbxZone::Iana(chrono_tz::Europe::Berlin);

    #[test]
    fn an_iana_zone_follows_daylight_saving_time() {
        let f: DisplayFormat = "DD/MM/YYYY HH:mm:ss".parse().expect("24h");
        // 2027-03-28 00:59:59 UTC is 01:59:59 CET; one second later it is 03:00:00 CEST.
        let before = 1_806_195_599;
        assert_eq!(display(before, BERLIN, f), "28/03/2027 01:59:59");
        assert_eq!(display(before + 1, BERLIN, f), "28/03/2027 03:00:00");
        assert_eq!(time_start(1_767_258_000, BERLIN), "2026-01-01 10:00:00");
        assert_eq!(time_start(1_782_896_400, BERLIN), "2026-07-01 11:00:00");
    }

    #[test]
    fn search_times_in_a_dst_zone_resolve_skipped_and_repeated_hours() {
        let f: DisplayFormat = "DD/MM/YYYY HH:mm:ss".parse().expect("24h");
        // 02:30 does not exist on the spring-forward day.
        assert_eq!(
            parse_search_time("28/03/2027 02:30:00", BERLIN, f, false),
            None
        );
        // 02:30 happens twice on the fall-back day: the first one (CEST) is taken.
        assert_eq!(
            parse_search_time("31/10/2027 02:30:00", BERLIN, f, false),
            Some(1_824_942_600)
        );
    }
}
