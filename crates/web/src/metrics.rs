//! `/metrics` in the Prometheus text format.
//!
//! Counters of things that happen (PBX events in, call ends queued) are
//! emitted with the `metrics` macros where they happen and kept by the
//! process-wide recorder installed here. State that lives elsewhere — the
//! outbox, the PBX stream, the CRM connection, the phone directory, the
//! Zoho client's request and credit counters — is read from
//! [`MetricsSources`] at scrape time, so a scrape never shows stale queues.

use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::Utc;
use metrics::{counter, describe_counter, describe_gauge, gauge};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use ringbridge_core::outbox::{JobKind, OutboxStore};
use ringbridge_engine::directory::DirectoryService;
use ringbridge_engine::{CrmHealth, StreamStatus};
use tokio::sync::watch;

/// The Prometheus text format's content type.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A CRM client's own counters (for Zoho: `ZohoConnection::metrics_snapshot`),
/// kept adapter-neutral so this crate does not depend on the Zoho adapter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrmClientCounters {
    /// HTTP requests made, retries included.
    pub requests: u64,
    pub retries: u64,
    /// Requests the CRM refused for rate limits.
    pub throttled: u64,
    /// API credits used since start.
    pub credits_total: u64,
    /// API credits used in the last 24 hours (Zoho's daily limit window).
    pub credits_last_24h: u64,
}

pub type CrmCountersFn = Arc<dyn Fn() -> CrmClientCounters + Send + Sync>;

/// Where scrape-time values come from. Every part is optional: a service
/// with no PBX configured still exports the rest.
#[derive(Clone, Default)]
pub struct MetricsSources {
    pub outbox: Option<Arc<dyn OutboxStore>>,
    pub pbx_stream: Option<watch::Receiver<StreamStatus>>,
    pub crm_health: Option<watch::Receiver<CrmHealth>>,
    pub directory: Option<Arc<DirectoryService>>,
    pub crm_client: Option<CrmCountersFn>,
}

/// The service's metrics: the process's Prometheus recorder and the sources
/// read at each scrape. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
    sources: Arc<RwLock<MetricsSources>>,
}

impl Metrics {
    /// Installs the process-wide recorder on first use (the `metrics` facade
    /// has one per process) and returns metrics with no sources yet.
    pub fn install() -> Self {
        Self {
            handle: recorder().clone(),
            sources: Arc::default(),
        }
    }

    /// The metrics the service's router serves. The wiring gives it its
    /// sources once storage, the PBX and the CRM are up.
    pub fn global() -> &'static Metrics {
        static GLOBAL: OnceLock<Metrics> = OnceLock::new();
        GLOBAL.get_or_init(Metrics::install)
    }

    pub fn set_sources(&self, sources: MetricsSources) {
        *self.sources.write().unwrap_or_else(PoisonError::into_inner) = sources;
    }

    /// Reads every source, then renders all metrics as Prometheus text.
    pub async fn render(&self) -> String {
        let sources = self
            .sources
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        refresh(&sources).await;
        self.handle.run_upkeep();
        self.handle.render()
    }
}

/// The `/metrics` route, served from `metrics`.
pub fn routes<S>(metrics: Metrics) -> Router<S> {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(metrics)
}

async fn scrape(State(metrics): State<Metrics>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, TEXT_FORMAT)],
        metrics.render().await,
    )
}

fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        if let Err(err) = metrics::set_global_recorder(recorder) {
            // Someone else's recorder got there first (an embedding program):
            // counters go to it, and /metrics shows only what it is given.
            tracing::warn!(error = %err, "a metrics recorder was already installed; /metrics will be incomplete");
        }
        describe();
        handle
    })
}

