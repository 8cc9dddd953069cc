//! What `ringbridge bench` prints: a table for people and one flat JSON
//! object for scripts (the keys, plus the details behind them).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::coldstart::ColdStart;
use super::directory::DirectorySize;
use super::frugality::{FrugalityReport, RateReport};
use super::login::LoginReport;
use super::memory::MemoryReport;
use super::pop::PopReport;
use super::stats::{median, round};
use super::throughput::ThroughputReport;

/// Everything one run measured; a bench that failed or was skipped is `None`.
#[derive(Debug, Default)]
pub struct Report {
    pub quick: bool,
    pub profile: String,
    pub pop: Option<PopReport>,
    pub throughput: Option<ThroughputReport>,
    pub frugality: Option<FrugalityReport>,
    pub directory: Option<Vec<DirectorySize>>,
    pub cold_start: Option<ColdStart>,
    pub login: Option<LoginReport>,
    pub memory: Option<MemoryReport>,
    /// The throughput run with the outbox on PostgreSQL.
    pub pg_throughput: Option<ThroughputReport>,
    pub visibility: Option<super::visibility::VisibilityReport>,
    /// Bench name → why it could not run.
    pub errors: BTreeMap<String, String>,
}

impl Report {
    /// The rate whose requests per call is the headline (10 calls/s).
    fn headline_rate(&self) -> Option<&RateReport> {
        let rates = &self.frugality.as_ref()?.rates;
        rates
            .iter()
            .find(|r| (r.calls_per_s - 10.0).abs() < f64::EPSILON)
            .or_else(|| rates.first())
    }

    fn size(&self, numbers: u64) -> Option<&DirectorySize> {
        self.directory
            .as_ref()?
            .iter()
            .find(|d| d.numbers == numbers)
    }

