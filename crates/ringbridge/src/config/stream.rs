//! `[pbx.stream]`: how the PBX's WebSocket event stream is kept alive.

use std::time::Duration;

use anyhow::{Result, bail};
use ringbridge_yeastar::{
    BackoffConfig, DEFAULT_MAX_WEBHOOK_BODY_BYTES, EventStreamConfig, WebhookConfig,
};
use serde::Deserialize;

/// The PBX closes a socket that heard nothing for 60 s.
const PBX_IDLE_LIMIT_SECS: u64 = 60;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct StreamTuning {
    /// Seconds between heartbeats; well inside the PBX's 60 s idle limit.
    pub heartbeat_secs: u64,
    /// The longest wait between reconnect attempts.
    pub reconnect_max_secs: u64,
    /// Larger event frames are reported and skipped.
    pub max_event_bytes: usize,
    /// Larger webhook deliveries (with `events = "webhook"`) are refused
    /// with 413; an array delivery holds several events.
    pub max_webhook_bytes: usize,
}

impl Default for StreamTuning {
    fn default() -> Self {
        let stream = EventStreamConfig::default();
        Self {
            heartbeat_secs: stream.heartbeat_interval.as_secs(),
            reconnect_max_secs: stream.backoff.max.as_secs(),
            max_event_bytes: stream.max_frame_bytes,
            max_webhook_bytes: DEFAULT_MAX_WEBHOOK_BODY_BYTES,
        }
    }
}

impl StreamTuning {
    /// The webhook receiver's settings: `base` with the configured body limit.
    pub fn webhook(&self, mut base: WebhookConfig) -> Result<WebhookConfig> {
        if self.max_webhook_bytes < 1024 {
            bail!("pbx.stream.max_webhook_bytes must be at least 1024");
        }
        base.max_body_bytes = self.max_webhook_bytes;
        Ok(base)
    }

    /// The event stream settings these describe.
    pub fn event_stream(&self) -> Result<EventStreamConfig> {
        // A heartbeat and its answer must both fit before the PBX gives up.
        let longest = PBX_IDLE_LIMIT_SECS - 10;
        if !(1..=longest).contains(&self.heartbeat_secs) {
            bail!(
                "pbx.stream.heartbeat_secs = {} must be between 1 and {longest} (the PBX closes a socket idle for {PBX_IDLE_LIMIT_SECS} s)",
                self.heartbeat_secs
            );
        }
        if self.max_event_bytes < 1024 {
            bail!("pbx.stream.max_event_bytes must be at least 1024");
        }
        let defaults = EventStreamConfig::default();
        Ok(EventStreamConfig {
            heartbeat_interval: Duration::from_secs(self.heartbeat_secs),
            max_frame_bytes: self.max_event_bytes,
            backoff: BackoffConfig {
                max: Duration::from_secs(self.reconnect_max_secs.max(1)),
                ..defaults.backoff.clone()
            },
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    #[test]
    fn the_webhook_body_limit_is_configurable_and_checked() {
        let base = || WebhookConfig::new(SecretString::from("s"), chrono_tz::UTC);
        let defaults = StreamTuning::default();
        assert_eq!(
            defaults.webhook(base()).expect("defaults").max_body_bytes,
            DEFAULT_MAX_WEBHOOK_BODY_BYTES
        );
        let tuned = StreamTuning {
            max_webhook_bytes: 8 * 1024 * 1024,
            ..defaults.clone()
        };
        assert_eq!(
            tuned.webhook(base()).expect("valid").max_body_bytes,
            8 * 1024 * 1024
        );
        let tiny = StreamTuning {
            max_webhook_bytes: 10,
            ..defaults
        };
        let err = tiny.webhook(base()).expect_err("too small");
        assert!(err.to_string().contains("max_webhook_bytes"), "{err}");
    }
}
