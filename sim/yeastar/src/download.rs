//! `GET {base}{download_resource_url}?access_token=`: streams a recording, with HTTP Range
//! support (206 + `Content-Range`) so players can seek.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::state::Shared;

const CHUNK: usize = 16 * 1024;

/// A parsed single `Range: bytes=` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeReq {
    /// No (usable) range: the whole file.
    Full,
    /// Inclusive byte range.
    Part(usize, usize),
    /// Outside the file.
    Unsatisfiable,
}

/// Parses `Range` against a file length. Multi-range and malformed headers fall back to the
/// whole file, as RFC 9110 allows.
pub fn parse_range(header: Option<&str>, len: usize) -> RangeReq {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeReq::Full;
    };
    if spec.contains(',') {
        return RangeReq::Full;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return RangeReq::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let parse = |s: &str| s.parse::<usize>().ok();
    match (a.is_empty(), b.is_empty()) {
        (true, false) => match parse(b) {
            Some(0) => RangeReq::Unsatisfiable,
            Some(n) if len > 0 => RangeReq::Part(len.saturating_sub(n), len - 1),
            Some(_) => RangeReq::Unsatisfiable,
            None => RangeReq::Full,
        },
        (false, _) => {
            let Some(start) = parse(a) else {
                return RangeReq::Full;
            };
            let end = if b.is_empty() {
                Some(usize::MAX)
            } else {
                parse(b)
            };
            match end {
                None => RangeReq::Full,
                Some(end) if end < start => RangeReq::Full,
                Some(_) if start >= len => RangeReq::Unsatisfiable,
                Some(end) => RangeReq::Part(start, end.min(len - 1)),
            }
        }
        (true, true) => RangeReq::Full,
    }
}

/// Decrements the in-flight MP3 counter when the body is finished or dropped.
struct InFlight(Arc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.mp3_downloads.fetch_sub(1, Ordering::SeqCst);
    }
}

fn body(shared: &Arc<Shared>, data: Bytes, mp3: bool) -> Body {
    let guard = mp3.then(|| {
        shared.mp3_downloads.fetch_add(1, Ordering::SeqCst);
        InFlight(shared.clone())
    });
    let throttle = shared.settings.download_throttle;
    let stream = futures_util::stream::unfold((data, guard), move |(rest, guard)| async move {
        if rest.is_empty() {
            return None;
        }
        if let Some(d) = throttle {
            tokio::time::sleep(d).await;
        }
        let mut rest = rest;
        let chunk = rest.split_to(CHUNK.min(rest.len()));
        Some((Ok::<_, std::convert::Infallible>(chunk), (rest, guard)))
    });
    Body::from_stream(stream)
}

/// The download handler.
pub async fn serve(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    shared.count("download");
    let now = shared.clock.now();
    {
        let auth = shared.auth();
        if let Err(e) = auth.check_ip(peer.ip()) {
            return e.into_response();
        }
        if let Err(e) = auth.validate(query.get("access_token").map(String::as_str), now) {
            return e.into_response();
        }
    }
    // The link as issued: `/api/download/…`, or `/api/downloadattachment/…` on Cloud.
    let path = uri.path().to_owned();
    let found = {
        let st = shared.lock();
        st.downloads
            .get(&path)
            .filter(|l| l.expires_at > now)
            .and_then(|l| st.recordings.iter().find(|r| r.id == l.recording_id))
            .map(|r| (r.file.clone(), r.bytes.clone()))
    };
    // Expired or unknown URL: the PBX's answer is undocumented; a plain 404 here.
    let Some((file, data)) = found else {
        return (StatusCode::NOT_FOUND, "download link expired or unknown").into_response();
    };
    let mp3 = file.ends_with(".mp3");
    let len = data.len();
    let range = parse_range(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        len,
    );
    let content_type = if mp3 { "audio/mpeg" } else { "audio/wav" };
    let (status, slice, content_range) = match range {
        RangeReq::Full => (StatusCode::OK, data, None),
        RangeReq::Part(a, b) => (
            StatusCode::PARTIAL_CONTENT,
            data.slice(a..=b),
            Some(format!("bytes {a}-{b}/{len}")),
        ),
        RangeReq::Unsatisfiable => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
    };
    let mut resp = Response::new(body(&shared, slice.clone(), mp3));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(slice.len()));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(cr) = content_range.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_RANGE, cr);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 100), RangeReq::Full);
        assert_eq!(parse_range(Some("bytes=0-9"), 100), RangeReq::Part(0, 9));
        assert_eq!(parse_range(Some("bytes=90-"), 100), RangeReq::Part(90, 99));
        assert_eq!(parse_range(Some("bytes=-10"), 100), RangeReq::Part(90, 99));
        assert_eq!(
            parse_range(Some("bytes=50-500"), 100),
            RangeReq::Part(50, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=100-"), 100),
            RangeReq::Unsatisfiable
        );
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), RangeReq::Full);
        assert_eq!(parse_range(Some("items=0-1"), 100), RangeReq::Full);
    }
}
