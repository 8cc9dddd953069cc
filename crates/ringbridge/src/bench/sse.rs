//! A minimal Server-Sent Events reader over a streaming reqwest response:
//! what an agent's browser does with `/api/calls/stream`, minus rendering.

use anyhow::{Context, Result};

pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    pub fn new(response: reqwest::Response) -> Self {
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next `data:` payload; `None` when the stream ends.
    pub async fn next_data(&mut self) -> Result<Option<String>> {
        loop {
            if let Some(data) = take_data_line(&mut self.buffer) {
                return Ok(Some(data));
            }
            let Some(chunk) = self
                .response
                .chunk()
                .await
                .context("reading the SSE stream")?
            else {
                return Ok(None);
            };
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// Removes complete lines from the front of `buffer` until one is a
/// `data:` line, and returns its payload. Incomplete lines stay.
fn take_data_line(buffer: &mut String) -> Option<String> {
    while let Some(end) = buffer.find('\n') {
        let line: String = buffer.drain(..=end).collect();
        let line = line.trim_end_matches(['\n', '\r']);
        if let Some(data) = line.strip_prefix("data:") {
            return Some(data.trim_start().to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_lines_come_out_whole_and_in_order() {
        let mut b = String::from(": keep-alive\n\ndata: {\"a\":1}\n\ndata:2\r\n\ndata: par");
        assert_eq!(take_data_line(&mut b).as_deref(), Some("{\"a\":1}"));
        assert_eq!(take_data_line(&mut b).as_deref(), Some("2"));
        assert_eq!(take_data_line(&mut b), None);
        b.push_str("tial\n");
        assert_eq!(take_data_line(&mut b).as_deref(), Some("partial"));
    }
}
