//! `/metrics` scraped over a real socket while the world runs: the counters
//! emitted where things happen and the state read at scrape time.

use std::sync::Arc;

use ringbridge_core::outbox::OutboxStore;
use ringbridge_web::metrics::{CrmClientCounters, Metrics, MetricsSources};
use ringbridge_web::{AppState, router};

use crate::support::*;

/// The value of the sample `name` whose labels include all of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((n, rest)) => (n, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let matches = series_name == name
                && labels.iter().all(|(k, v)| {
                    series_labels
                        .split(',')
                        .any(|pair| pair == format!("{k}=\"{v}\""))
                });
            matches.then(|| value.parse().ok()).flatten()
        })
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(ringbridge_web::serve(listener, app, std::future::pending()));
    url
}

#[tokio::test]
async fn metrics_show_events_queues_lookups_zoho_use_and_connection_state() {
    // The recorder must be in place before events arrive; until then the
    // `metrics` macros record nothing.
    let metrics = Metrics::install();
    let w = world().await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    play(&w, "inbound_missed", &[("caller", "4155550124")]).await;
    // A number the directory does not hold: looked up in Zoho.
    play(&w, "inbound_missed", &[("caller", "4155550188")]).await;
    settle(&w, 3).await;

    // Sources of this world only (the router's own instance is process-wide).
    let zoho = w.zoho.clone();
    metrics.set_sources(MetricsSources {
        outbox: Some(Arc::new(w.store.clone()) as Arc<dyn OutboxStore>),
        pbx_stream: Some(w.stream.clone()),
        crm_health: Some(w.engine.context().health.subscribe()),
        directory: Some(w.directory.clone()),
        crm_client: Some(Arc::new(move || {
            let s = zoho.metrics_snapshot();
            CrmClientCounters {
                requests: s.requests,
                retries: s.retries,
                throttled: s.throttled,
                credits_total: s.credits_total,
                credits_last_24h: s.credits_last_24h,
            }
        })),
    });
    let url = serve(ringbridge_web::metrics::routes(metrics)).await;
    let response = reqwest::get(format!("{url}/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();

    // Counted where they happen (process-wide: other tests add to them).
    let events = sample(
        &text,
        "ringbridge_pbx_events_total",
        &[("type", "call_state")],
    );
    assert!(events.unwrap_or_default() >= 4.0, "{text}");
    let ended = sample(
        &text,
        "ringbridge_pbx_events_total",
        &[("type", "call_ended")],
    );
    assert!(ended.unwrap_or_default() >= 3.0, "{text}");
    let queued = sample(
        &text,
        "ringbridge_calls_queued_total",
        &[("origin", "live")],
    );
    assert!(queued.unwrap_or_default() >= 3.0, "{text}");

    // Read from this world at scrape time.
    let jobs = |kind, status| {
        sample(
            &text,
            "ringbridge_jobs",
            &[("kind", kind), ("status", status)],
        )
    };
    assert_eq!(jobs("process_call", "done"), Some(3.0), "{text}");
    assert_eq!(jobs("write_call_log", "done"), Some(3.0), "{text}");
    assert_eq!(jobs("write_call_log", "pending"), Some(0.0), "{text}");
    assert_eq!(jobs("write_call_log", "failed"), Some(0.0), "{text}");
    assert_eq!(
        sample(&text, "ringbridge_sync_lag_seconds", &[]),
        Some(0.0),
        "{text}"
    );
    assert_eq!(sample(&text, "ringbridge_database_up", &[]), Some(1.0));
    assert_eq!(sample(&text, "ringbridge_pbx_stream_up", &[]), Some(1.0));
    assert_eq!(
        sample(&text, "ringbridge_crm_connection_up", &[]),
        Some(1.0)
    );
    let local = sample(
        &text,
        "ringbridge_directory_lookups_total",
        &[("source", "local")],
    );
    assert!(
        local.unwrap_or_default() >= 1.0,
        "the known contact was found locally: {text}"
    );
    let remote = sample(
        &text,
        "ringbridge_directory_lookups_total",
        &[("source", "remote")],
    );
    assert!(
        remote.unwrap_or_default() >= 1.0,
        "the unknown number was looked up in Zoho: {text}"
    );
    assert!(sample(&text, "ringbridge_directory_numbers", &[]).unwrap_or_default() > 0.0);
    let requests = sample(&text, "ringbridge_zoho_requests_total", &[]).unwrap_or_default();
    let credits = sample(&text, "ringbridge_zoho_credits_used_total", &[]).unwrap_or_default();
    assert!(
        requests >= 1.0 && credits >= 1.0,
        "requests {requests}, credits {credits}"
    );
    assert!(text.contains("# TYPE ringbridge_jobs gauge"), "{text}");

    // The service's router serves the same route.
    let app = router(
        AppState::new(Arc::new(w.store.clone()), Arc::new(w.store.clone()), None),
        None,
    );
    let url = serve(app).await;
    let text = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("ringbridge_pbx_events_total"), "{text}");
    w.stop().await;
}
