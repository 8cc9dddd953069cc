use super::*;
use crate::bench::busy::BusyLoad;
use crate::bench::pop::{BusyPop, RunP99};
use crate::bench::stats::Latency;

fn latency(p50_ms: f64, p99_ms: f64, max_ms: f64) -> Latency {
    Latency {
        count: 100,
        p50_us: p50_ms * 1e3,
        p99_us: p99_ms * 1e3,
        max_us: max_ms * 1e3,
    }
}

fn rate(calls_per_s: f64, requests_per_call: f64, max_delay_s: f64) -> RateReport {
    RateReport {
        calls_per_s,
        calls: 100,
        logged: 99,
        zoho_requests: 5,
        zoho_credits: 5,
        requests_per_call,
        credits_per_call: requests_per_call,
        requests_by_endpoint: BTreeMap::from([("POST /crm/v8/Calls".to_owned(), 5)]),
        log_delay: latency(1.0, 2.0, max_delay_s * 1e3),
        ingest_delay: latency(0.1, 0.2, 0.3),
        after_queue_delay: latency(1.0, 2.0, 3.0),
        peak_process_backlog: 3,
        peak_write_backlog: 40,
    }
}

fn full() -> Report {
    Report {
        quick: true,
        profile: "debug".into(),
        pop: Some(PopReport {
            calls: 100,
            directory_numbers: 100_000,
            ringbridge: latency(2.0, 4.0, 9.0),
            relay: latency(1.0, 2.0, 3.0),
            ratio_p99: Some(2.0),
            runs: vec![
                RunP99 {
                    pop_p99_us: 4_000.0,
                    relay_p99_us: 2_000.0,
                    ratio: Some(2.0),
                },
                RunP99 {
                    pop_p99_us: 3_000.0,
                    relay_p99_us: 2_000.0,
                    ratio: Some(1.5),
                },
                RunP99 {
                    pop_p99_us: 5_000.0,
                    relay_p99_us: 2_000.0,
                    ratio: Some(2.5),
                },
            ],
            matched: 100,
            missed: 0,
            stages: None,
            busy: Some(BusyPop {
                ringbridge: latency(2.0, 6.0, 9.0),
                hub: latency(1.5, 5.0, 8.0),
                relay: latency(1.0, 4.0, 5.0),
                ratio_p99: Some(1.5),
                missed: 0,
                load: BusyLoad {
                    calls_per_s: 100.0,
                    calls: 1_000,
                    logged: 1_000,
                    failed_jobs: 2,
                },
            }),
        }),
        throughput: Some(ThroughputReport {
            lifecycles_per_s: 1234.56,
            calls: 10_000,
            concurrent: 1_000,
            window: 300,
            outbox_lag: latency(10.0, 20.0, 30.0),
            lost: 0,
            pinning: "taskset -c 0".into(),
            seconds: 8.0,
            frames_per_call: 6,
            worker_cpu: Some(0.97),
            feeder_cpu: Some(0.5),
            database: "sqlite".into(),
        }),
        frugality: Some(FrugalityReport {
            bound_s: 5.0,
            flush_delay_ms: 3_500,
            rates: vec![
                rate(1.0, 0.3, 3.9),
                rate(10.0, 0.04, 4.2),
                rate(100.0, 0.01, 4.5),
            ],
        }),
        directory: Some(vec![DirectorySize {
            numbers: 1_000_000,
            bytes: 60_000_000,
            rss_growth_bytes: 70_000_000,
            load_ms: 900.0,
            lookup: Latency {
                count: 10,
                p50_us: 0.5,
                p99_us: 1.25,
                max_us: 9.0,
            },
            hit_ratio: 0.5,
        }]),
        cold_start: Some(ColdStart {
            ready_ms: 120.4,
            connected_ms: 150.0,
            binary_bytes: 50_000_000,
            profile: "debug".into(),
        }),
        login: None,
        memory: Some(MemoryReport {
            idle_mb: 30.0,
            loaded_mb: 120.0,
            loaded_peak_mb: 170.0,
            numbers: 1_000_000,
            live_calls: 1_000,
            load_s: 3.0,
        }),
        pg_throughput: None,
        visibility: Some(crate::bench::visibility::VisibilityReport {
            pops: 100,
            cold: 1.0,
            warm: 0.0,
        }),
        errors: BTreeMap::new(),
    }
}