    /// The one-line JSON summary.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        put("quick", json!(self.quick));
        let vis = self.visibility.as_ref();
        put(
            "visibility_requests_per_pop_cold",
            json!(vis.map(|v| v.cold)),
        );
        put(
            "visibility_requests_per_pop_warm",
            json!(vis.map(|v| v.warm)),
        );
        put("build_profile", json!(self.profile));
        let pop = self.pop.as_ref();
        put("pop_p50_ms", ms(pop.map(|p| p.ringbridge.p50_ms())));
        // The headline p99s are medians over the idle runs.
        put("pop_p99_ms", ms(pop.and_then(PopReport::p99_median_ms)));
        put("pop_max_ms", ms(pop.map(|p| p.ringbridge.max_ms())));
        put("relay_p50_ms", ms(pop.map(|p| p.relay.p50_ms())));
        put(
            "relay_p99_ms",
            ms(pop.and_then(|p| median(p.runs.iter().map(|r| r.relay_p99_us / 1e3).collect()))),
        );
        put("relay_max_ms", ms(pop.map(|p| p.relay.max_ms())));
        put("pop_ratio_p99", num(pop.and_then(|p| p.ratio_p99), 3));
        put_pop_runs(&mut put, pop);
        put("pop_calls", json!(pop.map(|p| p.calls)));
        put("pop_matched", json!(pop.map(|p| p.matched)));
        put("pop_missed", json!(pop.map(|p| p.missed)));
        put(
            "pop_directory_numbers",
            json!(pop.map(|p| p.directory_numbers)),
        );
        let stages = pop.and_then(|p| p.stages.as_ref());
        put("pop_parse_p99_ms", ms(stages.map(|s| s.parse.p99_ms())));
        put(
            "pop_journal_p99_ms",
            ms(stages.map(|s| s.journal_write.p99_ms())),
        );
        put(
            "pop_lookup_p99_ms",
            ms(stages.map(|s| s.directory_lookup.p99_ms())),
        );
        let t = self.throughput.as_ref();
        put("lifecycles_per_s", num(t.map(|t| t.lifecycles_per_s), 1));
        put("throughput_concurrent", json!(t.map(|t| t.concurrent)));
        put(
            "throughput_lag_p99_ms",
            ms(t.map(|t| t.outbox_lag.p99_ms())),
        );
        put("throughput_lost", json!(t.map(|t| t.lost)));
        put(
            "throughput_worker_cpu",
            num(t.and_then(|t| t.worker_cpu), 3),
        );
        put("throughput_pinning", json!(t.map(|t| t.pinning.clone())));
        put(
            "throughput_feeder_cpu",
            num(t.and_then(|t| t.feeder_cpu), 3),
        );
        put(
            "lifecycles_per_cpu_s",
            num(t.and_then(ThroughputReport::per_cpu_second), 1),
        );
        let pg = self.pg_throughput.as_ref();
        put(
            "pg_lifecycles_per_s",
            num(pg.map(|t| t.lifecycles_per_s), 1),
        );
        put(
            "pg_throughput_lag_p99_ms",
            ms(pg.map(|t| t.outbox_lag.p99_ms())),
        );
        put("pg_throughput_lost", json!(pg.map(|t| t.lost)));
        put(
            "pg_throughput_worker_cpu",
            num(pg.and_then(|t| t.worker_cpu), 3),
        );
        put(
            "pg_throughput_feeder_cpu",
            num(pg.and_then(|t| t.feeder_cpu), 3),
        );
        let mem = self.memory.as_ref();
        put("rss_idle_mb", num(mem.map(|m| m.idle_mb), 1));
        put("rss_loaded_mb", num(mem.map(|m| m.loaded_mb), 1));
        put("rss_loaded_peak_mb", num(mem.map(|m| m.loaded_peak_mb), 1));
        put("rss_loaded_numbers", json!(mem.map(|m| m.numbers)));
        put("rss_loaded_live_calls", json!(mem.map(|m| m.live_calls)));
        let head = self.headline_rate();
        put(
            "zoho_requests_per_call",
            num(head.map(|r| r.requests_per_call), 4),
        );
        put(
            "zoho_credits_per_call",
            num(head.map(|r| r.credits_per_call), 4),
        );
        if let Some(f) = &self.frugality {
            for r in &f.rates {
                let rate = r.calls_per_s;
                put(
                    &format!("zoho_requests_per_call_at_{rate}"),
                    num(Some(r.requests_per_call), 4),
                );
                put(
                    &format!("zoho_requests_by_endpoint_at_{rate}"),
                    json!(r.requests_by_endpoint),
                );
                put(
                    &format!("unlogged_calls_at_{rate}"),
                    json!(r.calls - r.logged),
                );
                put(
                    &format!("peak_backlog_at_{rate}"),
                    json!({"process": r.peak_process_backlog, "write": r.peak_write_backlog}),
                );
                put(
                    &format!("log_delay_parts_p99_s_at_{rate}"),
                    json!({
                        "ingest": round(r.ingest_delay.p99_us / 1e6, 3),
                        "after_queue": round(r.after_queue_delay.p99_us / 1e6, 3),
                    }),
                );
                put(
                    &format!("log_delay_p99_s_at_{rate}"),
                    num(Some(r.log_delay.p99_us / 1e6), 2),
                );
                put(
                    &format!("max_log_delay_s_at_{rate}"),
                    num(Some(r.log_delay.max_us / 1e6), 2),
                );
            }
        }
        let max_delay = self.frugality.as_ref().and_then(|f| {
            f.rates
                .iter()
                .map(|r| r.log_delay.max_us / 1e6)
                .reduce(f64::max)
        });
        put("max_log_delay_s", num(max_delay, 2));
        put(
            "log_bound_s",
            json!(self.frugality.as_ref().map(|f| f.bound_s)),
        );
        for (label, n) in [("10k", 10_000), ("100k", 100_000), ("1m", 1_000_000)] {
            let d = self.size(n);
            put(
                &format!("directory_bytes_{label}"),
                json!(d.map(|d| d.bytes)),
            );
            put(
                &format!("lookup_p99_us_{label}"),
                num(d.map(|d| d.lookup.p99_us), 3),
            );
        }
        let biggest = self
            .directory
            .as_ref()
            .and_then(|d| d.iter().max_by_key(|d| d.numbers));
        put("lookup_p99_us", num(biggest.map(|d| d.lookup.p99_us), 3));
        let c = self.cold_start.as_ref();
        put("cold_start_ms", num(c.map(|c| c.ready_ms), 1));
        put("connected_ms", num(c.map(|c| c.connected_ms), 1));
        put("binary_bytes", json!(c.map(|c| c.binary_bytes)));
        let l = self.login.as_ref();
        put("login_attempts", json!(l.map(|l| l.attempts)));
        put("login_peak_rss_mib", num(l.map(|l| l.peak_rss_mib), 1));
        put("login_rss_after_mib", num(l.map(|l| l.rss_after_mib), 1));
        put("login_busy", json!(l.map(|l| l.busy)));
        if !self.errors.is_empty() {
            put("errors", json!(self.errors));
        }
        Value::Object(m)
    }

    /// The readable table.
    pub fn table(&self) -> String {
        let mut t = Table::default();
        let mode = if self.quick { "quick" } else { "full" };
        t.title(format!(
            "ringbridge bench ({} build, {mode} run)",
            self.profile
        ));
        if let Some(p) = &self.pop {
            t.row(
                format!("screen pop p50/p99/max ({} numbers)", p.directory_numbers),
                format!(
                    "{:.2} / {:.2} / {:.2} ms",
                    p.ringbridge.p50_ms(),
                    p.ringbridge.p99_ms(),
                    p.ringbridge.max_ms()
                ),
                "",
            );
            t.row(
                "bare relay p50/p99/max",
                format!(
                    "{:.2} / {:.2} / {:.2} ms",
                    p.relay.p50_ms(),
                    p.relay.p99_ms(),
                    p.relay.max_ms()
                ),
                "",
            );
            let spread = p.ratio_spread().map_or_else(String::new, |(lo, hi)| {
                format!(" ({lo:.2}-{hi:.2} over {} runs)", p.runs.len())
            });
            t.row(
                "pop / relay at p99 (median run)",
                format!("{}{spread}", opt(p.ratio_p99, 2)),
                "<= 1.15",
            );
            if let Some(b) = &p.busy {
                t.row(
                    format!(
                        "  while {}/s calls are logged: pop / relay p99",
                        b.load.calls_per_s
                    ),
                    format!(
                        "{:.2} / {:.2} ms = {} (in the hub at {:.2} ms; {} of {} logged, {} jobs failed)",
                        b.ringbridge.p99_ms(),
                        b.relay.p99_ms(),
                        opt(b.ratio_p99, 2),
                        b.hub.p99_ms(),
                        b.load.logged,
                        b.load.calls,
                        b.load.failed_jobs
                    ),
                    "<= 1.3",
                );
            }
            if let Some(s) = &p.stages {
                t.row(
                    "  p99 of parse / journal write / lookup",
                    format!(
                        "{:.3} / {:.3} / {:.3} ms",
                        s.parse.p99_ms(),
                        s.journal_write.p99_ms(),
                        s.directory_lookup.p99_ms()
                    ),
                    "",
                );
            }
            t.row(
                "pops with the matched record",
                format!("{} of {} ({} missed)", p.matched, p.calls, p.missed),
                "all",
            );
        }
        if let Some(x) = &self.throughput {
            t.row(
                "call lifecycles per second",
                format!(
                    "{:.0} ({} per CPU-second of the worker)",
                    x.lifecycles_per_s,
                    opt(x.per_cpu_second(), 0)
                ),
                ">= 10000",
            );
            t.row(
                format!("  {} in flight, outbox lag p99", x.concurrent),
                format!("{:.1} ms ({} lost)", x.outbox_lag.p99_ms(), x.lost),
                "",
            );
            t.row("  pinning", x.pinning.clone(), "");
            let pct = |c: Option<f64>| {
                c.map_or_else(|| "n/a".to_owned(), |c| format!("{:.0} %", c * 100.0))
            };
            t.row(
                "  frames per call, worker / feeder CPU",
                format!(
                    "{}, {} / {} of a core",
                    x.frames_per_call,
                    pct(x.worker_cpu),
                    pct(x.feeder_cpu)
                ),
                "",
            );
        }
        if let Some(x) = &self.pg_throughput {
            t.row(
                "call lifecycles per second, PostgreSQL",
                format!(
                    "{:.0} (lag p99 {:.1} ms, {} lost)",
                    x.lifecycles_per_s,
                    x.outbox_lag.p99_ms(),
                    x.lost
                ),
                ">= 3000",
            );
        }
        if let Some(m) = &self.memory {
            t.row(
                "serve RSS idle / loaded",
                format!(
                    "{:.1} / {:.1} MB ({} numbers, {} live calls)",
                    m.idle_mb, m.loaded_mb, m.numbers, m.live_calls
                ),
                "<= 40 / <= 150 MB",
            );
        }
        if let Some(f) = &self.frugality {
            for r in &f.rates {
                let goal = if r.calls_per_s >= 10.0 { "<= 0.05" } else { "" };
                t.row(
                    format!("Zoho requests per call at {}/s", r.calls_per_s),
                    format!(
                        "{:.4} ({:.4} credits, {}/{} logged, latest {:.1} s)",
                        r.requests_per_call,
                        r.credits_per_call,
                        r.logged,
                        r.calls,
                        r.log_delay.max_us / 1e6
                    ),
                    goal,
                );
            }
            let worst = f
                .rates
                .iter()
                .map(|r| r.log_delay.max_us / 1e6)
                .fold(0.0, f64::max);
            t.row(
                "longest end-to-logged delay",
                format!("{worst:.2} s"),
                format!("<= {} s", f.bound_s),
            );
        }
        for d in self.directory.iter().flatten() {
            t.row(
                format!("directory {} numbers", d.numbers),
                format!(
                    "{:.1} MB, lookup p99 {:.2} us",
                    d.bytes as f64 / 1e6,
                    d.lookup.p99_us
                ),
                if d.numbers >= 1_000_000 {
                    "<= 50 MB, <= 3 us"
                } else {
                    ""
                },
            );
        }
        if let Some(v) = &self.visibility {
            t.row(
                format!("visibility requests per pop, cold ({} pops)", v.pops),
                format!("{:.2}", v.cold),
                "<= 1",
            );
            t.row(
                "visibility requests per pop, warm",
                format!("{:.2}", v.warm),
                "0",
            );
        }
        if let Some(l) = &self.login {
            t.row(
                format!("{} sign-ins at once: peak RSS", l.attempts),
                format!(
                    "{:.0} MiB (from {:.0}; {:.0} after)",
                    l.peak_rss_mib, l.rss_before_mib, l.rss_after_mib
                ),
                "< 400 MiB",
            );
            t.row(
                "  signed in / refused / busy (429) / other",
                format!(
                    "{} / {} / {} / {} in {:.1} s",
                    l.signed_in, l.refused, l.busy, l.other, l.seconds
                ),
                "",
            );
        }
        if let Some(c) = &self.cold_start {
            t.row(
                "cold start to /readyz 200",
                format!("{:.0} ms", c.ready_ms),
                "",
            );
            t.row(
                "  to PBX stream connected",
                format!("{:.0} ms", c.connected_ms),
                "",
            );
            t.row(
                format!("binary size ({})", c.profile),
                format!("{:.1} MB", c.binary_bytes as f64 / 1e6),
                "",
            );
        }
        for (bench, err) in &self.errors {
            t.row(format!("{bench}: not measured"), err.clone(), "");
        }
        t.render()
    }
}

