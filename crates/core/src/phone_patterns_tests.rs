//! `phonenumber`'s metadata patterns compiled in ASCII mode (the workspace's
//! `regex-cache` stand-in) accept exactly the digit strings they accept in
//! Unicode mode, so numbers parse and validate as they did before.

use std::collections::BTreeSet;

use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
use regex::{Regex, RegexBuilder};

fn descriptors(meta: &Metadata) -> impl Iterator<Item = &Descriptor> {
    let d = meta.descriptors();
    [
        Some(d.general()),
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.emergency(),
        d.voicemail(),
        d.short_code(),
        d.standard_rate(),
        d.carrier(),
        d.no_international(),
    ]
    .into_iter()
    .flatten()
}

/// Every pattern of a region, as `regex-cache` receives it.
fn patterns(meta: &Metadata) -> Vec<&str> {
    let mut out: Vec<&str> = descriptors(meta)
        .map(|d| d.national_number().as_str())
        .collect();
    out.extend(meta.international_prefix().map(|r| r.as_str()));
    out.extend(meta.national_prefix_for_parsing().map(|r| r.as_str()));
    out.extend(meta.leading_digits().map(|r| r.as_str()));
    for format in meta.formats().iter().chain(meta.international_formats()) {
        out.push(format.pattern().as_str());
        out.extend(format.leading_digits().iter().map(|r| r.as_str()));
    }
    out
}

fn compile(pattern: &str, unicode: bool) -> Regex {
    RegexBuilder::new(pattern)
        .ignore_whitespace(true)
        .unicode(unicode)
        .build()
        .unwrap_or_else(|e| panic!("{pattern:?} (unicode {unicode}): {e}"))
}

/// Digit strings to try a region's patterns on: its example numbers, every
/// prefix and one-digit change of them, and pseudo-random digits of every
/// length a national number has.
fn haystacks(meta: &Metadata, seed: &mut u64) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for example in descriptors(meta).filter_map(|d| d.example()) {
        for end in 1..=example.len() {
            out.insert(example[..end].to_owned());
        }
        for (i, c) in example.char_indices() {
            let bumped = char::from(b'0' + (c as u8 - b'0' + 1) % 10);
            out.insert(format!("{}{bumped}{}", &example[..i], &example[i + 1..]));
        }
    }
    for len in 1..=17 {
        for _ in 0..8 {
            let digits: String = (0..len)
                .map(|_| {
                    *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    char::from(b'0' + (*seed >> 33) as u8 % 10)
                })
                .collect();
            out.insert(digits);
        }
    }
    out
}

#[test]
fn every_metadata_pattern_compiles_in_ascii_mode() {
    let mut seen = BTreeSet::new();
    for meta in DATABASE.iter() {
        for pattern in patterns(meta) {
            if seen.insert(pattern) {
                compile(pattern, false);
            }
        }
    }
    assert!(seen.len() > 1_500, "only {} patterns found", seen.len());
}

/// Every region (about 13 s in a debug build).
#[test]
fn ascii_and_unicode_patterns_accept_the_same_digit_strings() {
    let mut seed = 7;
    let mut compared = 0;
    for meta in DATABASE.iter() {
        let haystacks = haystacks(meta, &mut seed);
        let unique: BTreeSet<&str> = patterns(meta).into_iter().collect();
        for pattern in unique {
            let (ascii, unicode) = (compile(pattern, false), compile(pattern, true));
            for text in &haystacks {
                let a = ascii.find(text).map(|m| m.range());
                let u = unicode.find(text).map(|m| m.range());
                assert_eq!(a, u, "{}: {pattern:?} on {text:?}", meta.id());
                compared += 1;
            }
        }
    }
    assert!(compared > 100_000, "only {compared} comparisons");
}

/// The workspace's `[patch.crates-io]` is what puts the stand-in under
/// `phonenumber`; without it this cache would compile `\d` for every
/// Unicode digit again.
#[test]
fn phonenumber_compiles_its_patterns_through_the_ascii_stand_in() {
    let digit = regex_cache::CachedRegex::new(DATABASE.cache(), r"^\d$").unwrap();
    assert!(digit.is_match("7"));
    assert!(!digit.is_match("٧"), "an Arabic-Indic seven matched");
}
