use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::crm::{CrmModule, CrmRecord};

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

/// Checks the form only: full parsing is slow in debug builds and the
/// index does not care about validity.
fn num(s: &str) -> E164 {
    E164::try_from(s.to_owned()).unwrap()
}

fn entry(module: CrmModule, id: &str, numbers: &[&str], minute: i64) -> DirectoryEntry {
    DirectoryEntry {
        record: CrmRecordRef {
            module,
            id: id.into(),
        },
        name: format!("Name of {id}"),
        company: Some("Acme Ltd".into()),
        owner_id: Some("5725767000000001".into()),
        account: Some(CrmRecordRef {
            module: CrmModule::Accounts,
            id: "5725767000000999".into(),
        }),
        modified_at: at(minute),
        numbers: numbers.iter().map(|n| num(n)).collect(),
    }
}

fn found(dir: &PhoneDirectory, number: &str) -> Vec<DirectoryEntry> {
    let mut out: Vec<DirectoryEntry> = dir
        .lookup(&num(number))
        .iter()
        .map(|v| v.to_entry())
        .collect();
    out.sort_by(|a, b| (&a.record.id, a.record.module).cmp(&(&b.record.id, b.record.module)));
    out
}

#[test]
fn a_record_reads_back_as_it_went_in() {
    let mut dir = PhoneDirectory::new();
    let numeric = entry(
        CrmModule::Contacts,
        "5725767000000411001",
        &["+442079460000"],
        1,
    );
    let mut text = entry(
        CrmModule::Leads,
        "lead-7",
        &["+442079460000", "+4930901820"],
        2,
    );
    text.company = None;
    text.account = None;
    text.owner_id = None;
    assert_eq!(dir.upsert(&numeric).unwrap(), Upsert::Inserted);
    assert_eq!(dir.upsert(&text).unwrap(), Upsert::Inserted);
    assert_eq!(
        found(&dir, "+442079460000"),
        vec![numeric.clone(), text.clone()]
    );
    assert_eq!(found(&dir, "+4930901820"), vec![text.clone()]);
    assert!(found(&dir, "+14155550123").is_empty());
    assert_eq!(dir.get(&text.record).unwrap().to_entry(), text);
    assert_eq!((dir.len(), dir.record_count()), (3, 2));
}

#[test]
fn an_update_moves_the_numbers_and_an_older_copy_is_ignored() {
    let mut dir = PhoneDirectory::new();
    dir.upsert(&entry(CrmModule::Contacts, "1", &["+442079460000"], 5))
        .unwrap();
    let moved = entry(CrmModule::Contacts, "1", &["+4930901820"], 6);
    assert_eq!(dir.upsert(&moved).unwrap(), Upsert::Updated);
    assert!(found(&dir, "+442079460000").is_empty());
    assert_eq!(found(&dir, "+4930901820"), vec![moved.clone()]);

    let older = entry(CrmModule::Contacts, "1", &["+14155550123"], 4);
    assert_eq!(dir.upsert(&older).unwrap(), Upsert::Stale);
    assert_eq!(found(&dir, "+4930901820"), vec![moved]);

    // Same id in another module is another record.
    dir.upsert(&entry(CrmModule::Leads, "1", &["+4930901820"], 1))
        .unwrap();
    assert_eq!(found(&dir, "+4930901820").len(), 2);
}

#[test]
fn a_record_without_numbers_leaves() {
    let mut dir = PhoneDirectory::new();
    assert_eq!(
        dir.upsert(&entry(CrmModule::Contacts, "1", &[], 1))
            .unwrap(),
        Upsert::NoNumbers
    );
    dir.upsert(&entry(CrmModule::Contacts, "1", &["+442079460000"], 1))
        .unwrap();
    assert_eq!(
        dir.upsert(&entry(CrmModule::Contacts, "1", &[], 2))
            .unwrap(),
        Upsert::Removed
    );
    assert!(dir.is_empty());
    assert_eq!(dir.len(), 0);
    let r = CrmRecordRef {
        module: CrmModule::Contacts,
        id: "1".into(),
    };
    assert!(!dir.remove(&r));
}