/// The idle runs' spread and the busy run.
fn put_pop_runs(put: &mut impl FnMut(&str, Value), pop: Option<&PopReport>) {
    let runs = pop.map(|p| p.runs.as_slice()).unwrap_or_default();
    let list = |f: fn(&super::pop::RunP99) -> Option<f64>, digits| {
        json!(runs.iter().map(|r| num(f(r), digits)).collect::<Vec<_>>())
    };
    put("pop_p99_ms_runs", list(|r| Some(r.pop_p99_us / 1e3), 3));
    put("relay_p99_ms_runs", list(|r| Some(r.relay_p99_us / 1e3), 3));
    put("pop_ratio_p99_runs", list(|r| r.ratio, 3));
    let spread = pop.and_then(PopReport::ratio_spread);
    put("pop_ratio_p99_min", num(spread.map(|s| s.0), 3));
    put("pop_ratio_p99_max", num(spread.map(|s| s.1), 3));
    let busy = pop.and_then(|p| p.busy.as_ref());
    put("pop_busy_p99_ms", ms(busy.map(|b| b.ringbridge.p99_ms())));
    put("relay_busy_p99_ms", ms(busy.map(|b| b.relay.p99_ms())));
    put("pop_busy_hub_p99_ms", ms(busy.map(|b| b.hub.p99_ms())));
    put("pop_busy_ratio_p99", num(busy.and_then(|b| b.ratio_p99), 3));
    put("pop_busy_missed", json!(busy.map(|b| b.missed)));
    put("busy_calls_per_s", num(busy.map(|b| b.load.calls_per_s), 1));
    put("busy_calls", json!(busy.map(|b| b.load.calls)));
    put("busy_calls_logged", json!(busy.map(|b| b.load.logged)));
    put("busy_failed_jobs", json!(busy.map(|b| b.load.failed_jobs)));
}

fn ms(v: Option<f64>) -> Value {
    num(v, 3)
}

fn num(v: Option<f64>, digits: i32) -> Value {
    v.filter(|v| v.is_finite())
        .map_or(Value::Null, |v| json!(round(v, digits)))
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.digits$}"))
}

#[derive(Default)]
struct Table {
    title: String,
    rows: Vec<[String; 3]>,
}

impl Table {
    fn title(&mut self, title: String) {
        self.title = title;
    }

    fn row(&mut self, label: impl Into<String>, value: impl Into<String>, goal: impl Into<String>) {
        self.rows.push([label.into(), value.into(), goal.into()]);
    }

    fn render(&self) -> String {
        let head = ["measure".to_owned(), "value".to_owned(), "goal".to_owned()];
        let width = |i: usize| {
            self.rows
                .iter()
                .chain(std::iter::once(&head))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        };
        let (w0, w1) = (width(0), width(1));
        let mut out = format!("{}\n", self.title);
        for r in std::iter::once(&head).chain(&self.rows) {
            let line = format!("  {:<w0$}  {:<w1$}  {}", r[0], r[1], r[2]);
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