#[test]
fn the_json_has_every_key_the_issue_asks_for() {
    let j = full().to_json();
    for key in [
        "pop_p99_ms",
        "relay_p99_ms",
        "pop_ratio_p99",
        "lifecycles_per_s",
        "zoho_requests_per_call",
        "max_log_delay_s",
        "directory_bytes_1m",
        "lookup_p99_us",
        "cold_start_ms",
        "rss_idle_mb",
        "rss_loaded_mb",
        "rss_loaded_peak_mb",
        "pop_busy_ratio_p99",
        "pop_ratio_p99_min",
        "pop_ratio_p99_max",
        "throughput_feeder_cpu",
        "visibility_requests_per_pop_cold",
        "visibility_requests_per_pop_warm",
    ] {
        assert!(!j[key].is_null(), "{key} in {j}");
    }
    assert_eq!(j["visibility_requests_per_pop_cold"], 1.0);
    assert_eq!(j["visibility_requests_per_pop_warm"], 0.0);
    assert_eq!(j["pop_p99_ms"], 4.0);
    assert_eq!(j["relay_p99_ms"], 2.0);
    assert_eq!(j["pop_ratio_p99"], 2.0);
    assert_eq!(j["lifecycles_per_s"], 1234.6);
    // The headline rate is 10 calls/s, the delay the worst of all rates.
    assert_eq!(j["zoho_requests_per_call"], 0.04);
    assert_eq!(j["max_log_delay_s"], 4.5);
    assert_eq!(j["directory_bytes_1m"], 60_000_000);
    assert_eq!(j["lookup_p99_us"], 1.25);
    assert_eq!(j["cold_start_ms"], 120.4);
    assert!(j.get("errors").is_none());
    // p99 is the median of three runs, their spread beside it.
    assert_eq!(j["pop_ratio_p99_min"], 1.5);
    assert_eq!(j["pop_ratio_p99_max"], 2.5);
    assert_eq!(j["pop_busy_ratio_p99"], 1.5);
    assert_eq!(j["busy_failed_jobs"], 2);
    assert_eq!(j["rss_loaded_mb"], 120.0);
    assert!(j["pg_lifecycles_per_s"].is_null());
}

#[test]
fn a_bench_that_did_not_run_is_null_and_its_error_is_told() {
    let mut r = full();
    r.throughput = None;
    r.errors
        .insert("throughput".into(), "worker stalled".into());
    let j = r.to_json();
    assert!(j["lifecycles_per_s"].is_null());
    assert_eq!(j["errors"]["throughput"], "worker stalled");
    let table = r.table();
    let line = table
        .lines()
        .find(|l| l.contains("throughput: not measured"))
        .unwrap();
    assert!(line.ends_with("worker stalled"), "{line}");
}

#[test]
fn the_json_is_one_line() {
    let line = serde_json::to_string(&full().to_json()).unwrap();
    assert!(!line.contains('\n'));
}

#[test]
fn the_table_aligns_values_and_shows_goals() {
    let table = full().table();
    assert!(table.starts_with("ringbridge bench (debug build, quick run)\n"));
    let lines: Vec<&str> = table.lines().collect();
    let ratio = lines
        .iter()
        .find(|l| l.contains("pop / relay at p99"))
        .unwrap();
    assert!(
        ratio.contains("2.00 (1.50-2.50 over 3 runs)") && ratio.ends_with("<= 1.15"),
        "{ratio}"
    );
    let dir = lines
        .iter()
        .find(|l| l.contains("directory 1000000"))
        .unwrap();
    assert!(dir.contains("60.0 MB, lookup p99 1.25 us"), "{dir}");
    // Every value starts in the header's value column.
    let col = lines[1].find("value").unwrap();
    for l in &lines[2..] {
        assert_eq!(&l[col - 2..col], "  ", "{l}");
        assert_ne!(&l[col..=col], " ", "{l}");
    }
}