#[test]
fn retain_removes_and_reports() {
    let mut dir = PhoneDirectory::new();
    for i in 0..10 {
        dir.upsert(&entry(
            CrmModule::Contacts,
            &i.to_string(),
            &["+442079460000"],
            i,
        ))
        .unwrap();
    }
    let gone = dir.retain(|v| v.modified_at() >= at(7));
    assert_eq!(gone.len(), 7);
    assert_eq!(
        found(&dir, "+442079460000")
            .iter()
            .map(|e| e.record.id.as_str())
            .collect::<Vec<_>>(),
        ["7", "8", "9"]
    );
}

#[test]
fn long_names_are_cut_at_a_character_boundary() {
    let mut dir = PhoneDirectory::new();
    let mut e = entry(CrmModule::Contacts, "1", &["+442079460000"], 1);
    e.name = "é".repeat(MAX_NAME_BYTES);
    dir.upsert(&e).unwrap();
    let name = dir.get(&e.record).unwrap().name().to_owned();
    assert!(name.len() <= MAX_NAME_BYTES && name.len() > MAX_NAME_BYTES - 2);
    assert!(name.chars().all(|c| c == 'é'));
}

#[test]
fn from_record_normalises_every_uk_spelling_and_counts_the_rest() {
    let plan = NumberPlan::new("GB").unwrap();
    let record = CrmRecord {
        reference: CrmRecordRef {
            module: CrmModule::Contacts,
            id: "1".into(),
        },
        name: "Ada".into(),
        company: None,
        email: None,
        phones: vec![
            "+44 20 7946 0000".into(),
            "0044 20 7946 0000".into(),
            "020 7946 0000".into(),
            "(020) 7946-0000".into(),
            "call reception".into(),
            "".into(),
        ],
        owner_id: None,
        account: None,
        modified_at: at(0),
    };
    let (e, unparseable) = DirectoryEntry::from_record(&record, &plan);
    assert_eq!(e.numbers, vec![num("+442079460000")]);
    assert_eq!(unparseable, 1);
}

/// A small deterministic generator, so the property test needs no crate
/// and replays the same way every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn pool_number(i: u64) -> String {
    format!("+44207946{i:04}")
}

fn random_entry(rng: &mut Rng) -> DirectoryEntry {
    let module = [CrmModule::Contacts, CrmModule::Leads][rng.below(2) as usize];
    let n = rng.below(120);
    // Numeric ids, text ids and numeric-looking ids that must stay text.
    let id = match n % 3 {
        0 => format!("57257670000{n:08}"),
        1 => format!("rec-{n}"),
        _ => format!("0{n}"),
    };
    let numbers: Vec<E164> = (0..rng.below(4))
        .map(|_| num(&pool_number(rng.below(150))))
        .collect();
    let name_len = rng.below(300) as usize;
    DirectoryEntry {
        record: CrmRecordRef { module, id },
        name: "x".repeat(name_len) + &rng.next().to_string(),
        company: (rng.below(3) > 0).then(|| format!("Company {}", rng.below(20))),
        owner_id: (rng.below(4) > 0).then(|| format!("user-{}", rng.below(5))),
        account: (rng.below(2) == 0).then(|| CrmRecordRef {
            module: CrmModule::Accounts,
            id: format!("acct-{}", rng.below(30)),
        }),
        modified_at: at(rng.below(1_000) as i64),
        numbers,
    }
}

/// The same semantics, spelled out naively.
#[derive(Default)]
struct Model(HashMap<CrmRecordRef, DirectoryEntry>);

impl Model {
    fn upsert(&mut self, e: &DirectoryEntry) {
        if let Some(old) = self.0.get(&e.record)
            && old.modified_at > e.modified_at
        {
            return;
        }
        if e.numbers.is_empty() {
            self.0.remove(&e.record);
        } else {
            let mut e = e.clone();
            let mut seen = BTreeSet::new();
            e.numbers.retain(|n| seen.insert(n.clone()));
            self.0.insert(e.record.clone(), e);
        }
    }

    fn lookup(&self, number: &str) -> Vec<DirectoryEntry> {
        let n = num(number);
        let mut out: Vec<DirectoryEntry> = self
            .0
            .values()
            .filter(|e| e.numbers.contains(&n))
            .cloned()
            .collect();
        out.sort_by(|a, b| (&a.record.id, a.record.module).cmp(&(&b.record.id, b.record.module)));
        out
    }
}

