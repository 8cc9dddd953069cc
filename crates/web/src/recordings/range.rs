//! HTTP byte ranges for recordings: parsing the player's `Range`, and
//! cutting a window out of the PBX's stream when the PBX sent more than
//! was asked (it ignored the range, or the range was a suffix).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use ringbridge_core::pbx::{ByteStream, PbxError};

/// One range from `Range: bytes=…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=a-b` or `bytes=a-` (end inclusive).
    From(u64, Option<u64>),
    /// `bytes=-n`: the last `n` bytes.
    Suffix(u64),
}

impl ByteRange {
    /// Parses a single-range header. Multiple ranges and anything malformed
    /// give `None`: the whole file is served, as RFC 9110 allows.
    pub fn parse(header: &str) -> Option<Self> {
        let spec = header.trim().strip_prefix("bytes=")?;
        if spec.contains(',') {
            return None;
        }
        let (start, end) = spec.split_once('-')?;
        let (start, end) = (start.trim(), end.trim());
        if start.is_empty() {
            return end.parse().ok().map(Self::Suffix);
        }
        let start: u64 = start.parse().ok()?;
        let end = if end.is_empty() {
            None
        } else {
            Some(end.parse::<u64>().ok().filter(|e| *e >= start)?)
        };
        Some(Self::From(start, end))
    }

    /// The range to ask the PBX for: suffixes need the size first.
    pub fn for_pbx(self) -> Option<(u64, Option<u64>)> {
        match self {
            Self::From(start, end) => Some((start, end)),
            Self::Suffix(_) => None,
        }
    }

    /// First and last byte within a file of `total` bytes, or `None` when
    /// the range is unsatisfiable (416).
    pub fn resolve(self, total: u64) -> Option<(u64, u64)> {
        let last = total.checked_sub(1)?;
        match self {
            Self::From(start, _) if start > last => None,
            Self::From(start, end) => Some((start, end.map_or(last, |e| e.min(last)))),
            Self::Suffix(0) => None,
            Self::Suffix(n) => Some((total.saturating_sub(n), last)),
        }
    }
}

/// Passes on `len` bytes of `inner` after skipping `skip` bytes; stops
/// reading the PBX once done. `len: None` passes everything after the skip.
pub struct Window {
    inner: ByteStream,
    skip: u64,
    remaining: Option<u64>,
}

impl Window {
    pub fn new(inner: ByteStream, skip: u64, len: Option<u64>) -> Self {
        Self {
            inner,
            skip,
            remaining: len,
        }
    }
}

impl Stream for Window {
    type Item = Result<Bytes, PbxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.remaining == Some(0) {
                return Poll::Ready(None);
            }
            let chunk = match this.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => chunk,
                Poll::Ready(Some(Err(err))) => return Poll::Ready(Some(Err(err))),
                Poll::Ready(None) if this.remaining.is_some() => {
                    // The response promised a length: failing the body tells
                    // the player (and the log) it is incomplete.
                    this.remaining = Some(0);
                    return Poll::Ready(Some(Err(PbxError::Protocol(
                        "the recording ended before its announced length".into(),
                    ))));
                }
                Poll::Ready(None) => return Poll::Ready(None),
            };
            let size = chunk.len() as u64;
            if this.skip >= size {
                this.skip -= size;
                continue;
            }
            // `skip < size`, so it fits in usize.
            let mut chunk = chunk.slice(this.skip as usize..);
            this.skip = 0;
            if let Some(left) = this.remaining.as_mut() {
                if (chunk.len() as u64) > *left {
                    chunk.truncate(*left as usize);
                }
                *left -= chunk.len() as u64;
            }
            if !chunk.is_empty() {
                return Poll::Ready(Some(Ok(chunk)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_ranges_only() {
        assert_eq!(
            ByteRange::parse("bytes=0-99"),
            Some(ByteRange::From(0, Some(99)))
        );
        assert_eq!(
            ByteRange::parse("bytes=100-"),
            Some(ByteRange::From(100, None))
        );
        assert_eq!(ByteRange::parse("bytes=-5"), Some(ByteRange::Suffix(5)));
        for ignored in [
            "bytes=0-1,5-6",
            "bytes=9-1",
            "items=0-1",
            "bytes=-",
            "bytes=a-b",
            "",
        ] {
            assert_eq!(ByteRange::parse(ignored), None, "{ignored:?}");
        }
    }

    #[test]
    fn resolves_against_the_size() {
        assert_eq!(ByteRange::From(0, Some(99)).resolve(50), Some((0, 49)));
        assert_eq!(ByteRange::From(10, None).resolve(50), Some((10, 49)));
        assert_eq!(ByteRange::From(50, None).resolve(50), None);
        assert_eq!(ByteRange::Suffix(10).resolve(50), Some((40, 49)));
        assert_eq!(ByteRange::Suffix(80).resolve(50), Some((0, 49)));
        assert_eq!(ByteRange::Suffix(0).resolve(50), None);
        assert_eq!(ByteRange::From(0, None).resolve(0), None);
    }

    async fn collect(window: Window) -> Result<Vec<u8>, PbxError> {
        let mut window = std::pin::pin!(window);
        let mut out = Vec::new();
        while let Some(chunk) = std::future::poll_fn(|cx| window.as_mut().poll_next(cx)).await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    fn chunks(sizes: &[usize]) -> (ByteStream, Vec<u8>) {
        let all: Vec<u8> = (0..sizes.iter().sum::<usize>())
            .map(|i| (i % 251) as u8)
            .collect();
        let mut at = 0;
        let parts: Vec<Result<Bytes, PbxError>> = sizes
            .iter()
            .map(|n| {
                let part = Bytes::copy_from_slice(&all[at..at + n]);
                at += n;
                Ok(part)
            })
            .collect();
        (Box::pin(Iter(parts.into_iter())), all)
    }

    struct Iter(std::vec::IntoIter<Result<Bytes, PbxError>>);

    impl Stream for Iter {
        type Item = Result<Bytes, PbxError>;
        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.get_mut().0.next())
        }
    }

    #[tokio::test]
    async fn cuts_windows_across_chunk_boundaries() {
        let (stream, all) = chunks(&[10, 0, 7, 30, 3]);
        let got = collect(Window::new(stream, 12, Some(20))).await.unwrap();
        assert_eq!(got, all[12..32]);

        let (stream, all) = chunks(&[10, 7]);
        let got = collect(Window::new(stream, 0, None)).await.unwrap();
        assert_eq!(got, all);

        let (stream, all) = chunks(&[4, 4, 4]);
        let got = collect(Window::new(stream, 11, None)).await.unwrap();
        assert_eq!(got, all[11..]);
    }

    #[tokio::test]
    async fn a_short_stream_is_an_error_when_a_length_was_promised() {
        let (stream, _) = chunks(&[5, 5]);
        let err = collect(Window::new(stream, 2, Some(20))).await.unwrap_err();
        assert!(matches!(err, PbxError::Protocol(_)), "{err}");
    }
}
