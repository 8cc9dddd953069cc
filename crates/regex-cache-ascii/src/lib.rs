//! A stand-in for the `regex-cache` 0.2 API, put in place of that crate
//! under `phonenumber` by the workspace's `[patch.crates-io]`.
//!
//! Why: `phonenumber` compiles its metadata patterns (`\d{7}`,
//! `(?:2[0-9]|3[1-9])\d{6}`…) through `regex-cache`, which builds every
//! pattern in Unicode mode. There `\d` is every decimal digit Unicode
//! knows, and each one becomes a UTF-8 automaton: parsing and validating a
//! dozen numbers from seven countries held 12.2 MB of compiled patterns,
//! and they were about 6 MB of an idle `serve`'s 9 MB of live heap.
//! Compiled in ASCII mode the same dozen numbers hold 3.4 MB. The metadata
//! patterns are digit patterns matched against national numbers that are
//! ASCII digits by the time they are matched (ringbridge hands
//! `phonenumber` cleaned `+` and ASCII digits only), so both modes accept
//! the same strings; `ringbridge-core`'s `phone::patterns_tests` check
//! that on every pattern.
//!
//! A pattern ASCII mode cannot compile (one that could match bytes that are
//! not UTF-8, such as `[^0-9]`) is compiled in Unicode mode instead, so
//! nothing that compiled before fails now.
//!
//! What else differs from the original, on purpose:
//! - The cache is found by a hash of the pattern taken once, when the
//!   pattern is built, instead of hashing the pattern text (up to a few KB
//!   for a country's fixed-line numbers) at every match.
//! - Only the API `phonenumber` uses is here: [`RegexCache::new`],
//!   [`CachedRegex`] and [`CachedRegexBuilder`] with its flags.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

pub use regex::{Captures, Error, Match, Regex, RegexBuilder, Replacer};

/// The flags a pattern is compiled with. `unicode` is off unless asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct Flags {
    case_insensitive: bool,
    multi_line: bool,
    dot_matches_new_line: bool,
    swap_greed: bool,
    ignore_whitespace: bool,
    unicode: bool,
    size_limit: Option<usize>,
    dfa_size_limit: Option<usize>,
}

impl Flags {
    fn compile(&self, source: &str) -> Result<Regex, Error> {
        let mut builder = RegexBuilder::new(source);
        builder
            .case_insensitive(self.case_insensitive)
            .multi_line(self.multi_line)
            .dot_matches_new_line(self.dot_matches_new_line)
            .swap_greed(self.swap_greed)
            .ignore_whitespace(self.ignore_whitespace);
        if let Some(limit) = self.size_limit {
            builder.size_limit(limit);
        }
        if let Some(limit) = self.dfa_size_limit {
            builder.dfa_size_limit(limit);
        }
        if self.unicode {
            return builder.unicode(true).build();
        }
        builder
            .unicode(false)
            .build()
            .or_else(|_| builder.unicode(true).build())
    }
}

/// One pattern with its flags, and the hash the cache finds it by.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    hash: u64,
    source: Arc<str>,
    flags: Flags,
}

impl Key {
    fn new(source: &str, flags: Flags) -> Self {
        let mut hasher = DefaultHasher::new();
        source.hash(&mut hasher);
        flags.hash(&mut hasher);
        Key {
            hash: hasher.finish(),
            source: source.into(),
            flags,
        }
    }
}

struct Entry {
    key: Key,
    regex: Regex,
    last_used: u64,
}

/// Compiled patterns, at most `capacity`; the one used least recently goes
/// first when a new one needs the room.
pub struct RegexCache {
    capacity: usize,
    clock: u64,
    entries: HashMap<u64, Entry>,
}

impl RegexCache {
    pub fn new(capacity: usize) -> RegexCache {
        RegexCache {
            capacity: capacity.max(1),
            clock: 0,
            entries: HashMap::with_capacity(capacity.max(1)),
        }
    }

    /// How many compiled patterns are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The compiled pattern of `key`, compiled now if it is not held.
    fn get(&mut self, key: &Key) -> Result<&Regex, Error> {
        self.clock += 1;
        let now = self.clock;
        // Two patterns whose hashes collide take turns in the slot.
        let held = self.entries.get(&key.hash).is_some_and(|e| e.key == *key);
        if !held {
            let regex = key.flags.compile(&key.source)?;
            if self.entries.len() >= self.capacity && !self.entries.contains_key(&key.hash) {
                self.evict_least_recent();
            }
            self.entries.insert(
                key.hash,
                Entry {
                    key: key.clone(),
                    regex,
                    last_used: now,
                },
            );
        }
        let entry = self
            .entries
            .get_mut(&key.hash)
            .expect("the entry was just found or inserted");
        entry.last_used = now;
        Ok(&entry.regex)
    }

    fn evict_least_recent(&mut self) {
        if let Some(oldest) = self
            .entries
            .iter()
            .min_by_key(|(_, e)| e.last_used)
            .map(|(hash, _)| *hash)
        {
            self.entries.remove(&oldest);
        }
    }
}

impl fmt::Debug for RegexCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegexCache")
            .field("capacity", &self.capacity)
            .field("held", &self.entries.len())
            .finish()
    }
}