fn check(dir: &PhoneDirectory, model: &Model, step: usize) {
    assert_eq!(dir.record_count(), model.0.len(), "step {step}");
    let pairs: usize = model.0.values().map(|e| e.numbers.len()).sum();
    assert_eq!(dir.len(), pairs, "step {step}");
    for i in 0..150 {
        let number = pool_number(i);
        assert_eq!(
            found(dir, &number),
            model.lookup(&number),
            "step {step}, {number}"
        );
    }
}

#[test]
fn random_operations_agree_with_a_naive_model() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut dir = PhoneDirectory::new();
    let mut model = Model::default();
    for step in 0..30_000 {
        match rng.below(10) {
            0..=6 => {
                let e = random_entry(&mut rng);
                dir.upsert(&e).unwrap();
                model.upsert(&e);
            }
            7 | 8 => {
                let e = random_entry(&mut rng);
                assert_eq!(dir.remove(&e.record), model.0.remove(&e.record).is_some());
            }
            _ => {
                let batch: Vec<DirectoryEntry> =
                    (0..rng.below(50)).map(|_| random_entry(&mut rng)).collect();
                dir.bulk_load(&batch).unwrap();
                batch.iter().for_each(|e| model.upsert(e));
            }
        }
        if step % 500 == 0 {
            check(&dir, &model, step);
        }
        if step == 15_000 {
            dir.compact().unwrap();
            check(&dir, &model, step);
        }
    }
    check(&dir, &model, usize::MAX);
    // The text of ~20,000 long-named updates (~3 MB) was reclaimed along the way.
    assert!(dir.text_bytes() < 3 << 19, "{} bytes", dir.text_bytes());
}

/// Entries as a benchmark would make them: one number each, Zoho-style ids,
/// short names, shared owners and companies.
fn synthetic(i: u64) -> DirectoryEntry {
    DirectoryEntry {
        record: CrmRecordRef {
            module: CrmModule::Contacts,
            id: format!("{}", 5_725_767_000_000_000_000u64 + i),
        },
        name: format!("Contact {i:07}"),
        company: Some(format!("Company {}", i % 50_000)),
        owner_id: Some(format!("57257670000000{:05}", i % 200)),
        account: Some(CrmRecordRef {
            module: CrmModule::Accounts,
            id: format!("{}", 5_725_768_000_000_000_000u64 + i % 50_000),
        }),
        modified_at: at((i % 100_000) as i64),
        numbers: vec![num(&format!("+1415{:07}", i))],
    }
}

#[test]
fn bulk_load_matches_one_by_one_upserts() {
    let entries: Vec<DirectoryEntry> = (0..5_000).map(synthetic).collect();
    let mut bulk = PhoneDirectory::with_capacity(5_000, 5_000);
    assert_eq!(bulk.bulk_load(&entries).unwrap(), 5_000);
    let mut single = PhoneDirectory::new();
    entries.iter().for_each(|e| {
        single.upsert(e).unwrap();
    });
    for e in entries.iter().step_by(97) {
        assert_eq!(found(&bulk, e.numbers[0].as_str()), vec![e.clone()]);
        assert_eq!(found(&single, e.numbers[0].as_str()), vec![e.clone()]);
    }
    assert_eq!((bulk.len(), bulk.record_count()), (5_000, 5_000));
}

/// `cargo test -p ringbridge-core million -- --ignored --nocapture`
#[test]
#[ignore = "memory report, not a check; takes a few seconds"]
fn million_numbers_memory_report() {
    let n = 1_000_000;
    let rss_before = rss_bytes();
    let mut dir = PhoneDirectory::with_capacity(n as usize, n as usize);
    dir.bulk_load((0..n).map(synthetic)).unwrap();
    dir.shrink_to_fit();
    for (part, bytes) in dir.byte_parts() {
        println!("{part:>24}: {:>6.2} MB", bytes as f64 / 1e6);
    }
    println!(
        "{} numbers, {} records: approx {} bytes ({:.1} MB)",
        dir.len(),
        dir.record_count(),
        dir.approx_bytes(),
        dir.approx_bytes() as f64 / 1e6
    );
    if let (Some(before), Some(after)) = (rss_before, rss_bytes()) {
        println!(
            "resident set grew by {:.1} MB",
            (after - before) as f64 / 1e6
        );
    }
    // A merge holds the write lock: how long lookups would wait for one.
    let mut renamed = synthetic(7);
    renamed.name = "Renamed".into();
    dir.upsert(&renamed).unwrap();
    let started = std::time::Instant::now();
    dir.compact().unwrap();
    println!("one merge: {:.0} ms", started.elapsed().as_secs_f64() * 1e3);
}

