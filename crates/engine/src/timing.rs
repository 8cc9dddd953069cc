//! `[timing]`: how fast the engine works. Its defaults are written once, in
//! `timing.default.toml` at the crate's root, which the binary loads as
//! part of its configuration and [`Timing::default`] reads here, so the
//! engine's own defaults (`Tuning::default()`, `IngestConfig::new`) are
//! the file's.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The `[timing]` defaults, as TOML.
pub const DEFAULTS: &str = include_str!("../timing.default.toml");

/// `[timing]` of the configuration. Tests and demos shorten them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    /// A call log waits at most this long to share a CRM request with others.
    pub flush_delay_ms: u64,
    /// How often workers look for work other nodes queued.
    pub poll_ms: u64,
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// How long a claimed job is reserved for its worker.
    pub lease_secs: u64,
    /// A finished call waits this long for a later, fuller record of itself.
    pub settle_ms: u64,
    /// How often the stream checkpoint advances.
    pub checkpoint_ms: u64,
    /// Catch-up looks this far before the checkpoint...
    pub catchup_lookback_secs: u64,
    /// ...and this far past our clock, for a PBX clock running ahead.
    pub catchup_clock_skew_secs: u64,
    /// How often recent call records are compared with what was queued
    /// (a safety net for events lost without a disconnect); 0 = never.
    pub reconcile_secs: u64,
    /// Call logs per CRM request (Zoho's maximum is 100).
    pub batch_max: u32,
    /// Attempts before a job is marked failed.
    pub max_attempts: u32,
    /// How long a call waits for a record being created for its number.
    pub creation_wait_ms: u64,
    /// The longest a PhoneBridge terminal waits for the caller's new record.
    pub terminal_record_wait_secs: u64,
    /// Timeout of one CRM request.
    pub crm_timeout_secs: u64,
    /// While the CRM connection needs re-authorizing (revoked grant) or
    /// PhoneBridge is not connected, a job waits this long before it is
    /// looked at again.
    pub crm_reconnect_pause_secs: u64,
    /// How long a node's claim on the PBX stream lasts unless renewed; after
    /// a node dies, another takes the stream over within this time.
    pub ingest_lease_secs: u64,
    /// Days the raw PBX event journal is kept (diagnosis only).
    pub journal_retention_days: u32,
    /// Days the audit log of writes to the CRM and PBX is kept.
    pub audit_retention_days: u32,
}

impl Default for Timing {
    /// `[timing]` of [`DEFAULTS`].
    fn default() -> Self {
        #[derive(Deserialize)]
        struct File {
            timing: Timing,
        }
        toml::from_str::<File>(DEFAULTS)
            .expect("the built-in [timing] defaults are complete (tested)")
            .timing
    }
}

impl Timing {
    pub fn tuning(&self) -> crate::Tuning {
        crate::Tuning {
            flush_delay: Duration::from_millis(self.flush_delay_ms),
            poll: Duration::from_millis(self.poll_ms),
            backoff_base: Duration::from_millis(self.retry_base_ms),
            backoff_max: Duration::from_millis(self.retry_max_ms),
            lease: Duration::from_secs(self.lease_secs),
            reconnect_pause: Duration::from_secs(self.crm_reconnect_pause_secs),
            batch_max: self.batch_max,
            max_attempts: self.max_attempts,
            creation_wait: Duration::from_millis(self.creation_wait_ms),
            terminal_record_wait: Duration::from_secs(self.terminal_record_wait_secs),
        }
    }

    pub fn ingest(&self, pbx_id: impl Into<String>) -> crate::IngestConfig {
        let secs = |s: u64| chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX));
        crate::IngestConfig {
            pbx_id: pbx_id.into(),
            catchup_lookback: secs(self.catchup_lookback_secs),
            clock_skew: secs(self.catchup_clock_skew_secs),
            tick: Duration::from_millis(self.checkpoint_ms),
            reconcile_every: (self.reconcile_secs > 0)
                .then(|| Duration::from_secs(self.reconcile_secs)),
            settle: chrono::Duration::milliseconds(
                i64::try_from(self.settle_ms).unwrap_or(i64::MAX),
            ),
            journal_retention: chrono::Duration::days(i64::from(self.journal_retention_days)),
            audit_retention: chrono::Duration::days(i64::from(self.audit_retention_days)),
            number_plan: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_and_the_struct_hold_the_same_keys() {
        let file: toml::Table = toml::from_str(DEFAULTS).expect("TOML");
        let written = file["timing"].as_table().expect("[timing]");
        let parsed = toml::Table::try_from(Timing::default()).expect("serializes");
        // A key the struct lacks would be ignored, a field the file lacks
        // would fail every load: both differ here.
        assert_eq!(&parsed, written);
        assert_eq!(file.len(), 1, "only [timing] lives in the engine's file");
    }

    #[test]
    fn the_engine_defaults_are_the_files() {
        let timing = Timing::default();
        let tuning = crate::Tuning::default();
        assert_eq!(tuning.batch_max, timing.batch_max);
        assert_eq!(tuning.max_attempts, timing.max_attempts);
        assert_eq!(
            tuning.flush_delay,
            Duration::from_millis(timing.flush_delay_ms)
        );
        assert_eq!(tuning.poll, Duration::from_millis(timing.poll_ms));
        assert_eq!(tuning.lease, Duration::from_secs(timing.lease_secs));
        assert_eq!(
            tuning.backoff_max,
            Duration::from_millis(timing.retry_max_ms)
        );
        let ingest = crate::IngestConfig::new("pbx");
        assert_eq!(ingest.tick, Duration::from_millis(timing.checkpoint_ms));
        assert_eq!(
            ingest.reconcile_every,
            Some(Duration::from_secs(timing.reconcile_secs))
        );
        assert_eq!(
            ingest.audit_retention,
            chrono::Duration::days(i64::from(timing.audit_retention_days))
        );
        // What production runs with, as the file says today.
        assert_eq!(timing.poll_ms, 1000);
        assert_eq!(timing.ingest_lease_secs, 15);
    }
}
