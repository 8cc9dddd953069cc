//! The phone directory's own byte accounting (`approx_bytes`, from the
//! capacities of its parts) against what the allocator actually handed
//! out for it, counted by a global allocator in this test binary.

use std::alloc::System;

use chrono::{TimeZone, Utc};
use ringbridge_core::crm::{CrmModule, CrmRecordRef};
use ringbridge_core::directory::{DirectoryEntry, DirectoryLoader, PhoneDirectory};
use ringbridge_core::phone::E164;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn entry(i: u64) -> DirectoryEntry {
    // Zoho-style ids, and every seventh a text id as simulators give;
    // every fifth record with two numbers; Chinese names too.
    let id = if i.is_multiple_of(7) {
        format!("sim-{i}")
    } else {
        format!("{}", 5_725_767_000_000_000_000u64 + i * 13)
    };
    let mut numbers = vec![E164::try_from(format!("+1415{i:07}")).unwrap()];
    if i.is_multiple_of(5) {
        numbers.push(E164::try_from(format!("+86138{i:08}")).unwrap());
    }
    DirectoryEntry {
        record: CrmRecordRef {
            module: [CrmModule::Contacts, CrmModule::Leads][(i % 2) as usize],
            id,
        },
        name: if i.is_multiple_of(3) {
            format!("王小明 {i}")
        } else {
            format!("Person Number {i}")
        },
        company: i.is_multiple_of(4).then(|| format!("Company {}", i % 700)),
        owner_id: Some(format!("{}", 5_725_767_000_000_100_000u64 + i % 30)),
        account: None,
        modified_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
            + chrono::Duration::seconds(i as i64),
        numbers,
    }
}

/// Bytes allocated and not yet freed, process-wide.
fn live() -> isize {
    // Reallocations are already folded into these two.
    let s = ALLOCATOR.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize
}

/// Heap bytes the directory `build` makes holds, as the allocator saw
/// them and as the directory says.
fn measured(build: impl FnOnce() -> PhoneDirectory) -> (isize, isize) {
    let before = live();
    let dir = build();
    let held = live() - before;
    let said = (dir.approx_bytes() - size_of::<PhoneDirectory>()) as isize;
    println!("allocator: {held} bytes held; the directory's accounting: {said}");
    drop(dir);
    (held, said)
}

fn off(held: isize, said: isize) -> f64 {
    (held - said).abs() as f64 / held as f64
}

// One test only: the counter is process-wide, and tests run in parallel.
#[test]
fn the_directory_counts_every_byte_it_holds() {
    let entries: Vec<DirectoryEntry> = (0..60_000).map(entry).collect();

    // Loaded page by page and shrunk, as the service leaves it.
    let (held, said) = measured(|| {
        let mut dir = PhoneDirectory::new();
        for page in entries.chunks(5_000) {
            dir.bulk_load(page).unwrap();
        }
        dir.shrink_to_fit();
        dir
    });
    assert!(held > 1_000_000, "{held}");
    // Exact on x86-64; the slack is for hash tables' control bytes, whose
    // group width differs between targets.
    assert!(
        off(held, said) < 0.005,
        "held {held} bytes, accounted {said}"
    );

    // Loaded in one pass, as the service loads the stored directory.
    let (held, said) = measured(|| {
        let mut loader = DirectoryLoader::new();
        for page in entries.chunks(5_000) {
            loader.extend(page).unwrap();
        }
        loader.finish().unwrap()
    });
    assert!(
        off(held, said) < 0.005,
        "held {held} bytes, accounted {said}"
    );

    // With a delta of renames, removals and new records after the merge.
    let (held, said) = measured(|| {
        let mut dir = PhoneDirectory::new();
        dir.bulk_load(&entries).unwrap();
        dir.shrink_to_fit();
        for i in (0..60_000).step_by(30) {
            let mut e = entry(i);
            e.name = format!("Renamed {i}");
            e.modified_at += chrono::Duration::days(1);
            dir.upsert(&e).unwrap();
            dir.remove(&entry(i + 1).record);
            dir.upsert(&entry(100_000 + i)).unwrap();
        }
        dir
    });
    assert!(
        off(held, said) < 0.005,
        "held {held} bytes, accounted {said}"
    );
}
