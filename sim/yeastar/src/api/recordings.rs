//! `recording/list`, `recording/search`, `recording/get`, `recording/download`
//! (docs/yeastar-api.md §9).

use std::sync::atomic::Ordering;

use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

use super::Ctx;
use crate::codes::{ApiError, ApiResult, Reply};
use crate::config::RecordingFormat;
use crate::state::{DownloadLink, Recording};
use crate::timefmt;

/// Download URLs stay valid this long (simulated seconds).
pub const DOWNLOAD_TTL: i64 = 1800;

fn party(name: &str, number: &str) -> String {
    if name.is_empty() {
        number.to_owned()
    } else {
        format!("{name}<{number}>")
    }
}

fn row(ctx: &Ctx, r: &Recording) -> Value {
    let s = &ctx.shared.settings;
    json!({
        "id": r.id,
        "time": timefmt::display(r.started_at, s.zone(), s.display_format),
        "uid": r.uid,
        "call_from": party(&r.from_name, &r.from_number),
        "call_to": party(&r.to_name, &r.to_number),
        "duration": r.duration,
        "size": r.bytes.len(),
        "call_type": r.call_type.as_str(),
        "file": r.file,
        "call_from_number": r.from_number,
        "call_from_name": r.from_name,
        "call_to_number": r.to_number,
        "call_to_name": r.to_name,
        "archive_status": "success",
        "archive_path": "",
        "archive_type": "",
        "file_path": "",
        "timestamp": r.started_at,
    })
}

fn sort_key(field: &str) -> String {
    if field == "time" {
        "timestamp".into()
    } else {
        field.to_owned()
    }
}

/// `GET recording/list`.
pub fn list(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(&["id", "time"])?;
    let rows = ctx
        .shared
        .lock()
        .recordings
        .iter()
        .map(|r| row(ctx, r))
        .collect();
    Ok(paging.reply(rows, sort_key))
}

/// `GET recording/search` (filters undocumented: `search_value` matches file, numbers, names).
pub fn search(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(&["id", "time"])?;
    let needle = ctx.q("search_value").unwrap_or_default().to_lowercase();
    let rows = ctx
        .shared
        .lock()
        .recordings
        .iter()
        .filter(|r| {
            [
                &r.file,
                &r.from_number,
                &r.to_number,
                &r.from_name,
                &r.to_name,
            ]
            .iter()
            .any(|f| f.to_lowercase().contains(&needle))
        })
        .map(|r| row(ctx, r))
        .collect();
    Ok(paging.reply(rows, sort_key))
}

/// `GET recording/get?id=` (unconfirmed endpoint).
pub fn get(ctx: &Ctx) -> ApiResult {
    let id = ctx.q_id("id")?;
    let st = ctx.shared.lock();
    let r = st
        .recordings
        .iter()
        .find(|r| r.id == id)
        .ok_or(ApiError::DataNotFound)?;
    Ok(Reply::ok().with("data", row(ctx, r)))
}

/// `GET recording/download?id=|file=` → a download URL valid for 30 minutes.
pub fn download(ctx: &Ctx) -> ApiResult {
    let id = ctx.q_u64("id")?;
    let file = ctx.q("file");
    if id.is_none() && file.is_none() {
        return Err(ApiError::ParameterError);
    }
    if ctx.shared.settings.recording_format == RecordingFormat::Mp3
        && ctx.shared.mp3_downloads.load(Ordering::SeqCst) > 0
    {
        // MP3 mode serves one download at a time; the errcode for a second one is
        // unconfirmed (70082 OVERLOAD_TASK_RUNNING is the documented fit).
        return Err(ApiError::OverloadTaskRunning);
    }
    let now = ctx.shared.clock.now();
    let mut st = ctx.shared.lock();
    let rec = st
        .recordings
        .iter()
        .find(|r| id.is_none_or(|i| r.id == i) && file.is_none_or(|f| r.file == f))
        .ok_or(ApiError::DataNotFound)?;
    let (stem, ext) = rec
        .file
        .rsplit_once('.')
        .unwrap_or((rec.file.as_str(), "wav"));
    let rand: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(8)
        .map(char::from)
        .collect();
    let route = if ctx.shared.settings.attachment_download_links {
        "downloadattachment"
    } else {
        "download"
    };
    let url = format!("/api/{route}/Recording-{stem}-download-{now}-{rand}.{ext}");
    let file_name = rec.file.clone();
    let link = DownloadLink {
        recording_id: rec.id,
        expires_at: now + DOWNLOAD_TTL,
    };
    st.downloads.retain(|_, l| l.expires_at > now);
    st.downloads.insert(url.clone(), link);
    Ok(Reply::ok()
        .with("file", file_name)
        .with("download_resource_url", url))
}