fn describe() {
    describe_counter!(
        "ringbridge_pbx_events_total",
        "PBX events received, by type"
    );
    describe_counter!(
        "ringbridge_calls_queued_total",
        "Ended calls queued for logging, by origin (live stream or catch-up from call records)"
    );
    describe_counter!(
        "ringbridge_directory_lookups_total",
        "Caller lookups, by where the answer came from (local directory, remote CRM search, cached miss)"
    );
    describe_gauge!(
        "ringbridge_directory_numbers",
        "Phone numbers in the local directory"
    );
    describe_gauge!("ringbridge_jobs", "Outbox jobs, by kind and status");
    describe_gauge!(
        "ringbridge_sync_lag_seconds",
        "Age of the oldest pending outbox job (0 when none is waiting)"
    );
    describe_gauge!(
        "ringbridge_database_up",
        "1 when the last scrape could read the outbox"
    );
    describe_counter!(
        "ringbridge_zoho_requests_total",
        "HTTP requests to Zoho, retries included"
    );
    describe_counter!(
        "ringbridge_zoho_retries_total",
        "Zoho requests that were retries"
    );
    describe_counter!(
        "ringbridge_zoho_throttled_total",
        "Zoho requests refused for rate limits"
    );
    describe_counter!(
        "ringbridge_zoho_credits_used_total",
        "Zoho API credits used since start"
    );
    describe_gauge!(
        "ringbridge_zoho_credits_last_24h",
        "Zoho API credits used in the last 24 hours"
    );
    describe_gauge!(
        "ringbridge_pbx_stream_up",
        "1 when the PBX event stream is connected"
    );
    describe_gauge!(
        "ringbridge_crm_connection_up",
        "1 when the CRM connection is authorized (0: an admin must reconnect it)"
    );
}

async fn refresh(sources: &MetricsSources) {
    if let Some(outbox) = &sources.outbox {
        refresh_outbox(outbox.as_ref()).await;
    }
    if let Some(stream) = &sources.pbx_stream {
        let up = matches!(*stream.borrow(), StreamStatus::Connected);
        gauge!("ringbridge_pbx_stream_up").set(f64::from(u8::from(up)));
    }
    if let Some(health) = &sources.crm_health {
        let up = matches!(*health.borrow(), CrmHealth::Ok);
        gauge!("ringbridge_crm_connection_up").set(f64::from(u8::from(up)));
    }
    if let Some(directory) = &sources.directory {
        let stats = directory.stats();
        for (source, n) in [
            ("local", stats.lookups_local),
            ("remote", stats.lookups_remote),
            ("cached_miss", stats.lookups_cached_miss),
        ] {
            counter!("ringbridge_directory_lookups_total", "source" => source).absolute(n);
        }
        gauge!("ringbridge_directory_numbers").set(stats.numbers as f64);
    }
    if let Some(crm_client) = &sources.crm_client {
        let c = crm_client();
        counter!("ringbridge_zoho_requests_total").absolute(c.requests);
        counter!("ringbridge_zoho_retries_total").absolute(c.retries);
        counter!("ringbridge_zoho_throttled_total").absolute(c.throttled);
        counter!("ringbridge_zoho_credits_used_total").absolute(c.credits_total);
        gauge!("ringbridge_zoho_credits_last_24h").set(c.credits_last_24h as f64);
    }
}

async fn refresh_outbox(outbox: &dyn OutboxStore) {
    let now = Utc::now();
    let mut oldest: Option<chrono::DateTime<Utc>> = None;
    for kind in JobKind::ALL {
        let counts = match outbox.counts(kind).await {
            Ok(c) => c,
            Err(err) => {
                tracing::warn!(error = %err, "metrics: cannot read the outbox");
                gauge!("ringbridge_database_up").set(0.0);
                return;
            }
        };
        for (status, n) in [
            ("pending", counts.pending),
            ("in_flight", counts.in_flight),
            ("failed", counts.failed),
            ("done", counts.done),
        ] {
            gauge!("ringbridge_jobs", "kind" => kind.as_str(), "status" => status).set(n as f64);
        }
        oldest = match (oldest, counts.oldest_pending_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let lag = oldest.map_or(0.0, |at| {
        (now - at).num_milliseconds().max(0) as f64 / 1000.0
    });
    gauge!("ringbridge_sync_lag_seconds").set(lag);
    gauge!("ringbridge_database_up").set(1.0);
}