/// The process's resident set size, where `/proc` offers it.
fn rss_bytes() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: i64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn merged(dir: &mut PhoneDirectory) {
    dir.compact().unwrap();
    assert_eq!(dir.delta.live(), 0);
}

#[test]
fn text_ids_chinese_names_and_id_order_survive_merges() {
    let mut dir = PhoneDirectory::new();
    let mut all = Vec::new();
    // Text ids sort after numeric ones; both kinds, one id in two modules,
    // ids whose high 32 bits differ (runs), an id past 2^63.
    for (i, id) in [
        "sim-contact-7",
        "5725767000000411001",
        "18446744073709551615",
        "9999999999999999999",
        "0042",
        "客户-1",
        "1",
        "4294967296",
        "4294967295",
    ]
    .into_iter()
    .enumerate()
    {
        for module in [CrmModule::Contacts, CrmModule::Leads] {
            let mut e = entry(module, id, &[&format!("+44207946{i:04}")], i as i64);
            e.name = format!("张伟 {id} Ünïcödé");
            dir.upsert(&e).unwrap();
            all.push(e);
        }
    }
    for round in 0..2 {
        for e in &all {
            assert_eq!(dir.get(&e.record).unwrap().to_entry(), *e, "round {round}");
            assert!(found(&dir, e.numbers[0].as_str()).contains(e));
        }
        assert_eq!(dir.record_count(), all.len());
        merged(&mut dir);
    }
    let ids: Vec<String> = dir.iter().map(|v| v.id().into_owned()).collect();
    assert_eq!(ids[0], "1", "numeric ids first, in numeric order: {ids:?}");
    assert_eq!(ids.last().unwrap(), "客户-1");
}

#[test]
fn updates_of_merged_records_in_place_and_moved() {
    let zoho = |n: u64| (5_725_767_000_000_411_000 + n).to_string();
    let mut dir = PhoneDirectory::new();
    let first = entry(
        CrmModule::Contacts,
        &zoho(1),
        &["+442079460000", "+4930901820"],
        1,
    );
    let other = entry(CrmModule::Contacts, &zoho(2), &["+442079460000"], 1);
    dir.upsert(&first).unwrap();
    dir.upsert(&other).unwrap();
    merged(&mut dir);

    // Only the fixed-size fields change: updated in the base itself.
    let mut owner = first.clone();
    owner.owner_id = Some("5725767000000002".into());
    owner.account = None;
    owner.modified_at = at(2);
    assert_eq!(dir.upsert(&owner).unwrap(), Upsert::Updated);
    assert_eq!(dir.delta.live(), 0, "no copy in the delta");
    assert_eq!(dir.get(&owner.record).unwrap().to_entry(), owner);

    // A new name and numbers: the base copy dies, the delta has the record.
    let mut moved = owner.clone();
    moved.name = "名".repeat(40_000);
    moved.numbers = vec![num("+14155550123")];
    moved.modified_at = at(3);
    assert_eq!(dir.upsert(&moved).unwrap(), Upsert::Updated);
    let mut cut = moved.clone();
    cut.name = "名".repeat(MAX_NAME_BYTES / 3);
    for round in 0..2 {
        assert_eq!(
            found(&dir, "+442079460000"),
            vec![other.clone()],
            "round {round}"
        );
        assert!(found(&dir, "+4930901820").is_empty());
        assert_eq!(found(&dir, "+14155550123"), vec![cut.clone()]);
        assert_eq!((dir.len(), dir.record_count()), (2, 2));
        assert_eq!(dir.upsert(&first).unwrap(), Upsert::Stale);
        merged(&mut dir);
    }

    // Removed from the base, then back (into the delta), then merged.
    assert!(dir.remove(&other.record));
    assert!(!dir.remove(&other.record));
    assert!(dir.get(&other.record).is_none());
    assert!(found(&dir, "+442079460000").is_empty());
    assert_eq!(dir.upsert(&other).unwrap(), Upsert::Inserted);
    assert_eq!(found(&dir, "+442079460000"), vec![other.clone()]);
    merged(&mut dir);
    assert_eq!(found(&dir, "+442079460000"), vec![other]);
    assert_eq!(dir.record_count(), 2);
}

