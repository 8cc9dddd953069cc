//! `cdr/list`, `cdr/search` (v1.0, legacy or reworked rows) and their v2.0 one-row-per-call
//! variants (docs/yeastar-api.md §8).

use serde_json::Value;

use super::Ctx;
use crate::cdr::{RowContext, legacy_row, reworked_rows, v2_row};
use crate::codes::{ApiError, ApiResult};
use crate::config::CdrMode;
use crate::timefmt::parse_search_time;

const SORTABLE: &[&str] = &[
    "id",
    "uid",
    "time",
    "duration",
    "ring_duration",
    "talk_duration",
    "disposition",
    "src_trunk",
    "dst_trunk",
    "call_type",
    "did_number",
    "dod_number",
    "src_addr",
];

const STATUSES: &[&str] = &["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "VOICEMAIL"];

fn sort_key(field: &str) -> String {
    // `time` is a display string; order by the epoch instead.
    if field == "time" {
        "timestamp".into()
    } else {
        field.to_owned()
    }
}

fn ctx_rows(ctx: &Ctx) -> RowContext {
    RowContext {
        zone: ctx.shared.settings.zone(),
        display: ctx.shared.settings.display_format,
    }
}

/// v1 rows in the configured CDR mode, honouring `from=new|legacy`.
fn v1_rows(ctx: &Ctx) -> Result<Vec<Value>, ApiError> {
    let rc = ctx_rows(ctx);
    let st = ctx.shared.lock();
    let mode = ctx.shared.settings.cdr_mode;
    match (mode, ctx.q("from")) {
        (CdrMode::Reworked, Some("legacy")) => Ok(Vec::new()),
        (CdrMode::Reworked, None | Some("new")) => Ok(st
            .records
            .iter()
            .flat_map(|r| reworked_rows(r, rc))
            .collect()),
        (CdrMode::Reworked, Some(_)) => Err(ApiError::ParameterError),
        // Older firmware knows no `from` parameter and ignores it.
        (CdrMode::Legacy, _) => Ok(st.records.iter().map(|r| legacy_row(r, rc)).collect()),
    }
}

fn text(row: &Value, key: &str) -> String {
    row[key].as_str().unwrap_or_default().to_owned()
}

fn time_bounds(ctx: &Ctx, begin: &str, end: &str) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let s = &ctx.shared.settings;
    let parse = |k: &str| {
        ctx.q(k)
            .map(|v| {
                parse_search_time(v, s.zone(), s.display_format, s.search_accepts_epoch)
                    .ok_or_else(|| ApiError::invalid_param(k, "DATETIME", v))
            })
            .transpose()
    };
    Ok((parse(begin)?, parse(end)?))
}

fn party_matches(row: &Value, side: &str, needle: &str, fuzzy: bool) -> bool {
    let fields = [
        text(row, side),
        text(row, &format!("{side}_number")),
        text(row, &format!("{side}_name")),
    ];
    if fuzzy {
        let n = needle.to_lowercase();
        fields.iter().any(|f| f.to_lowercase().contains(&n))
    } else {
        fields.iter().any(|f| f == needle)
    }
}

fn filter(ctx: &Ctx, rows: Vec<Value>, begin: &str, end: &str) -> Result<Vec<Value>, ApiError> {
    let (from, to) = time_bounds(ctx, begin, end)?;
    let fuzzy = match ctx.q("enable_fuzzy_search") {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(ApiError::ParameterError),
    };
    let statuses: Option<Vec<&str>> = ctx
        .q("status")
        .map(|s| s.split(',').map(str::trim).collect());
    if let Some(list) = &statuses
        && !list.iter().all(|s| STATUSES.contains(s))
    {
        return Err(ApiError::ParameterError);
    }
    let dids: Option<Vec<&str>> = ctx.q("did").map(|s| s.split(',').map(str::trim).collect());
    Ok(rows
        .into_iter()
        .filter(|r| {
            let ts = r["timestamp"].as_i64().unwrap_or_default();
            from.is_none_or(|f| ts >= f) && to.is_none_or(|t| ts <= t)
        })
        .filter(|r| {
            ctx.q("call_from")
                .is_none_or(|n| party_matches(r, "call_from", n, fuzzy))
        })
        .filter(|r| {
            ctx.q("call_to")
                .is_none_or(|n| party_matches(r, "call_to", n, fuzzy))
        })
        .filter(|r| {
            statuses.as_ref().is_none_or(|l| {
                let s = r.get("disposition").or_else(|| r.get("last_status"));
                l.iter().any(|x| s.and_then(Value::as_str) == Some(x))
            })
        })
        .filter(|r| {
            dids.as_ref().is_none_or(|l| {
                let by_number = text(r, "did");
                let by_name = format!("{}:{}", text(r, "did_name"), text(r, "src_trunk"));
                l.iter().any(|d| *d == by_number || *d == by_name)
            })
        })
        .filter(|r| ctx.q("pin_code").is_none_or(|p| text(r, "pin_code") == p))
        .collect())
}

/// `GET cdr/list`.
pub fn list(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(SORTABLE)?;
    Ok(paging.reply(v1_rows(ctx)?, sort_key))
}

/// `GET cdr/search`: `start_time` / `end_time` in the display format (or epoch seconds when
/// the simulated firmware takes them).
pub fn search(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(SORTABLE)?;
    let rows = filter(ctx, v1_rows(ctx)?, "start_time", "end_time")?;
    Ok(paging.reply(rows, sort_key))
}

fn v2_rows(ctx: &Ctx) -> Vec<Value> {
    let rc = ctx_rows(ctx);
    ctx.shared
        .lock()
        .records
        .iter()
        .map(|r| v2_row(r, rc))
        .collect()
}

/// `GET /openapi/v2.0/cdr/list`.
pub fn list_v2(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(&["id", "time"])?;
    Ok(paging.reply(v2_rows(ctx), sort_key))
}

/// `GET /openapi/v2.0/cdr/search`: `time_begin` / `time_end` (display format).
pub fn search_v2(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(&["id", "time"])?;
    let rows = filter(ctx, v2_rows(ctx), "time_begin", "time_end")?;
    Ok(paging.reply(rows, sort_key))
}
