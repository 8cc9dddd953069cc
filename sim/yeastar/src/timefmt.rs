//! PBX time formats: CDR display format, 30012 `time_start`, recording-file stamps.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

use crate::config::{DateOrder, DisplayFormat};

fn local(epoch: i64, utc_offset: i32) -> Option<DateTime<FixedOffset>> {
    let tz = FixedOffset::east_opt(utc_offset)?;
    tz.timestamp_opt(epoch, 0).single()
}

fn date_pattern(order: DateOrder) -> &'static str {
    match order {
        DateOrder::DayMonthYear => "%d/%m/%Y",
        DateOrder::MonthDayYear => "%m/%d/%Y",
        DateOrder::YearMonthDay => "%Y/%m/%d",
    }
}

/// CDR `time`: the PBX display format, e.g. `01/01/2026 09:00:00 AM`.
pub fn display(epoch: i64, utc_offset: i32, fmt: DisplayFormat) -> String {
    local(epoch, utc_offset)
        .map(|t| t.format(&display_pattern(fmt)).to_string())
        .unwrap_or_default()
}

/// 30012 `time_start`: `YYYY-MM-DD HH:mm:ss`, PBX-local.
pub fn time_start(epoch: i64, utc_offset: i32) -> String {
    local(epoch, utc_offset)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Recording-name and `uid` stamp: `YYYYMMDDhhmmss`, PBX-local.
pub fn file_stamp(epoch: i64, utc_offset: i32) -> String {
    local(epoch, utc_offset)
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
    utc_offset: i32,
    fmt: DisplayFormat,
    accept_epoch: bool,
) -> Option<i64> {
    let s = raw.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return accept_epoch.then(|| s.parse().ok()).flatten();
    }
    let tz = FixedOffset::east_opt(utc_offset)?;
    let naive = NaiveDateTime::parse_from_str(s, &display_pattern(fmt)).ok()?;
    tz.from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_vendor_examples() {
        let f = DisplayFormat::default();
        assert_eq!(display(1_767_258_000, 0, f), "01/01/2026 09:00:00 AM");
        assert_eq!(time_start(1_767_258_000, 0), "2026-01-01 09:00:00");
        assert_eq!(file_stamp(1_767_258_000, 0), "20260101090000");
        assert_eq!(
            display(1_767_258_000 + 5 * 3600, 0, f),
            "01/01/2026 02:00:00 PM"
        );
    }

    #[test]
    fn search_times_follow_the_display_format_only() {
        let f = DisplayFormat::default();
        assert_eq!(
            parse_search_time("1767258000", 0, f, true),
            Some(1_767_258_000)
        );
        assert_eq!(parse_search_time("1767258000", 0, f, false), None);
        assert_eq!(
            parse_search_time("01/01/2026 09:00:00 AM", 0, f, false),
            Some(1_767_258_000)
        );
        // Another date order or clock than the configured one is refused.
        assert_eq!(
            parse_search_time("2026/01/01 09:00:00 AM", 0, f, false),
            None
        );
        assert_eq!(parse_search_time("01/01/2026 09:00:00", 0, f, false), None);
        let mdy24 = DisplayFormat {
            order: DateOrder::MonthDayYear,
            hour12: false,
        };
        assert_eq!(
            parse_search_time("01/01/2026 10:00:00", 3600, mdy24, false),
            Some(1_767_258_000)
        );
        assert_eq!(parse_search_time("yesterday", 0, f, true), None);
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
        assert_eq!(display(1_767_258_000, 0, parsed), "2026/01/01 09:00:00 AM");
        assert!("DD.MM.YYYY".parse::<DisplayFormat>().is_err());
    }
}