#[test]
fn modification_times_keep_whole_seconds_rounded_up() {
    let mut dir = PhoneDirectory::new();
    let mut e = entry(CrmModule::Contacts, "1", &["+442079460000"], 0);
    e.modified_at = at(0) + chrono::Duration::milliseconds(1_500);
    dir.upsert(&e).unwrap();
    let held = dir.get(&e.record).unwrap().modified_at();
    assert_eq!(held, at(0) + chrono::Duration::seconds(2));
    // Within the same second: not older than what is held, so applied.
    e.modified_at = at(0) + chrono::Duration::milliseconds(1_200);
    e.name = "Renamed".into();
    assert_eq!(dir.upsert(&e).unwrap(), Upsert::Updated);
    e.modified_at = at(0);
    assert_eq!(dir.upsert(&e).unwrap(), Upsert::Stale);
}

/// Everything a directory holds, by id and module.
fn contents(dir: &PhoneDirectory) -> Vec<DirectoryEntry> {
    let mut all: Vec<DirectoryEntry> = dir.iter().map(|v| v.to_entry()).collect();
    all.sort_by(|a, b| (&a.record.id, a.record.module).cmp(&(&b.record.id, b.record.module)));
    all
}

#[test]
fn a_one_pass_load_holds_what_upserts_in_turn_leave() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    // ~20 copies of each record: older ones, equally old ones, copies
    // without numbers, text and numeric ids, in no order.
    let entries: Vec<DirectoryEntry> = (0..5_000).map(|_| random_entry(&mut rng)).collect();
    let mut loader = DirectoryLoader::new();
    loader.extend(&entries).unwrap();
    assert_eq!(loader.staged(), 5_000);
    let mut loaded = loader.finish().unwrap();
    assert_eq!(
        loaded.delta.live(),
        0,
        "one base, nothing merged on the way"
    );
    let mut merging = PhoneDirectory::new();
    merging.bulk_load(&entries).unwrap();
    let mut model = Model::default();
    entries.iter().for_each(|e| model.upsert(e));
    check(&loaded, &model, 0);
    assert_eq!(contents(&loaded), contents(&merging));
    // The loaded base takes updates and merges like any other.
    for step in 0..3_000 {
        let e = random_entry(&mut rng);
        loaded.upsert(&e).unwrap();
        model.upsert(&e);
        if step % 500 == 0 {
            check(&loaded, &model, step);
        }
    }
    check(&loaded, &model, usize::MAX);
}

#[test]
fn a_one_pass_load_keeps_text_ids_chinese_names_and_id_order() {
    let mut all = Vec::new();
    let ids = [
        "sim-7",
        "5725767000000411001",
        "18446744073709551615",
        "0042",
    ];
    let more = ["客户-1", "1", "4294967296", "4294967295", ""];
    for (i, id) in ids.into_iter().chain(more).enumerate() {
        for module in [CrmModule::Contacts, CrmModule::Leads] {
            let own = format!("+44207946{i:04}");
            let mut e = entry(module, id, &[&own, "+8613800138000"], i as i64);
            e.name = format!("张伟 {id} Ünïcödé");
            all.push(e);
        }
    }
    let mut loader = DirectoryLoader::new();
    loader.extend(all.iter().rev()).unwrap();
    let dir = loader.finish().unwrap();
    for e in &all {
        assert_eq!(dir.get(&e.record).unwrap().to_entry(), *e);
        assert!(found(&dir, e.numbers[0].as_str()).contains(e));
    }
    assert_eq!(found(&dir, "+8613800138000").len(), all.len());
    let ids: Vec<String> = dir.iter().map(|v| v.id().into_owned()).collect();
    assert_eq!(ids[0], "1", "numeric ids first, in numeric order: {ids:?}");
    assert_eq!(ids.last().unwrap(), "客户-1");
    assert!(DirectoryLoader::new().finish().unwrap().is_empty());
}

#[test]
fn deferred_merges_wait_for_the_owner() {
    let mut dir = PhoneDirectory::new();
    dir.defer_merges();
    let entries: Vec<DirectoryEntry> = (0..100).map(synthetic).collect();
    dir.bulk_load(&entries).unwrap();
    assert!(dir.wants_merge());
    assert_eq!(dir.delta.live(), 100, "not merged by itself");
    let merged = dir.merged().unwrap();
    assert_eq!((merged.delta.live(), merged.base.len()), (0, 100));
    assert!(!merged.wants_merge());
    assert_eq!(contents(&merged), contents(&dir));
}
