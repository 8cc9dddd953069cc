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
    let time = if fmt.hour12 {
        "%I:%M:%S %p"
    } else {
        "%H:%M:%S"
    };
    let pattern = format!("{} {time}", date_pattern(fmt.order));
    local(epoch, utc_offset)
        .map(|t| t.format(&pattern).to_string())
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

/// Parses a `cdr/search` time: epoch seconds, or the PBX display format (12- or 24-hour),
/// or the unambiguous `YYYY/MM/DD` form. Returns epoch seconds.
pub fn parse_search_time(raw: &str, utc_offset: i32, fmt: DisplayFormat) -> Option<i64> {
    let s = raw.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let mut orders = vec![fmt.order];
    if fmt.order != DateOrder::YearMonthDay {
        orders.push(DateOrder::YearMonthDay);
    }
    let tz = FixedOffset::east_opt(utc_offset)?;
    for order in orders {
        for time in ["%I:%M:%S %p", "%H:%M:%S"] {
            let pattern = format!("{} {time}", date_pattern(order));
            if let Ok(naive) = NaiveDateTime::parse_from_str(s, &pattern) {
                return tz
                    .from_local_datetime(&naive)
                    .single()
                    .map(|t| t.timestamp());
            }
        }
    }
    None
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
    fn search_times_parse() {
        let f = DisplayFormat::default();
        assert_eq!(parse_search_time("1767258000", 0, f), Some(1_767_258_000));
        assert_eq!(
            parse_search_time("01/01/2026 09:00:00 AM", 0, f),
            Some(1_767_258_000)
        );
        assert_eq!(
            parse_search_time("2026/01/01 09:00:00 AM", 0, f),
            Some(1_767_258_000)
        );
        assert_eq!(
            parse_search_time("01/01/2026 10:00:00", 3600, f),
            Some(1_767_258_000)
        );
        assert_eq!(parse_search_time("yesterday", 0, f), None);
    }
}
