//! `ringbridge backfill --from --to`: queues every call the PBX recorded in
//! a past period for logging, exactly as catch-up after a stream gap does —
//! from the PBX's call records, grouped per call, through the same tracker
//! and under the same outbox key as live ingest. Enqueueing is idempotent
//! per key, so calls already logged (or queued) are skipped and running a
//! backfill twice queues nothing twice. The engine workers of a running
//! `serve` (or the next one started) then log what was queued.

use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use ringbridge_core::job_key::JobKey;
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::pbx::{CallRecord, Pbx, PbxError, PbxEvent};
use ringbridge_core::store::{Storage, StoreError};
use ringbridge_core::tracker::{CallTracker, CallUpdate};
use ringbridge_engine::ingest::group_by_call;

use crate::config::Config;
use crate::serve::pbx::pbx_client;

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// Start of the period: an RFC 3339 time (2026-03-01T08:00:00+01:00) or
    /// a date (2026-03-01: its midnight in the PBX's time zone).
    #[arg(long, value_name = "TIME")]
    pub from: TimeArg,
    /// End of the period, not included: an RFC 3339 time, or a date (which
    /// includes that whole day).
    #[arg(long, value_name = "TIME")]
    pub to: TimeArg,
}

/// A time given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    At(DateTime<Utc>),
    /// A calendar day in the PBX's time zone.
    Day(NaiveDate),
}

impl FromStr for TimeArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self::At(at.with_timezone(&Utc)));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Self::Day)
            .map_err(|_| {
                format!("{text:?} is neither an RFC 3339 time (2026-03-01T08:00:00Z) nor a date (2026-03-01)")
            })
    }
}

impl TimeArg {
    /// As the start of a period: a day starts at its first moment.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Self::At(at) => at,
            Self::Day(day) => day_start(day, tz),
        }
    }

    /// As the (excluded) end of a period: a day ends where the next begins.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Self::At(at) => at,
            Self::Day(day) => day
                .succ_opt()
                .map_or(DateTime::<Utc>::MAX_UTC, |next| day_start(next, tz)),
        }
    }
}

/// A day's first moment in `tz`. Where a DST change skips midnight, the
/// day starts at the first hour that exists.
fn day_start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    (0..=3)
        .find_map(|hour| {
            let local = day.and_hms_opt(hour, 0, 0)?;
            tz.from_local_datetime(&local).earliest()
        })
        .map_or_else(
            || day.and_time(chrono::NaiveTime::MIN).and_utc(),
            |at| at.with_timezone(&Utc),
        )
}

/// What a backfill found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackfillSummary {
    /// Day-sized windows asked of the PBX.
    pub windows: u64,
    /// Call records (legs) the PBX returned.
    pub records: usize,
    /// Calls those records make up.
    pub calls_found: usize,
    /// Calls newly queued for logging.
    pub queued: usize,
    /// Calls ringbridge already had (logged, queued, or being processed).
    pub already_known: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error("the period is empty: its start ({from}) is not before its end ({to})")]
    EmptyRange {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    #[error("cannot fetch the PBX's call records from {from} to {to}: {source}")]
    Pbx {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        #[source]
        source: PbxError,
    },
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}

/// How many times a window is asked for when the PBX is busy or unreachable.
const FETCH_ATTEMPTS: u32 = 3;
const FETCH_RETRY_DELAY: Duration = Duration::from_secs(2);

/// Queues `ProcessCall` jobs for every call of `pbx_id` the PBX recorded in
/// `[from, to)`. `progress` shows the days fetched, then the calls queued.
pub async fn backfill(
    pbx: &dyn Pbx,
    store: &dyn Storage,
    pbx_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<BackfillSummary, BackfillError> {
    if from >= to {
        return Err(BackfillError::EmptyRange { from, to });
    }
    let mut summary = BackfillSummary::default();
    let windows = windows(from, to);
    summary.windows = windows.len() as u64;
    progress.set_length(summary.windows);
    progress.set_message("fetching call records (days)");
    // All windows are fetched before grouping: a call's later legs may
    // start in the next window and belong to the same call.
    let mut records = Vec::new();
    for (start, end) in windows {
        records.extend(fetch_window(pbx, start, end).await?);
        progress.inc(1);
    }
    summary.records = records.len();
    let calls = group_by_call(records);
    summary.calls_found = calls.len();

    progress.set_position(0);
    progress.set_length(calls.len() as u64);
    progress.set_message("queuing calls");
    let mut tracker = CallTracker::new();
    let now = Utc::now();
    for record in calls {
        let ended = PbxEvent::CallEnded(Box::new(record));
        for update in tracker.apply(&ended, now) {
            let CallUpdate::Ended(outcome) = update else {
                continue;
            };
            let key = JobKey::call(pbx_id, outcome.call_id.as_str());
            let payload = JobPayload::ProcessCall(outcome);
            // An existing job is left as it is: live ingest may have given it
            // more detail (who rang, who talked) than a call record has.
            if store.enqueue_job(&key, &payload, now).await? {
                summary.queued += 1;
            } else {
                summary.already_known += 1;
            }
        }
        progress.inc(1);
    }
    Ok(summary)
}

/// `[from, to)` cut into day-sized windows, the last one shorter.
fn windows(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = start
            .checked_add_signed(chrono::Duration::days(1))
            .map_or(to, |e| e.min(to));
        out.push((start, end));
        start = end;
    }
    out
}

