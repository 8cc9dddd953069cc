//! Directory scale: the in-memory phone directory (core's `PhoneDirectory`)
//! filled the way `DirectoryService::load` fills it — staged page by page
//! in a `DirectoryLoader`, then built at once — with 10^4, 10^5, 10^6
//! numbers; its size, and the time of single lookups (half known numbers,
//! half unknown) from an HdrHistogram.

use std::hint::black_box;
use std::time::Instant;

use anyhow::Result;
use ringbridge_core::directory::DirectoryLoader;
use ringbridge_core::phone::E164;
use serde::Serialize;

use super::calls::synthetic_number;
use super::prefill;
use super::stats::{Latency, Recorder};

/// Records per page, as `DirectoryConfig::load_page` by default.
const PAGE: u64 = 5_000;

#[derive(Debug, Clone, Serialize)]
pub struct DirectorySize {
    pub numbers: u64,
    /// The directory's own accounting of its heap (capacities of its parts).
    pub bytes: u64,
    /// Growth of the process's resident memory while filling: a cross-check
    /// that includes allocator overhead (0 where /proc is not available).
    pub rss_growth_bytes: u64,
    pub load_ms: f64,
    pub lookup: Latency,
    /// Share of the timed lookups that found a record (about half, by design).
    pub hit_ratio: f64,
}

pub fn run(sizes: &[u64], lookups: u64) -> Result<Vec<DirectorySize>> {
    sizes.iter().map(|&n| measure(n, lookups)).collect()
}

fn measure(numbers: u64, lookups: u64) -> Result<DirectorySize> {
    let rss_before = resident_bytes();
    let started = Instant::now();
    let mut loader = DirectoryLoader::new();
    let mut first = 0;
    while first < numbers {
        let last = (first + PAGE).min(numbers);
        let page = (first..last)
            .map(prefill::entry)
            .collect::<Result<Vec<_>>>()?;
        loader.extend(&page)?;
        first = last;
    }
    let dir = loader.finish()?;
    let load_ms = started.elapsed().as_secs_f64() * 1_000.0;
    let rss_growth_bytes = resident_bytes().saturating_sub(rss_before);

    // Parsed before timing: a call's number reaches the directory as E.164.
    let mut rng = SplitMix(numbers);
    let probes: Vec<E164> = (0..lookups)
        .map(|i| {
            let n = rng.next() % numbers.max(1);
            // Odd probes ask for numbers past the filled range: misses.
            let n = if i % 2 == 1 { numbers + n } else { n };
            E164::try_from(format!("+1{}", synthetic_number(n)))
        })
        .collect::<Result<_, _>>()?;
    let mut recorder = Recorder::new();
    let mut hits = 0u64;
    for probe in &probes {
        let t = Instant::now();
        let found = black_box(dir.lookup(black_box(probe)));
        let name_len = found.first().map_or(0, |e| e.name().len());
        recorder.record(t.elapsed());
        hits += u64::from(black_box(name_len) > 0);
    }
    Ok(DirectorySize {
        numbers: dir.len() as u64,
        bytes: dir.approx_bytes() as u64,
        rss_growth_bytes,
        load_ms,
        lookup: recorder.summary(),
        hit_ratio: if lookups == 0 {
            0.0
        } else {
            hits as f64 / lookups as f64
        },
    })
}

/// VmRSS of this process, in bytes; 0 if unknown.
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| parse_vm_rss(&s))
        .unwrap_or(0)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A tiny deterministic generator (SplitMix64) for probe order; the bench
/// needs spread, not cryptographic randomness.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_in_kilobytes() {
        let status = "Name:\tx\nVmRSS:\t  2048 kB\nThreads:\t1\n";
        assert_eq!(parse_vm_rss(status), Some(2048 * 1024));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }

    #[test]
    fn a_small_directory_finds_its_own_numbers_only() {
        let report = measure(1_000, 2_000).unwrap();
        assert_eq!(report.numbers, 1_000);
        assert!(report.bytes > 0);
        assert_eq!(report.lookup.count, 2_000);
        assert!((report.hit_ratio - 0.5).abs() < f64::EPSILON, "{report:?}");
    }
}