/// A pattern compiled on first use and kept in a shared [`RegexCache`].
#[derive(Clone)]
pub struct CachedRegex {
    cache: Arc<Mutex<RegexCache>>,
    key: Key,
}

impl CachedRegex {
    /// A cached pattern with the default flags, its syntax checked now.
    pub fn new(cache: Arc<Mutex<RegexCache>>, source: &str) -> Result<CachedRegex, Error> {
        CachedRegexBuilder::new(cache, source).build()
    }

    /// A cached pattern with the default flags, its syntax checked at first use.
    pub fn new_unchecked(cache: Arc<Mutex<RegexCache>>, source: &str) -> CachedRegex {
        CachedRegexBuilder::new(cache, source).build_unchecked()
    }

    /// Runs `f` on the compiled pattern, holding the cache meanwhile.
    ///
    /// # Panics
    /// When the pattern does not compile: [`CachedRegexBuilder::build`]
    /// checked its syntax, so only a pattern too big for the size limits, or
    /// one built unchecked, gets here.
    fn with<T>(&self, f: impl FnOnce(&Regex) -> T) -> T {
        let mut cache = lock(&self.cache);
        match cache.get(&self.key) {
            Ok(regex) => f(regex),
            Err(err) => panic!("pattern {:?} does not compile: {err}", self.key.source),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.with(|r| r.is_match(text))
    }

    pub fn find<'t>(&self, text: &'t str) -> Option<Match<'t>> {
        self.with(|r| r.find(text))
    }

    pub fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        self.with(|r| r.captures(text))
    }

    pub fn replace<'t, R: Replacer>(&self, text: &'t str, rep: R) -> Cow<'t, str> {
        self.with(|r| r.replace(text, rep))
    }

    pub fn replace_all<'t, R: Replacer>(&self, text: &'t str, rep: R) -> Cow<'t, str> {
        self.with(|r| r.replace_all(text, rep))
    }

    pub fn shortest_match(&self, text: &str) -> Option<usize> {
        self.with(|r| r.shortest_match(text))
    }

    pub fn captures_len(&self) -> usize {
        self.with(|r| r.captures_len())
    }

    /// The pattern as given, without the flags.
    pub fn as_str(&self) -> &str {
        &self.key.source
    }
}

/// A poisoned cache still holds only whole compiled patterns.
fn lock(cache: &Mutex<RegexCache>) -> MutexGuard<'_, RegexCache> {
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl fmt::Debug for CachedRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.key.source, f)
    }
}

impl fmt::Display for CachedRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.key.source, f)
    }
}

/// Flags for a [`CachedRegex`]; ASCII mode unless [`Self::unicode`] asks.
#[derive(Clone)]
pub struct CachedRegexBuilder {
    cache: Arc<Mutex<RegexCache>>,
    source: String,
    flags: Flags,
}

impl CachedRegexBuilder {
    pub fn new(cache: Arc<Mutex<RegexCache>>, source: &str) -> CachedRegexBuilder {
        CachedRegexBuilder {
            cache,
            source: source.to_owned(),
            flags: Flags::default(),
        }
    }

    /// Checks the syntax (parsing only; compiling waits for first use).
    pub fn build(&self) -> Result<CachedRegex, Error> {
        regex_syntax::ast::parse::ParserBuilder::new()
            .ignore_whitespace(self.flags.ignore_whitespace)
            .build()
            .parse(&self.source)
            .map_err(|err| Error::Syntax(err.to_string()))?;
        Ok(self.build_unchecked())
    }

    pub fn build_unchecked(&self) -> CachedRegex {
        CachedRegex {
            cache: self.cache.clone(),
            key: Key::new(&self.source, self.flags),
        }
    }

    pub fn case_insensitive(&mut self, yes: bool) -> &mut CachedRegexBuilder {
        self.flags.case_insensitive = yes;
        self
    }

    pub fn multi_line(&mut self, yes: bool) -> &mut CachedRegexBuilder {
        self.flags.multi_line = yes;
        self
    }

    pub fn dot_matches_new_line(&mut self, yes: bool) -> &mut CachedRegexBuilder {
        self.flags.dot_matches_new_line = yes;
        self
    }

    pub fn swap_greed(&mut self, yes: bool) -> &mut CachedRegexBuilder {
        self.flags.swap_greed = yes;
        self
    }

    pub fn ignore_whitespace(&mut self, yes: bool) -> &mut CachedRegexBuilder {
        self.flags.ignore_whitespace = yes;
        self
    }

    /// Unicode mode: `\d` is every Unicode digit. Off by default here.
    pub fn unicode(&mut self, yes: bool) -> &mut CachedRegexBuilder {
        self.flags.unicode = yes;
        self
    }

    pub fn size_limit(&mut self, limit: usize) -> &mut CachedRegexBuilder {
        self.flags.size_limit = Some(limit);
        self
    }

    pub fn dfa_size_limit(&mut self, limit: usize) -> &mut CachedRegexBuilder {
        self.flags.dfa_size_limit = Some(limit);
        self
    }
}

#[cfg(test)]
mod tests;