async fn fetch_window(
    pbx: &dyn Pbx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CallRecord>, BackfillError> {
    let mut attempt = 1;
    loop {
        match pbx.call_records(from, to).await {
            Ok(records) => return Ok(records),
            Err(err) if err.is_retryable() && attempt < FETCH_ATTEMPTS => {
                tracing::warn!(%from, %to, error = %err, attempt, "fetching call records failed; retrying");
                tokio::time::sleep(FETCH_RETRY_DELAY * attempt).await;
                attempt += 1;
            }
            Err(source) => return Err(BackfillError::Pbx { from, to, source }),
        }
    }
}

/// The command: loads the configuration like `serve`, backfills from the
/// configured PBX into the configured database, prints a summary.
pub async fn run(config: Config, args: BackfillArgs) -> Result<()> {
    let pbx_config = config
        .pbx
        .as_ref()
        .context("backfill needs the [pbx] section of the configuration")?;
    let tz = pbx_config.time_zone();
    let (from, to) = (args.from.start(tz), args.to.end(tz));
    let store = crate::serve::open_store(&config).await?;
    let client = pbx_client(pbx_config)?;
    let progress = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let result = backfill(&client, &store, &pbx_config.id, from, to, &progress).await;
    progress.finish_and_clear();
    // Revoke our PBX token: the PBX allows only a few live ones.
    client.shutdown().await;
    store.close().await;
    let summary = result?;
    println!(
        "backfill of PBX {:?} from {from} to {to}: {} call records in {} day(s), {} calls found, {} queued, {} already known",
        pbx_config.id,
        summary.records,
        summary.windows,
        summary.calls_found,
        summary.queued,
        summary.already_known,
    );
    if summary.queued > 0 {
        println!(
            "the queued calls are logged by `ringbridge serve` (running now, or when next started)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn times_are_rfc3339_or_dates_in_the_pbx_zone() {
        let berlin = chrono_tz::Europe::Berlin;
        let at: TimeArg = "2026-03-01T08:00:00+01:00".parse().unwrap();
        assert_eq!(at.start(berlin), utc("2026-03-01T07:00:00Z"));
        assert_eq!(at.end(berlin), utc("2026-03-01T07:00:00Z"));
        let day: TimeArg = "2026-03-01".parse().unwrap();
        assert_eq!(day.start(berlin), utc("2026-02-28T23:00:00Z"));
        assert_eq!(
            day.end(berlin),
            utc("2026-03-01T23:00:00Z"),
            "a date as the end includes its day"
        );
        // The spring-forward day is 23 hours long.
        let dst: TimeArg = "2026-03-29".parse().unwrap();
        assert_eq!(
            dst.end(berlin) - dst.start(berlin),
            chrono::Duration::hours(23)
        );
        assert!("yesterday".parse::<TimeArg>().is_err());
        assert!("2026-02-30".parse::<TimeArg>().is_err());
    }

    #[test]
    fn a_day_whose_midnight_does_not_exist_starts_at_its_first_hour() {
        // Santiago springs forward at midnight: 2025-09-07 00:00 does not exist.
        let santiago = chrono_tz::America::Santiago;
        let day: TimeArg = "2025-09-07".parse().unwrap();
        assert_eq!(day.start(santiago), utc("2025-09-07T04:00:00Z"));
    }

    #[test]
    fn periods_are_cut_into_days() {
        let from = utc("2026-03-01T12:00:00Z");
        let w = windows(from, utc("2026-03-03T06:00:00Z"));
        assert_eq!(
            w,
            vec![
                (from, utc("2026-03-02T12:00:00Z")),
                (utc("2026-03-02T12:00:00Z"), utc("2026-03-03T06:00:00Z")),
            ]
        );
        assert!(windows(from, from).is_empty());
    }
}
