//! Recordings (docs/yeastar-api.md §9): ask for a download URL, then stream the file
//! through, never holding it in memory.

use futures_util::TryStreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderMap, RANGE};
use ringbridge_core::pbx::{PbxError, RecordingStream};
use serde::Deserialize;

use super::Done;
use crate::client::YeastarClient;
use crate::error::{Result, YeastarError};
use crate::http::decode_body;
use crate::wire::WireText;

/// Error bodies (a JSON `errcode`) are small; anything this large is not one.
const MAX_ERROR_BODY: usize = 64 * 1024;

#[derive(Deserialize)]
struct DownloadAnswer {
    download_resource_url: WireText,
}

impl YeastarClient {
    /// `recording/download?file=`: a URL path valid for 30 minutes.
    pub async fn recording_download_path(&self, file: &str) -> Result<String> {
        let answer: DownloadAnswer = self
            .get("recording/download", &[("file", file.to_owned())])
            .await?;
        answer
            .download_resource_url
            .non_empty()
            .ok_or_else(|| YeastarError::Decode("recording/download gave no URL".into()))
    }

    /// Streams the recording `file`. `range` is an HTTP byte range
    /// `(start, end_inclusive)`, passed to the PBX as a `Range` header;
    /// whether it was honoured shows in [`RecordingStream::range`].
    pub async fn recording_stream(
        &self,
        file: &str,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<RecordingStream> {
        if let Some((start, Some(end))) = range
            && end < start
        {
            return Err(YeastarError::Invalid(format!("byte range {start}-{end}")));
        }
        let path = self.recording_download_path(file).await?;
        let stream = self
            .with_token(|token| {
                let path = path.clone();
                async move {
                    let url = self.http().resource_url(&path, &token)?;
                    let mut request = self.http().client().get(url);
                    if let Some((start, end)) = range {
                        let end = end.map(|e| e.to_string()).unwrap_or_default();
                        request = request.header(RANGE, format!("bytes={start}-{end}"));
                    }
                    open(request.send().await?, file).await
                }
            })
            .await?;
        Ok(stream)
    }
}

async fn open(response: reqwest::Response, file: &str) -> Result<RecordingStream> {
    let status = response.status();
    if !status.is_success() {
        return Err(YeastarError::Status {
            status: status.as_u16(),
        });
    }
    let headers = response.headers().clone();
    let content_type = header_text(&headers, CONTENT_TYPE);
    // The PBX answers API errors (an expired token, ...) as JSON, not audio.
    if content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("application/json"))
    {
        let body = response.bytes().await?;
        if body.len() > MAX_ERROR_BODY {
            return Err(YeastarError::Decode(
                "a JSON body instead of a recording".into(),
            ));
        }
        let Done {} = decode_body("recording download", &body)?;
        return Err(YeastarError::Decode(
            "a JSON body instead of a recording".into(),
        ));
    }
    let content_length = header_text(&headers, CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    let (range, length) = if status == reqwest::StatusCode::PARTIAL_CONTENT {
        let parsed = header_text(&headers, CONTENT_RANGE)
            .as_deref()
            .and_then(parse_content_range)
            .ok_or_else(|| YeastarError::Decode("206 without a usable Content-Range".into()))?;
        (
            parsed.total.map(|total| (parsed.start, total)),
            parsed.total,
        )
    } else {
        (None, content_length)
    };
    let body = response.bytes_stream().map_err(|e| {
        PbxError::Unavailable(ringbridge_core::cause::Cause::with_context(
            "recording stream",
            e.without_url(),
        ))
    });
    Ok(RecordingStream {
        content_type: content_type.unwrap_or_else(|| guess_content_type(file).to_owned()),
        length,
        range,
        body: Box::pin(body),
    })
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

/// `Content-Range: bytes 100-199/5000` (the total may be `*`).
#[derive(Debug, PartialEq, Eq)]
struct ContentRange {
    start: u64,
    /// `None` for `*`.
    total: Option<u64>,
}

fn parse_content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let (start, end) = span.trim().split_once('-')?;
    let (start, end): (u64, u64) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse::<u64>().ok()?),
    };
    let consistent = start <= end && total.is_none_or(|t| end < t);
    consistent.then_some(ContentRange { start, total })
}

/// The PBX's content type is undocumented; the file name says wav or mp3.
fn guess_content_type(file: &str) -> &'static str {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".mp3") {
        "audio/mpeg"
    } else if lower.ends_with(".wav") {
        "audio/wav"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(
            parse_content_range("bytes 100-199/5000"),
            Some(ContentRange {
                start: 100,
                total: Some(5000)
            })
        );
        assert_eq!(
            parse_content_range("bytes 0-9/*"),
            Some(ContentRange {
                start: 0,
                total: None
            })
        );
        assert_eq!(parse_content_range("bytes 9-0/10"), None);
        assert_eq!(parse_content_range("bytes 0-10/10"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(parse_content_range("bytes */5000"), None);
    }

    #[test]
    fn content_type_guess() {
        assert_eq!(guess_content_type("a-Inbound.WAV"), "audio/wav");
        assert_eq!(guess_content_type("a.mp3"), "audio/mpeg");
        assert_eq!(guess_content_type("a.bin"), "application/octet-stream");
    }
}
