use super::*;

fn cache(capacity: usize) -> Arc<Mutex<RegexCache>> {
    Arc::new(Mutex::new(RegexCache::new(capacity)))
}

fn held(cache: &Arc<Mutex<RegexCache>>) -> usize {
    lock(cache).len()
}

#[test]
fn digits_are_ascii_digits_unless_unicode_is_asked_for() {
    let cache = cache(10);
    let ascii = CachedRegex::new(cache.clone(), r"^\d{3}$").unwrap();
    let unicode = CachedRegexBuilder::new(cache.clone(), r"^\d{3}$")
        .unicode(true)
        .build()
        .unwrap();
    assert!(ascii.is_match("123"));
    assert!(
        !ascii.is_match("١٢٣"),
        "Arabic-Indic digits are no ASCII digits"
    );
    assert!(unicode.is_match("١٢٣"));
    assert_eq!(
        held(&cache),
        2,
        "the same text with other flags is another entry"
    );
}

#[test]
fn a_pattern_ascii_mode_cannot_compile_is_compiled_in_unicode_mode() {
    let cache = cache(10);
    // Without Unicode, `[^0-9]` could match a lone byte of a multi-byte
    // character, which the `str` API refuses to compile.
    let not_digit = CachedRegex::new(cache, r"^[^0-9]+$").unwrap();
    assert!(not_digit.is_match("abc"));
    assert!(not_digit.is_match("电话"));
    assert!(!not_digit.is_match("a1"));
}

#[test]
fn the_syntax_is_checked_at_build_and_whitespace_follows_the_flag() {
    let cache = cache(10);
    let err = CachedRegex::new(cache.clone(), "(12").unwrap_err();
    assert!(matches!(err, Error::Syntax(_)), "{err:?}");

    let spaced = CachedRegexBuilder::new(cache.clone(), "1 2 3")
        .ignore_whitespace(true)
        .build()
        .unwrap();
    assert!(spaced.is_match("123"));
    assert_eq!(spaced.as_str(), "1 2 3", "the pattern is kept verbatim");
    let literal = CachedRegex::new(cache, "1 2 3").unwrap();
    assert!(!literal.is_match("123"));
    assert!(literal.is_match("1 2 3"));
}

#[test]
fn the_cache_holds_at_most_its_capacity_and_drops_the_least_recent() {
    let cache = cache(2);
    let one = CachedRegex::new(cache.clone(), "^1+$").unwrap();
    let two = CachedRegex::new(cache.clone(), "^2+$").unwrap();
    let three = CachedRegex::new(cache.clone(), "^3+$").unwrap();
    assert_eq!(held(&cache), 0, "nothing is compiled before first use");

    assert!(one.is_match("11"));
    assert!(two.is_match("22"));
    assert!(one.is_match("1"), "one is now more recent than two");
    assert!(three.is_match("333"));
    assert_eq!(held(&cache), 2);
    let kept: Vec<Arc<str>> = lock(&cache)
        .entries
        .values()
        .map(|e| e.key.source.clone())
        .collect();
    assert!(kept.iter().any(|s| &**s == "^1+$"), "{kept:?}");
    assert!(kept.iter().any(|s| &**s == "^3+$"), "{kept:?}");

    // A dropped pattern compiles again when it is used again.
    assert!(two.is_match("2"));
    assert!(!two.is_match("3"));
    assert_eq!(held(&cache), 2);
}

#[test]
fn matches_captures_and_replacements_go_through_the_compiled_pattern() {
    let cache = cache(4);
    let pattern = CachedRegex::new(cache, r"(\d{3})(\d{4})").unwrap();
    let found = pattern.find("tel 5550123").unwrap();
    assert_eq!((found.start(), found.as_str()), (4, "5550123"));
    let caps = pattern.captures("5550123").unwrap();
    assert_eq!(&caps[1], "555");
    assert_eq!(pattern.replace("5550123", "$1-$2"), "555-0123");
    assert_eq!(pattern.replace_all("5550123 5550124", "$2"), "0123 0124");
    assert_eq!(pattern.shortest_match("5550123"), Some(7));
    assert_eq!(pattern.captures_len(), 3);
    assert_eq!(format!("{pattern}"), r"(\d{3})(\d{4})");
}
